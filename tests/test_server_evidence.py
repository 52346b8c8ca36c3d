"""The evidence page and publication pages over HTTP: plots and tables from the live graph."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from pyoxigraph import Store

from il2kg.cli import main
from il2kg.evidence.rows import ROWS_QUERY, rows_from_json
from il2kg.iris import RES
from il2kg.query.run import run_local
from il2kg.server.app import create_app
from il2kg.server.pool import WorkerPool
from il2kg.server.settings import Settings

from .server_fixtures import live_server


def _rows(direct: Store) -> list:
    return rows_from_json(run_local(direct, ROWS_QUERY).payload)


def _links(html: str) -> set[str]:
    return set(re.findall(r'href="(/resource/[^"]+)"', html))


def test_evidence_page_has_plots_and_links_to_every_outcome(endpoint: str, direct: Store) -> None:
    rows = _rows(direct)
    response = httpx.get(f"{endpoint}/evidence", timeout=60)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    html = response.text
    assert html.count("<svg") == 1 and "<?xml" not in html
    want = {"/resource/" + r.outcome[len(RES) :] for r in rows}
    assert want <= _links(html)
    for row in rows:
        assert row.counts in html and row.interval in html


def test_publication_page_shows_its_outcomes_only(endpoint: str, direct: Store) -> None:
    rows = _rows(direct)
    for publication in {r.publication for r in rows}:
        path = "/resource/" + publication[len(RES) :]
        html = httpx.get(endpoint + path, timeout=60, headers={"Accept": "text/html"}).text
        section = _links(html.split("<h2>Response outcomes</h2>", 1)[1])
        mine = {"/resource/" + r.outcome[len(RES) :] for r in rows if r.publication == publication}
        others = {"/resource/" + r.outcome[len(RES) :] for r in rows} - mine
        assert "<svg" in html and mine <= section and not others & section


def test_other_resources_have_no_evidence_section(endpoint: str, direct: Store) -> None:
    outcome = _rows(direct)[0].outcome
    html = httpx.get(
        endpoint + "/resource/" + outcome[len(RES) :], timeout=60, headers={"Accept": "text/html"}
    ).text
    assert "<svg" not in html and "Response outcomes" not in html


def test_plot_and_fhir_from_the_endpoint_equal_the_local_ones(
    endpoint: str, built_dist: Path, tmp_path: Path
) -> None:
    """The same graph gives the same bytes whichever store answers (GROUP_CONCAT order aside)."""
    for command, name in ((["plot", "forest"], "f.png"), (["export", "fhir"], "b.json")):
        remote, local = tmp_path / f"remote-{name}", tmp_path / f"local-{name}"
        assert main([*command, "--endpoint", f"{endpoint}/sparql", "--out", str(remote)]) == 0
        assert main([*command, "--dist", str(built_dist), "--out", str(local)]) == 0
        assert remote.read_bytes() == local.read_bytes()


def test_a_plot_past_its_deadline_is_left_out_and_the_table_stays(
    store_dir: Path, direct: Store
) -> None:
    """Drawing runs in a child process killed at the deadline (here shorter than Python's
    start): the page still answers, with every row in its table."""
    settings = Settings(draw_timeout=0.01)
    with live_server(create_app(WorkerPool(str(store_dir), size=1, timeout=10), settings)) as url:
        response = httpx.get(f"{url}/evidence", timeout=60)
    assert response.status_code == 200
    assert "<svg" not in response.text and "took longer than 0.01 s to draw" in response.text
    outcomes = {"/resource/" + r.outcome[len(RES) :] for r in _rows(direct)}
    assert outcomes <= _links(response.text)
