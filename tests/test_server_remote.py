"""Remote stores: `il2kg load --to` a real Oxigraph server, then serve it with --endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pyoxigraph import Store

from il2kg.cli import main
from il2kg.iris import prefixes
from il2kg.publish import upload
from il2kg.server.app import create_app
from il2kg.server.remote import RemoteEngine
from il2kg.server.settings import Settings

from .server_fixtures import EXAMPLES, free_port, listener, live_server, oxigraph_server

PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Oxigraph server on loopback (union default graph), stopped after the module."""
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as url:
        yield url


def per_graph(rows: list[dict]) -> dict[str, int]:
    return {r["g"]["value"]: int(r["n"]["value"]) for r in rows}


def load(oxigraph: str, dist: Path, queries: Path) -> int:
    """`il2kg load --to` the Oxigraph server's Graph Store Protocol URL: the exit status."""
    return main(
        ["load", "--to", f"{oxigraph}/store", "--dist", str(dist), "--queries", str(queries)]
    )


@pytest.fixture(scope="module")
def loaded(oxigraph: str, built_dist: Path, example_dir: Path) -> str:
    """The Oxigraph server after `il2kg load --to` its Graph Store Protocol URL."""
    assert load(oxigraph, built_dist, example_dir) == 0
    return oxigraph


def test_load_puts_every_named_graph(loaded: str, direct: Store) -> None:
    response = httpx.get(
        f"{loaded}/query",
        params={"query": PER_GRAPH},
        headers={"Accept": "application/sparql-results+json"},
    )
    want = {s["g"].value: int(s["n"].value) for s in direct.query(PER_GRAPH)}
    assert len(want) >= 4 and per_graph(response.json()["results"]["bindings"]) == want


def test_load_streams_a_graph_in_chunks(
    oxigraph: str,
    built_dist: Path,
    example_dir: Path,
    direct: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Graphs of many chunks and several requests arrive whole."""
    monkeypatch.setattr(upload, "CHUNK_TRIPLES", 97)
    monkeypatch.setattr(upload, "REQUEST_TRIPLES", 250)  # a PUT, then POSTs
    assert load(oxigraph, built_dist, example_dir) == 0
    response = httpx.get(
        f"{oxigraph}/query",
        params={"query": PER_GRAPH},
        headers={"Accept": "application/sparql-results+json"},
    )
    want = {s["g"].value: int(s["n"].value) for s in direct.query(PER_GRAPH)}
    assert max(want.values()) > 10 * 97
    assert per_graph(response.json()["results"]["bindings"]) == want


def test_load_to_an_unreachable_store_exits_2(built_dist: Path, example_dir: Path) -> None:
    status = main(
        [
            "load",
            "--to",
            f"http://127.0.0.1:{free_port()}/store",
            "--dist",
            str(built_dist),
            "--queries",
            str(example_dir),
        ]
    )
    assert status == 2


@pytest.fixture(scope="module")
def proxy(loaded: str) -> Iterator[str]:
    """The il2kg endpoint using the Oxigraph server as its store."""
    settings = Settings(timeout=10)
    with live_server(create_app(RemoteEngine(f"{loaded}/query", timeout=10), settings)) as url:
        yield url


def test_serve_with_remote_store_answers_queries(proxy: str, direct: Store) -> None:
    response = httpx.get(f"{proxy}/sparql", params={"query": PER_GRAPH})
    want = {s["g"].value: int(s["n"].value) for s in direct.query(PER_GRAPH)}
    assert per_graph(response.json()["results"]["bindings"]) == want


def test_serve_with_remote_store_lists_examples(proxy: str) -> None:
    listed = httpx.get(f"{proxy}/queries", headers={"Accept": "application/json"}).json()
    assert sorted(e["name"] for e in listed) == sorted(EXAMPLES)


def test_remote_syntax_error_is_400(proxy: str) -> None:
    response = httpx.get(f"{proxy}/sparql", params={"query": "SELECT * {"})
    assert response.status_code == 400


def test_remote_mode_still_refuses_service(proxy: str) -> None:
    with listener() as (url, received):
        query = f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"
        response = httpx.get(f"{proxy}/sparql", params={"query": query})
    assert response.status_code == 403 and received == []


def test_a_syntax_error_is_reported_at_its_place_in_the_users_text(
    oxigraph: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`il2kg query --endpoint` adds PREFIX lines; the error still points into the user's text."""
    query = tmp_path / "bad.rq"
    text = "SELECT ?s WHERE { ?s a il2kg:Outcome } LIMIT 1 ORDER BY ?s"
    query.write_text(text, encoding="utf-8")
    assert main(["query", str(query), "--endpoint", f"{oxigraph}/query"]) == 2
    with pytest.raises(SyntaxError) as parsed:  # where Oxigraph finds the error in this text
        Store().query(text, prefixes=prefixes())
    place = str(parsed.value).split(":")[0].split()[-1]  # 'error at 1:54: ...' -> '1'
    assert place == "1" and str(parsed.value).split(": ")[0] in capsys.readouterr().err
