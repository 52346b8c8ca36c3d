"""The worker pool under pressure: one build per generation while the store is replaced, a
simple query answered while runaway ones hold every worker, crashes told from memory
exhaustion, and SIGTERM cleaning up like SIGINT."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from il2kg.publish.disk_store import publish_store
from il2kg.server.app import create_app
from il2kg.server.pool import WorkerPool
from il2kg.server.settings import Settings

from .server_fixtures import RUNAWAY, free_port, live_server, serve_command, timed_asks, wait_until

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def hammer(url: str, stop: threading.Event, threads: int) -> list[threading.Thread]:
    """Threads sending runaway queries, one after the other, until `stop` is set."""

    def loop() -> None:
        with httpx.Client(base_url=url, timeout=60) as client:
            while not stop.is_set():
                client.get("/sparql", params={"query": RUNAWAY})

    started = [threading.Thread(target=loop, daemon=True) for _ in range(threads)]
    for thread in started:
        thread.start()
    return started


@pytest.fixture
def link(tmp_path: Path, built_dist: Path, example_dir: Path) -> Path:
    """A store link as `il2kg build --store` writes it (with the example queries)."""
    publish_store(tmp_path / "store", built_dist, queries_dir=example_dir)
    return tmp_path / "store"


@pytest.mark.parametrize("direct", [False, True])
def test_new_build_reaches_a_running_server_only_whole(
    link: Path, built_dist: Path, direct: bool
) -> None:
    """The answers switch from the old build to the new one once, never back (with `direct`
    too: the old workers start no query once the new build is served)."""
    pool = WorkerPool(str(link), size=2, timeout=1.0, direct=direct)  # runaways force
    #                                                                   replacements each 1 s
    seen: list[int] = []
    stop = threading.Event()

    def count() -> None:
        with httpx.Client(base_url=url, timeout=60) as client:
            while not stop.is_set():
                answer = client.get("/sparql", params={"query": COUNT, "format": "json"})
                if answer.status_code == 200:
                    seen.append(int(answer.json()["results"]["bindings"][0]["n"]["value"]))

    with live_server(create_app(pool, Settings(timeout=1.0))) as url:
        runaways = hammer(url, stop, 3)
        counter = threading.Thread(target=count, daemon=True)
        counter.start()
        wait_until(lambda: len(seen) >= 5, "the old build answered a few counts")
        before = len(seen)
        publish_store(link, built_dist)  # the new build has no example queries: fewer triples
        wait_until(
            lambda: (
                len(seen) > before
                and seen[-1] != seen[0]
                and len(seen) - seen.index(seen[-1]) >= 20
            ),
            "the new build answers 20 counts",
        )
        stop.set()
        for thread in [*runaways, counter]:
            thread.join(30)
        wait_until(
            lambda: {w.generation for w in pool.workers} == {1},
            "the old generation's last busy workers are replaced",
        )
    old, new = seen[0], seen[-1]
    assert before > 0 and new != old, seen
    switch = seen.index(new)
    assert set(seen[:switch]) == {old} and set(seen[switch:]) == {new}, seen


def test_simple_query_is_answered_while_runaways_hold_every_worker(store_dir: Path) -> None:
    pool = WorkerPool(str(store_dir), size=2, timeout=4.0)
    stop = threading.Event()
    with (
        live_server(create_app(pool, Settings(timeout=4.0))) as url,
        httpx.Client(base_url=url, timeout=30) as client,
    ):
        runaways = hammer(url, stop, 5)  # more than the 2 general workers and the reserved one
        wait_until(
            lambda: all(w.since is not None for w in pool.workers if not w.shared),
            "every general worker runs a runaway query",
        )
        latencies = timed_asks(client, 8)
        stop.set()
        for thread in runaways:
            thread.join(30)
    print(
        f"\nASK {{}} beside 5 runaway queries on 2+1 workers: max "
        f"{max(latencies) * 1000:.0f} ms, all {[round(x * 1000) for x in latencies]} ms"
    )


def test_crashed_worker_is_reported_as_a_crash(
    store_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pool = WorkerPool(str(store_dir), size=2, timeout=30)
    result: list[httpx.Response] = []
    with live_server(create_app(pool, Settings(timeout=30))) as url:
        runner = threading.Thread(
            target=lambda: result.append(
                httpx.get(f"{url}/sparql", params={"query": RUNAWAY}, timeout=60)
            )
        )
        runner.start()
        wait_until(lambda: any(w.since for w in pool.workers), "a worker runs the query")
        os.kill(next(w for w in pool.workers if w.since).process.pid, signal.SIGSEGV)
        runner.join(60)
    assert result[0].status_code == 503
    assert "crashed (killed by SIGSEGV)" in result[0].text and "memory" not in result[0].text
    assert any("crashed" in r.getMessage() for r in caplog.records)


def temporary_stores(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if "il2kg-store-" in p.name]


@pytest.fixture
def command(built_dist: Path, example_dir: Path) -> list[str]:
    """`il2kg serve` of the build on a free port."""
    args = ["--dist", str(built_dist), "--queries", str(example_dir), "--workers", "2"]
    return serve_command(*args, "--port", str(free_port()))


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("when", ["building", "serving"])
def test_signal_leaves_no_temporary_store(
    tmp_path: Path, command: list[str], sig: signal.Signals, when: str
) -> None:
    process = subprocess.Popen(
        command,
        env={**os.environ, "TMPDIR": str(tmp_path)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{command[command.index('--port') + 1]}"
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and process.poll() is None:
            if when == "building" and temporary_stores(tmp_path):
                break
            if when == "serving":
                with contextlib.suppress(httpx.HTTPError):
                    if (
                        httpx.get(
                            f"{url}/sparql", params={"query": "ASK {}"}, timeout=5
                        ).status_code
                        == 200
                    ):
                        break
            time.sleep(0.01)
        assert process.poll() is None and temporary_stores(tmp_path)
        process.send_signal(sig)
        process.wait(60)
    finally:
        process.kill()
        stderr = process.stderr.read() if process.stderr else ""
    assert temporary_stores(tmp_path) == [], (temporary_stores(tmp_path), stderr)
    assert "Traceback" not in stderr, stderr
