"""Faults inside the endpoint: the client gets a generic error, the trace goes to the log."""

from __future__ import annotations

import logging
import os
import signal
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from il2kg.server.app import create_app
from il2kg.server.messages import Job
from il2kg.server.pool import Answer, WorkerPool
from il2kg.server.settings import Settings

from .server_fixtures import RUNAWAY, live_server, wait_until
from .test_security_fuzz import SIMPLE, assert_clean

SECRET = "disk-label-7f3a"


class BrokenStore:
    """A query engine over a store that breaks: every query hits an unexpected error."""

    async def start(self) -> None:
        """Nothing to open."""

    async def stop(self) -> None:
        """Nothing to close."""

    async def run(self, job: Job) -> Answer:
        """Fail as a broken dependency would, with internals in the message."""
        raise RuntimeError(f"{SECRET}: storage at {Path(__file__).parent} is corrupt")


@pytest.mark.parametrize(
    "path", ["/sparql?query=ASK%7B%7D", "/queries", "/.well-known/void", "/resource/x", "/sparql"]
)
def test_unexpected_error_is_a_generic_500_with_the_trace_logged(
    caplog: pytest.LogCaptureFixture, path: str
) -> None:
    with caplog.at_level(logging.ERROR), live_server(create_app(BrokenStore(), Settings())) as url:
        response = httpx.get(url + path, headers={"Accept": "text/turtle"}, timeout=30)
    assert response.status_code == 500
    assert response.text == "internal error (logged on the server)\n"
    assert_clean(None, response.content)
    logged = "\n".join(r.getMessage() + str(r.exc_info and r.exc_info[1]) for r in caplog.records)
    assert SECRET in logged
    assert any(r.exc_info and r.exc_info[0] is RuntimeError for r in caplog.records)


def test_killed_workers_give_a_generic_error_and_are_replaced(store_dir: Path) -> None:
    """Kill every worker (as the kernel's OOM killer might) while one runs a query."""
    pool = WorkerPool(str(store_dir), size=2, timeout=30)
    with (
        live_server(create_app(pool, Settings(timeout=30))) as url,
        httpx.Client(base_url=url, timeout=60) as client,
        ThreadPoolExecutor(1) as runner,
    ):
        killed = {w.process.pid for w in pool.workers}
        runaway = runner.submit(client.get, "/sparql", params={"query": RUNAWAY})
        wait_until(
            lambda: any(w.since is not None for w in pool.workers),
            "the runaway query is running in a worker",
        )
        for pid in killed:
            os.kill(pid, signal.SIGKILL)
        stopped = runaway.result(timeout=60)
        assert stopped.status_code == 503, stopped.text
        assert_clean(stopped.status_code, stopped.content)
        for _ in range(4):  # the dead idle worker is not handed out: every query is answered
            answer = client.get("/sparql", params={"query": SIMPLE})
            assert answer.status_code == 200 and answer.json()["boolean"] is True
        assert not killed & {w.process.pid for w in pool.workers}
        assert len(pool.workers) == 4  # 2 general ones, the reserved one and its spare
