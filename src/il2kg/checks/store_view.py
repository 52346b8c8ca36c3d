"""Named graphs of a pyoxigraph store read as one rdflib graph, without copying them.

The terms convert one to one: an IRI, a blank node (same label) or a literal with the same
lexical form, datatype and language, a `xsd:string` literal as rdflib's plain literal (as
parsing the store's N-Triples gives). The graphs must hold disjoint triples, so the view
holds each triple once, as an rdflib graph does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.store import Store
from rdflib.term import Node

from il2kg.graph.quads import ox_term

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_quad(triple: tuple[Node, Node, Node], graph: ox.NamedNode) -> ox.Quad:
    """An rdflib triple as a quad in a named graph."""
    s, p, o = map(ox_term, triple)
    return ox.Quad(s, p, o, graph)  # type: ignore[arg-type]  # rdflib's subjects are no literals


def to_rdflib(term: Any) -> Node:
    """A pyoxigraph term (from a store: literals as it stores them) as an rdflib term."""
    kind = type(term)
    if kind is ox.NamedNode:
        return URIRef(term.value)
    if kind is ox.BlankNode:
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    datatype = term.datatype.value
    return Literal(term.value) if datatype == XSD_STRING else Literal(term.value, datatype=datatype)


def _pattern_term(term: Node | None, position: int) -> OxTerm | None:
    """A pattern term as pyoxigraph looks it up; raises ValueError if no triple can match."""
    if term is None:
        return None
    if (isinstance(term, Literal) and position < 2) or (isinstance(term, BNode) and position == 1):
        raise ValueError(term)
    return ox_term(term)


class StoreView(Store):
    """A read-only rdflib store over some named graphs of a pyoxigraph store."""

    def __init__(self, store: ox.Store, graphs: Iterable[ox.NamedNode]) -> None:
        super().__init__()
        self.store, self.graphs = store, tuple(graphs)
        self._prefixes: dict[str, URIRef] = {}

    def triples(self, triple_pattern: Any, context: Any = None) -> Iterator[Any]:
        try:
            s, p, o = (_pattern_term(t, i) for i, t in enumerate(triple_pattern))
        except ValueError:
            return
        for graph in self.graphs:
            for quad in self.store.quads_for_pattern(s, p, o, graph):  # type: ignore[arg-type]
                found = (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object))
                # pyoxigraph matches a literal by value ("1.0" finds 1); rdflib by its lexical form
                if all(t is None or t == f for t, f in zip(triple_pattern, found, strict=True)):
                    yield found, iter(())

    def __len__(self, context: Any = None) -> int:
        return sum(
            1 for g in self.graphs for _ in self.store.quads_for_pattern(None, None, None, g)
        )

    def bind(self, prefix: str, namespace: URIRef, override: bool = True) -> None:
        self._prefixes[prefix] = namespace

    def namespace(self, prefix: str) -> URIRef | None:
        return self._prefixes.get(prefix)

    def prefix(self, namespace: URIRef) -> str | None:
        return next((p for p, n in self._prefixes.items() if n == namespace), None)

    def namespaces(self) -> Iterator[tuple[str, URIRef]]:
        yield from self._prefixes.items()


def view(store: ox.Store, graphs: Iterable[ox.NamedNode]) -> Graph:
    """The graphs (disjoint) as one read-only rdflib graph."""
    return Graph(store=StoreView(store, graphs), bind_namespaces="none")


def materialise(store: ox.Store, graphs: Iterable[ox.NamedNode]) -> Graph:
    """The union of the graphs as an in-memory rdflib graph (what their N-Triples parse to)."""
    graph = Graph()
    for g in graphs:
        for quad in store.quads_for_pattern(None, None, None, g):
            graph.add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return graph
