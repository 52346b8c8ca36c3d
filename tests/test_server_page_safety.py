"""Pages a browser may open are safe to open: every HTML answer carries a Content-Security-Policy
and `X-Content-Type-Options: nosniff`; an IRI of another scheme than http(s) in `--data` is
shown, never linked; CSV and TSV cells a spreadsheet would run are marked; Starlette's own 404
and 405 are plain text, 405 naming the methods the path takes; a query starting with a
byte-order mark is a query."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from il2kg.iris import RES
from il2kg.publish.disk_store import build_store
from il2kg.server.app import create_app
from il2kg.server.pool import WorkerPool
from il2kg.server.settings import Settings

from .server_fixtures import live_server

pytestmark = [pytest.mark.slow, pytest.mark.server]
EVIL = f"""<{RES}evil> <http://www.w3.org/2000/01/rdf-schema#label> "evil" ;
  <http://www.w3.org/2004/02/skos/core#note> "=HYPERLINK(\\"https://x.example\\",\\"a\\")" ;
  <http://www.w3.org/2000/01/rdf-schema#seeAlso> <javascript:alert(document.domain)>,
      <data:text/html,hi>, <https://example.org/fine> .
"""
HTML = {"Accept": "text/html"}
PAGES = ["/", "/sparql", "/queries", "/evidence", "/resource/evil", "/ontology/Publication"]


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory, built_dist: Path, example_dir: Path
) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("page-safety")
    data = folder / "evil.ttl"
    data.write_text(EVIL, encoding="utf-8")
    store = build_store(folder / "store", built_dist, extra=[data], queries_dir=example_dir)
    with live_server(
        create_app(WorkerPool(str(store), size=2, timeout=20), Settings(timeout=20))
    ) as url:
        yield url


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_a_policy_and_no_sniffing(site: str, path: str) -> None:
    response = httpx.get(site + path, headers=HTML, timeout=60)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "default-src" in response.headers["content-security-policy"]
    assert "script-src" not in response.headers["content-security-policy"] or path in (
        "/",
        "/sparql",
    )  # only the query page (YASGUI) runs a script, its own
    assert response.headers["x-content-type-options"] == "nosniff"


def test_only_http_iris_are_links(site: str) -> None:
    page = httpx.get(f"{site}/resource/evil", headers=HTML).text
    assert "javascript:alert(document.domain)" in page and "data:text/html,hi" in page
    assert 'href="javascript:' not in page and 'href="data:' not in page
    assert 'href="https://example.org/fine"' in page


def test_404_is_text(site: str) -> None:
    response = httpx.get(f"{site}/no/such/page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    ("path", "allowed"),
    [("/sparql", "GET, HEAD, POST"), ("/queries", "GET, HEAD"), ("/evidence", "GET, HEAD")],
)
def test_405_is_text_and_names_every_method(site: str, path: str, allowed: str) -> None:
    response = httpx.put(site + path, content=b"x")
    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    assert response.headers["content-type"].startswith("text/plain")
    for method in allowed.split(", "):
        assert (
            httpx.request(
                method, site + path, headers={"Accept": "text/html"}, timeout=60
            ).status_code
            != 405
        )


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_query_may_start_with_a_byte_order_mark(site: str, method: str) -> None:
    query = "\ufeffASK {}"
    if method == "get":
        response = httpx.get(f"{site}/sparql", params={"query": query})
    else:
        response = httpx.post(
            f"{site}/sparql",
            content=query.encode(),
            headers={"Content-Type": "application/sparql-query"},
        )
    assert response.status_code == 200, response.text


NOTE = (
    "SELECT ?note ?n WHERE { <" + str(RES) + "evil> "
    "<http://www.w3.org/2004/02/skos/core#note> ?note BIND(-1 AS ?n) }"
)


@pytest.mark.parametrize(
    ("fmt", "cells"),
    [
        ("csv", ["note,n", '"\'=HYPERLINK(""https://x.example"",""a"")",-1']),
        ("tsv", ["?note\t?n", '"\'=HYPERLINK(\\"https://x.example\\",\\"a\\")"\t-1']),
    ],
)
def test_spreadsheet_formulas_are_marked_in_csv_and_tsv(
    site: str, fmt: str, cells: list[str]
) -> None:
    response = httpx.get(f"{site}/sparql", params={"query": NOTE, "format": fmt})
    assert response.status_code == 200
    assert response.text.splitlines() == cells
