"""The W3C SPARQL 1.1 Protocol tests for queries, against `il2kg serve --data`.

One case per query entry of the suite's manifest (w3c/rdf-tests,
sparql/sparql11/protocol/manifest.ttl): the same method, URL parameters, headers and body,
and the same expectation (2xx with a boolean, tabular or RDF answer, or a 4xx). The update
entries do not apply: the endpoint is read-only and refuses updates (tested elsewhere). The
suite's data graphs are stood in for by tests/data/protocol/dataset.nq.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree

import httpx
import pytest
from pyoxigraph import QueryResultsFormat, RdfFormat, parse, parse_query_results

from .server_fixtures import il2kg_serve

DATA = Path(__file__).parent / "data" / "protocol" / "dataset.nq"
KASEI = "http://kasei.us/2009/09/sparql/data/"
FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
BOOLEAN = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
}
TABULAR = {
    **BOOLEAN,
    "text/csv": QueryResultsFormat.CSV,
    "text/tab-separated-values": QueryResultsFormat.TSV,
}
RDF = {
    "application/rdf+xml": RdfFormat.RDF_XML,
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/ld+json": RdfFormat.JSON_LD,
}


def graph(n: int) -> str:
    """A protocol parameter value naming one of the suite's graphs, URL-encoded."""
    return quote(f"{KASEI}data{n}.rdf", safe="")


def both_typed(*names: int) -> str:
    return " ".join(f"<{KASEI}data{n}.rdf> a ?type ." for n in names)


def named(*names: int) -> str:
    return " ".join(f"GRAPH ?g{n} {{ <{KASEI}data{n}.rdf> a ?type }}" for n in names)


@dataclass(frozen=True)
class Case:
    """One protocol test: the request and what the answer must be."""

    method: str
    params: str = ""
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    expect: str = "boolean"  # boolean (true), tabular, rdf, or 4xx


CASES = {
    "query_post_form": Case(
        "POST", f"default-graph-uri={graph(0)}", b"query=ASK%20%7B%7D", {"Content-Type": FORM}
    ),
    "query_dataset_default_graphs_get": Case(
        "GET",
        f"query={quote(f'ASK {{ {both_typed(1, 2)} }}')}"
        f"&default-graph-uri={graph(1)}&default-graph-uri={graph(2)}",
    ),
    "query_dataset_default_graphs_post": Case(
        "POST",
        f"default-graph-uri={graph(1)}&default-graph-uri={graph(2)}",
        f"ASK {{ {both_typed(1, 2)} }}".encode(),
        {"Content-Type": DIRECT},
    ),
    "query_dataset_named_graphs_post": Case(
        "POST",
        f"named-graph-uri={graph(1)}&named-graph-uri={graph(2)}",
        f"ASK {{ {named(1, 2)} }}".encode(),
        {"Content-Type": DIRECT},
    ),
    "query_dataset_named_graphs_get": Case(
        "GET",
        f"query={quote(f'ASK {{ {named(1, 2)} }}')}"
        f"&named-graph-uri={graph(1)}&named-graph-uri={graph(2)}",
    ),
    "query_dataset_full": Case(
        "POST",
        f"default-graph-uri={graph(3)}&named-graph-uri={graph(1)}&named-graph-uri={graph(2)}",
        f"ASK {{ {both_typed(3)} {named(1, 2)} }}".encode(),
        {"Content-Type": DIRECT},
    ),
    # The manifest's URL encodes the second `&named-graph-uri=` by mistake (%26...%3D), which
    # would name one graph that does not exist; its intent, two named graphs, is sent here.
    "query_multiple_dataset": Case(
        "POST",
        f"named-graph-uri={graph(1)}&named-graph-uri={graph(2)}",
        f"ASK FROM <{KASEI}data3.rdf> {{ {named(1, 2)} }}".encode(),
        {"Content-Type": DIRECT},
    ),
    "query_get": Case("GET", f"query=ASK%20%7B%7D&default-graph-uri={graph(0)}"),
    "query_content_type_select": Case(
        "POST",
        f"default-graph-uri={graph(0)}",
        b"SELECT (1 AS ?value) {}",
        {"Content-Type": DIRECT},
        "tabular",
    ),
    "query_content_type_ask": Case(
        "POST", f"default-graph-uri={graph(0)}", b"ASK {}", {"Content-Type": DIRECT}
    ),
    "query_content_type_describe": Case(
        "POST",
        f"default-graph-uri={graph(0)}",
        b"DESCRIBE <http://example.org/>",
        {"Content-Type": DIRECT},
        "rdf",
    ),
    "query_content_type_construct": Case(
        "POST",
        f"default-graph-uri={graph(0)}",
        b"CONSTRUCT { <s> <p> 1 } WHERE {}",
        {"Content-Type": DIRECT},
        "rdf",
    ),
    "query_post_direct": Case("POST", "", b"ASK {}", {"Content-Type": DIRECT}),
    "bad_query_method": Case(
        "PUT",
        f"query=ASK%20%7B%7D&default-graph-uri={graph(0)}",
        b"",
        {"Content-Type": FORM},
        "4xx",
    ),
    "bad_multiple_queries": Case(
        "GET", "query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D", expect="4xx"
    ),
    "bad_query_wrong_media_type": Case(
        "POST", "", b"ASK {}", {"Content-Type": "text/plain"}, "4xx"
    ),
    "bad_query_missing_form_type": Case("POST", "", b"query=ASK%20%7B%7D", expect="4xx"),
    "bad_query_missing_direct_type": Case("POST", "", b"ASK {}", expect="4xx"),
    "bad_query_non_utf8": Case(
        "POST", "", "ASK {}".encode("utf-16"), {"Content-Type": f"{DIRECT}; charset=UTF-16"}, "4xx"
    ),
    "bad_query_syntax": Case("GET", "query=ASK%20%7B", expect="4xx"),
}


@pytest.fixture(scope="module")
def endpoint(built_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`il2kg serve --data` with the suite's graphs beside the build: its /sparql URL."""
    log = tmp_path_factory.mktemp("w3c-protocol") / "serve.log"
    args = ["--dist", str(built_dist), "--data", str(DATA), "--workers", "2"]
    with il2kg_serve(args, log) as (url, _):
        yield f"{url}/sparql"


def media(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip()


def boolean_of(response: httpx.Response) -> bool:
    """The boolean of a JSON or XML boolean result."""
    if media(response) == "application/sparql-results+json":
        return json.loads(response.content)["boolean"]
    root = ElementTree.fromstring(response.content)
    (value,) = root.iter("{http://www.w3.org/2005/sparql-results#}boolean")
    return value.text == "true"


@pytest.mark.parametrize("name", list(CASES))
def test_w3c_protocol(endpoint: str, name: str) -> None:
    case = CASES[name]
    url = f"{endpoint}?{case.params}" if case.params else endpoint
    response = httpx.request(case.method, url, content=case.body, headers=case.headers, timeout=30)
    if case.expect == "4xx":
        assert 400 <= response.status_code < 500, response.text
        return
    assert 200 <= response.status_code < 400, response.text
    if case.expect == "boolean":
        assert media(response) in BOOLEAN
        assert boolean_of(response) is True
    elif case.expect == "tabular":
        assert media(response) in TABULAR
        solutions = list(parse_query_results(response.content, format=TABULAR[media(response)]))
        assert [s["value"].value for s in solutions] == ["1"]
    else:
        assert media(response) in RDF
        list(parse(response.content, format=RDF[media(response)]))
