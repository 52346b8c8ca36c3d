"""The query worker: a child process holding the store read-only, killed if it overruns.

pyoxigraph cannot interrupt a running query, so each query runs in a worker process the
server can kill. Before it opens the store the worker confines itself (`sandbox.confine`):
no query it runs can open a network connection. It says ("ready",) or ("unsafe", reason),
then answers one request at a time over its socket with messages:
("chunk", media_type, bytes, last)... (a small result is one message), or ("error", status,
text).
"""

from __future__ import annotations

import contextlib
import os
import resource
import socket
import sys
import threading
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.reduction import recvfds
from typing import IO, cast

from pyoxigraph import (
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
)

from il2kg.paths import published_prefixes
from il2kg.query.lexer import check_bounds, declares_dataset
from il2kg.query.result import form_of
from il2kg.query.tabular import write_csv, write_tsv
from il2kg.server.negotiation import Format, choose
from il2kg.server.sandbox import SandboxError, confine

CHUNK = 64 * 1024
MEMORY_QUADS = 2_000_000
THREAD_STACK = 16 << 20  # bytes: the parser and evaluator recurse (see lexer.MAX_LINKS)
PREFIXES = published_prefixes()  # work in every query without PREFIX lines


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


class TooLarge(Exception):
    """The result passed the byte limit."""


class Sender:
    """A file-like sink sending the serialised result in chunks, counting bytes."""

    def __init__(self, conn: Connection, media_type: str, limit: int) -> None:
        self.conn, self.media_type, self.limit = conn, media_type, limit
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
            self.conn.send(("chunk", self.media_type, bytes(self.buffer), last))
            self.buffer.clear()


def stream(result: QuerySolutions | QueryBoolean | QueryTriples, fmt: Format,
           sink: Sender) -> None:
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


def execute(store: Store, job: Job, conn: Connection) -> None:
    """Run one job and send its messages; errors become ("error", status, message)."""
    try:
        union = not job.default_graphs and not declares_dataset(job.query)
        check_bounds(job.query)
        result = store.query(
            job.query, prefixes=PREFIXES, base_iri=job.base_iri,
            use_default_graph_as_union=union,
            default_graph=[NamedNode(g) for g in job.default_graphs] or None,
            named_graphs=[NamedNode(g) for g in job.named_graphs] or None)
        form = form_of(result)
        chosen = choose(form, job.accept, job.format)
        if chosen is None:
            conn.send(("error", 406, f"no acceptable format for a {form.value} result"))
            return
        stream(result, chosen.format, Sender(conn, chosen.media_type, job.max_bytes))
    except SyntaxError as exc:
        conn.send(("error", 400, f"syntax error: {exc}"))
    except TooLarge as exc:
        conn.send(("error", 507, str(exc)))
    except PermissionError as exc:  # the sandbox refused a socket: SERVICE
        conn.send(("error", 403, f"query refused: it tried to open a network connection "
                                 f"(SERVICE), which this endpoint's query workers cannot do "
                                 f"({exc})"))
    except (ValueError, OSError, RuntimeError) as exc:  # RuntimeError: pyoxigraph evaluation
        conn.send(("error", 400, f"query failed: {exc}"))
    except MemoryError:
        conn.send(("error", 503, "query stopped: it needed more memory than this endpoint "
                                 "allows; simplify the query"))
    except Exception:  # the parent logs the trace and answers a generic 500
        conn.send(("error", 500, traceback.format_exc()))


def open_read_only(path: str) -> Store:
    """The on-disk store read-only, copied into memory when small (queries run 3-4x faster)."""
    disk = Store.read_only(path)
    if len(disk) > MEMORY_QUADS:
        return disk
    memory = Store()
    memory.bulk_extend(disk.quads_for_pattern(None, None, None, None))
    return memory


def cap_memory(limit: int) -> None:
    """Cap this process's data memory at `limit` bytes (0: no cap); past it, allocations fail."""
    if limit > 0:
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def answer(store: Store, conn: Connection) -> None:
    """Run the one job that comes on `conn`, then close it."""
    with conn, contextlib.suppress(EOFError, OSError):
        execute(store, conn.recv(), conn)


def serve(conn: Connection, store_path: str, memory: int = 0, shared: bool = False) -> None:
    """The worker's main loop: confine itself, open the store, answer jobs until the socket
    closes. Without the sandbox it answers nothing. A shared worker receives a connection
    per job instead (SCM_RIGHTS) and runs each job in its own thread: pyoxigraph releases
    the GIL, so a short query is answered beside long ones."""
    try:
        confine()
    except SandboxError as exc:
        conn.send(("unsafe", str(exc)))
        return
    cap_memory(memory)
    store = open_read_only(store_path)
    conn.send(("ready",))
    control = socket.socket(fileno=os.dup(conn.fileno())) if shared else None
    threading.stack_size(THREAD_STACK)  # lexer.MAX_LINKS is safe on an 8 MiB stack
    while True:
        try:
            if control is None:
                execute(store, conn.recv(), conn)
            else:
                job_conn = Connection(recvfds(control, 1)[0])
                threading.Thread(target=answer, args=(store, job_conn), daemon=True).start()
        except (EOFError, KeyboardInterrupt):
            return


if __name__ == "__main__":
    serve(Connection(int(sys.argv[1])), sys.argv[2], int(sys.argv[3]), sys.argv[4] == "shared")
