"""The build's files as bytes: canonical N-Triples, N-Quads, Turtle, JSON-LD and the ontology.

Serialisation is pyoxigraph's (Rust): rdflib writes each graph once as N-Triples, the
lines are sorted, and pyoxigraph writes Turtle and JSON-LD from the sorted triples, so two
builds of the same graphs give the same bytes. Blank nodes (the ontology's) are labelled
from their descriptions (`rdflib.compare.to_canonical_graph`). `publish.dist` writes them.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping, Sequence

import pyhornedowl
import pyoxigraph as ox
from pyhornedowl.model import Class, DisjointClasses
from rdflib import OWL, RDF, Graph, URIRef
from rdflib.collection import Collection
from rdflib.compare import to_canonical_graph

from il2kg.iris import DATA_GRAPH, MAPPINGS_GRAPH, ONTOLOGY_GRAPH, VOID_GRAPH
from il2kg.publish.release import DatasetInfo, description


def ntriples_lines(graph: Graph) -> list[str]:
    """The graph's N-Triples lines; blank nodes labelled from their descriptions."""
    text = graph.serialize(format="nt")
    if "_:" in text:
        text = to_canonical_graph(graph).serialize(format="nt")
    # Split at line feeds only: literals may hold other characters str.splitlines() breaks at.
    return [line + "\n" for line in text.split("\n") if line.strip()]


def as_quads(lines: Sequence[str], name: URIRef) -> list[str]:
    """N-Triples lines as N-Quads lines in the named graph."""
    return [f"{line[: line.rindex('.')]}<{name}> .\n" for line in lines]


def serialized(
    triples: Sequence[ox.Triple], fmt: ox.RdfFormat, prefixes: dict[str, str] | None = None
) -> bytes:
    """pyoxigraph's serialisation of triples, as bytes."""
    out = io.BytesIO()
    ox.serialize(triples, out, fmt, prefixes=prefixes)
    return out.getvalue()


def jsonld(triples: Sequence[ox.Triple], context: dict[str, str]) -> bytes:
    """JSON-LD: the published context and pyoxigraph's node objects (full IRIs) as @graph."""
    nodes = serialized(triples, ox.RdfFormat.JSON_LD)
    head = json.dumps({"@context": context}, indent=1)[:-2]
    return f'{head},\n "@graph": '.encode() + nodes + b"\n}\n"


def ontology_files(ontology: Graph) -> dict[str, bytes]:
    """The ontology as Turtle, RDF/XML and OWL functional syntax (by the horned-owl library).

    horned-owl's RDF reader skips `owl:AllDisjointClasses`; those axioms are added to what it
    read (a test compares the axioms of both files in the OWL API)."""
    canonical = ox.parse("".join(sorted(ntriples_lines(ontology))), format=ox.RdfFormat.N_TRIPLES)
    rdfxml = serialized([q.triple for q in canonical], ox.RdfFormat.RDF_XML)
    parsed = pyhornedowl.open_ontology_from_string(rdfxml.decode(), "rdf")
    for node in ontology.subjects(RDF.type, OWL.AllDisjointClasses):
        for head in ontology.objects(node, OWL.members):
            members = Collection(ontology, head)
            parsed.add_axiom(DisjointClasses([Class(parsed.iri(str(c))) for c in members]))
    return {
        "ontology.ttl": ontology.serialize(format="turtle").encode(),
        "ontology.owl": rdfxml,
        "ontology.ofn": parsed.save_to_string("ofn").encode(),
    }


def build_files(
    data: Graph,
    ontology: Graph,
    mappings: Graph,
    context: dict[str, str],
    extra: Mapping[URIRef, Graph] | None = None,
    dataset: DatasetInfo | None = None,
) -> dict[str, bytes]:
    """Every artifact of a build, by file name; extra named graphs go into the N-Quads only,
    with the VoID/DCAT description of them all (from `dataset`'s metadata, il2kg's by default)
    as one more."""
    named = {
        DATA_GRAPH: data,
        ONTOLOGY_GRAPH: ontology,
        MAPPINGS_GRAPH: mappings,
        **(extra or {}),
    }
    lines = {name: ntriples_lines(graph) for name, graph in named.items()}
    published = "".join(sorted(set(lines[DATA_GRAPH] + lines[MAPPINGS_GRAPH])))
    triples = [q.triple for q in ox.parse(published, format=ox.RdfFormat.N_TRIPLES)]
    quads = sorted(q for name, graph_lines in lines.items() for q in as_quads(graph_lines, name))
    void = description(list(ox.parse("".join(quads), format=ox.RdfFormat.N_QUADS)), dataset)
    quads = sorted(quads + as_quads(ntriples_lines(void), VOID_GRAPH))
    return {
        "il2kg.ttl": serialized(triples, ox.RdfFormat.TURTLE, prefixes=context),
        "il2kg.nt": published.encode(),
        "il2kg.jsonld": jsonld(triples, context),
        "il2kg.nq": "".join(quads).encode(),
        "void.ttl": void.serialize(format="turtle").encode(),
        **ontology_files(ontology),
    }
