"""The named graph of inferred facts: what HermiT reports, closed under the named superclasses
and super-properties (so plain SPARQL sees every inferred fact), minus what is asserted,
with PROV provenance saying what produced it and from what."""

from __future__ import annotations

from collections.abc import Iterable

from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV
from rdflib.term import Node

from il2kg.iris import DATA_GRAPH, INFERRED_GRAPH, ONTOLOGY_GRAPH, ONTOLOGY_IRI, bind_prefixes

ACTIVITY = URIRef(f"{INFERRED_GRAPH}/reasoning")
REASONER = URIRef(f"{INFERRED_GRAPH}/reasoner")


def _closure(edges: Iterable[tuple[Node, Node]]) -> dict[Node, set[Node]]:
    """Every node's strict ancestors along the edges (child, parent)."""
    parents: dict[Node, set[Node]] = {}
    for child, parent in edges:
        if child != parent:
            parents.setdefault(child, set()).add(parent)
    ancestors: dict[Node, set[Node]] = {}
    for start in parents:
        seen: set[Node] = set()
        todo = list(parents[start])
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(parents.get(node, ()))
        ancestors[start] = seen - {start}
    return ancestors


def _entailed(asserted: Graph, reported: Graph) -> Graph:
    """The reported facts with their named superclasses and super-properties, minus the asserted."""
    both = asserted + reported
    named = lambda t: isinstance(t, URIRef) and not str(t).startswith(str(OWL))  # noqa: E731
    class_edges = [
        (c, d) for c, d in both.subject_objects(RDFS.subClassOf) if named(c) and named(d)
    ]
    for c, d in both.subject_objects(OWL.equivalentClass):
        if named(c) and named(d):
            class_edges += [(c, d), (d, c)]
    supers = _closure(class_edges)
    super_properties = _closure(both.subject_objects(RDFS.subPropertyOf))
    inferred = Graph()
    for s, p, o in both:
        if p == RDF.type and named(o):
            inferred.add((s, p, o))
            inferred += [(s, RDF.type, d) for d in supers.get(o, ())]
        elif isinstance(o, URIRef) and p in super_properties:
            inferred.add((s, p, o))
            inferred += [(s, q, o) for q in super_properties[p]]
    for triple in reported:
        if triple[1] != RDF.type:
            inferred.add(triple)
    return inferred - asserted


def provenance(ontology: Graph, reasoner: str) -> Graph:
    """The graph-level description of the inferred graph: what produced it, from what."""
    ontology_version = ontology.value(URIRef(ONTOLOGY_IRI), OWL.versionIRI) or URIRef(ONTOLOGY_IRI)
    g = Graph()
    g.add((INFERRED_GRAPH, RDF.type, PROV.Entity))
    g.add((INFERRED_GRAPH, RDFS.label, Literal("il2kg facts inferred by HermiT")))
    g.add(
        (
            INFERRED_GRAPH,
            DCTERMS.description,
            Literal(
                "Types and object property values that HermiT infers from the data and the "
                "ontology and that are not asserted, with the named superclasses and "
                "super-properties of each."
            ),
        )
    )
    g.add((INFERRED_GRAPH, PROV.wasGeneratedBy, ACTIVITY))
    g.add((INFERRED_GRAPH, PROV.wasDerivedFrom, DATA_GRAPH))
    g.add((INFERRED_GRAPH, PROV.wasDerivedFrom, ONTOLOGY_GRAPH))
    g.add((INFERRED_GRAPH, PROV.wasDerivedFrom, ontology_version))
    g.add((ACTIVITY, RDF.type, PROV.Activity))
    g.add((ACTIVITY, RDFS.label, Literal("OWL 2 DL classification and realisation")))
    g.add((ACTIVITY, PROV.used, ontology_version))
    g.add((ACTIVITY, PROV.used, DATA_GRAPH))
    g.add((ACTIVITY, PROV.wasAssociatedWith, REASONER))
    g.add((REASONER, RDF.type, PROV.SoftwareAgent))
    g.add((REASONER, RDFS.label, Literal(reasoner)))
    return g


def inferred_graph(asserted: Graph, reported: Graph, ontology: Graph, reasoner: str) -> Graph:
    """The inferred named graph: the reasoner's reported facts, closed and less the asserted
    ones, with the provenance of the graph."""
    return bind_prefixes(_entailed(asserted, reported) + provenance(ontology, reasoner))
