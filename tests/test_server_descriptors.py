"""Out of descriptors, a rebuild does not break the pool: `il2kg serve` limited to 400 open
files with 8 workers and 345 connections opened at it switches to a new build, still answers
`ASK {}`, replaces a killed worker and leaves no process behind."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from il2kg.publish.disk_store import publish_store

from .server_fixtures import free_port, wait_until

SETTLE = 180  # seconds a state of the server may take under load (a rebuild, 400 descriptors)

CONNECTIONS = 345
WORKERS = 8
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def ask(sock: socket.socket, query: str) -> tuple[int, bytes]:
    """Send one query on a kept-alive connection; its status and body."""
    sock.sendall(
        f"GET /sparql?query={quote(query)}&format=json HTTP/1.1\r\nHost: t\r\n\r\n".encode()
    )
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536) or b"!"
        assert not data.endswith(b"!"), "the server closed the connection"
    head, body = data.split(b"\r\n\r\n", 1)
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(65536)
    return int(head.split()[1]), body


def count(sock: socket.socket) -> int:
    status, body = ask(sock, COUNT)
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def children(pid: int) -> dict[int, str]:
    """The server's child processes and their states (Z: a zombie, never reaped)."""
    found = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            with contextlib.suppress(FileNotFoundError):
                found[int(child)] = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1][1]
    return found


@contextlib.contextmanager
def connections(port: int, number: int) -> Iterator[list[socket.socket]]:
    """`number` idle connections to the server (those past its cap are refused by it)."""
    with contextlib.ExitStack() as stack:
        yield [
            stack.enter_context(socket.create_connection(("127.0.0.1", port)))
            for _ in range(number)
        ]


def test_rebuild_out_of_descriptors_keeps_the_pool_whole(
    tmp_path: Path, built_dist: Path, example_dir: Path
) -> None:
    link, log, port = tmp_path / "store", tmp_path / "serve.log", free_port()
    publish_store(link, built_dist, queries_dir=example_dir)
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [
                "prlimit",
                "--nofile=400:400",
                sys.executable,
                "-m",
                "il2kg.cli",
                "serve",
                "--store",
                str(link),
                "--dist",
                str(built_dist),
                "--port",
                str(port),
                "--workers",
                str(WORKERS),
                "--timeout",
                "20",
                "--read-timeout",
                "600",
            ],
            stdout=sink,
            stderr=sink,
            start_new_session=True,
        )
    try:

        def up() -> bool:
            assert server.poll() is None, log.read_text()[-3000:]
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", port)) as probe,
            ):
                return ask(probe, "ASK {}")[0] == 200
            return False

        wait_until(up, "the server answers", seconds=SETTLE)
        with socket.create_connection(("127.0.0.1", port)) as probe, connections(port, CONNECTIONS):
            before = count(probe)
            wait_until(
                lambda: len(children(server.pid)) == WORKERS + 2,
                "every worker started",
                seconds=SETTLE,
            )
            first = set(children(server.pid))
            publish_store(link, built_dist)  # as `il2kg build --store` does: fewer triples
            wait_until(lambda: count(probe) != before, "the new build is served", seconds=SETTLE)
            wait_until(
                lambda: (
                    not first & set(children(server.pid))
                    and len(children(server.pid)) == WORKERS + 2
                ),
                "the old workers are gone",
                seconds=SETTLE,
            )
            status, body = ask(probe, "ASK {}")
            assert status == 200 and json.loads(body)["boolean"] is True
            victim = min(children(server.pid))
            os.kill(victim, signal.SIGKILL)
            wait_until(
                lambda: (
                    victim not in children(server.pid) and len(children(server.pid)) == WORKERS + 2
                ),
                "the killed worker replaced",
                seconds=SETTLE,
            )
            for _ in range(3):
                assert ask(probe, "ASK {}")[0] == 200
            assert all(state != "Z" for state in children(server.pid).values())
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(60)
    text = log.read_text(errors="replace")
    for trouble in ("Task exception was never retrieved", "Too many open files", "Traceback"):
        assert trouble not in text, text[-5000:]
