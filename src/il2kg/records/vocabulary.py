"""The controlled vocabulary: named individuals of the ontology, by class."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import OWL, RDF, SKOS, Graph, URIRef
from rdflib.term import Node

from il2kg.iris import IL2KG


@dataclass(frozen=True)
class Vocabulary:
    """Local names of the ontology's individuals, grouped by the class they are typed with."""

    terms: dict[str, frozenset[str]]
    narrower: dict[str, frozenset[str]] = field(default_factory=dict)
    """Each term with narrower terms (`skos:broader` read backwards) -> those terms."""

    def parts(self, term: str) -> frozenset[str]:
        """The narrowest terms under `term` (itself when nothing is narrower): what a
        category counts, e.g. objective response -> complete, near-complete, partial."""
        below = self.narrower.get(term)
        return frozenset().union(*map(self.parts, below)) if below else frozenset({term})

    def of(self, *classes: str) -> frozenset[str]:
        """All terms typed with any of the given classes (local names, e.g. 'Agent')."""
        return frozenset().union(*(self.terms.get(c, frozenset()) for c in classes))

    def all_terms(self) -> frozenset[str]:
        """Every term of every class."""
        return frozenset().union(*self.terms.values())


def _local(node: Node) -> str | None:
    """The local name of an il2kg: IRI; None for any other node."""
    text = str(node)
    return text[len(IL2KG) :] if isinstance(node, URIRef) and text.startswith(IL2KG) else None


def vocabulary_from(ontology: Graph) -> Vocabulary:
    """Collect the ontology's named individuals under each of their direct classes.

    >>> from rdflib import Graph
    >>> from il2kg.paths import ONTOLOGY_FILE
    >>> vocabulary = vocabulary_from(Graph().parse(ONTOLOGY_FILE))
    >>> "aldesleukin" in vocabulary.of("Agent")
    True
    >>> sorted(vocabulary.parts("objective-response"))
    ['complete-response', 'near-complete-response', 'partial-response']
    """
    terms: dict[str, set[str]] = {}
    for individual in ontology.subjects(RDF.type, OWL.NamedIndividual):
        name = _local(individual)
        for cls in ontology.objects(individual, RDF.type):
            cls_name = _local(cls)
            if name and cls_name:
                terms.setdefault(cls_name, set()).add(name)
    narrower: dict[str, set[str]] = {}
    for term, broader in ontology.subject_objects(SKOS.broader):
        if (name := _local(term)) and (wider := _local(broader)):
            narrower.setdefault(wider, set()).add(name)
    return Vocabulary(
        {cls: frozenset(names) for cls, names in terms.items()},
        {term: frozenset(names) for term, names in narrower.items()},
    )
