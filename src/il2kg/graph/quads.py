"""Records as pyoxigraph quads, in a stream: the build's way from records to a store.

`convert.record_triples` writes one record at a time; its rdflib terms become pyoxigraph
terms here (IRIs and datatypes made once and reused), so no rdflib graph is built. The small
rdflib graphs (mappings, ontology) go in with canonical blank node labels.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import islice

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal
from rdflib.compare import to_canonical_graph
from rdflib.term import Node

from il2kg.graph.convert import Sources, record_triples
from il2kg.iris import DATA_GRAPH, MAPPINGS_GRAPH
from il2kg.records.model import PublicationRecord

DATA, MAPPINGS = ox.NamedNode(DATA_GRAPH), ox.NamedNode(MAPPINGS_GRAPH)
BATCH = 100  # records bulk loaded at a time (~67,000 quads of the synthetic records)


@lru_cache(maxsize=65_536)
def _named(iri: str) -> ox.NamedNode:
    """An IRI as pyoxigraph's term, made (and checked) once while it is in use: predicates,
    classes, terms and datatypes recur everywhere, a resource in its record's triples."""
    return ox.NamedNode(iri)


def ox_term(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """The pyoxigraph term of an rdflib IRI, blank node (same label) or literal (same lexical
    form, datatype and language)."""
    if isinstance(term, Literal):
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=_named(term.datatype))
        if term.language is not None:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    return _named(str(term))


def records_to_quads(
    records: Iterable[PublicationRecord], graph: ox.NamedNode, sources: Sources | None = None
) -> Iterator[ox.Quad]:
    """Every record's triples as quads in `graph`, one record at a time."""
    for record in records:
        for s, p, o in record_triples(record, sources):
            yield ox.Quad(_named(s), _named(p), ox_term(o), graph)


def record_nquads(record: PublicationRecord, sources: Sources | None = None) -> bytes:
    """One record's quads in the data graph as N-Quads: what a worker process hands back."""
    written = ox.serialize(records_to_quads([record], DATA, sources), format=ox.RdfFormat.N_QUADS)
    assert written is not None  # no output given: the bytes are returned
    return written


def load(store: ox.Store, records: Iterable[bytes]) -> ox.Store:
    """Records' N-Quads into `store`, bulk loaded `BATCH` records at a time (one bulk load of
    a large build buffers ~1 GB of quads per million in an on-disk store)."""
    pending = iter(records)
    while batch := list(islice(pending, BATCH)):
        store.bulk_load(b"".join(batch), format=ox.RdfFormat.N_QUADS)
    return store


def fill(
    store: ox.Store,
    records: Iterable[PublicationRecord],
    mappings: Graph,
    sources: Sources | None = None,
) -> ox.Store:
    """The records' quads (data graph) and the mapping set (mappings graph) into `store`: the
    build's data, as SHACL validates it and the release publishes it."""
    load(store, (record_nquads(record, sources) for record in records))
    store.bulk_extend(graph_quads(mappings, MAPPINGS))
    return store


def ntriples_lines(graph: Graph) -> list[str]:
    """The graph's N-Triples lines; blank nodes labelled from their descriptions."""
    text = graph.serialize(format="nt")
    if "_:" in text:
        text = to_canonical_graph(graph).serialize(format="nt")
    # Split at line feeds only: literals may hold other characters str.splitlines() breaks at.
    return [line + "\n" for line in text.split("\n") if line.strip()]


def graph_quads(graph: Graph, name: ox.NamedNode) -> Iterator[ox.Quad]:
    """An rdflib graph (a small one: mappings, ontology) as quads in the named graph `name`;
    blank nodes keep their canonical labels in a store."""
    lines = "".join(ntriples_lines(graph))
    for quad in ox.parse(lines, format=ox.RdfFormat.N_TRIPLES):
        yield ox.Quad(quad.subject, quad.predicate, quad.object, name)


def count(store: ox.Store, name: ox.NamedNode) -> int:
    """How many triples a named graph of the store has."""
    solutions = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {name} {{ ?s ?p ?o }} }}")
    assert isinstance(solutions, ox.QuerySolutions)
    return int(next(solutions)["n"].value)
