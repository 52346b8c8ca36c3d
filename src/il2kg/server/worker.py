"""The query worker: a child process holding the store read-only, killed if it overruns.

pyoxigraph cannot interrupt a running query, so each query runs in a worker process the
server can kill. Before it opens the store the worker confines itself (`sandbox.confine`):
no query it runs can open a network connection. It says `Ready` or `Unsafe`, then answers
the jobs that come on its socket (`messages`): `Chunk`s (a small result is one) or one
`Failed`. A general worker answers one job at a time; a shared one runs each in a thread.
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import os
import queue
import resource
import socket
import sys
import threading
import traceback
from typing import IO, Any, cast

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
)

from il2kg.paths import published_prefixes
from il2kg.query.lexer import check_bounds, declares_dataset, mask, unescape
from il2kg.query.result import QueryError, form_of
from il2kg.query.tabular import write_csv, write_tsv
from il2kg.server.messages import (
    HEADER,
    SHARED_JOBS,
    Chunk,
    Failed,
    Job,
    Message,
    Ready,
    Unsafe,
    decode,
    frame,
)
from il2kg.server.negotiation import Format, choose
from il2kg.server.sandbox import SandboxError, confine

CHUNK = 64 * 1024
MEMORY_QUADS = 2_000_000
THREAD_STACK = 16 << 20  # bytes: the parser and evaluator recurse (see lexer.MAX_LINKS)
PREFIXES = published_prefixes()  # work in every query without PREFIX lines
# Tests only: a query containing this text crashes its worker (SIGSEGV), as a query that
# overflows the engine's stack would. Unset (the default), nothing happens.
CRASH_MARK = os.environ.get("IL2KG_TEST_CRASH_MARK", "")


class Gone(Exception):
    """The server closed the socket: nobody waits for this answer."""


class Link:
    """The worker's end of its socket: whole frames in, whole frames out (one thread at a time)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock, self.lock = sock, threading.Lock()

    def send(self, number: int, message: Message) -> None:
        """Send one message for job `number`; `Gone` if the server closed the socket."""
        data = frame(number, message)
        try:
            with self.lock:
                self.sock.sendall(data)
        except OSError as exc:
            raise Gone from exc

    def _exactly(self, size: int) -> bytes:
        data = bytearray()
        while len(data) < size:
            got = self.sock.recv(size - len(data))
            if not got:
                raise EOFError
            data += got
        return bytes(data)

    def receive(self) -> tuple[int, Job]:
        """The next job and its number; EOFError when the server closed the socket."""
        number, kind, length = HEADER.unpack(self._exactly(HEADER.size))
        job = decode(kind, self._exactly(length))
        if not isinstance(job, Job):
            raise EOFError  # the server sends nothing else
        return number, job


class TooLarge(Exception):
    """The result passed the byte limit."""


class Sender:
    """A file-like sink sending the serialised result in chunks, counting bytes."""

    def __init__(self, link: Link, number: int, media_type: str, limit: int) -> None:
        self.link, self.number, self.media_type, self.limit = link, number, media_type, limit
        self.size, self.buffer = 0, bytearray()

    def write(self, data: bytes) -> int:
        """Buffer data; send a chunk when the buffer is full; refuse past the limit."""
        self.size += len(data)
        if self.limit and self.size > self.limit:
            raise TooLarge(f"the result is larger than {self.limit} bytes; add a LIMIT")
        self.buffer += data
        if len(self.buffer) >= CHUNK:
            self.send()
        return len(data)

    def flush(self) -> None:
        """Nothing: pyoxigraph flushes when it is done, but chunks go when full or last."""

    def send(self, *, last: bool = False) -> None:
        """Send what is buffered (the last chunk may be empty)."""
        if self.buffer or last:
            self.link.send(self.number, Chunk(self.media_type, bytes(self.buffer), last))
            self.buffer.clear()


QueryResult = QuerySolutions | QueryBoolean | QueryTriples


def stream(result: QueryResult, fmt: Format, sink: Sender) -> None:
    """Serialise a result into the sink (negotiation offers each form only its own formats)."""
    output = cast(IO[bytes], sink)  # pyoxigraph writes to any object with write(); stub: IO
    match result, fmt:
        case QueryTriples(), RdfFormat():
            result.serialize(output, fmt)
        case QuerySolutions() | QueryBoolean(), QueryResultsFormat.CSV:
            write_csv(result, output)  # cells a spreadsheet would run are marked
        case QuerySolutions() | QueryBoolean(), QueryResultsFormat.TSV:
            write_tsv(result, output)
        case QuerySolutions() | QueryBoolean(), QueryResultsFormat():
            result.serialize(output, fmt)
        case _:
            raise TypeError(f"{fmt} is not a format of {type(result).__name__}")
    sink.send(last=True)


def graphs(iris: tuple[str, ...]) -> list[NamedNode]:
    """A dataset parameter's graphs; a bad IRI is the client's error."""
    try:
        return [NamedNode(iri) for iri in iris]
    except ValueError as exc:
        raise Refusal(400, f"a dataset graph is not an IRI: {exc}") from exc


class Refusal(Exception):
    """A job refused for a reason the client can act on: its status and message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


def query(store: Store, text: str, **options: Any) -> QueryResult:
    """Run a query with the published prefixes, handed to the parser only when the query may
    use one (pyoxigraph converts the map on every call); a query read as needing none that
    fails to parse is parsed again with them."""
    bare = ":" not in mask(unescape(text))  # no prefixed name outside IRIs, strings, comments
    try:
        return store.query(text, prefixes=None if bare else PREFIXES, **options)
    except SyntaxError:
        if not bare:
            raise
    return store.query(text, prefixes=PREFIXES, **options)


def run(store: Store, job: Job, sender: Sender, *, admitted: bool = False) -> None:
    """Run one job, its result into `sender`; `Refusal` for what the client must change. Its
    bounds are checked unless this process `admitted` the query already (`lexer.admit`)."""
    if CRASH_MARK and CRASH_MARK in job.query:
        ctypes.string_at(0)  # reads address 0: SIGSEGV, here and now
    union = not job.default_graphs and not declares_dataset(job.query)
    defaults: list[NamedNode | BlankNode | DefaultGraph] = [*graphs(job.default_graphs)]
    named: list[NamedNode | BlankNode] = [*graphs(job.named_graphs)]
    try:
        if not admitted:
            check_bounds(job.query)
        result = query(
            store,
            job.query,
            base_iri=job.base_iri,
            use_default_graph_as_union=union,
            default_graph=defaults or None,
            named_graphs=named or None,
        )
        form = form_of(result)
        chosen = choose(form, job.accept, job.format)
        if chosen is None:
            raise Refusal(406, f"no acceptable format for a {form.value} result")
        sender.media_type = chosen.media_type
        stream(result, chosen.format, sender)  # solutions are computed as they are written
    except SyntaxError as exc:
        raise Refusal(400, f"syntax error: {exc}") from exc
    except PermissionError as exc:  # the sandbox refused a socket: SERVICE
        raise Refusal(
            403,
            f"query refused: it tried to open a network connection "
            f"(SERVICE), which this endpoint's query workers cannot do "
            f"({exc})",
        ) from exc
    except RuntimeError as exc:  # pyoxigraph's evaluation errors (e.g. an unknown function)
        raise Refusal(400, f"query failed: {exc}") from exc


def failure(store: Store, job: Job, sender: Sender, *, admitted: bool = False) -> Failed | None:
    """Run one job, its chunks sent as they come; why it failed, if it did (500 for a fault,
    with its trace for the server's log)."""
    try:
        run(store, job, sender, admitted=admitted)
    except Refusal as exc:
        return Failed(exc.status, exc.message)
    except QueryError as exc:  # a bound of the lexer's
        return Failed(exc.status, exc.message)
    except TooLarge as exc:
        return Failed(507, str(exc))
    except MemoryError:
        return Failed(
            503,
            "query stopped: it needed more memory than this endpoint allows; simplify the query",
        )
    except Gone:
        raise
    except Exception:  # OSError (the store's files), bugs: logged by the server, a 500
        return Failed(500, traceback.format_exc())
    return None


def execute(store: Store, job: Job, link: Link, number: int) -> None:
    """Run one job and send its messages, unless the server is gone."""
    with contextlib.suppress(Gone):
        if (failed := failure(store, job, Sender(link, number, "", job.max_bytes))) is not None:
            link.send(number, failed)


def open_read_only(path: str) -> Store:
    """The on-disk store read-only, copied into memory when small (queries run 3-4x faster).
    At most `MEMORY_QUADS` quads are read to find out (no count of a large store)."""
    disk = Store.read_only(path)
    quads = disk.quads_for_pattern(None, None, None, None)
    memory = Store()
    memory.bulk_extend(itertools.islice(quads, MEMORY_QUADS))
    return disk if next(quads, None) is not None else memory


def cap_memory(limit: int) -> None:
    """Cap this process's data memory at `limit` bytes (0: no cap); past it, allocations fail."""
    if limit > 0:
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def serve_jobs(
    sock: socket.socket,
    store_path: str,
    memory: int = 0,
    shared: bool = False,
    direct: str = "",
) -> None:
    """The worker's main loop: confine itself, open the store, answer jobs until the socket
    closes. Without the sandbox it answers nothing. A shared worker runs jobs side by side on
    `SHARED_JOBS` threads: pyoxigraph releases the GIL, so a short query is answered beside
    long ones. A general worker given `direct` (JSON: its connection socket's and status
    block's descriptors, the route's settings) answers connections too (`direct.py`)."""
    link = Link(sock)
    try:
        confine()
    except SandboxError as exc:
        link.send(0, Unsafe(str(exc)))
        return
    cap_memory(memory)
    store = open_read_only(store_path)
    link.send(0, Ready())
    threading.stack_size(THREAD_STACK)  # lexer.MAX_LINKS is safe on an 8 MiB stack
    if direct:
        from il2kg.server.direct import answer_connections

        return answer_connections(store, link, direct)
    jobs = threads(store, link) if shared else None
    while True:
        try:
            number, job = link.receive()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if jobs is None:
            execute(store, job, link, number)
        else:
            jobs.put((number, job))


def threads(store: Store, link: Link) -> queue.SimpleQueue[tuple[int, Job]]:
    """`SHARED_JOBS` threads running the jobs put on the queue (daemons: the worker exits
    when the server closes its socket, whatever they run)."""
    jobs: queue.SimpleQueue[tuple[int, Job]] = queue.SimpleQueue()

    def loop() -> None:
        while True:
            number, job = jobs.get()
            execute(store, job, link, number)

    for _ in range(SHARED_JOBS):
        threading.Thread(target=loop, daemon=True).start()
    return jobs


if __name__ == "__main__":
    serve_jobs(
        socket.socket(fileno=int(sys.argv[1])),
        sys.argv[2],
        int(sys.argv[3]),
        sys.argv[4] == "shared",
        sys.argv[5] if len(sys.argv) > 5 else "",
    )
