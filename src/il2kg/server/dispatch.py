"""The server's side of the connections its general workers answer themselves (`direct`).

A new connection goes to the current generation's general worker holding the fewest: the
server sends it a duplicate of the connection's descriptor (SCM_RIGHTS, with an `Adopt`
frame on the worker's connection socket) and keeps its own duplicate, which it no longer
reads. So the server always holds every connection a worker holds:

- a connection given back (`Return`) with the bytes the worker read is served by the
  server's HTTP protocol, those bytes first, and handed to a worker again once an answer is
  written and nothing of a next request has been read (`HttpProtocol`); one given back idle
  (its worker runs a long query, or retires) goes to another worker, or waits parked until
  its client writes, then goes to a worker free by then, or to the server;
- a connection the worker closed (`Closed`, after its `shutdown`) is closed here too;
- past the query's deadline (the worker's status block: since when it answers which
  connection) the worker is killed, as a pool job's would be;
- when a worker dies (killed or crashed), the connection it was answering gets the pool's
  answer for that case (deadline, crash, stop) unless its response had begun (then it is
  closed), and every other connection it held goes to another worker (or to the server):
  whatever their clients sent meanwhile is still unread in the kernel;
- a worker of a retired generation is asked to give every connection back (`Drain`) and
  is stopped once it holds none.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import socket
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from il2kg.iris import RES
from il2kg.query.result import QueryError
from il2kg.server.messages import Adopt, Closed, Drain, Frames, Malformed, Message, Return, frame
from il2kg.server.reply import CORS, Dates, plain, response
from il2kg.server.settings import Settings
from il2kg.server.status import HOLD
from il2kg.server.workers import Worker

if TYPE_CHECKING:
    from il2kg.server.pool import WorkerPool

log = logging.getLogger("il2kg.server")
CHECK = 0.05  # seconds between checks of the deadlines of the queries workers answer
READ = 64 * 1024
CLOSE = (b"connection", b"close")


class Held:
    """The connections one worker holds (the server's duplicates), by number."""

    def __init__(self) -> None:
        self.connections: dict[int, socket.socket] = {}
        self.frames = Frames()


class Dispatch:
    """Hands new connections to the pool's general workers and serves what they give back."""

    def __init__(self, pool: WorkerPool) -> None:
        self.pool = pool
        self.settings: Settings | None = None  # the route's, given by the application
        self.held: dict[Worker, Held] = {}
        self.parked: dict[socket.socket, asyncio.TimerHandle] = {}  # idle, given back
        self.numbers = itertools.count(1)
        self.serving: Callable[[bytes], asyncio.Protocol] | None = None  # the server's HTTP
        #                                        protocol for a connection, given its first bytes
        self.timer: asyncio.TimerHandle | None = None
        self.dates = Dates()

    @property
    def count(self) -> int:
        """The connections workers hold or that wait parked (a descriptor each here)."""
        return len(self.parked) + sum(len(h.connections) for h in self.held.values())

    def config(self) -> dict[str, object] | None:
        """What a worker needs to answer connections (None: they are not answered there)."""
        if self.settings is None:
            return None
        return {
            "timeout": self.settings.timeout,
            "max_body_bytes": self.settings.max_body_bytes,
            "max_result_bytes": self.settings.max_result_bytes,
            "read_timeout": self.settings.read_timeout,
            "base_iri": str(RES),
            "cache": self.pool.cache.capacity // max(self.pool.size, 1),  # shared out
        }

    def attach(self, w: Worker) -> None:
        """Listen to a new worker's connection socket (closed with its status block when the
        worker is gone, however early)."""
        if w.connections is None:
            return
        self.held[w] = Held()
        asyncio.get_running_loop().add_reader(w.connections.fileno(), self._heard, w)
        if self.timer is None:
            self.timer = asyncio.get_running_loop().call_later(CHECK, self._check)

    def take(self, transport: asyncio.BaseTransport) -> bool:
        """Give a new connection to a worker; False if none takes it (the server serves it)."""
        if self.serving is None:
            return False
        w = self._pick()
        if w is None:
            return False
        sock = transport.get_extra_info("socket")
        mine = socket.socket(fileno=os.dup(sock.fileno()))
        if self._give(w, mine):
            return True
        mine.close()
        return False

    def _pick(self) -> Worker | None:
        """The current generation's ready general worker holding the fewest connections, of
        those neither lent to the pool nor answering one query for `HOLD` s or more."""
        pool = self.pool
        ready = [
            w
            for w in self.held
            if w.ready
            and w.generation == pool.generation
            and w.stopped is None
            and w.since is None
            and ((busy := w.busy_for()) is None or busy < HOLD)
            and not w.gone()
        ]
        return min(ready, key=lambda w: len(self.held[w].connections), default=None)

    def _give(self, w: Worker, sock: socket.socket) -> bool:
        """Send a connection to a worker."""
        assert w.connections is not None
        number = next(self.numbers)
        held = self.held[w].connections
        held[number] = sock
        try:
            socket.send_fds(w.connections, [frame(0, Adopt(number))], [sock.fileno()])
        except OSError:  # its socket is full or gone
            del held[number]
            return False
        return True

    def place(self, sock: socket.socket, data: bytes) -> None:
        """A connection to serve: with bytes read of it, by the server; else by a worker, or
        parked until its client writes (a worker may be free by then)."""
        if data:
            return self._serve(sock, data)
        if (w := self._pick()) is None or not self._give(w, sock):
            self._park(sock)

    def _serve(self, sock: socket.socket, data: bytes) -> None:
        """The server serves the connection from now on, `data` first."""
        assert self.serving is not None
        serving = self.serving
        task = asyncio.ensure_future(
            asyncio.get_running_loop().connect_accepted_socket(lambda: serving(data), sock)
        )
        task.add_done_callback(lambda t: t.cancelled() or t.exception())

    def _park(self, sock: socket.socket) -> None:
        """Hold an idle connection, unread, until its client writes (then a worker, or the
        server, takes it) or the read timeout passes (then it is closed)."""
        loop = asyncio.get_running_loop()
        wait = self.settings.read_timeout if self.settings is not None else 10.0
        self.parked[sock] = loop.call_later(wait, self._unpark, sock, False)
        loop.add_reader(sock.fileno(), self._unpark, sock, True)

    def _unpark(self, sock: socket.socket, written: bool) -> None:
        timer = self.parked.pop(sock, None)
        if timer is None:
            return
        timer.cancel()
        asyncio.get_running_loop().remove_reader(sock.fileno())
        if not written:
            _end(sock)
        elif (w := self._pick()) is None or not self._give(w, sock):
            self._serve(sock, b"")

    def _heard(self, w: Worker) -> None:
        """Messages on a worker's connection socket; its end when it closes."""
        assert w.connections is not None
        try:
            data = w.connections.recv(READ)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        held = self.held[w]
        try:
            messages = held.frames.feed(data)
        except Malformed as exc:
            log.error("a query worker sent %s; it is stopped", exc)
            messages, data = [], b""
        for _, message in messages:
            self._obey(w, held, message)
        if not data:
            self._orphaned(w)
        elif not held.connections and w.generation != self.pool.generation:
            self.pool.retired(w)

    def _obey(self, w: Worker, held: Held, message: Message) -> None:
        if isinstance(message, Return | Closed) and message.connection in held.connections:
            sock = held.connections.pop(message.connection)
            if isinstance(message, Return):
                self.place(sock, message.data)
            else:
                sock.close()
        else:
            log.error("query worker %s sent %s", w.process.pid, type(message).__name__)

    def drain(self, w: Worker) -> bool:
        """Retire a worker of an older build: it starts no new query (its status block says
        so at once) and gives its connections back; False if it holds none."""
        if w.status is not None:
            w.status.retire()
        held = self.held.get(w)
        if held is None or not held.connections or w.connections is None:
            return False
        with contextlib.suppress(OSError):
            w.connections.send(frame(0, Drain()))
        return True

    def _check(self) -> None:
        """Kill a worker whose query has passed its deadline."""
        self.timer = None
        now = time.monotonic()
        for w in list(self.held):
            doing = w.status.read() if w.status is not None else None
            if doing is not None and doing.connection and now - doing.since > self.pool.timeout:
                w.stopped = self.pool.overran()
                self.pool.stop_worker(w)
        self.pool.nudge()
        if self.held:
            self.timer = asyncio.get_running_loop().call_later(CHECK, self._check)

    def _orphaned(self, w: Worker) -> None:
        """A worker is gone: answer or close the connection it was answering, place the rest."""
        assert w.connections is not None and w.status is not None
        asyncio.get_running_loop().remove_reader(w.connections.fileno())
        doing, reason = w.status.read(), w.stopped
        held = self.held.pop(w)
        w.close()
        for number, sock in held.connections.items():
            if doing is None or doing.connection != number:
                self.place(sock, b"")
            elif doing.started:
                _end(sock)
            else:
                task = asyncio.ensure_future(self._tell(w, sock, reason))
                task.add_done_callback(lambda t: t.cancelled() or t.exception())
        self.pool.stop_worker(w)  # replaced, if it was not stopped already

    async def _tell(self, w: Worker, sock: socket.socket, stopped: str | None) -> None:
        """Answer the connection a dead worker was answering with why (why the pool stopped
        it, or its crash), and close it. The worker read the request, so whether it named an
        origin is unknown: the CORS header is sent anyway, so a page's script can read why."""
        error = QueryError(stopped, 503) if stopped else await self.pool.crashed(w)
        reply = plain(error.status, error.message, [CLOSE, *CORS])
        with contextlib.suppress(OSError):
            sock.send(response(reply, self.dates.now()))
        _end(sock)

    def close(self) -> None:
        """Let go of every connection (the server stops)."""
        loop = asyncio.get_running_loop()
        for w, held in self.held.items():
            if w.connections is not None:
                loop.remove_reader(w.connections.fileno())
            for sock in held.connections.values():
                sock.close()
            w.close()
        self.held.clear()
        for sock, timer in self.parked.items():
            timer.cancel()
            loop.remove_reader(sock.fileno())
            sock.close()
        self.parked.clear()
        if self.timer is not None:
            self.timer.cancel()


def _end(sock: socket.socket) -> None:
    """End a connection (other descriptors of it may be open: shut it down first)."""
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
