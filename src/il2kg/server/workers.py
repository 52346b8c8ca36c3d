"""The server's handle on one query worker process: its start, its channel, its end.

The process is `python -m il2kg.server.worker` holding one end of a socket pair. The server's
end is an asyncio protocol (`Channel`) that decodes frames as they arrive and hands each
message to the `Inbox` of the job it answers: no blocking read, write or wait on the event
loop. A general worker's channel stops reading while a job's unread answer is large (the
worker then waits), so a slow client holds back its worker, not the server's memory. A
stopped process is killed (SIGKILL) and reaped later (`reaped`), never waited for.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable
from typing import cast

from il2kg.server.messages import Chunk, Frames, Job, Malformed, Message, frame
from il2kg.server.status import Status

log = logging.getLogger("il2kg.server")
REPORT_BYTES = 4096
HIGH_WATER = 1 << 20  # unread bytes past which a general worker's channel stops reading
FDS = 6  # descriptors one worker may need in the server: its sockets (jobs, connections)
#          and stderr file, and while it starts, the pipe that reports its exec and /dev/null
#          for its stdin


class Inbox:
    """The messages of one job as they arrive; None once the worker is gone."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self.items: deque[Message | None] = deque()
        self.waiter: asyncio.Future[None] | None = None

    def put(self, message: Message | None) -> None:
        """Queue a message and wake the reader."""
        self.items.append(message)
        if isinstance(message, Chunk):
            self.channel.unread += len(message.data)
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_result(None)

    async def next(self, timeout: float) -> Message | None:
        """The next message (None: the worker is gone); TimeoutError past `timeout` s."""
        if not self.items:
            self.waiter = asyncio.get_running_loop().create_future()
            try:
                async with asyncio.timeout(max(timeout, 0.0)):
                    await self.waiter
            finally:
                self.waiter = None
        message = self.items.popleft()
        if isinstance(message, Chunk):
            self.channel.read(len(message.data))
        return message


class Channel(asyncio.Protocol):
    """The server's end of a worker's socket: jobs out, each message to its job's inbox."""

    def __init__(self, on_lost: Callable[[], None], *, pausable: bool) -> None:
        self.on_lost, self.pausable = on_lost, pausable
        self.frames = Frames()
        self.numbers = itertools.count(1)
        self.start = Inbox(self)  # job 0: Ready or Unsafe
        self.inboxes: dict[int, Inbox] = {0: self.start}
        self.transport: asyncio.Transport | None = None
        self.lost = False
        self.unread, self.paused = 0, False
        self.open_when_lost = 0  # how many jobs were open when the worker went

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        try:
            messages = self.frames.feed(data)
        except Malformed as exc:
            log.error("a query worker sent %s; it is stopped", exc)
            self.abort()
            return
        for number, message in messages:
            if (inbox := self.inboxes.get(number)) is not None:
                inbox.put(message)  # else: the job was given up; its answer is dropped
        if self.pausable and self.unread > HIGH_WATER and self.transport is not None:
            self.paused = True
            self.transport.pause_reading()

    def read(self, size: int) -> None:
        """`size` unread bytes were taken; read again once most are."""
        self.unread -= size
        if self.paused and self.unread < HIGH_WATER // 2 and self.transport is not None:
            self.paused = False
            self.transport.resume_reading()

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = True
        self.open_when_lost = len(self.inboxes) - 1
        for inbox in self.inboxes.values():
            inbox.put(None)
        self.on_lost()

    def open(self, job: Job) -> Inbox:
        """Send a job; the inbox its answer comes to."""
        number, inbox = next(self.numbers), Inbox(self)
        self.inboxes[number] = inbox
        if self.lost or self.transport is None:
            inbox.put(None)
        else:
            self.transport.write(frame(number, job))
        return inbox

    def close(self, inbox: Inbox) -> None:
        """The job is over: messages still coming for it are dropped."""
        for number, mine in list(self.inboxes.items()):
            if mine is inbox:
                del self.inboxes[number]
        while inbox.items:
            message = inbox.items.popleft()
            if isinstance(message, Chunk):
                self.read(len(message.data))

    def abort(self) -> None:
        """Close the socket now."""
        if self.transport is not None:
            self.transport.abort()


class Worker:
    """One worker process on one build, and the server's end of its socket. A shared worker
    runs several jobs at once."""

    def __init__(
        self,
        build: str,
        generation: int,
        memory: int,
        *,
        shared: bool,
        on_lost: Callable[[Worker], None],
        direct: dict[str, object] | None = None,
    ) -> None:
        self.connections: socket.socket | None = None  # connections it answers itself
        self.status: Status | None = None
        mine, child = socket.socketpair()
        try:
            argument, passed = self._direct(direct)
            self.errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed once reaped)
            try:
                with child:
                    self.process = subprocess.Popen(
                        [
                            sys.executable,
                            "-m",
                            "il2kg.server.worker",
                            str(child.fileno()),
                            build,
                            str(memory),
                            "shared" if shared else "single",
                            *argument,
                        ],
                        pass_fds=[child.fileno(), *passed],
                        stdin=subprocess.DEVNULL,
                        stderr=self.errors,
                    )
            except BaseException:
                self.errors.close()
                raise
            finally:
                for fd in passed:
                    os.close(fd)
        except BaseException:
            mine.close()
            self.close()
            raise
        self.socket = mine
        self.channel = Channel(lambda: on_lost(self), pausable=not shared)
        self.generation, self.shared = generation, shared
        self.ready = False
        self.starting: asyncio.Future[None] | None = None  # until it has opened the store
        self.since: float | None = None  # when a general worker was lent; None when free
        self.jobs = 0  # jobs running on a shared worker
        self.retired = False  # a shared worker that takes no new job
        self.alone = False  # a shared worker running one job and taking no other
        self.stopped: str | None = None  # why the pool stopped it
        self.last_words = ""
        self.autopsy: asyncio.Future[str] | None = None  # why it died, once it has

    def _direct(self, direct: dict[str, object] | None) -> tuple[list[str], list[int]]:
        """For a worker answering connections: its connection socket and status block
        (`status`), and the argument and descriptors that give them to the process."""
        if direct is None:
            return [], []
        mine, child = socket.socketpair()
        mine.setblocking(False)
        self.connections = mine
        fd = Status.create()
        self.status = Status(fd)
        passed = [child.detach(), fd]
        return [json.dumps({**direct, "connections": passed[0], "status": fd})], passed

    async def connect(self) -> None:
        """Attach the channel to the socket."""
        await asyncio.get_running_loop().create_unix_connection(
            lambda: self.channel, sock=self.socket
        )

    def kill(self) -> None:
        """SIGKILL the process and close its socket (jobs waiting on it see it go); no wait."""
        if self.process.poll() is None:
            self.process.kill()
        if self.channel.transport is not None:
            self.channel.abort()
        else:
            self.socket.close()

    def answering(self) -> bool:
        """True while it answers a connection of its own (or a job)."""
        return self.busy_for() is not None

    def busy_for(self) -> float | None:
        """For how long it has been answering a connection or job of its own (`direct`)."""
        doing = None if self.status is None else self.status.read()
        return None if doing is None else time.monotonic() - doing.since

    def close(self) -> None:
        """Release what the server holds of a worker that has exited (not its process)."""
        if self.connections is not None:
            self.connections.close()
        if self.status is not None:
            self.status.close()

    def gone(self) -> bool:
        """True when its socket closed or its process ended (killed from outside, e.g. by the
        kernel's OOM killer: the process may be seen ended before the loop hears the socket
        close)."""
        return self.channel.lost or self.process.poll() is not None

    def reaped(self) -> bool:
        """True once the process has exited and been reaped (what it wrote is kept)."""
        if self.process.poll() is None:
            return False
        if not self.errors.closed:
            self.last_words = self.report()
            self.errors.close()
        return True

    def report(self) -> str:
        """The end of what the process wrote to stderr."""
        if self.errors.closed:
            return self.last_words
        size = os.fstat(self.errors.fileno()).st_size
        tail = os.pread(self.errors.fileno(), REPORT_BYTES, max(0, size - REPORT_BYTES))
        return tail.decode(errors="replace").strip()
