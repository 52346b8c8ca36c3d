"""The messages between the pool and its query workers: typed, framed, never pickled.

A frame is a header (job number, kind, payload length) and its payload. The pool sends
`Job`s (as JSON); a worker answers `Ready` or `Unsafe` once (job number 0), then, for each
job, `Chunk`s up to the one marked last, or one `Failed`. On a worker's second socket, the
one for the connections it answers itself (`direct`), the server sends `Adopt` (the
connection's descriptor attached) and `Drain`; the worker answers `Return` (the connection
given back, with the bytes it read of it) and `Closed` (job number 0 on that socket). The
server reads only lengths, bytes and UTF-8 from a worker, so a worker a query took over
cannot make the server run code (as unpickling its messages could), and a malformed frame
is refused (`Malformed`).
"""

from __future__ import annotations

import json
import struct
from collections.abc import Callable
from dataclasses import dataclass

HEADER = struct.Struct("!IBI")  # job number, kind, payload length
MAX_PAYLOAD = 16 << 20  # a frame larger than this is malformed
SHARED_JOBS = 8  # jobs a shared worker runs at once


@dataclass(frozen=True)
class Job:
    """One query to run, with its dataset and how its result should be written."""

    query: str
    accept: str | None = None
    format: str | None = None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    max_bytes: int = 0
    base_iri: str | None = None


@dataclass(frozen=True)
class Ready:
    """The worker has sandboxed itself and opened the store."""


@dataclass(frozen=True)
class Unsafe:
    """The worker cannot sandbox itself, so it runs no query."""

    reason: str


@dataclass(frozen=True)
class Chunk:
    """A piece of a result; the last one ends it."""

    media_type: str
    data: bytes
    last: bool


@dataclass(frozen=True)
class Failed:
    """A job that ended without a result: the HTTP status and the message for the client
    (for 500, a fault, the trace for the server's log)."""

    status: int
    message: str


@dataclass(frozen=True)
class Adopt:
    """A client connection for the worker to answer (its descriptor rides with the frame)."""

    connection: int


@dataclass(frozen=True)
class Return:
    """A connection given back to the server, with the bytes the worker read of it."""

    connection: int
    data: bytes


@dataclass(frozen=True)
class Closed:
    """A connection the worker shut down and closed."""

    connection: int


@dataclass(frozen=True)
class Drain:
    """Give every connection back once its answer is sent (the worker's build is retired)."""


Message = Job | Ready | Unsafe | Chunk | Failed | Adopt | Return | Closed | Drain
KINDS: tuple[type, ...] = (Job, Ready, Unsafe, Chunk, Failed, Adopt, Return, Closed, Drain)
CONNECTION = struct.Struct("!Q")


class Malformed(ValueError):
    """A frame that does not decode as a message."""


def frame(number: int, message: Message) -> bytes:
    """A message as one frame, for job `number`."""
    match message:
        case Job():
            payload = json.dumps(vars(message)).encode()  # asdict() deep-copies: slower
        case Ready():
            payload = b""
        case Unsafe(reason):
            payload = reason.encode()
        case Chunk(media_type, data, last):
            media = media_type.encode()
            payload = bytes([last, len(media)]) + media + data
        case Failed(status, text):
            payload = status.to_bytes(2, "big") + text.encode()
        case Adopt(connection) | Closed(connection):
            payload = CONNECTION.pack(connection)
        case Return(connection, data):
            payload = CONNECTION.pack(connection) + data
        case Drain():
            payload = b""
    return HEADER.pack(number, KINDS.index(type(message)), len(payload)) + payload


def _job(payload: bytes) -> Job:
    fields = json.loads(payload)
    for name in ("default_graphs", "named_graphs"):
        fields[name] = tuple(fields[name])
    return Job(**fields)


def _chunk(payload: bytes) -> Chunk:
    if len(payload) < 2 or payload[0] > 1:
        raise ValueError("no chunk header")
    end = 2 + payload[1]
    return Chunk(payload[2:end].decode(), payload[end:], bool(payload[0]))


def _failed(payload: bytes) -> Failed:
    if len(payload) < 2:
        raise ValueError("no status")
    return Failed(int.from_bytes(payload[:2], "big"), payload[2:].decode())


def _ready(payload: bytes) -> Ready:
    if payload:
        raise ValueError("a payload")
    return Ready()


def _connection(payload: bytes) -> int:
    if len(payload) < CONNECTION.size:
        raise ValueError("no connection number")
    number: int = CONNECTION.unpack_from(payload)[0]
    return number


def _only_connection(payload: bytes) -> int:
    if len(payload) != CONNECTION.size:
        raise ValueError("not a connection number alone")
    return _connection(payload)


def _drain(payload: bytes) -> Drain:
    if payload:
        raise ValueError("a payload")
    return Drain()


DECODERS: tuple[Callable[[bytes], Message], ...] = (
    _job,
    _ready,
    lambda payload: Unsafe(payload.decode()),
    _chunk,
    _failed,
    lambda payload: Adopt(_only_connection(payload)),
    lambda payload: Return(_connection(payload), payload[CONNECTION.size :]),
    lambda payload: Closed(_only_connection(payload)),
    _drain,
)


def decode(kind: int, payload: bytes) -> Message:
    """The message a frame's kind and payload stand for; `Malformed` if none."""
    try:
        return DECODERS[kind](payload)
    except (IndexError, ValueError, TypeError) as exc:  # UnicodeError and JSON's are ValueErrors
        raise Malformed(f"a malformed message of kind {kind}: {exc}") from exc


class Frames:
    """Decodes a byte stream into (job number, message) pairs as its bytes arrive."""

    def __init__(self) -> None:
        self.buffer = bytearray()

    def feed(self, data: bytes) -> list[tuple[int, Message]]:
        """The messages completed by `data`; `Malformed` on a bad frame."""
        self.buffer += data
        done, start = [], 0
        while len(self.buffer) - start >= HEADER.size:
            number, kind, length = HEADER.unpack_from(self.buffer, start)
            if length > MAX_PAYLOAD:
                raise Malformed(f"a frame of {length} bytes")
            end = start + HEADER.size + length
            if len(self.buffer) < end:
                break
            done.append((number, decode(kind, bytes(self.buffer[start + HEADER.size : end]))))
            start = end
        del self.buffer[:start]
        return done
