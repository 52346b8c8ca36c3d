"""A pool of query worker processes with a real time limit: an overrunning worker is killed.

Each request borrows one idle worker. The deadline covers waiting for a worker, running the
query and writing its result; past it the worker is killed and replaced, so one runaway
query never holds the endpoint, while the other workers keep answering. A worker past its
memory cap dies (the allocator aborts); the query gets 503 and the worker is replaced.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from multiprocessing.connection import Connection

from il2kg.server.worker import Job

log = logging.getLogger("il2kg.server")
START_TIMEOUT = 60.0


class QueryError(Exception):
    """A query that could not be answered: an HTTP status and a message for the client."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass
class Answer:
    """A query answer: its media type and its body, whole (small results) or streamed."""

    media_type: str
    body: bytes | AsyncIterator[bytes]

    async def read(self) -> bytes:
        """The whole body."""
        if isinstance(self.body, bytes):
            return self.body
        return b"".join([chunk async for chunk in self.body])


class Worker:
    """One child process (`python -m il2kg.server.worker`) and the parent's end of its socket."""

    def __init__(self, store_path: str, memory: int = 0) -> None:
        mine, child = socket.socketpair()
        with child:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "il2kg.server.worker", str(child.fileno()), store_path,
                 str(memory)],
                pass_fds=[child.fileno()], stdin=subprocess.DEVNULL)
        self.conn = Connection(mine.detach())
        self.ready = False

    def kill(self) -> None:
        """Stop the process now and reap it."""
        self.process.kill()
        self.process.wait(5)
        self.conn.close()


class WorkerPool:
    """Worker processes each holding the on-disk store; queries run with a deadline and each
    worker's memory is capped at `memory` bytes (0: no cap)."""

    def __init__(self, store_path: str, *, size: int, timeout: float, memory: int = 0) -> None:
        self.store_path, self.size, self.timeout, self.memory = store_path, size, timeout, memory
        self.idle: asyncio.Queue[Worker] = asyncio.Queue()
        self.workers: set[Worker] = set()
        self.lent: dict[Worker, float] = {}  # worker -> deadline of the stream it serves

    async def start(self) -> None:
        """Start every worker and wait until each has opened the store; fail if one cannot
        (e.g. it cannot sandbox itself: then no query must run)."""
        for _ in range(self.size):
            self._spawn()
        for _ in range(self.size):
            w = await self.idle.get()
            try:
                await self._ready(w, time.monotonic() + START_TIMEOUT)
            except QueryError as exc:
                await self.stop()
                raise RuntimeError(f"the query workers did not start: {exc.message}") from None
            self.idle.put_nowait(w)

    async def stop(self) -> None:
        """Kill every worker."""
        for w in list(self.workers):
            w.kill()
        self.workers.clear()

    def _new(self) -> Worker:
        w = Worker(self.store_path, self.memory)
        self.workers.add(w)
        return w

    def _spawn(self) -> None:
        self.idle.put_nowait(self._new())

    def _swap(self, w: Worker) -> Worker:
        """Kill a worker and start its successor (not yet idle)."""
        w.kill()
        self.workers.discard(w)
        return self._new()

    def _replace(self, w: Worker) -> None:
        self.idle.put_nowait(self._swap(w))

    async def _ready(self, w: Worker, deadline: float) -> None:
        if w.ready:
            return
        message = await self._next(w, deadline)
        if message[0] == "unsafe":
            log.critical("query worker %s cannot sandbox itself, so it runs no query: %s",
                         w.process.pid, message[1])
            raise QueryError(503, f"the query workers cannot be sandboxed on this server "
                                  f"({message[1]}), so no query runs")
        if message != ("ready",):
            raise QueryError(503, "a query worker failed to open the store")
        w.ready = True

    async def _next(self, w: Worker, deadline: float) -> tuple:
        """The worker's next message, waiting on its socket without blocking the loop."""
        try:
            if not w.conn.poll(0):
                await self._readable(w.conn.fileno(), deadline)
            return w.conn.recv()
        except (EOFError, OSError) as exc:
            log.warning("query worker %s died (exit status %s)", w.process.pid, w.process.poll())
            raise QueryError(503, "query stopped: its worker process died (most likely past "
                                  "the memory limit); simplify the query or try again") from exc

    async def _readable(self, fd: int, deadline: float) -> None:
        loop = asyncio.get_running_loop()
        ready = loop.create_future()
        loop.add_reader(fd, lambda: ready.done() or ready.set_result(None))
        try:
            await asyncio.wait_for(ready, max(deadline - time.monotonic(), 0.0))
        except TimeoutError as exc:
            raise QueryError(503, f"query stopped: it ran past this endpoint's limit of "
                                  f"{self.timeout:g} s") from exc
        finally:
            loop.remove_reader(fd)
            os.set_blocking(fd, True)  # uvloop leaves a watched fd non-blocking

    async def run(self, job: Job) -> Answer:
        """Run a job: wait for its first chunk (status still open), then stream the rest."""
        self._reclaim()
        deadline = time.monotonic() + self.timeout
        try:
            w = await asyncio.wait_for(self.idle.get(), self.timeout)
        except TimeoutError as exc:
            raise QueryError(503, "every query worker is busy; try again later") from exc
        if w.process.poll() is not None:  # died while idle (e.g. killed for memory)
            w = self._swap(w)
        try:
            await self._ready(w, deadline)
        except QueryError:
            if w.process.poll() is None:  # still opening the store: keep it for later
                self.idle.put_nowait(w)
            else:
                self._replace(w)
            raise
        try:
            w.conn.send(job)
            first = await self._next(w, deadline)
        except BaseException:
            self._replace(w)
            raise
        if first[0] == "error":
            self.idle.put_nowait(w)
            raise self._error(first)
        if first[3]:  # the whole result in one message: no streaming machinery needed
            self.idle.put_nowait(w)
            return Answer(first[1], first[2])
        self.lent[w] = deadline
        return Answer(first[1], self._stream(w, first, deadline))

    def _reclaim(self) -> None:
        """Replace workers lent to streams that ended without giving them back (a client
        that left before its body was sent) once their deadline has passed."""
        now = time.monotonic()
        for w, deadline in list(self.lent.items()):
            if now > deadline + 1.0 and self.lent.pop(w, None) is not None:
                self._replace(w)

    async def _stream(self, w: Worker, first: tuple, deadline: float) -> AsyncIterator[bytes]:
        """Yield chunks until the last; on an error or a timeout, abort the response."""
        done = False
        try:
            message = first
            while message[0] == "chunk":
                _, _, data, last = message
                if data:
                    yield data
                if last:
                    done = True
                    return
                message = await self._next(w, deadline)
            raise self._error(message)
        finally:
            if self.lent.pop(w, None) is not None:  # not already reclaimed
                if done:
                    self.idle.put_nowait(w)
                else:
                    self._replace(w)

    @staticmethod
    def _error(message: tuple) -> QueryError:
        _, status, text = message
        if status == 500:  # only an unexpected error, which carries a trace
            log.error("query worker error:\n%s", text)
            return QueryError(500, "internal error while running the query (logged)")
        return QueryError(status, text)
