"""The controlled vocabulary: named individuals of the ontology, by class."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import OWL, RDF, Graph, URIRef
from rdflib.term import Node

from il2kg.iris import IL2KG


@dataclass(frozen=True)
class Vocabulary:
    """Local names of the ontology's individuals, grouped by the class they are typed with."""

    terms: dict[str, frozenset[str]]

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
    """Collect the ontology's named individuals under each of their direct classes."""
    terms: dict[str, set[str]] = {}
    for individual in ontology.subjects(RDF.type, OWL.NamedIndividual):
        name = _local(individual)
        for cls in ontology.objects(individual, RDF.type):
            cls_name = _local(cls)
            if name and cls_name:
                terms.setdefault(cls_name, set()).add(name)
    return Vocabulary({cls: frozenset(names) for cls, names in terms.items()})
