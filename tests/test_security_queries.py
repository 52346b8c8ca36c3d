"""Hostile queries: stopped by the time limit or the memory cap, results cut at their bound,
and other clients answered meanwhile."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from il2kg.server.app import create_app
from il2kg.server.pool import WorkerPool
from il2kg.server.settings import Settings

from .server_fixtures import RUNAWAY, live_server, wait_until
from .test_security_fuzz import SIMPLE, assert_alive, assert_clean

TIMEOUT = 2.0
MEMORY = 768 << 20
MAX_RESULT = 1_000_000
HOSTILE = {
    "cartesian-product": RUNAWAY,
    "unbounded-property-path": "SELECT (COUNT(*) AS ?n) WHERE { ?a (!<urn:x>|^!<urn:x>)* ?b }",
}
HUGE_INTERMEDIATE = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g"
HUGE_RESULTS = {
    "select-json": ("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", "json"),
    "select-csv": ("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", "csv"),
    "construct-nt": ("CONSTRUCT { ?a ?b ?d } WHERE { ?a ?b ?c . ?d ?e ?f }", "nt"),
}


@pytest.fixture(scope="module")
def hostile_pool(store_dir: Path) -> WorkerPool:
    """2 workers (and the reserved one) with a 2 s time limit and 768 MB each."""
    return WorkerPool(str(store_dir), size=2, timeout=TIMEOUT, memory=MEMORY)


@pytest.fixture(scope="module")
def hostile(hostile_pool: WorkerPool) -> Iterator[str]:
    """An endpoint on `hostile_pool` with a 1 MB result bound."""
    settings = Settings(timeout=TIMEOUT, max_result_bytes=MAX_RESULT)
    with live_server(create_app(hostile_pool, settings)) as url:
        yield url


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_query_is_stopped_while_others_are_answered(
    hostile: str, hostile_pool: WorkerPool, name: str
) -> None:
    latencies: list[float] = []
    with (
        httpx.Client(base_url=hostile, timeout=60) as attacker,
        httpx.Client(base_url=hostile, timeout=60) as other,
        ThreadPoolExecutor(1) as run,
    ):
        runaway = run.submit(attacker.get, "/sparql", params={"query": HOSTILE[name]})
        wait_until(
            lambda: runaway.done() or any(w.since or w.jobs for w in hostile_pool.workers),
            "the hostile query runs on a worker",
        )
        for _ in range(500):  # bounded: the time limit is 2 s
            if runaway.done():
                break
            started = time.perf_counter()
            answer = other.get("/sparql", params={"query": SIMPLE})
            latencies.append(time.perf_counter() - started)
            assert answer.status_code == 200 and answer.json()["boolean"] is True
            time.sleep(0.02)
        stopped = runaway.result(timeout=60)
    print(
        f"\n{name}: {len(latencies)} simple queries answered while it ran; latency "
        f"median {statistics.median(latencies) * 1000:.1f} ms, "
        f"max {max(latencies) * 1000:.1f} ms"
    )
    assert stopped.status_code == 503 and f"limit of {TIMEOUT:g} s" in stopped.text
    assert_clean(stopped.status_code, stopped.content)
    assert len(latencies) >= 3
    assert_alive(hostile)


def test_huge_intermediate_result_does_not_take_the_server_down(hostile: str) -> None:
    """Stopped by whichever limit it reaches first, time or memory; the server answers on."""
    stopped = httpx.get(f"{hostile}/sparql", params={"query": HUGE_INTERMEDIATE}, timeout=60)
    assert stopped.status_code == 503 and ("limit" in stopped.text or "memory" in stopped.text)
    assert_clean(stopped.status_code, stopped.content)
    assert_alive(hostile)
    assert_alive(hostile)  # both workers, the replacement included


def test_memory_cap_stops_a_query_before_the_time_limit(store_dir: Path) -> None:
    pool = WorkerPool(str(store_dir), size=2, timeout=60, memory=384 << 20)
    with live_server(create_app(pool, Settings(timeout=60))) as url:
        stopped = httpx.get(f"{url}/sparql", params={"query": HUGE_INTERMEDIATE}, timeout=90)
        assert stopped.status_code == 503 and "memory" in stopped.text, stopped.text
        assert_clean(stopped.status_code, stopped.content)
        assert_alive(url)
        assert_alive(url)


@pytest.mark.parametrize("name", HUGE_RESULTS)
def test_result_past_its_bound_is_cut_off(hostile: str, name: str) -> None:
    query, fmt = HUGE_RESULTS[name]
    received = 0
    with (
        httpx.Client(base_url=hostile, timeout=60) as client,
        pytest.raises(httpx.RemoteProtocolError),
        client.stream("GET", "/sparql", params={"query": query, "format": fmt}) as response,
    ):
        assert response.status_code == 200
        for chunk in response.iter_raw():
            received += len(chunk)
    assert 0 < received <= MAX_RESULT
    assert_alive(hostile)


def test_limited_query_over_the_same_pattern_is_answered(hostile: str) -> None:
    """The bound cuts large results only: with a LIMIT the same pattern is answered in full."""
    query = HUGE_RESULTS["select-json"][0] + " LIMIT 1000"
    answer = httpx.get(f"{hostile}/sparql", params={"query": query}, timeout=60)
    assert answer.status_code == 200 and len(answer.json()["results"]["bindings"]) == 1000
