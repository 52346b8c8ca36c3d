"""The messages between the pool and its workers: typed frames that decode to what was sent,
arriving in any split, and malformed ones refused (never unpickled)."""

from __future__ import annotations

import socket

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyoxigraph import Store

from il2kg.server.messages import (
    HEADER,
    Adopt,
    Chunk,
    Closed,
    Drain,
    Failed,
    Frames,
    Job,
    Malformed,
    Message,
    Ready,
    Return,
    Unsafe,
    frame,
)
from il2kg.server.worker import Link, Sender, failure

MESSAGES: list[Message] = [
    Job(
        query="ASK {}",
        accept="application/json",
        default_graphs=("http://g/1",),
        named_graphs=("http://g/2", "http://g/3"),
        max_bytes=10,
        base_iri="http://b/",
    ),
    Job(query="SELECT * { ?s ?p ?o } # é ✓"),
    Ready(),
    Unsafe("no seccomp"),
    Chunk("application/sparql-results+json", b"\x00{}\xff", last=True),
    Chunk("text/csv", b"", last=False),
    Failed(400, "syntax error: at 1:3"),
    Failed(500, "Traceback ..."),
    Adopt(7),
    Return(1 << 40, b"GET /sparql HTTP/1.1\r\n"),
    Return(2, b""),
    Closed(3),
    Drain(),
]


@given(st.lists(st.sampled_from(MESSAGES), max_size=8), st.data())
def test_frames_decode_to_what_was_sent_in_any_split(
    sent: list[Message], data: st.DataObject
) -> None:
    stream = b"".join(frame(n, m) for n, m in enumerate(sent))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(stream)), max_size=6)))
    frames, got = Frames(), []
    for start, end in zip([0, *cuts], [*cuts, len(stream)], strict=True):
        got += frames.feed(stream[start:end])
    assert got == list(enumerate(sent))


@pytest.mark.parametrize(
    "raw",
    [
        HEADER.pack(1, 99, 0),  # no such kind
        HEADER.pack(1, 5, 3) + b"abc",  # a connection number cut short
        HEADER.pack(1, 7, 9) + bytes(9),  # Closed with more than its number
        HEADER.pack(1, 8, 1) + b"x",  # Drain with a payload
        HEADER.pack(1, 1, 1) + b"x",  # Ready with a payload
        HEADER.pack(1, 3, 1) + b"\x07",  # a chunk without its header
        HEADER.pack(1, 0, 5) + b"[1,2]",  # a job that is not an object
        HEADER.pack(1, 0, 13) + b'{"query": 1}x',  # not JSON
        HEADER.pack(1, 2, 2) + b"\xff\xfe",  # not UTF-8
        HEADER.pack(1, 3, 1 << 30),  # larger than any frame may be
    ],
)
def test_malformed_frames_are_refused(raw: bytes) -> None:
    with pytest.raises(Malformed):
        Frames().feed(raw)


class FailingStore:
    """A store whose files fail, as a disk might."""

    def query(self, *_: object, **__: object) -> None:
        raise OSError("input/output error on the store's files")


def test_a_fault_in_a_worker_is_a_500_with_its_trace_and_a_query_error_a_400() -> None:
    mine, theirs = socket.socketpair()
    with mine, theirs:
        link = Link(mine)
        fault = failure(FailingStore(), Job(query="ASK {}"), Sender(link, 1, "", 0))  # type: ignore[arg-type]
        assert isinstance(fault, Failed) and fault.status == 500
        assert "OSError: input/output error" in fault.message
        refused = failure(
            Store(),
            Job(query="SELECT (<http://example.org/f>(1) AS ?x) {}"),
            Sender(link, 2, "", 0),
        )
        assert isinstance(refused, Failed) and refused.status == 400, refused
        syntax = failure(Store(), Job(query="SELECT * {"), Sender(link, 3, "", 0))
        assert isinstance(syntax, Failed) and syntax.status == 400, syntax
