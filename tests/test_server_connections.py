"""Connections that misbehave, with real sockets against `il2kg serve`: idle and slow clients
are closed, a client leaving mid-request or mid-answer costs one log line at most, and running
out of file descriptors neither floods the log nor stops the server for its open clients."""

from __future__ import annotations

import contextlib
import re
import resource
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from .server_fixtures import il2kg_serve, wait_until

READ_TIMEOUT = 3.0  # the hogs below must outlive the time it takes to test with them
FD_LIMIT = 128  # the server keeps 64 for itself: 64 connections at most
BIG = "SELECT * WHERE { ?s ?p ?o }"  # a streamed answer (several chunks)


@dataclass
class Server:
    """A running `il2kg serve` and the file its log goes to."""

    url: str
    port: int
    log: Path
    logged: bool  # a line per request (--access-log)

    def log_lines(self) -> list[str]:
        """Every line logged so far."""
        return self.log.read_text(encoding="utf-8", errors="replace").splitlines()


def _low_fd_limit() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (FD_LIMIT, FD_LIMIT))


@contextlib.contextmanager
def serving(option: str, store_dir: Path, built_dist: Path, log: Path) -> Iterator[Server]:
    """`il2kg serve` with a 3 s read timeout, 128 file descriptors and `option`."""
    args = ["--store", str(store_dir), "--dist", str(built_dist), "--workers", "2"]
    args += ["--read-timeout", str(READ_TIMEOUT), option]
    with il2kg_serve(args, log, preexec_fn=_low_fd_limit) as (url, _):
        yield Server(url, int(url.rsplit(":", 1)[1]), log, option == "--access-log")


@pytest.fixture(scope="module")
def server(
    store_dir: Path, built_dist: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """`il2kg serve` with a line per request (so every request goes through the server)."""
    log = tmp_path_factory.mktemp("connections") / "serve.log"
    with serving("--access-log", store_dir, built_dist, log) as server:
        yield server


@pytest.fixture(scope="module", params=["--access-log", "--direct"])
def any_server(
    request: pytest.FixtureRequest,
    server: Server,
    store_dir: Path,
    built_dist: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Server]:
    """`server`, and `il2kg serve` as it runs by default: workers answering connections."""
    if request.param == "--access-log":
        yield server
        return
    log = tmp_path_factory.mktemp("connections-direct") / "serve.log"
    with serving(request.param, store_dir, built_dist, log) as direct:
        yield direct


def connect(server: Server) -> socket.socket:
    """A raw TCP connection to the server, with a generous timeout on each read."""
    sock = socket.create_connection(("127.0.0.1", server.port))
    sock.settimeout(15)
    return sock


def closed_by_server(sock: socket.socket) -> bool:
    """True when the server closes the connection (after any answer it sends); False when it
    keeps it open past the socket's read timeout."""
    try:
        while sock.recv(65536):
            pass
    except ConnectionResetError:
        pass
    except TimeoutError:
        return False
    return True


def answers(server: Server) -> bool:
    """A new client still gets an answer."""
    return httpx.get(f"{server.url}/sparql", params={"query": "ASK {}"}).json()["boolean"]


def refused(server: Server) -> bool:
    """A new client is turned away at once: a 503, or the connection closed under it."""
    try:
        response = httpx.get(f"{server.url}/sparql", params={"query": "ASK {}"}, timeout=10)
    except httpx.TransportError:
        return True
    return response.status_code == 503


ACCESS = re.compile(r'"[A-Z]+ \S+ HTTP/1\.[01]" \d{3}')


def new_lines(server: Server, before: int) -> list[str]:
    """Lines other than access-log lines logged since `before` lines, read once the server has
    logged a request sent after everything the test did (the log is written in order)."""
    marker = f"marker-{uuid.uuid4().hex}"
    httpx.get(f"{server.url}/sparql", params={"query": "ASK {}", "marker": marker}, timeout=10)
    wait_until(
        lambda: any(marker in line for line in server.log_lines()[before:]),
        "the marker request reaches the log",
        seconds=30,
    )
    lines = server.log_lines()[before:]
    lines = lines[: next(i for i, line in enumerate(lines) if marker in line)]
    return [line for line in lines if not ACCESS.search(line)]


def test_an_idle_connection_is_closed(any_server: Server) -> None:
    server = any_server
    with connect(server) as sock:
        assert closed_by_server(sock)
    assert answers(server)


def test_a_slow_request_head_is_closed(any_server: Server) -> None:
    server = any_server
    """A slowloris client, one byte every 0.2 s, is cut off long before its head is sent."""
    head = f"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nX-Pad: {'a' * 100}\r\n\r\n"
    with connect(server) as sock:
        sent = 0
        try:
            for byte in head.encode():
                sock.send(bytes([byte]))
                sent += 1
                time.sleep(0.2)
        except (BrokenPipeError, ConnectionResetError):
            pass
        assert sent < len(head)


def test_a_slow_body_gets_408(any_server: Server) -> None:
    server = any_server
    with connect(server) as sock:
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/"
            b"sparql-query\r\nContent-Length: 100\r\n\r\nASK"
        )
        reply = sock.recv(65536)
    assert reply.startswith(b"HTTP/1.1 408")


def test_a_client_leaving_mid_body_is_at_most_one_line(server: Server) -> None:
    before = len(server.log_lines())
    for _ in range(5):
        with connect(server) as sock:
            sock.sendall(
                b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/"
                b"x-www-form-urlencoded\r\nContent-Length: 10000\r\n\r\nquery=ASK"
            )
    assert answers(server)
    assert len(new_lines(server, before)) <= 5


def test_a_client_leaving_mid_answer_is_at_most_one_line(server: Server) -> None:
    before = len(server.log_lines())
    for _ in range(5):
        with httpx.stream("GET", f"{server.url}/sparql", params={"query": BIG}) as response:
            assert response.headers.get("transfer-encoding") == "chunked"
            next(response.iter_raw())
    assert answers(server)
    assert len(new_lines(server, before)) <= 5
    assert not any("Traceback" in line for line in server.log_lines()[before:])


def test_running_out_of_connections(any_server: Server) -> None:
    server = any_server
    """Past the cap newcomers are refused at once; open clients keep their answers; the log
    says so a few times, not once per refusal; afterwards everyone is served again."""
    before = len(server.log_lines())
    with httpx.Client(base_url=server.url, timeout=10) as kept:
        assert kept.get("/sparql", params={"query": "ASK {}"}).status_code == 200
        hogs = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(3 * FD_LIMIT)]
        try:
            assert refused(server)
            for _ in range(5):
                assert kept.get("/sparql", params={"query": "ASK {}"}).status_code == 200
        finally:
            for hog in hogs:
                hog.close()
    assert answers(server)
    if server.logged:  # (the marker new_lines waits for is an access-log line)
        assert len(new_lines(server, before)) <= 3


def test_a_huge_request_head_is_431(any_server: Server) -> None:
    server = any_server
    with connect(server) as sock:
        sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\n")
        try:
            for _ in range(64):
                sock.sendall(b"X-Pad: " + b"a" * 16_384 + b"\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        reply = sock.recv(65536)
    assert reply.startswith(b"HTTP/1.1 431")
    assert answers(server)


def test_a_whole_huge_head_in_one_write_is_431(any_server: Server) -> None:
    server = any_server
    head = (
        b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 100_000 + b"\r\n\r\n"
    )
    with connect(server) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(head)
        reply = sock.recv(65536)
    assert reply.startswith(b"HTTP/1.1 431")
    assert answers(server)


def test_a_head_under_the_limit_and_a_large_body_in_one_write_are_answered(
    any_server: Server,
) -> None:
    server = any_server
    query = b"ASK {} #" + b"a" * 100_000
    request = (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        b"Content-Type: application/sparql-query\r\nAccept: application/json\r\n"
        b"Content-Length: "
        + str(len(query)).encode()
        + b"\r\nX-Pad: "
        + b"a" * 60_000
        + b"\r\n\r\n"
        + query
    )
    with connect(server) as sock:
        sock.sendall(request)
        reply = b"".join(iter(lambda: sock.recv(65536), b""))
    assert reply.startswith(b"HTTP/1.1 200"), reply[:200]


def test_a_flood_of_bad_requests_is_a_few_log_lines(server: Server) -> None:
    before = len(server.log_lines())
    for _ in range(50):
        with connect(server) as sock:
            sock.sendall(b"NOT HTTP AT ALL\r\n\r\n")
            assert closed_by_server(sock)
    assert answers(server)
    assert len(new_lines(server, before)) <= 3


def test_serve_on_a_port_in_use_stops_before_building(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        store = tmp_path / "store"
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "il2kg.cli",
                "serve",
                "--port",
                str(port),
                "--store",
                str(store),
                "--dist",
                str(tmp_path / "no-dist"),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr, result.stderr
    assert not store.exists() and not (tmp_path / "no-dist").exists()
