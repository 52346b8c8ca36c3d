"""SERVICE is refused from the query's tokens, before any engine sees it: on the local store, with
`serve --endpoint` in front of a real Oxigraph server (which does federate), and by
`il2kg query` in both modes. pyoxigraph itself is the oracle: every spelling is sent to a
federating engine first, which does connect to the listener, so each test can fail."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyoxigraph import RdfFormat, Store

from il2kg.cli import main
from il2kg.query.lexer import services
from il2kg.server.app import create_app
from il2kg.server.remote import RemoteEngine
from il2kg.server.settings import Settings

from .server_fixtures import listener, live_server, oxigraph_server

DATA = '<http://x.example/s> <http://x.example/p> 1, 1.5, 1e0, true, "x", <http://x.example/o> .\n'
# issue 19's seven spellings, each after a pattern the data matches so that SERVICE runs.
SPELLINGS = [
    "SELECT * { ?s ?p ?o.SERVICE <{url}> {} }",
    "SELECT * { ?s ?p ?o .SERVICE SILENT <{url}> {} }",
    "SELECT * { ?s ?p 1SERVICE <{url}> {} }",
    "SELECT * { ?s ?p 1.5SERVICE <{url}> {} }",
    "SELECT * { ?s ?p 1e0SERVICE <{url}> {} }",
    "SELECT * { ?s ?p true.SERVICE <{url}> {} }",
    "SELECT * { {}.SERVICE <{url}> {} }",
]


def data_store() -> Store:
    store = Store()
    store.load(DATA.encode(), format=RdfFormat.TURTLE)
    return store


def federates(query: str) -> tuple[bool, str]:
    """Whether pyoxigraph, unsandboxed, evaluates a SERVICE in the query (its `{url}` the
    listener's, `{base}` the listener's base), and the query as run."""
    with listener() as (url, received):
        text = query.replace("{url}", url).replace("{base}", url.rsplit("/", 1)[0] + "/")
        try:
            result = data_store().query(text)
            list(result) if hasattr(result, "__iter__") else bool(result)
        except (OSError, SyntaxError, RuntimeError):
            pass
    return bool(received), text


@pytest.mark.parametrize("shape", SPELLINGS)
def test_pyoxigraph_federates_each_spelling(shape: str) -> None:
    assert federates(shape)[0]


@pytest.fixture(scope="module")
def federating(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Oxigraph server holding DATA: it evaluates SERVICE."""
    with oxigraph_server(tmp_path_factory.mktemp("federating")) as url:
        response = httpx.put(
            f"{url}/store",
            params={"graph": "http://x.example/g"},
            content=DATA.encode(),
            headers={"Content-Type": "text/turtle"},
        )
        assert response.is_success, response.text
        yield url


@pytest.fixture(scope="module")
def proxy(federating: str) -> Iterator[str]:
    """`serve --endpoint` in front of the federating Oxigraph server."""
    engine = RemoteEngine(f"{federating}/query", timeout=10)
    with live_server(create_app(engine, Settings(timeout=10))) as url:
        yield url


@pytest.mark.server
@pytest.mark.slow
@pytest.mark.parametrize("shape", SPELLINGS)
def test_the_remote_store_would_federate_each_spelling(federating: str, shape: str) -> None:
    with listener() as (url, received):
        httpx.get(f"{federating}/query", params={"query": shape.replace("{url}", url)})
    assert received


@pytest.mark.server
@pytest.mark.slow
@pytest.mark.parametrize("shape", SPELLINGS)
def test_each_spelling_is_refused_in_endpoint_mode(proxy: str, shape: str) -> None:
    with listener() as (url, received):
        response = httpx.get(f"{proxy}/sparql", params={"query": shape.replace("{url}", url)})
    assert response.status_code == 403 and "is not allowed" in response.text
    assert received == []


@pytest.mark.server
@pytest.mark.slow
@pytest.mark.parametrize("shape", SPELLINGS)
def test_each_spelling_is_refused_locally(endpoint: str, shape: str) -> None:
    with listener() as (url, received):
        response = httpx.post(
            f"{endpoint}/sparql",
            content=shape.replace("{url}", url),
            headers={"Content-Type": "application/sparql-query"},
        )
    assert response.status_code == 403 and "is not allowed" in response.text
    assert received == []


@pytest.mark.server
@pytest.mark.slow
@pytest.mark.parametrize("mode", ["local", "endpoint"])
def test_il2kg_query_refuses_service(
    federating: str, built_dist: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: str
) -> None:
    with listener() as (url, received):
        file = tmp_path / "service.rq"
        file.write_text(SPELLINGS[2].replace("{url}", url), encoding="utf-8")
        target = (
            ["--endpoint", f"{federating}/query"]
            if mode == "endpoint"
            else ["--dist", str(built_dist)]
        )
        status = main(["query", str(file), *target])
    assert status == 2 and "is not allowed" in capsys.readouterr().err
    assert received == []


FUZZ_BEFORE = [
    "?s ?p ?o",
    "?s ?p 1",
    "?s ?p 1.5",
    "?s ?p 1e0",
    "?s ?p true",
    '?s ?p "x"',
    "?s ?p <http://x.example/o>",
    "{}",
    "BIND(1 AS ?b)",
    "FILTER(true)",
    "OPTIONAL {}",
    "VALUES ?v { 1 }",
    "?s ?p [ ?q ?r ]",
    "?s ?p (1)",
    "_:b ?p ?o",
]
FUZZ_JOIN = ["", " ", ".", " .", ". ", "\n", "#c\n", ";", "\t"]
FUZZ_KEYWORD = ["SERVICE", "service", "SeRvIcE", "\\u0053ERVICE", "SERVICESILENT", "SERVICE:"]
FUZZ_SILENT = ["", " SILENT", "SILENT", "#c\nSILENT", " silent "]
FUZZ_TARGET = ["<{url}>", " <{url}>", "?t", " ?t", "p:t", " p:t"]


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(
    before=st.sampled_from(FUZZ_BEFORE),
    join=st.sampled_from(FUZZ_JOIN),
    keyword=st.sampled_from(FUZZ_KEYWORD),
    silent=st.sampled_from(FUZZ_SILENT),
    target=st.sampled_from(FUZZ_TARGET),
    gap=st.sampled_from(["", " ", "\n"]),
)
def test_every_service_pyoxigraph_runs_is_seen(
    before: str, join: str, keyword: str, silent: str, target: str, gap: str
) -> None:
    prologue = "PREFIX p: <{base}> PREFIX : <{base}> "
    query = (
        f"{prologue}SELECT * {{ BIND(<{{url}}> AS ?t) {before}{join}{keyword}{silent}"
        f"{target}{gap}{{}} }}"
    )
    ran, text = federates(query)
    if ran:
        assert services(text), text
