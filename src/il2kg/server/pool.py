"""A pool of query worker processes with a real time limit: an overrunning worker is killed.

Each request borrows a worker. The deadline covers waiting for a worker, running the query
and writing its result; past it the worker is killed and replaced, so one runaway query
never holds the endpoint, while the other workers keep answering.

- **A reserved worker for short queries.** Besides `size` general workers, which run one
  query each up to the time limit, a reserved worker takes queries while every general one
  is busy, and runs them side by side (a thread each: pyoxigraph releases the GIL), so a
  short query is answered even while runaway ones hold every other worker. A query that has
  not answered on it within `QUICK` s goes back to wait for a general worker; the reserved
  worker is then retired (killed when its last query is over) and a spare that is already
  running takes its place.
- **One build per generation.** The store path may be a link that `il2kg build --store`
  swaps. It is resolved once per generation to the immutable build directory it names, and
  every worker of the generation opens that directory. When the link names another build
  (checked every `WATCH` s and before any worker is replaced), a whole new generation is
  started on it and, once every one of its workers is ready, takes over at once: free old
  workers are stopped, busy ones finish their query first. A query started after another
  one was answered by the new build is never answered by the old one.
- **Crashes are told apart.** A worker's stderr goes to a file; when it dies, the pool says
  whether it ran out of memory (the allocator's own words) or crashed (its signal or exit
  status) and logs what it wrote.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.reduction import sendfds

from il2kg.query.result import QueryError
from il2kg.server.worker import Job

log = logging.getLogger("il2kg.server")
START_TIMEOUT = 60.0
QUICK = 0.5  # seconds a query may take on the reserved worker before it goes back to wait
SHARED_JOBS = 8  # queries the reserved worker runs at once
WATCH = 1.0  # seconds between checks of the store link
OUT_OF_MEMORY = ("memory allocation of", "MemoryError")  # Rust's and Python's own words
REPORT_BYTES = 4096


class Overran(QueryError):
    """A query's deadline passed while it waited for its worker."""


@dataclass
class Answer:
    """A query answer: its media type and its body, whole (small results) or streamed."""

    media_type: str
    body: bytes | AsyncGenerator[bytes, None]

    async def read(self) -> bytes:
        """The whole body."""
        if isinstance(self.body, bytes):
            return self.body
        return b"".join([chunk async for chunk in self.body])


class Worker:
    """One child process (`python -m il2kg.server.worker`) on one build, and the parent's
    end of its socket. A shared worker gets a new connection per query."""

    def __init__(self, build: str, generation: int, memory: int, *, shared: bool) -> None:
        mine, child = socket.socketpair()
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed by kill)
        with child:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "il2kg.server.worker", str(child.fileno()), build,
                 str(memory), "shared" if shared else "single"],
                pass_fds=[child.fileno()], stdin=subprocess.DEVNULL, stderr=self.errors)
        self.control = mine
        self.conn = Connection(os.dup(mine.fileno()))
        self.generation, self.shared = generation, shared
        self.ready = False
        self.starting: asyncio.Future[None] | None = None  # until it has opened the store
        self.since: float | None = None  # when a general worker was lent; None when free
        self.jobs = 0  # queries running on a shared worker
        self.retired = False  # a shared worker that takes no new query
        self.stopped: str | None = None  # why the pool stopped it

    def job_connection(self) -> Connection:
        """A new connection to this shared worker for one query."""
        mine, theirs = socket.socketpair()
        with theirs:
            sendfds(self.control, [theirs.fileno()])
        return Connection(mine.detach())

    def kill(self) -> None:
        """Stop the process now and reap it. A query waiting on its socket sees it close
        (the socket itself is closed when no longer referenced)."""
        self.process.kill()
        self.process.wait(5)
        self.control.close()
        self.errors.close()

    def report(self) -> str:
        """The end of what the process wrote to stderr."""
        if self.errors.closed:
            return ""
        size = os.fstat(self.errors.fileno()).st_size
        tail = os.pread(self.errors.fileno(), REPORT_BYTES, max(0, size - REPORT_BYTES))
        return tail.decode(errors="replace").strip()


async def _started(w: Worker) -> None:
    """Wait until a worker has opened the store (shielded: a cancelled wait leaves it starting)."""
    if w.starting is not None:
        await asyncio.shield(w.starting)


@dataclass(eq=False)
class Lease:
    """One query's hold on a worker: the connection its answer comes on."""

    worker: Worker
    conn: Connection


def exit_cause(status: int | None) -> str:
    """How a process ended, in words."""
    if status is None:
        return "still running"
    if status < 0:
        return f"killed by {signal.Signals(-status).name}"
    return f"exit status {status}"


class WorkerPool:
    """Worker processes each holding the store; queries run with a deadline and each worker's
    memory is capped at `memory` bytes (0: no cap)."""

    def __init__(self, store_path: str, *, size: int, timeout: float, memory: int = 0) -> None:
        self.link, self.size, self.timeout, self.memory = store_path, size, timeout, memory
        self.build, self.generation, self.failed = os.path.realpath(store_path), 0, ""
        self.workers: set[Worker] = set()  # every live process, of any generation
        self.idle: list[Worker] = []  # the current generation's free general workers
        self.quick: Worker | None = None  # the reserved (shared) worker
        self.spare: Worker | None = None  # the next reserved worker, started in advance
        self.lent: dict[Lease, float] = {}  # a streamed answer's lease -> its deadline
        self.changed = asyncio.Event()
        self.watcher: asyncio.Task[None] | None = None
        self.renewing: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Start every worker and wait until each has opened the store; fail if one cannot
        (e.g. it cannot sandbox itself: then no query must run)."""
        self._fill()
        try:
            for w in list(self.workers):
                await _started(w)
        except QueryError as exc:
            await self.stop()
            raise RuntimeError(f"the query workers did not start: {exc.message}") from None
        self.watcher = asyncio.ensure_future(self._watch())

    async def stop(self) -> None:
        """Kill every worker."""
        for task in (self.watcher, self.renewing):
            if task is not None:
                task.cancel()
        for w in list(self.workers):
            w.stopped = "the endpoint is stopping"
            w.kill()
        self.workers.clear()
        self.idle.clear()
        self.quick = self.spare = None

    # -- the workers of a generation

    def _new(self, build: str = "", generation: int | None = None, *,
             shared: bool = False) -> Worker:
        """Start a worker (of the current generation unless told) and its opening."""
        w = Worker(build or self.build, self.generation if generation is None else generation,
                   self.memory, shared=shared)
        self.workers.add(w)
        w.starting = asyncio.ensure_future(self._open(w))
        w.starting.add_done_callback(lambda task: task.cancelled() or task.exception())
        return w

    async def _open(self, w: Worker) -> None:
        """Wait until the worker has sandboxed itself and opened the store."""
        try:
            message = await self._next(w, w.conn, time.monotonic() + START_TIMEOUT)
            if message[0] == "unsafe":
                log.critical("query worker %s cannot sandbox itself, so it runs no query: %s",
                             w.process.pid, message[1])
                raise QueryError(f"the query workers cannot be sandboxed on this server "
                                 f"({message[1]}), so no query runs", 503)
            if message != ("ready",):
                raise QueryError("a query worker failed to open the store", 503)
            w.ready = True
        finally:
            self._wake()

    def _fill(self) -> None:
        """Start what the current generation lacks (general workers, a reserved one and its
        spare), unless the store link has moved: then a new generation comes instead."""
        if self._moved():
            self._renew()
            return
        if self.quick is None:
            self.quick, self.spare = self.spare, None
        self.quick = self.quick or self._new(shared=True)
        self.spare = self.spare or self._new(shared=True)
        general = [w for w in self.workers
                   if w.generation == self.generation and not w.shared]
        self.idle += [self._new() for _ in range(self.size - len(general))]

    def _stop(self, w: Worker) -> None:
        """Kill a worker; one of the current generation gets a successor."""
        if w not in self.workers:
            return  # already stopped
        w.stopped = w.stopped or "query stopped: its worker was stopped; try again"
        w.kill()
        self.workers.discard(w)
        if w in self.idle:
            self.idle.remove(w)
        if w.generation != self.generation:
            return
        if w is self.quick:
            self.quick = None
        if w is self.spare:
            self.spare = None
        self._fill()

    def _wake(self) -> None:
        """Let every request waiting for a worker look again."""
        self.changed.set()
        self.changed = asyncio.Event()

    def _moved(self) -> bool:
        """True when the store link names a build other than this generation's (and other
        than one that already failed to start)."""
        return os.path.realpath(self.link) not in (self.build, self.failed)

    def _renew(self) -> None:
        """Start a generation on the build the link names, unless one is starting."""
        if self.renewing is None or self.renewing.done():
            self.renewing = asyncio.ensure_future(self._generation(os.path.realpath(self.link)))

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(WATCH)
            if self._moved():
                self._renew()

    async def _generation(self, build: str) -> None:
        """Start a whole generation on `build`; when all of it is ready, switch to it."""
        number = self.generation + 1
        fresh = [self._new(build, number) for _ in range(self.size)]
        fresh += [self._new(build, number, shared=True) for _ in range(2)]
        try:
            for w in fresh:
                await _started(w)
        except QueryError as exc:
            log.error("the new build %s cannot be served (%s); still serving %s",
                      build, exc.message, self.build)
            for w in fresh:
                self._stop(w)
            self.failed = build
            self._fill()
            return
        old = [w for w in self.workers if w.generation != number]
        self.build, self.generation = build, number
        self.idle, self.quick, self.spare = fresh[:-2], fresh[-2], fresh[-1]
        for w in old:
            if w.since is None and w.jobs == 0:
                self._stop(w)
        log.info("serving build %s (generation %d)", build, number)
        self._wake()

    # -- borrowing a worker

    def _sweep(self) -> None:
        """Replace free or reserved workers that died (e.g. killed for memory)."""
        for w in [*self.idle, self.quick, self.spare]:
            if w is not None and w.process.poll() is not None:
                self._stop(w)

    def _reserved(self) -> Worker | None:
        """The reserved worker, a ready spare taking the place of a retired one first."""
        q, spare = self.quick, self.spare
        if q is not None and q.retired and spare is not None and spare.ready:
            self.quick, self.spare = spare, None
            self._fill()
            self._retire(q)
        return self.quick

    def _take(self, *, shared: bool) -> Worker | None:
        """A ready free general worker, else (if `shared`) the reserved one; None if
        neither can be had now."""
        self._sweep()
        for w in reversed(self.idle):
            if w.ready:
                self.idle.remove(w)
                w.since = time.monotonic()
                return w
        q = self._reserved() if shared else None
        if q is None or not q.ready or q.jobs >= SHARED_JOBS:
            return None
        q.jobs += 1
        return q

    async def _acquire(self, deadline: float, *, shared: bool) -> Worker:
        """Wait for a worker until the deadline."""
        while (w := self._take(shared=shared)) is None:
            now = time.monotonic()
            if now >= deadline:
                raise QueryError("every query worker is busy; try again later", 503)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.changed.wait(), deadline - now)
        return w

    def _retire(self, w: Worker) -> None:
        """Take no more queries on a shared worker; kill it when its last one is over."""
        w.retired = True
        if w.jobs == 0 and w is not self.quick:
            self._stop(w)

    def _end(self, lease: Lease, *, ok: bool) -> None:
        """A query is over: its worker is free again if healthy and current, else stopped
        (a shared one once its other queries are over)."""
        w = lease.worker
        if w.shared:
            lease.conn.close()
            w.jobs -= 1
            if w.retired or not ok or w.generation != self.generation:
                self._retire(w)
        elif w in self.workers:
            w.since = None
            if ok and w.generation == self.generation:
                self.idle.append(w)
            else:
                self._stop(w)
        self._wake()

    # -- talking to a worker

    async def _next(self, w: Worker, conn: Connection, deadline: float) -> tuple:
        """The worker's next message, waiting on its socket without blocking the loop."""
        try:
            if not conn.poll(0):
                await self._readable(conn.fileno(), deadline)
            return conn.recv()
        except (EOFError, OSError) as exc:
            raise self._died(w) from exc

    def _died(self, w: Worker) -> QueryError:
        """The error for a query whose worker died: stopped by the pool, out of memory, or
        crashed (logged with what the worker wrote)."""
        if w.stopped:
            return QueryError(w.stopped, 503)
        with contextlib.suppress(subprocess.TimeoutExpired):
            w.process.wait(0.5)  # it closed its socket: it is exiting
        cause, report = exit_cause(w.process.poll()), w.report()
        if any(words in report for words in OUT_OF_MEMORY):
            log.warning("query worker %s ran out of memory (%s)", w.process.pid, cause)
            return QueryError("query stopped: it needed more memory than this endpoint "
                              "allows; simplify the query", 503)
        log.error("query worker %s crashed (%s); it wrote:\n%s", w.process.pid, cause, report)
        return QueryError(f"query stopped: its worker process crashed ({cause}); the "
                          f"crash is logged on the server. Try again or simplify the query", 503)

    async def _readable(self, fd: int, deadline: float) -> None:
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()

        def wake() -> None:
            if not ready.done():
                ready.set_result(None)

        loop.add_reader(fd, wake)
        try:
            await asyncio.wait_for(ready, max(deadline - time.monotonic(), 0.0))
        except TimeoutError as exc:
            raise Overran(f"query stopped: it ran past this endpoint's limit of "
                          f"{self.timeout:g} s", 503) from exc
        finally:
            loop.remove_reader(fd)
            os.set_blocking(fd, True)  # uvloop leaves a watched fd non-blocking

    # -- running a query

    async def run(self, job: Job) -> Answer:
        """Run a job: on a general worker, or on the reserved one while every general one is
        busy (back to wait for a general one if it takes `QUICK` s); wait for its first chunk
        (status still open), then stream the rest."""
        self._reclaim()
        deadline = time.monotonic() + self.timeout
        w = await self._acquire(deadline, shared=True)
        if w.shared:
            try:
                return await self._start(w, job, min(deadline, time.monotonic() + QUICK),
                                         deadline)
            except Overran:
                if time.monotonic() >= deadline:
                    raise
            w = await self._acquire(deadline, shared=False)
        return await self._start(w, job, deadline, deadline)

    async def _start(self, w: Worker, job: Job, first_by: float, deadline: float) -> Answer:
        lease = Lease(w, w.job_connection() if w.shared else w.conn)
        try:
            lease.conn.send(job)
            first = await self._next(w, lease.conn, first_by)
        except BaseException:
            self._end(lease, ok=False)
            raise
        if first[0] == "error":
            self._end(lease, ok=True)
            raise self._error(first)
        if first[3]:  # the whole result in one message: no streaming machinery needed
            self._end(lease, ok=True)
            return Answer(first[1], first[2])
        self.lent[lease] = deadline
        return Answer(first[1], self._stream(lease, first, deadline))

    def _reclaim(self) -> None:
        """Free the workers lent to streams that ended without giving them back (a client
        that left before its body was sent) once their deadline has passed."""
        now = time.monotonic()
        for lease, deadline in list(self.lent.items()):
            if now > deadline + 1.0 and self.lent.pop(lease, None) is not None:
                self._end(lease, ok=False)

    async def _stream(self, lease: Lease, first: tuple, deadline: float
                      ) -> AsyncGenerator[bytes, None]:
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
                message = await self._next(lease.worker, lease.conn, deadline)
            raise self._error(message)
        finally:
            if self.lent.pop(lease, None) is not None:  # not already reclaimed
                self._end(lease, ok=done)

    @staticmethod
    def _error(message: tuple) -> QueryError:
        _, status, text = message
        if status == 500:  # only an unexpected error, which carries a trace
            log.error("query worker error:\n%s", text)
            return QueryError("internal error while running the query (logged)", 500)
        return QueryError(text, status)
