"""Records as pyoxigraph quads, in a stream: the build's way from records to a store.

`convert.record_triples` writes one record at a time; its rdflib terms become pyoxigraph
terms here (IRIs and datatypes made once and reused), so no rdflib graph is built.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache

import pyoxigraph as ox
from rdflib import Literal, URIRef

from il2kg.graph.convert import Sources, record_triples
from il2kg.records.model import PublicationRecord


@lru_cache(maxsize=4096)
def _vocabulary_iri(iri: str) -> ox.NamedNode:
    """A predicate, class, term or datatype IRI: few, met again and again."""
    return ox.NamedNode(iri)


def ox_term(term: URIRef | Literal) -> ox.NamedNode | ox.Literal:
    """The pyoxigraph term of an rdflib IRI or literal the converter wrote."""
    if isinstance(term, Literal):
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=_vocabulary_iri(term.datatype))
        if term.language is not None:
            return ox.Literal(str(term), language=term.language)
        return ox.Literal(str(term))
    return ox.NamedNode(term)


def records_to_quads(
    records: Iterable[PublicationRecord], graph: ox.NamedNode, sources: Sources | None = None
) -> Iterator[ox.Quad]:
    """Every record's triples as quads in `graph`, one record at a time."""
    for record in records:
        for s, p, o in record_triples(record, sources):
            yield ox.Quad(ox.NamedNode(s), _vocabulary_iri(p), ox_term(o), graph)
