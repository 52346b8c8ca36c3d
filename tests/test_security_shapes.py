"""A query that would crash the parser or the evaluator is refused before it runs: every chain of
issue 19 answers 400 with a message over HTTP and `il2kg query` exits 2; the longest chains the
bound lets through are answered by a real worker (its thread stack holds them)."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from il2kg.query.lexer import MAX_LINKS

from .test_lexer import CRASH_SHAPES

pytestmark = [pytest.mark.slow, pytest.mark.server]
HALF = MAX_LINKS // 2 - 1  # clauses of two links each (BIND and its bracket, ...)
AT_THE_LIMIT = {
    "or": "ASK { FILTER(" + "||".join(["true"] * (MAX_LINKS - 2)) + ") }",
    "sum": "ASK { FILTER(" + "+".join(["1"] * (MAX_LINKS - 3)) + " > 0) }",
    "binds": "ASK { " + " ".join(f"BIND(1 AS ?v{i})" for i in range(HALF)) + " }",
    "minus": "ASK { " + " ".join(["MINUS { ?a ?b ?c }"] * HALF) + " }",
    "optional": "ASK { " + " ".join(["OPTIONAL {}"] * HALF) + " }",
    "union": "ASK { " + " UNION ".join(["{}"] * HALF) + " }",
}


def post(url: str, query: str) -> httpx.Response:
    return httpx.post(
        f"{url}/sparql",
        content=query.encode(),
        timeout=60,
        headers={"Content-Type": "application/sparql-query"},
    )


@pytest.mark.parametrize("name", CRASH_SHAPES)
def test_a_crashing_chain_answers_400_and_the_endpoint_goes_on(
    release_endpoint: str, name: str
) -> None:
    response = post(release_endpoint, CRASH_SHAPES[name])
    assert response.status_code == 400, response.text
    assert "split the query" in response.text or "levels deep" in response.text
    assert post(release_endpoint, "ASK {}").status_code == 200


def test_crashing_chains_and_bystanders_at_once(release_endpoint: str) -> None:
    """Every crashing chain sent at once beside short queries: 400 each, 200 for each other."""
    queries = [*CRASH_SHAPES.values(), *["ASK {}"] * 20]
    with ThreadPoolExecutor(len(queries)) as pool:
        statuses = list(pool.map(lambda q: post(release_endpoint, q).status_code, queries))
    assert statuses == [400] * len(CRASH_SHAPES) + [200] * 20


@pytest.mark.parametrize("name", AT_THE_LIMIT)
def test_the_longest_admitted_chains_are_answered(release_endpoint: str, name: str) -> None:
    response = post(release_endpoint, AT_THE_LIMIT[name])
    assert response.status_code == 200, response.text


def test_il2kg_query_refuses_a_crashing_query_with_exit_2(built_dist: Path, tmp_path: Path) -> None:
    crash = tmp_path / "crash.rq"
    crash.write_text(CRASH_SHAPES["or"], encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "il2kg.cli", "query", str(crash), "--dist", str(built_dist)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2, result.stderr
    assert "split the query" in result.stderr
