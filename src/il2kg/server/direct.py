"""A general query worker answering its clients' connections itself, one query at a time.

The server hands each new connection to a general worker (`dispatch`); the worker reads it
and, when what it read is one whole request of the narrow fast path (GET or POST of a query
to /sparql, HTTP/1.1, a strict reading of the head: `fast_request`), answers it with the
route's own decision (`reply`) from its store, in one `send`, keeping the connection for the
next request. Anything else (another route, HEAD, a head or body not all there, pipelined
bytes, `Expect`, `Transfer-Encoding`, `Upgrade`, `Connection` other than keep-alive, a body
over the limit, an answer over `WHOLE` bytes, a fault) goes back to the server with the bytes
read (`Return`); the server answers it as it answers any connection, then hands the
connection to a worker again.

One query at a time, so a crash or a kill is that query's: the status block (`status`) says
which connection is being answered and since when, for the server's deadline and, if the
worker dies, for that connection's answer. While a query runs, a watchdog thread gives every
other connection back to the server once the query has run `HOLD` s, so a long query holds
only its own client. A connection idle `KEEP_ALIVE` s is shut down and closed, as the
server's own are. The worker opens no socket: it reads the descriptors the server sends it.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import select
import selectors
import socket
import sys
import threading
import time
import traceback
from collections import OrderedDict, deque
from dataclasses import dataclass

from pyoxigraph import Store

from il2kg.paths import published_prefixes
from il2kg.query.result import QueryError
from il2kg.server.cache import Kept, ResultCache, entity_tag
from il2kg.server.messages import (
    Adopt,
    Closed,
    Drain,
    Failed,
    Frames,
    Job,
    Message,
    Return,
    frame,
)
from il2kg.server.reply import WANTED, Dates, Reply, Request, answered, failed, prepare, response
from il2kg.server.settings import Settings
from il2kg.server.status import HOLD, Status
from il2kg.server.worker import Link, Sender, execute, failure

MAX_HEAD = 64 * 1024  # the server's own limit (http_server.MAX_HEAD); longer heads go back
WHOLE = 1 << 20  # the largest answer sent from here; a larger one the server streams
TICK = 0.01  # seconds between the watchdog's looks
KEEP_ALIVE = 5.0  # seconds an idle connection is kept (uvicorn's default; at most the
#                   read timeout, within which the server wants a request's head)
READ = 256 * 1024
STREAMED = 256  # queries remembered as answered too large to send from here
TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
TARGET = re.compile(rb"/sparql(\?[\x21-\x7e]*)?")  # no fragment, no escape in the path
BAD_VALUE = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f-\xff]")
REFUSED = {b"transfer-encoding", b"expect", b"upgrade", b"te", b"trailer"}
PREFIXES = published_prefixes()


def fast_request(data: bytes | bytearray, max_body: int) -> Request | None:
    """The request `data` holds, if it is exactly one whole request of the fast path."""
    end = data.find(b"\r\n\r\n")
    if end < 0 or end > MAX_HEAD:
        return None
    lines = bytes(data[:end]).split(b"\r\n")
    parts = lines[0].split(b" ")
    if len(parts) != 3 or parts[2] != b"HTTP/1.1" or parts[0] not in (b"GET", b"POST"):
        return None
    if TARGET.fullmatch(parts[1]) is None:
        return None
    headers: dict[str, str] = {}
    length = None
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if not colon or TOKEN.fullmatch(name) is None:
            return None
        value = value.strip(b" \t")
        if BAD_VALUE.search(value) is not None:
            return None
        name = name.lower()
        if name in REFUSED or (name == b"connection" and value.lower() != b"keep-alive"):
            return None
        if name == b"content-length":
            if length is not None or not value.isdigit():
                return None
            length = int(value)
        if name in WANTED:
            headers[name.decode()] = value.decode("latin-1")
    body = bytes(data[end + 4 :])
    if len(body) != (length or 0) or (parts[0] == b"POST" and length is None):
        return None
    if len(body) > max_body:
        return None
    query_string = parts[1].partition(b"?")[2]
    return Request(parts[0].decode(), query_string, headers, body)


class Buffer(Sender):
    """A sink keeping the whole answer; TooLarge past `limit` bytes."""

    def __init__(self, limit: int) -> None:
        self.media_type, self.limit, self.size, self.buffer = "", limit, 0, bytearray()

    def send(self, *, last: bool = False) -> None:
        """Keep everything until the end."""


def send_all(sock: socket.socket, data: bytes) -> None:
    """Send all of `data` on a non-blocking socket, waiting while the client's buffer is full."""
    view = memoryview(data)
    while view:
        try:
            view = view[sock.send(view) :]
        except BlockingIOError:
            select.select([], [sock], [])


@dataclass(eq=False)
class Connection:
    """A client connection the worker holds: the server's number for it, its socket."""

    number: int
    sock: socket.socket
    idle_since: float


class Direct:
    """The worker's loop over its pool socket, its connection socket and its connections."""

    def __init__(
        self,
        store: Store,
        link: Link,
        channel: socket.socket,
        status: Status,
        settings: Settings,
        base_iri: str,
        cache: int,
    ) -> None:
        self.store, self.link, self.channel, self.status = store, link, channel, status
        self.settings, self.base_iri = settings, base_iri
        self.cache = ResultCache(cache)
        self.streamed: OrderedDict[Job, None] = OrderedDict()  # answers too large to send here
        self.frames, self.fds = Frames(), deque[int]()
        self.connections: dict[int, Connection] = {}
        self.selector = selectors.DefaultSelector()
        self.lock = threading.Lock()  # held by the loop except while a query runs
        self.current = -1  # the connection being answered (0: a pool job; -1: none)
        self.draining = False
        self.dates = Dates()
        self.expired = time.monotonic()
        self.idle = min(KEEP_ALIVE, settings.read_timeout)  # as the server's own timers

    def serve(self) -> None:
        """Answer until the server closes the pool socket."""
        self.selector.register(self.link.sock, selectors.EVENT_READ, "jobs")
        self.selector.register(self.channel, selectors.EVENT_READ, "connections")
        threading.Thread(target=self._watch, daemon=True).start()
        with self.lock:
            while True:
                for key, _ in self.selector.select(1.0):
                    if isinstance(conn := key.data, Connection):
                        if self.connections.get(conn.number) is conn:  # not given back since
                            self._readable(conn)
                    elif key.data == "connections":
                        self._adopt()
                    elif not self._job():
                        return
                if time.monotonic() - self.expired > 1.0:
                    self._expire()

    def _job(self) -> bool:
        """Run a job of the pool's; False when the pool socket is closed."""
        try:
            number, job = self.link.receive()
        except (EOFError, OSError):
            return False
        self.status.begin(0)
        self._running(0)
        try:
            execute(self.store, job, self.link, number)
        finally:
            self._done()
        return True

    def _running(self, connection: int) -> None:
        """A query (or an answer's sending) starts: let the watchdog take the lock."""
        self.current = connection
        self.lock.release()

    def _done(self) -> None:
        self.lock.acquire()
        self.current = -1
        self.status.end()

    def _adopt(self) -> None:
        """Take the connections the server sends (and do what it asks)."""
        data, fds, _, _ = socket.recv_fds(self.channel, READ, 64)
        if not data:
            raise SystemExit(0)  # the server is gone
        self.fds.extend(fds)
        for _, message in self.frames.feed(data):
            self._obey(message)

    def _obey(self, message: Message) -> None:
        if isinstance(message, Adopt):
            sock = socket.socket(fileno=self.fds.popleft())
            conn = Connection(message.connection, sock, time.monotonic())
            self.connections[conn.number] = conn
            self.selector.register(sock, selectors.EVENT_READ, conn)
            if self.draining:
                self._give_back(conn, b"")
        elif isinstance(message, Drain):
            self.draining = True
            for conn in list(self.connections.values()):
                self._give_back(conn, b"")

    def _readable(self, conn: Connection) -> None:
        """Answer what a connection sent, or give it back. It counts as being answered from
        before the read: if the worker dies, the server answers it (the bytes read are lost)."""
        self.status.begin(conn.number)
        try:
            data = conn.sock.recv(READ)
        except BlockingIOError:
            return self.status.end()
        except OSError:
            data = b""
        if not data:
            return self._close(conn)
        request = fast_request(data, self.settings.max_body_bytes)
        job = None if request is None else prepare(request, self.settings, self.base_iri)
        if request is None or job is None or self.status.retired():  # (retired: the server
            return self._give_back(conn, data)  # answers from the build it serves now)
        self._running(conn.number)
        try:
            reply = job if isinstance(job, Reply) else self._answer(request, job)
            if reply is not None:
                self.status.responding()
                send_all(conn.sock, response(reply, self.dates.now()))
        except OSError:
            reply, data = None, b""  # the client is gone
        finally:
            self._done()
        if not data:
            return self._close(conn)
        if reply is None:
            return self._give_back(conn, data)
        conn.idle_since = time.monotonic()
        if self.draining:
            self._give_back(conn, b"")

    def _answer(self, request: Request, job: Job) -> Reply | None:
        """The answer to a query of the fast path (the lock not held), or None to give the
        connection to the server."""
        if (kept := self.cache.get(0, job)) is not None:
            return answered(request, kept.media_type, kept.body, kept.etag)
        if job in self.streamed:  # the server streams its answer: run it once, there
            return None
        sink = Buffer(min(job.max_bytes or WHOLE, WHOLE))
        result = failure(self.store, job, sink, admitted=True)  # by `prepare`
        if isinstance(result, Failed):
            if result.status == 507:
                self.streamed[job] = None
                while len(self.streamed) > STREAMED:
                    self.streamed.popitem(last=False)
            if result.status in (500, 507):  # a fault (the server logs it) or an answer
                return None  # to stream: the server runs the query again
            return failed(request, QueryError(result.message, result.status), job.query, PREFIXES)
        body = bytes(sink.buffer)
        kept = Kept(sink.media_type, body, entity_tag(body))
        self.cache.put(0, job, kept)
        return answered(request, kept.media_type, body, kept.etag)

    def _tell(self, message: Message) -> None:
        """Tell the server (with the lock held)."""
        self.channel.sendall(frame(0, message))

    def _forget(self, conn: Connection) -> None:
        self.connections.pop(conn.number, None)
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(conn.sock)

    def _give_back(self, conn: Connection, data: bytes) -> None:
        """The server serves this connection from now on (its descriptor stays the server's)."""
        self._forget(conn)
        conn.sock.close()
        self._tell(Return(conn.number, data))
        if self.current < 0:  # the loop's, not the watchdog's
            self.status.end()

    def _close(self, conn: Connection) -> None:
        """End a connection: shut down (the server holds a descriptor of it too) and close."""
        self._forget(conn)
        with contextlib.suppress(OSError):
            conn.sock.shutdown(socket.SHUT_RDWR)
        conn.sock.close()
        self._tell(Closed(conn.number))
        if self.current < 0:
            self.status.end()

    def _expire(self) -> None:
        """Close connections idle past `KEEP_ALIVE`."""
        now = self.expired = time.monotonic()
        for conn in list(self.connections.values()):
            if now - conn.idle_since > self.idle:
                self._close(conn)

    def _watch(self) -> None:
        """Give back every other connection once a query has run `HOLD` s."""
        while True:
            time.sleep(TICK)
            doing = self.status.read()
            if doing is None or time.monotonic() - doing.since < HOLD or not self.connections:
                continue
            if not self.lock.acquire(blocking=False):
                continue
            try:
                if self.current >= 0:
                    for conn in list(self.connections.values()):
                        if conn.number != self.current:
                            self._give_back(conn, b"")
            except OSError:
                traceback.print_exc(file=sys.stderr)
            finally:
                self.lock.release()


def answer_connections(store: Store, link: Link, config: str) -> None:
    """Serve jobs and connections as `config` (JSON, from the server) says, until the server
    closes the pool socket."""
    given = json.loads(config)
    status_fd = given.pop("status")
    status = Status(status_fd)
    os.close(status_fd)
    channel = socket.socket(fileno=given.pop("connections"))
    channel.setblocking(True)
    base_iri, cache = given.pop("base_iri"), given.pop("cache")
    Direct(store, link, channel, status, Settings(**given), base_iri, cache).serve()
