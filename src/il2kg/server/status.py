"""A worker's status, shared with the server without a system call: what it is answering.

A few bytes of memory (a `memfd` both processes map) say which connection the worker is
answering (0: a job of the pool), since when (monotonic clock, shared by every process;
0: nothing), and whether the response has begun to be sent. The worker writes them; the
server reads them to enforce the query's deadline and, if the worker dies, to know which
connection was being answered and whether it may still be told why. The server writes one
byte: the worker's build is retired (a newer one is served), so it starts no new query.
"""

from __future__ import annotations

import mmap
import os
import struct
import time
from dataclasses import dataclass

HOLD = 0.03  # seconds a worker answers one query before its other connections go back
LAYOUT = struct.Struct("=dQ??")  # since, connection, response started, build retired
SINCE, CONNECTION, STARTED, RETIRED = 0, 8, 16, 17


@dataclass(frozen=True)
class Doing:
    """What a worker is answering: a connection (0: a pool job), since when, and whether
    its response has begun."""

    connection: int
    since: float
    started: bool


class Status:
    """The status block of one worker, over the descriptor of its memory."""

    def __init__(self, fd: int) -> None:
        self.map = mmap.mmap(fd, LAYOUT.size)

    @staticmethod
    def create() -> int:
        """A new, zeroed block's descriptor (to pass to the worker; the server maps it too)."""
        fd = os.memfd_create("il2kg-worker-status")
        os.ftruncate(fd, LAYOUT.size)
        return fd

    def begin(self, connection: int) -> None:
        """Answering `connection` from now on."""
        struct.pack_into("=Q?", self.map, CONNECTION, connection, False)
        struct.pack_into("=d", self.map, SINCE, time.monotonic())

    def responding(self) -> None:
        """The response has begun to be sent."""
        struct.pack_into("=?", self.map, STARTED, True)

    def end(self) -> None:
        """Answering nothing."""
        struct.pack_into("=d", self.map, SINCE, 0.0)

    def retire(self) -> None:
        """(The server) a newer build is served: start no new query."""
        struct.pack_into("=?", self.map, RETIRED, True)

    def retired(self) -> bool:
        """True once the server has retired this worker's build."""
        retired: bool = struct.unpack_from("=?", self.map, RETIRED)[0]
        return retired

    def read(self) -> Doing | None:
        """What the worker is answering, if anything."""
        since, connection, started, _ = LAYOUT.unpack_from(self.map)
        return Doing(connection, since, started) if since else None

    def close(self) -> None:
        """Unmap the block."""
        self.map.close()
