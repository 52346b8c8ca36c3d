"""The worker hands the published prefixes to the parser only when a query may use one: the
answers are those of a query given every prefix, whatever the query looks like."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, Store

from il2kg.server.worker import PREFIXES, query

IL2KG = "https://w3id.org/il2kg/ontology/"
QUERIES = [
    "SELECT * { ?s il2kg:p ?o }",  # a published prefix, undeclared
    f"SELECT * {{ ?s <{IL2KG}p> ?o }}",  # none
    f"PREFIX il2kg: <{IL2KG}> SELECT * {{ ?s il2kg:p ?o }}",  # declared
    "SELECT * { ?s ?p ?o FILTER(?s<il2kg:a&&?o>3) }",  # `<...>` that may be read as less-than
    "SELECT * { ?s ?p ?o FILTER(?o!=il2kg:a) } # il2kg:",
    'SELECT * { ?s ?p "il2kg:p" }',  # a colon in a string only
    "ASK { ?s nope:p ?o }",  # an unknown prefix: a syntax error either way
    "SELECT * { ?s ?p ?o ",  # a syntax error without any colon
]


def answers(run: Callable[[], Any]) -> list[str] | str:
    """The rows a query gives, as text, or that it does not parse."""
    try:
        return sorted(str(row) for row in run())
    except SyntaxError:
        return "syntax error"


@pytest.mark.parametrize("text", QUERIES)
def test_answers_as_with_every_prefix(text: str) -> None:
    store = Store()
    store.add(Quad(NamedNode(f"{IL2KG}a"), NamedNode(f"{IL2KG}p"), Literal(5), DefaultGraph()))
    expected = answers(lambda: store.query(text, prefixes=PREFIXES))
    assert answers(lambda: query(store, text)) == expected
