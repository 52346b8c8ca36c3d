"""The SPARQL 1.1 Protocol in the fast loop: a real endpoint (uvicorn, worker pool, sandboxed
worker) over a store of a few quads, so `pytest -m "not slow"` starts a server too. The
answers are compared with the same store opened directly, never written out by hand."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pyoxigraph import Store

SELECT = "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }"


@pytest.fixture(scope="module")
def client(tiny_endpoint: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=tiny_endpoint, timeout=30) as c:
        yield c


@pytest.fixture(scope="module")
def labels(tiny_store_dir: Path) -> set[tuple[str, str]]:
    """What the store itself answers to SELECT (the default graph is the union)."""
    store = Store.read_only(str(tiny_store_dir))
    answer = store.query(SELECT, use_default_graph_as_union=True)
    found = {(row["s"].value, row["label"].value) for row in answer}
    assert ("https://w3id.org/il2kg/resource/tiny/p1", "A tiny publication") in found
    return found


def test_get_select_as_json(client: httpx.Client, labels: set[tuple[str, str]]) -> None:
    response = client.get(
        "/sparql", params={"query": SELECT}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    bindings = response.json()["results"]["bindings"]
    assert {(b["s"]["value"], b["label"]["value"]) for b in bindings} == labels


def test_post_form_and_direct_post_agree(
    client: httpx.Client, labels: set[tuple[str, str]]
) -> None:
    form = client.post("/sparql", data={"query": SELECT}, headers={"Accept": "text/csv"})
    direct = client.post(
        "/sparql",
        content=SELECT.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
    )
    assert form.status_code == direct.status_code == 200
    assert form.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(form.text)))
    assert rows[0] == ["s", "label"] and {tuple(row) for row in rows[1:]} == labels
    assert sorted(rows) == sorted(csv.reader(io.StringIO(direct.text)))


def test_ask(client: httpx.Client) -> None:
    present = "ASK { <https://w3id.org/il2kg/resource/tiny/p2> ?p ?o }"
    absent = "ASK { <https://w3id.org/il2kg/resource/tiny/p3> ?p ?o }"
    answers = [
        client.get("/sparql", params={"query": q}).json()["boolean"] for q in (present, absent)
    ]
    assert answers == [True, False]


def test_a_malformed_query_is_400_by_get_and_post(client: httpx.Client) -> None:
    bad = "SELECT * WHERE { ?s ?p }"
    assert client.get("/sparql", params={"query": bad}).status_code == 400
    assert client.post("/sparql", data={"query": bad}).status_code == 400


def test_an_update_is_refused(client: httpx.Client) -> None:
    response = client.post("/sparql", data={"update": "CLEAR ALL"})
    assert 400 <= response.status_code < 500
    assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"]
