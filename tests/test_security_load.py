"""Load and restarts against `il2kg serve` run as users run it (a subprocess on loopback):
64 clients with zero errors, and a server killed under load reopens its store identical."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from pyoxigraph import Store

from il2kg.server.serve import has_store

from .server_fixtures import EXAMPLES, free_port, il2kg_serve, wait_until

CLIENTS = 64
SECONDS = 5.0
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
QUERIES = {"count": COUNT, "per-graph": PER_GRAPH, **EXAMPLES}


def answers(rows: list[dict]) -> list[tuple]:
    """SPARQL JSON bindings as a sorted list of rows, comparable across stores."""
    return sorted(tuple(sorted((k, v["value"]) for k, v in r.items())) for r in rows)


def direct_answers(store: Store) -> dict[str, list[tuple]]:
    """What the store itself answers to each query (default graph = union)."""
    got = {}
    for name, query in QUERIES.items():
        solutions = store.query(query, use_default_graph_as_union=True)
        names = [v.value for v in solutions.variables]
        got[name] = sorted(
            tuple(sorted((n, s[n].value) for n in names if s[n] is not None)) for s in solutions
        )
    return got


@pytest.fixture(scope="module")
def expected(direct: Store) -> dict[str, list[tuple]]:
    """The answers every server over this build must give."""
    return direct_answers(direct)


@contextmanager
def served(
    store: Path,
    dist: Path,
    queries: Path,
    log: Path,
    *,
    port: int | None = None,
    ready: bool = True,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`il2kg serve` on `store` (built there if absent): its SPARQL URL and process."""
    args = ["--store", str(store), "--dist", str(dist), "--queries", str(queries)]
    args += ["--workers", "2", "--timeout", "20"]
    with il2kg_serve(args, log, port=port, ready=ready) as (url, process):
        yield f"{url}/sparql", process


def check(response: httpx.Response, name: str, expected: dict[str, list[tuple]]) -> str:
    """'ok' when the answer is right, else what went wrong."""
    if response.status_code != 200:
        return f"status {response.status_code}"
    rows = json.loads(response.content)["results"]["bindings"]
    return "ok" if answers(rows) == expected[name] else "wrong answer"


async def load(
    url: str, expected: dict[str, list[tuple]], *, clients: int, seconds: float
) -> tuple[Counter[str], float]:
    """`clients` concurrent loops cycling through the queries; outcomes and elapsed time."""
    outcomes: Counter[str] = Counter()
    names = list(QUERIES)
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        stop = time.monotonic() + seconds

        async def one(index: int) -> None:
            while time.monotonic() < stop:
                name = names[index % len(names)]
                index += 1
                try:
                    response = await client.post(
                        url, data={"query": QUERIES[name]}, headers={"Accept": "application/json"}
                    )
                    outcomes[check(response, name, expected)] += 1
                except httpx.HTTPError as exc:
                    outcomes[type(exc).__name__] += 1

        begun = time.monotonic()
        await asyncio.gather(*(one(i) for i in range(clients)))
        return outcomes, time.monotonic() - begun


def test_load_64_clients_zero_errors(
    store_dir: Path,
    built_dist: Path,
    example_dir: Path,
    expected: dict[str, list[tuple]],
    tmp_path: Path,
) -> None:
    log = tmp_path / "serve.log"
    with served(store_dir, built_dist, example_dir, log) as (url, _):
        outcomes, elapsed = asyncio.run(load(url, expected, clients=CLIENTS, seconds=SECONDS))
    total = sum(outcomes.values())
    print(
        f"\nload: {CLIENTS} clients, {elapsed:.1f} s, {total} requests, "
        f"{total / elapsed:.0f} req/s, outcomes {dict(outcomes)}"
    )
    assert outcomes["ok"] > 0 and outcomes["ok"] == total, outcomes


class Clients:
    """Client threads querying a URL until stopped, tallying what they get."""

    def __init__(self, url: str, expected: dict[str, list[tuple]], count: int = 8) -> None:
        self.url, self.expected = url, expected
        self.outcomes: Counter[str] = Counter()
        self.lock, self.stop = threading.Lock(), threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(i,)) for i in range(count)]

    def run(self, index: int) -> None:
        """One client: cycle through the queries, one new connection each."""
        names = list(QUERIES)
        while not self.stop.is_set():
            name = names[index % len(names)]
            index += 1
            try:
                outcome = check(
                    httpx.post(
                        self.url,
                        data={"query": QUERIES[name]},
                        headers={"Accept": "application/json"},
                        timeout=30,
                    ),
                    name,
                    self.expected,
                )
            except httpx.TransportError:
                outcome = "unreachable"
                time.sleep(0.05)
            with self.lock:
                self.outcomes[outcome] += 1

    def __enter__(self) -> Clients:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(60)


def served_answers(url: str) -> dict[str, list[tuple]]:
    """What a running server answers to each query."""
    return {
        name: answers(
            httpx.post(url, data={"query": query}, timeout=30).json()["results"]["bindings"]
        )
        for name, query in QUERIES.items()
    }


def test_restart_under_load_loses_nothing(
    built_dist: Path, example_dir: Path, tmp_path: Path, expected: dict[str, list[tuple]]
) -> None:
    """SIGKILL the server while clients run, start it again on the same store."""
    store, log, port = tmp_path / "store", tmp_path / "serve.log", free_port()
    with served(store, built_dist, example_dir, log, port=port) as (url, first):
        # the first start builds the store
        assert served_answers(url) == expected
        with Clients(url, expected) as clients:
            wait_until(lambda: clients.outcomes["ok"] >= 20, "the clients are answered")
            first.send_signal(signal.SIGKILL)
            first.wait(30)
            with served(store, built_dist, example_dir, log, port=port):  # reopens the store
                before = clients.outcomes["ok"]
                wait_until(
                    lambda: clients.outcomes["ok"] >= before + 20,
                    "the clients are answered by the restarted server",
                )
                clients.stop.set()
                assert served_answers(url) == expected
    print(f"\nrestart under load: {dict(clients.outcomes)}")
    assert clients.outcomes["ok"] > 0
    assert set(clients.outcomes) <= {"ok", "unreachable"}, clients.outcomes


def test_server_killed_while_building_its_store_rebuilds_it(
    built_dist: Path, example_dir: Path, tmp_path: Path, expected: dict[str, list[tuple]]
) -> None:
    """SIGKILLed as soon as its first start begins writing the store, the store is absent or
    complete; the next start serves the full graph."""
    store, log = tmp_path / "store", tmp_path / "serve.log"
    with served(store, built_dist, example_dir, log, ready=False) as (_, process):
        deadline = time.monotonic() + 60
        while not list(tmp_path.glob(".store-*")) and not has_store(store):
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.002)
        process.kill()
    if has_store(store):
        assert direct_answers(Store.read_only(str(store))) == expected
    print(f"\nkilled while building the store; store present afterwards: {has_store(store)}")
    with served(store, built_dist, example_dir, log) as (url, _):
        assert served_answers(url) == expected
