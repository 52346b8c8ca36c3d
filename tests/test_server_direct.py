"""Workers answering connections themselves (`serve --direct`): the same answers as the
server's own route, byte for byte but the date; everything off the fast path given back to the
server; a crash, a kill or a long query costs only its own connection.

Clients are raw sockets (one connection each, kept alive), so a test knows which connection
a worker holds: the server keeps a duplicate of each, whose peer is the client's address.
"""

from __future__ import annotations

import http.client
import io
import os
import signal
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from il2kg.server.app import create_app
from il2kg.server.pool import WorkerPool
from il2kg.server.settings import Settings
from il2kg.server.workers import Worker

from .server_fixtures import RUNAWAY, live_server, wait_until

pytestmark = pytest.mark.server
MARK = "il2kg-test-crash-7c2d"  # a query containing it crashes its worker (tests only)
SELECT = "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
Answer = tuple[int, list[tuple[str, str]], bytes]


def get(query: str, *headers: str, extra: str = "") -> bytes:
    """A GET of `query` with these header lines."""
    lines = [f"GET /sparql?query={quote(query)}{extra} HTTP/1.1", "Host: x", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def post(body: bytes, content_type: str, *headers: str, target: str = "/sparql") -> bytes:
    """A POST of `body` with its type and these header lines."""
    lines = [
        f"POST {target} HTTP/1.1",
        "Host: x",
        f"Content-Type: {content_type}",
        f"Content-Length: {len(body)}",
        *headers,
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


FORM = "application/x-www-form-urlencoded"
FAST = {
    "ask": get("ASK {}"),
    "select csv": get(SELECT, "Accept: text/csv"),
    "format wins": get(SELECT, "Accept: application/sparql-results+xml", extra="&format=json"),
    "construct": get(CONSTRUCT, "Accept: application/n-triples"),
    "form": post(f"query={quote(SELECT)}".encode(), FORM),
    "direct post": post(SELECT.encode(), "application/sparql-query"),
    "syntax": get("ASK {"),
    "unknown prefix": get("SELECT * { ?s nope:x ?o }"),
    "service": get("SELECT * { ?s ?p ?o .SERVICE <http://x.example/> { ?a ?b ?c } }"),
    "service 1": get("SELECT * { ?s ?p 1SERVICE <http://x.example/> { ?a ?b ?c } }"),
    "update form": post(b"update=CLEAR%20ALL", FORM),
    "update": post(b"CLEAR ALL", "application/sparql-update"),
    "text": post(b"ASK {}", "text/plain"),
    "latin-1": post(b"ASK {}", "application/sparql-query; charset=latin-1"),
    "not utf-8": post(b"ASK { FILTER('\xff') }", "application/sparql-query"),
    "two queries": get("ASK {}", extra="&query=ASK%7B%7D"),
    "406": get(CONSTRUCT, "Accept: image/png"),
    "cors": get("ASK {}", "Origin: https://a.example"),
    "304": get("ASK {}", 'If-None-Match: "x", *'),
    "412": post(b"ASK {}", "application/sparql-query", "If-None-Match: *"),
    "keep-alive": get("ASK {}", "Connection: keep-alive"),
}
GIVEN_BACK = {
    "head": get("ASK {}").replace(b"GET", b"HEAD", 1),
    "description": b"GET /sparql HTTP/1.1\r\nHost: x\r\nAccept: image/png\r\n\r\n",
    "page": b"GET /queries HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n\r\n",
    "escaped path": get("ASK {}").replace(b"/sparql", b"/spar%71l", 1),
    "close": get("ASK {}", "Connection: close"),
    "chunked": (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n6\r\nASK {}\r\n0\r\n\r\n"
    ),
    "pipelined": get("ASK {}") * 2,
    "head in parts": get("ASK {}")[:20],
}


@pytest.fixture(scope="module")
def server_path(tiny_store_dir: Path) -> Iterator[str]:
    """The same server without `direct`: every request answered by the server process."""
    pool = WorkerPool(str(tiny_store_dir), size=1, timeout=3.0)
    with live_server(create_app(pool, Settings(timeout=3.0))) as url:
        yield url


@pytest.fixture(scope="module")
def direct_pool(tiny_store_dir: Path) -> Iterator[tuple[str, WorkerPool]]:
    """A server whose one general worker answers connections (the same settings as
    `server_path`); its address and pool."""
    pool = WorkerPool(str(tiny_store_dir), size=1, timeout=3.0, direct=True)
    with live_server(create_app(pool, Settings(timeout=3.0))) as url:
        yield url, pool


def connect(url: str) -> socket.socket:
    """A client connection to the server at `url`."""
    parts = urlsplit(url)
    return socket.create_connection((parts.hostname, parts.port), timeout=30)


class Responses(io.BufferedReader):
    """A connection's responses, read one after another from one buffer."""

    def __init__(self, sock: socket.socket) -> None:
        super().__init__(socket.SocketIO(sock, "rb"))

    def makefile(self, mode: str) -> Responses:
        """Itself (`HTTPResponse` reads its "socket's" file)."""
        return self

    def close(self) -> None:
        """Kept open for the next response (the socket is closed by its owner)."""


def exchange(sock: socket.socket, raw: bytes, method: str = "GET", count: int = 1) -> Answer:
    """Send a request, read its response (the last of `count`): status, headers but the
    date, body."""
    sock.sendall(raw)
    responses = Responses(sock)
    for _ in range(count):
        response = http.client.HTTPResponse(responses, method=method)  # type: ignore[arg-type]
        response.begin()
        body = response.read()
    return response.status, [h for h in response.getheaders() if h[0] != "date"], body


def holder(pool: WorkerPool, sock: socket.socket) -> Worker | None:
    """The worker holding this client's connection, if one does."""
    assert pool.direct is not None
    for _ in range(100):
        try:
            return next(
                (
                    w
                    for w, h in list(pool.direct.held.items())
                    for mine in list(h.connections.values())
                    if mine.getpeername() == sock.getsockname()
                ),
                None,
            )
        except (RuntimeError, OSError):  # changed by the server's loop meanwhile
            continue
    raise AssertionError("the held connections kept changing")


def held(pool: WorkerPool, sock: socket.socket) -> bool:
    """True when a worker holds this client's connection."""
    return holder(pool, sock) is not None


@pytest.mark.parametrize("name", list(FAST))
def test_a_worker_answers_as_the_server_does(
    name: str, direct_pool: tuple[str, WorkerPool], server_path: str
) -> None:
    """Each fast-path request gets from the worker what the server's own route gives
    (status, headers but the date, body), twice on one connection, which the worker keeps."""
    url, pool = direct_pool
    raw = FAST[name]
    with connect(server_path) as server, connect(url) as worker:
        expected = exchange(server, raw)
        assert exchange(worker, raw) == expected
        assert held(pool, worker), "the worker gave the connection back"
        assert exchange(worker, raw) == expected
        assert held(pool, worker)


@pytest.mark.parametrize("name", list(GIVEN_BACK))
def test_anything_else_is_given_back_to_the_server(
    name: str, direct_pool: tuple[str, WorkerPool], server_path: str
) -> None:
    """Off the fast path, the connection and what was read of it go back to the server,
    which answers as it does for any connection."""
    url, pool = direct_pool
    raw, method = GIVEN_BACK[name], "HEAD" if name == "head" else "GET"
    with connect(server_path) as server, connect(url) as worker:
        if name == "head in parts":  # the rest comes once the worker has given it back
            worker.sendall(raw)
            wait_until(lambda: not held(pool, worker), "the connection is given back")
            server.sendall(raw)
            raw = get("ASK {}")[20:]
        count = 2 if name == "pipelined" else 1
        expected = exchange(server, raw, method, count)
        assert exchange(worker, raw, method, count) == expected


def test_a_page_between_queries_is_served_on_the_same_connection(
    direct_pool: tuple[str, WorkerPool],
) -> None:
    """A connection a worker answered goes back to the server for a page, then, once the
    page is sent, to a worker again, which answers its later queries."""
    url, pool = direct_pool
    with connect(url) as sock:
        assert exchange(sock, get("ASK {}"))[0] == 200
        assert held(pool, sock)
        status, _, body = exchange(sock, GIVEN_BACK["page"])
        assert status == 200 and b"graph-sizes" in body
        wait_until(lambda: held(pool, sock), "the connection is a worker's again")
        assert exchange(sock, get("ASK {}"))[2] == b'{"head":{},"boolean":true}'
        assert held(pool, sock)


def test_a_crash_is_its_own_connections_only(
    tiny_store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A query that crashes its worker gets the crash; another connection the worker held is
    answered on that same connection; then a killed worker's connection too."""
    monkeypatch.setenv("IL2KG_TEST_CRASH_MARK", MARK)  # the workers read it when they start
    pool = WorkerPool(str(tiny_store_dir), size=1, timeout=30, direct=True)
    with live_server(create_app(pool, Settings(timeout=30))) as url:
        with connect(url) as bystander, connect(url) as victim:
            assert exchange(bystander, get("ASK {}"))[0] == 200
            assert exchange(victim, get("ASK {}"))[0] == 200
            assert held(pool, bystander) and held(pool, victim)
            status, headers, body = exchange(victim, get(f"ASK {{}} # {MARK}", "Origin: x"))
            assert status == 503 and b"crashed (killed by SIGSEGV)" in body, body
            assert ("access-control-allow-origin", "*") in headers  # a page can read why
            assert exchange(bystander, get("ASK {}"))[2] == b'{"head":{},"boolean":true}'
            for w in [w for w in pool.workers if w.connections is not None]:
                os.kill(w.process.pid, signal.SIGKILL)
            assert exchange(bystander, get("SELECT * {} LIMIT 1"))[0] == 200
        assert pool.direct is not None
        wait_until(lambda: pool.direct is not None and pool.direct.count == 0, "all let go")


@pytest.mark.slow
def test_a_long_query_holds_only_its_own_connection(store_dir: Path) -> None:
    """While a query runs past its deadline, a connection its worker held is answered (by
    the server, given back meanwhile) before it; the long one gets the deadline's 503."""
    pool = WorkerPool(str(store_dir), size=1, timeout=3, direct=True)
    with (
        live_server(create_app(pool, Settings(timeout=3))) as url,
        connect(url) as bystander,
        connect(url) as long,
    ):
        assert exchange(bystander, get("ASK {}"))[0] == 200
        assert exchange(long, get("ASK {}"))[0] == 200
        assert held(pool, bystander) and held(pool, long)
        answer: list[Answer] = []
        running = threading.Thread(target=lambda: answer.append(exchange(long, get(RUNAWAY))))
        running.start()
        worker = next(w for w in pool.workers if w.connections is not None)
        wait_until(lambda: worker.answering(), "the worker runs the long query")
        assert exchange(bystander, get("ASK {}"))[2] == b'{"head":{},"boolean":true}'
        assert not answer, "the short query waited for the long one"
        running.join(60)
        status, _, body = answer[0]
        assert status == 503 and b"ran past this endpoint's limit of 3 s" in body, body
        assert exchange(bystander, get("ASK {}"))[0] == 200


@pytest.mark.slow
def test_a_connection_given_back_goes_to_another_worker(store_dir: Path) -> None:
    """A connection whose worker runs a long query is given back and handed to the other,
    free worker, which answers it."""
    pool = WorkerPool(str(store_dir), size=2, timeout=30, direct=True)
    with live_server(create_app(pool, Settings(timeout=30))) as url:
        clients = [connect(url) for _ in range(3)]
        try:
            for sock in clients:
                assert exchange(sock, get("ASK {}"))[0] == 200
            holders = [holder(pool, sock) for sock in clients]
            busy = next(w for w in holders if holders.count(w) == 2)  # 3 connections, 2 workers
            assert busy is not None
            long, bystander = [s for s, w in zip(clients, holders, strict=True) if w is busy]
            long.sendall(get(RUNAWAY))
            wait_until(lambda: busy.answering(), "the worker runs the long query")
            wait_until(
                lambda: holder(pool, bystander) not in (None, busy), "it moves to the other worker"
            )
            assert exchange(bystander, get("ASK {}"))[2] == b'{"head":{},"boolean":true}'
            assert holder(pool, bystander) not in (None, busy)
        finally:
            for sock in clients:
                sock.close()
