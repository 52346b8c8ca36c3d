"""A pool of query worker processes with a real time limit: an overrunning worker is killed.

Each request borrows a worker. The deadline covers waiting for a worker, running the query
and writing its result; past it the worker is killed and replaced, so one runaway query
never holds the endpoint, while the other workers keep answering.

- **First come, first served.** A free general worker goes to the request that has waited
  longest, and only to it (one waiter woken per free worker). At most `queue` requests wait;
  past that, and for a request whose deadline passes while it waits, 503 with `Retry-After`.
- **A reserved worker for short queries.** Besides `size` general workers, which run one
  query each up to the time limit, a reserved (shared) worker takes queries while every
  general one is busy, and runs them side by side (a thread each: pyoxigraph releases the
  GIL). A query stays there only if its whole answer (at most `QUICK_BYTES`) arrives within
  `QUICK` s; it is then sent from the server's memory, so a client that never reads holds
  no worker. A longer one goes back to wait for a general worker; one that overran in time
  retires the reserved worker (killed when its last query is over) and a spare that is
  already running takes its place.
- **A crash is one query's.** A general worker runs one query: its crash is that query's
  (503, logged with what the worker wrote). When the reserved worker dies with several
  queries on it, none of them is blamed: each runs again alone on the reserved worker (or
  a general one), so only the query that crashes a worker on its own gets the error.
- **One build per generation.** The store path may be a link that `il2kg build --store`
  swaps. It is resolved once per generation to the immutable build directory it names, and
  every worker of the generation opens that directory. When the link names another build
  (checked every `WATCH` s and before any worker is replaced), a whole new generation is
  started on it and, once every one of its workers is ready, takes over at once: free old
  workers are stopped, busy ones finish their query first. A query started after another
  one was answered by the new build is never answered by the old one. A generation that
  cannot be started (no descriptors or processes left) is stopped whole and tried again.
- **An answer kept is the served build's.** Whole answers of queries that depend only on
  the data are kept (`cache`, bytes-capped) for the generation that gave them; a query the
  current generation answered already is answered from there, without a worker.
- **Nothing blocks the event loop, no process is left behind.** Workers are killed with
  SIGKILL and reaped when they have exited (checked on a timer); the server's descriptors
  for two whole generations are reserved (`descriptors`) below the connection cap.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import time
from collections import deque
from collections.abc import AsyncGenerator
from dataclasses import dataclass, replace

from il2kg.query.result import QueryError
from il2kg.server.cache import CACHE_BYTES, Kept, ResultCache, entity_tag
from il2kg.server.dispatch import Dispatch
from il2kg.server.messages import SHARED_JOBS, Chunk, Failed, Job, Message, Ready, Unsafe
from il2kg.server.workers import FDS, Inbox, Worker

log = logging.getLogger("il2kg.server")
START_TIMEOUT = 60.0
QUICK = 0.5  # seconds a query's whole answer may take on the reserved worker
QUICK_BYTES = 1 << 20  # the largest answer the reserved worker gives
QUEUE = 128  # requests that may wait for a general worker
RETRY_AFTER = 1  # seconds a client told 503 should wait before trying again
WATCH = 1.0  # seconds between checks of the store link (and top-ups of the workers)
REAP = 0.05  # seconds between checks that killed workers have exited
OUT_OF_MEMORY = ("memory allocation of", "MemoryError")  # Rust's and Python's own words


class Overran(QueryError):
    """A query's deadline (or its time on the reserved worker) passed."""


class Crashed(QueryError):
    """A query's worker died; `others` queries were running on it too."""

    def __init__(self, message: str, others: int) -> None:
        super().__init__(message, 503)
        self.others = others


class TooLong(Exception):
    """A query's answer does not fit the reserved worker's time or size."""


def busy(message: str) -> QueryError:
    """503 with `Retry-After`."""
    return QueryError(message, 503, retry_after=RETRY_AFTER)


@dataclass
class Answer:
    """A query answer: its media type and its body, whole (small results) or streamed; a
    whole one may come with its entity tag."""

    media_type: str
    body: bytes | AsyncGenerator[bytes, None]
    etag: str | None = None

    async def read(self) -> bytes:
        """The whole body."""
        if isinstance(self.body, bytes):
            return self.body
        return b"".join([chunk async for chunk in self.body])


@dataclass(eq=False)
class Lease:
    """One query's hold on a worker: the inbox its answer comes to."""

    worker: Worker
    inbox: Inbox


def exit_cause(status: int | None) -> str:
    """How a process ended, in words."""
    if status is None:
        return "still running"
    if status < 0:
        return f"killed by {signal.Signals(-status).name}"
    return f"exit status {status}"


async def _started(w: Worker) -> None:
    """Wait until a worker has opened the store (shielded: a cancelled wait leaves it starting)."""
    if w.starting is not None:
        await asyncio.shield(w.starting)


def _take(waiters: deque[asyncio.Future[Worker]], w: Worker) -> bool:
    """Hand `w` to the longest-waiting live waiter; False if there is none."""
    while waiters:
        waiter = waiters.popleft()
        if not waiter.done():
            waiter.set_result(w)
            return True
    return False


class WorkerPool:
    """Worker processes each holding the store; queries run with a deadline and each worker's
    memory is capped at `memory` bytes (0: no cap)."""

    def __init__(
        self,
        store_path: str,
        *,
        size: int,
        timeout: float,
        memory: int = 0,
        queue: int = QUEUE,
        quick: float = QUICK,
        cache: int = CACHE_BYTES,
        direct: bool = False,
    ) -> None:
        self.link, self.size, self.timeout, self.memory = store_path, size, timeout, memory
        self.queue, self.quick_time = queue, quick
        self.build, self.generation, self.failed = os.path.realpath(store_path), 0, ""
        self.workers: set[Worker] = set()  # every live process, of any generation
        self.idle: list[Worker] = []  # the current generation's free, ready general workers
        self.waiting: deque[asyncio.Future[Worker]] = deque()  # requests, oldest first
        self.alone: deque[asyncio.Future[Worker]] = deque()  # queries to run alone, on the
        #                                                      reserved worker
        self.quick: Worker | None = None  # the reserved (shared) worker
        self.spare: Worker | None = None  # the next reserved worker, started in advance
        self.lent: dict[Lease, float] = {}  # a streamed answer's lease -> its deadline
        self.dying: list[Worker] = []  # killed, not yet reaped
        self.reaper: asyncio.TimerHandle | None = None
        self.watcher: asyncio.Task[None] | None = None
        self.renewing: asyncio.Task[None] | None = None
        self.cache = ResultCache(cache)  # whole answers of the current generation
        self.direct = Dispatch(self) if direct else None  # connections general workers answer

    @property
    def descriptors(self) -> int:
        """The most descriptors the pool holds at once: two whole generations."""
        return 2 * (self.size + 2) * FDS

    async def start(self) -> None:
        """Start every worker and wait until each has opened the store; fail if one cannot
        (e.g. it cannot sandbox itself: then no query must run)."""
        self._fill()
        try:
            if len(self.workers) < self.size + 2:
                raise QueryError("not every query worker could be started (see the log)", 503)
            for w in list(self.workers):
                await _started(w)
        except QueryError as exc:
            await self.stop()
            raise RuntimeError(f"the query workers did not start: {exc.message}") from None
        self.watcher = asyncio.ensure_future(self._watch())

    async def stop(self) -> None:
        """Kill every worker and wait (without blocking) until each is reaped."""
        for task in (self.watcher, self.renewing):
            if task is not None:
                task.cancel()
        if self.direct is not None:
            self.direct.close()
        for w in list(self.workers):
            w.stopped = "the endpoint is stopping"
            self._kill(w)
        self.workers.clear()
        self.idle.clear()
        self.quick = self.spare = None
        deadline = time.monotonic() + 10
        while self.dying and time.monotonic() < deadline:
            await asyncio.sleep(REAP)
            self._reap()

    # -- the workers of a generation

    def _new(
        self, build: str = "", generation: int | None = None, *, shared: bool = False
    ) -> Worker | None:
        """Start a worker (of the current generation unless told) and its opening; None
        (logged) if the system has no descriptor or process left for it."""
        try:
            w = Worker(
                build or self.build,
                self.generation if generation is None else generation,
                self.memory,
                shared=shared,
                on_lost=self._lost,
                direct=None if self.direct is None or shared else self.direct.config(),
            )
        except OSError as exc:
            log.error("a query worker could not be started (%s); trying again", exc)
            return None
        self.workers.add(w)
        if self.direct is not None:
            self.direct.attach(w)  # from now on it owns the worker's connection socket
        w.starting = asyncio.ensure_future(self._open(w))
        w.starting.add_done_callback(lambda task: task.cancelled() or task.exception())
        return w

    async def _open(self, w: Worker) -> None:
        """Wait until the worker has sandboxed itself and opened the store."""
        try:
            await w.connect()
            message = await self._next(w, w.channel.start, time.monotonic() + START_TIMEOUT)
            if isinstance(message, Unsafe):
                log.critical(
                    "query worker %s cannot sandbox itself, so it runs no query: %s",
                    w.process.pid,
                    message.reason,
                )
                raise QueryError(
                    f"the query workers cannot be sandboxed on this server "
                    f"({message.reason}), so no query runs",
                    503,
                )
            if not isinstance(message, Ready):
                raise QueryError("a query worker failed to open the store", 503)
            w.ready = True
        except OSError as exc:
            raise QueryError(f"a query worker could not be reached ({exc})", 503) from None
        if w.generation == self.generation and w in self.workers:
            if w.shared:
                self._offer_alone()
            else:
                self._release(w)

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
        general = [w for w in self.workers if w.generation == self.generation and not w.shared]
        for _ in range(self.size - len(general)):
            if self._new() is None:
                return

    def _kill(self, w: Worker) -> None:
        """Kill a worker's process; it is reaped once it has exited."""
        w.kill()
        self.dying.append(w)
        if self.reaper is None:
            self.reaper = asyncio.get_running_loop().call_later(REAP, self._reap)

    def _reap(self) -> None:
        self.reaper = None
        self.dying = [w for w in self.dying if not w.reaped()]
        if self.dying:
            self.reaper = asyncio.get_running_loop().call_later(REAP, self._reap)

    def stop_worker(self, w: Worker) -> None:
        """Kill a worker; one of the current generation gets a successor."""
        if w not in self.workers:
            return  # already stopped
        w.stopped = w.stopped or "query stopped: its worker was stopped; try again"
        self._kill(w)
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

    def _lost(self, w: Worker) -> None:
        """A worker's socket closed: one holding no query is replaced now (a busy one once
        its queries have seen it go)."""
        if w in self.workers and w.ready and w.since is None and w.jobs == 0 and not w.answering():
            self.stop_worker(w)  # (one answering a connection: once the connection is told)

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
            self._sweep()
            self._fill()  # a new generation if the link moved, else top up this one

    async def _generation(self, build: str) -> None:
        """Start a whole generation on `build`; when all of it is ready, switch to it."""
        number = self.generation + 1
        fresh = [self._new(build, number, shared=i >= self.size) for i in range(self.size + 2)]
        started = [w for w in fresh if w is not None]
        try:
            if len(started) < len(fresh):
                raise OSError("not every worker of the new generation could be started")
            for w in started:
                await _started(w)
        except QueryError as exc:
            log.error(
                "the new build %s cannot be served (%s); still serving %s",
                build,
                exc.message,
                self.build,
            )
            self.failed = build
            return self._drop(started)
        except OSError as exc:
            log.error("the new build %s is not served yet (%s); trying again", build, exc)
            return self._drop(started)
        old = [w for w in self.workers if w.generation != number]
        self.build, self.generation = build, number
        self.cache.serve(number)
        self.idle.clear()
        self.quick, self.spare = started[-2], started[-1]
        for w in old:
            draining = self.direct is not None and self.direct.drain(w)
            if w.since is None and w.jobs == 0 and not draining:
                self.stop_worker(w)
        log.info("serving build %s (generation %d)", build, number)
        for w in started[:-2]:
            self._release(w)
        self._offer_alone()

    def retired(self, w: Worker) -> None:
        """A worker of an older generation gave back its last connection: stop it if free."""
        if w.since is None and w.generation != self.generation:
            self.stop_worker(w)

    def _drop(self, workers: list[Worker]) -> None:
        """Stop the workers of a generation that will not serve."""
        for w in workers:
            self.stop_worker(w)

    # -- borrowing a worker

    def _sweep(self) -> None:
        """Replace free or reserved workers that died (e.g. killed for memory)."""
        for w in [*self.idle, self.quick, self.spare]:
            if w is not None and w.process.poll() is not None:
                self.stop_worker(w)

    def _release(self, w: Worker) -> None:
        """A ready general worker of this generation is free: to the oldest waiter, or idle."""
        if not _take(self.waiting, w):
            self.idle.append(w)

    def _free(self) -> Worker | None:
        """A free general worker, if no request is waiting for one (one that is gone is
        replaced, as `_lost` does as soon as the loop hears of it)."""
        while not self.waiting:
            w = next((w for w in reversed(self.idle) if not w.answering()), None)
            if w is None:
                return None  # none, or each answers a connection of its own (`direct`)
            self.idle.remove(w)
            if not w.gone():
                return w
            self.stop_worker(w)
        return None

    def nudge(self) -> None:
        """Give the oldest waiters the free general workers that have finished answering a
        connection of their own (`direct`: they were never lent, so never released)."""
        while self.waiting:
            w = next((w for w in self.idle if not w.answering() and not w.gone()), None)
            if w is None or not _take(self.waiting, w):
                return
            self.idle.remove(w)

    def _reserved(self) -> Worker | None:
        """The reserved worker, a ready spare taking the place of a retired one first."""
        q, spare = self.quick, self.spare
        if q is not None and q.retired and spare is not None and spare.ready:
            self.quick, self.spare = spare, None
            self._fill()
            self._retire(q)
        return self.quick

    def _lane(self) -> Worker | None:
        """The reserved worker if it takes another query now."""
        q = self._reserved()
        if q is None or not q.ready or q.retired or q.alone or self.alone or q.jobs >= SHARED_JOBS:
            return None
        if q.gone():  # killed from outside; replaced once the loop hears of it
            return None
        q.jobs += 1
        return q

    def _offer_alone(self) -> None:
        """Give the reserved worker, once it runs nothing, to the oldest query waiting to run
        alone."""
        q = self._reserved()
        if q is not None and q.ready and not q.retired and q.jobs == 0 and _take(self.alone, q):
            q.jobs, q.alone = 1, True

    async def _wait(self, waiters: deque[asyncio.Future[Worker]], deadline: float) -> Worker:
        """Wait in line for a worker until the deadline."""
        waiter = asyncio.get_running_loop().create_future()
        waiters.append(waiter)
        try:
            async with asyncio.timeout(max(deadline - time.monotonic(), 0.0)):
                return await waiter
        except BaseException as exc:
            if waiter.done() and not waiter.cancelled():  # handed one just as it gave up
                self._give_back(waiter.result())
            with contextlib.suppress(ValueError):  # no stale place in line (it would hold
                waiters.remove(waiter)  # back free workers and the lane)
            if isinstance(exc, TimeoutError):
                raise busy("every query worker is busy; try again later") from None
            raise

    def _give_back(self, w: Worker) -> None:
        """A worker handed to a request that left before using it."""
        if w.shared:
            w.jobs, w.alone = 0, False
            self._offer_alone()
        else:
            self._release(w)

    def _retire(self, w: Worker) -> None:
        """Take no more queries on a shared worker; kill it when its last one is over."""
        w.retired = True
        if w.jobs == 0 and w is not self.quick:
            self.stop_worker(w)

    def _end(self, lease: Lease, *, ok: bool) -> None:
        """A query is over: its worker is free again if healthy and current, else stopped
        (a shared one once its other queries are over)."""
        w = lease.worker
        w.channel.close(lease.inbox)
        if w.shared:
            w.jobs -= 1
            w.alone = False
            if w.retired or not ok or w.generation != self.generation or w.channel.lost:
                self._retire(w)
            self._offer_alone()
        elif w in self.workers:
            w.since = None
            if ok and w.generation == self.generation and not w.channel.lost:
                self._release(w)
            else:
                self.stop_worker(w)

    # -- talking to a worker

    async def _next(self, w: Worker, inbox: Inbox, deadline: float) -> Message:
        """The worker's next message for a job, waiting without blocking the loop."""
        try:
            message = await inbox.next(deadline - time.monotonic())
        except TimeoutError:
            raise Overran(self.overran(), 503) from None
        if message is None:
            raise await self.died(w)
        return message

    def overran(self) -> str:
        """What a query past its deadline is told."""
        return f"query stopped: it ran past this endpoint's limit of {self.timeout:g} s"

    async def died(self, w: Worker) -> QueryError:
        """The error for a query whose worker died: stopped by the pool, out of memory, or
        crashed (logged once, with what the worker wrote)."""
        if w.stopped:
            return QueryError(w.stopped, 503)
        return await self.crashed(w)

    async def crashed(self, w: Worker) -> Crashed:
        """The error for a query whose worker crashed (its autopsy done once)."""
        if w.autopsy is None:
            w.autopsy = asyncio.ensure_future(self._autopsy(w))
        return Crashed(await asyncio.shield(w.autopsy), max(w.channel.open_when_lost - 1, 0))

    async def _autopsy(self, w: Worker) -> str:
        """Why a worker died, logged, in words for its clients."""
        for _ in range(50):  # its socket closed: it is exiting (0.5 s at most)
            if w.process.poll() is not None:
                break
            await asyncio.sleep(0.01)
        cause, report = exit_cause(w.process.poll()), w.report()
        if any(words in report for words in OUT_OF_MEMORY):
            log.warning("query worker %s ran out of memory (%s)", w.process.pid, cause)
            return (
                "query stopped: it needed more memory than this endpoint allows; simplify the query"
            )
        log.error(
            "query worker %s crashed (%s) with %d queries on it; it wrote:\n%s",
            w.process.pid,
            cause,
            w.channel.open_when_lost,
            report,
        )
        return (
            f"query stopped: its worker process crashed ({cause}); the crash is logged on "
            f"the server. Try again or simplify the query"
        )

    # -- running a query

    async def run(self, job: Job) -> Answer:
        """Run a job: from the cache if this generation answered it already; else on a free
        general worker; else on the reserved one if its whole answer comes quickly; else in
        line for a general worker."""
        if (kept := self.cache.get(self.generation, job)) is not None:
            return Answer(kept.media_type, kept.body, kept.etag)
        self._reclaim()
        deadline = time.monotonic() + self.timeout
        w = self._free()
        if w is None:
            with contextlib.suppress(TooLong):
                return await self._quickly(job, deadline)
            if len(self.waiting) >= self.queue:
                raise busy(
                    f"the line of queries waiting for a worker is full ({self.queue}); "
                    "try again later"
                )
            w = await self._wait(self.waiting, deadline)
        return await self._start(w, job, deadline)

    async def _quickly(self, job: Job, deadline: float) -> Answer:
        """The whole answer from the reserved worker; TooLong if it cannot give it quickly.
        If the worker dies with other queries on it, the job runs again alone."""
        w = self._lane()
        if w is None:
            raise TooLong
        try:
            return await self._whole(w, job, deadline)
        except Crashed as exc:
            if not exc.others:
                raise
        if len(self.alone) >= self.queue:
            raise busy(
                f"the line of queries waiting for a worker is full ({self.queue}); try again later"
            )
        return await self._whole(await self._wait(self.alone, deadline), job, deadline)

    async def _whole(self, w: Worker, job: Job, deadline: float) -> Answer:
        """Run a job on a shared worker and collect its whole answer within `quick` s and
        `QUICK_BYTES`; TooLong otherwise."""
        lease = Lease(
            w,
            w.channel.open(replace(job, max_bytes=min(job.max_bytes or QUICK_BYTES, QUICK_BYTES))),
        )
        by, ok, chunks = min(deadline, time.monotonic() + self.quick_time), False, []
        try:
            while True:
                message = await self._next(w, lease.inbox, by)
                ok = isinstance(message, (Chunk, Failed))
                if isinstance(message, Failed):
                    if message.status == 507:  # a general worker streams it (and cuts it off
                        raise TooLong  # at the job's own limit, if it has one)
                    raise self._error(message)
                if not isinstance(message, Chunk):
                    raise self._unexpected(w, message)
                chunks.append(message.data)
                if message.last:
                    return self._keep(w, job, message.media_type, b"".join(chunks))
        except Overran:
            if time.monotonic() >= deadline:
                raise
            raise TooLong from None
        finally:
            self._end(lease, ok=ok)

    async def _start(self, w: Worker, job: Job, deadline: float) -> Answer:
        """Run a job on a general worker; wait for its first chunk (the status is still
        open), then stream the rest."""
        w.since = time.monotonic()
        lease = Lease(w, w.channel.open(job))
        try:
            first = await self._next(w, lease.inbox, deadline)
        except BaseException:
            self._end(lease, ok=False)
            raise
        if isinstance(first, Failed):
            self._end(lease, ok=True)
            raise self._error(first)
        if not isinstance(first, Chunk):
            self._end(lease, ok=False)
            raise self._unexpected(w, first)
        if first.last:  # the whole result in one message: no streaming machinery needed
            self._end(lease, ok=True)
            return self._keep(w, job, first.media_type, first.data)
        self.lent[lease] = deadline
        return Answer(first.media_type, self._stream(lease, first, deadline))

    def _keep(self, w: Worker, job: Job, media_type: str, body: bytes) -> Answer:
        """A whole answer, tagged, and kept in the cache for its worker's generation."""
        kept = Kept(media_type, body, entity_tag(body))
        self.cache.put(w.generation, job, kept)
        return Answer(media_type, body, kept.etag)

    def _reclaim(self) -> None:
        """Free the workers lent to streams that ended without giving them back (a client
        that left before its body was sent) once their deadline has passed."""
        now = time.monotonic()
        for lease, deadline in list(self.lent.items()):
            if now > deadline + 1.0 and self.lent.pop(lease, None) is not None:
                self._end(lease, ok=False)

    async def _stream(
        self, lease: Lease, first: Chunk, deadline: float
    ) -> AsyncGenerator[bytes, None]:
        """Yield chunks until the last; on an error or a timeout, abort the response."""
        done = False
        try:
            message: Message = first
            while isinstance(message, Chunk):
                if message.data:
                    yield message.data
                if message.last:
                    done = True
                    return
                message = await self._next(lease.worker, lease.inbox, deadline)
            if isinstance(message, Failed):
                raise self._error(message)
            raise self._unexpected(lease.worker, message)
        finally:
            if self.lent.pop(lease, None) is not None:  # not already reclaimed
                self._end(lease, ok=done)

    @staticmethod
    def _error(message: Failed) -> QueryError:
        if message.status == 500:  # a fault, which carries a trace
            log.error("query worker error:\n%s", message.message)
            return QueryError("internal error while running the query (logged)", 500)
        return QueryError(message.message, message.status)

    @staticmethod
    def _unexpected(w: Worker, message: Message) -> QueryError:
        log.error(
            "query worker %s sent %s in answer to a query", w.process.pid, type(message).__name__
        )
        return QueryError("internal error while running the query (logged)", 500)
