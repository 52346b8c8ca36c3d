"""Run a SPARQL query on the embedded store or on a remote endpoint; find a query's file."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import Store

from il2kg.query.client import post_query
from il2kg.query.result import QueryError, Result, from_answer, from_response

ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"


def run_local(store: Store, text: str, *, prefixes: dict[str, str] | None = None) -> Result:
    """Run a query on a store whose default graph is the union of its named graphs; the
    `prefixes` hold in it without PREFIX declarations.

    >>> from pyoxigraph import Literal, NamedNode, Quad, Store
    >>> store = Store()
    >>> graph = NamedNode("https://w3id.org/il2kg/graph/data")
    >>> store.add(Quad(NamedNode("http://x.example/s"), NamedNode("http://x.example/p"),
    ...                Literal("IL-2"), graph))
    >>> result = run_local(store, "SELECT ?o WHERE { ?s x:p ?o }", prefixes={"x": "http://x.example/"})
    >>> [o.value for (o,) in result.rows]
    ['IL-2']
    """
    return from_answer(store.query(text, use_default_graph_as_union=True, prefixes=prefixes))


def run_remote(endpoint: str, text: str, *, timeout: float = 60.0) -> Result:
    """Run a query on a SPARQL 1.1 Protocol endpoint."""
    return from_response(*post_query(endpoint, text, accept=ACCEPT, timeout=timeout))


def query_file(source: str, queries_dir: Path) -> Path:
    """The file of a query given as a path to a `.rq` file or as the name of an example query."""
    path = Path(source)
    if path.is_file():
        return path
    named = queries_dir / f"{source}.rq"
    if path.suffix != ".rq" and named.is_file():
        return named
    raise QueryError(f"no query file '{source}' and no example query of that name in {queries_dir}")
