"""The pool under overload: first come first served, a bounded line refused at once with
`Retry-After`, slow readers that cannot hold the short-query lane, and a worker's crash that
costs only the query that caused it."""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from il2kg.query.result import QueryError
from il2kg.server.app import create_app
from il2kg.server.pool import WorkerPool
from il2kg.server.settings import Settings

from .server_fixtures import RUNAWAY, live_server, timed_asks, wait_until

CROSS = "SELECT * { ?a ?b ?c . ?d ?e ?f }"  # millions of rows from the seed graph
MARK = "il2kg-test-crash-3b1f"  # a query containing it crashes its worker (tests only)
SLOWISH = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . FILTER(isLiteral(?f)) }"  # seconds


def test_waiters_get_free_workers_first_come_first_served_one_each() -> None:
    pool = WorkerPool("unused", size=1, timeout=10)

    async def scenario() -> list[tuple[int, object]]:
        deadline = time.monotonic() + 10
        waiters = [asyncio.ensure_future(pool._wait(pool.waiting, deadline)) for _ in range(3)]
        await asyncio.sleep(0)
        got = []
        for token in ("first", "second", "third"):
            pool._release(token)  # type: ignore[arg-type]  # any worker will do
            await asyncio.sleep(0)
            done = [i for i, w in enumerate(waiters) if w.done()]
            got.append((len(done), waiters[len(done) - 1].result()))
        return got

    assert asyncio.run(scenario()) == [(1, "first"), (2, "second"), (3, "third")]
    assert pool.idle == []  # each free worker went to one waiter


def test_a_request_that_gives_up_leaves_the_line() -> None:
    """The line's bound counts requests still waiting: one that gave up holds no place."""
    pool = WorkerPool("unused", size=1, timeout=10)

    async def scenario() -> int:
        with pytest.raises(QueryError, match="busy"):
            await pool._wait(pool.waiting, time.monotonic() + 0.01)
        return len(pool.waiting)

    assert asyncio.run(scenario()) == 0


def test_a_full_line_is_refused_at_once_with_retry_after(store_dir: Path) -> None:
    pool = WorkerPool(str(store_dir), size=1, timeout=8, queue=1)
    with ThreadPoolExecutor(2) as run, live_server(create_app(pool, Settings(timeout=8))) as url:
        held = run.submit(httpx.get, f"{url}/sparql", params={"query": RUNAWAY}, timeout=60)
        wait_until(lambda: any(w.since for w in pool.workers), "the general worker is busy")
        waiting = run.submit(httpx.get, f"{url}/sparql", params={"query": RUNAWAY}, timeout=60)
        wait_until(lambda: len(pool.waiting) == 1, "one query waits")
        refused = httpx.get(f"{url}/sparql", params={"query": RUNAWAY}, timeout=60)
        assert refused.status_code == 503, refused.text
        assert "line of queries waiting for a worker is full" in refused.text
        assert refused.headers["retry-after"] == "1"
        late = waiting.result()
        assert late.status_code == 503 and late.headers["retry-after"] == "1", late.text
        held.result()


@contextmanager
def slow_readers(url: str, query: str, count: int) -> Iterator[list[socket.socket]]:
    """`count` connections that ask for `query` and never read the answer."""
    port = int(url.rsplit(":", 1)[1])
    with ExitStack() as stack:
        sockets = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket())
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.connect(("127.0.0.1", port))
            sock.sendall(f"GET /sparql?query={quote(query)} HTTP/1.1\r\nHost: t\r\n\r\n".encode())
            sockets.append(sock)
        yield sockets


def test_slow_readers_do_not_hold_the_short_query_lane(store_dir: Path) -> None:
    pool = WorkerPool(str(store_dir), size=2, timeout=30)
    with (
        live_server(create_app(pool, Settings(timeout=30))) as url,
        slow_readers(url, CROSS, 10),
        httpx.Client(base_url=url, timeout=60) as client,
    ):
        wait_until(
            lambda: len(pool.waiting) == 8,
            "two queries hold the general workers, eight wait for them",
        )
        latencies = timed_asks(client, 5)
        assert pool.quick is not None and not pool.quick.retired
    print(
        f"\nASK {{}} beside 10 clients that never read: {[round(x * 1000) for x in latencies]} ms"
    )


def test_a_crash_costs_only_the_query_that_caused_it(
    store_dir: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """With the general worker busy, three queries run on the reserved worker when a fourth
    crashes it: the three are answered, the fourth alone gets the crash."""
    monkeypatch.setenv("IL2KG_TEST_CRASH_MARK", MARK)  # the workers read it when they start
    pool = WorkerPool(str(store_dir), size=1, timeout=120, quick=60)
    with (
        caplog.at_level(logging.ERROR),
        ThreadPoolExecutor(4) as run,
        live_server(create_app(pool, Settings(timeout=120))) as url,
    ):
        run.submit(httpx.get, f"{url}/sparql", params={"query": RUNAWAY}, timeout=150)
        wait_until(lambda: any(w.since for w in pool.workers), "the general worker is busy")
        bystanders = [
            run.submit(httpx.get, f"{url}/sparql", params={"query": SLOWISH}, timeout=150)
            for _ in range(3)
        ]
        wait_until(
            lambda: pool.quick is not None and pool.quick.jobs == 3,
            "three queries run on the reserved worker",
        )
        crash = httpx.get(f"{url}/sparql", params={"query": f"ASK {{}} # {MARK}"}, timeout=150)
        answers = [b.result() for b in bystanders]
    crashed = [r.getMessage() for r in caplog.records if "crashed" in r.getMessage()]
    assert any("with 4 queries on it" in m for m in crashed), crashed  # they overlapped
    assert [a.status_code for a in answers] == [200] * 3, [a.text for a in answers]
    assert len({a.json()["results"]["bindings"][0]["n"]["value"] for a in answers}) == 1
    assert crash.status_code == 503 and "crashed (killed by SIGSEGV)" in crash.text, crash.text


def test_every_killed_worker_is_reaped(store_dir: Path) -> None:
    """Workers killed for overrunning leave no process behind, not even a zombie."""
    pool = WorkerPool(str(store_dir), size=1, timeout=1)
    with live_server(create_app(pool, Settings(timeout=1))) as url:
        first = {w.process.pid for w in pool.workers}
        for _ in range(2):
            assert (
                httpx.get(f"{url}/sparql", params={"query": RUNAWAY}, timeout=60).status_code == 503
            )
        wait_until(lambda: not pool.dying, "every killed worker is reaped")
        gone = first - {w.process.pid for w in pool.workers}
        assert gone
        for pid in gone:
            assert (
                not Path(f"/proc/{pid}").exists()
                or "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]
            )
