"""Protocol fuzzing against a live endpoint: never a 500, never a trace, the server stays up.

Requests go out as raw bytes over a loopback socket, so anything can be sent: invalid UTF-8,
broken percent-encoding, odd methods, random headers and bodies past the size limit.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from urllib.parse import quote_from_bytes

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import il2kg

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SIMPLE = "ASK { ?s a <https://w3id.org/il2kg/ontology/Publication> }"
SOURCE = str(Path(il2kg.__file__).parent).encode()
TRACE = re.compile(rb'Traceback \(most recent call last\)|File "[^"]*\.py"|site-packages')
ROUTES = [b"/sparql", b"/", b"/queries", b"/.well-known/void", b"/resource/x", b"/static/app.js"]
PARAMS = [b"query", b"update", b"format", b"default-graph-uri", b"named-graph-uri", b"x"]
MEDIA = [
    "application/sparql-query",
    "application/x-www-form-urlencoded",
    "application/sparql-update",
    "application/sparql-results+json",
    "text/plain",
    "multipart/form-data; boundary=x",
    "*/*",
    "",
    ";",
    "application/sparql-query;;",
    "application/x-www-form-urlencoded; charset=latin-1",
    'application/sparql-query; charset="utf-16"',
    "application/sparql-query; charset=",
]
SPARQL = [
    "SELECT",
    "ASK",
    "CONSTRUCT",
    "DESCRIBE",
    "WHERE",
    "{",
    "}",
    "?s",
    "?p",
    "?o",
    ".",
    "<urn:x>",
    '"x"',
    "'''",
    "FILTER",
    "(",
    ")",
    "GRAPH",
    "SERVICE",
    "FROM",
    "LIMIT",
    "1",
    "\\u0053",
    "#",
    "\n",
    "*",
    "PREFIX",
    "a:",
    "<",
    ">",
    "OPTIONAL",
    "UNION",
    ";",
]


def raw(base: str, request: bytes, *, timeout: float = 30.0) -> tuple[int | None, bytes]:
    """Send raw bytes to the server; its status (None if it answered none) and the rest."""
    host, port = base.removeprefix("http://").split(":")
    received = bytearray()
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        with suppress(OSError):  # the server may answer and close before reading a huge body
            sock.sendall(request)
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except ConnectionResetError:
            pass
    match = re.match(rb"HTTP/1\.[01] (\d{3})", received)
    return (int(match.group(1)) if match else None), bytes(received)


def http(
    method: bytes, target: bytes, headers: list[tuple[bytes, bytes]] = (), body: bytes = b""
) -> bytes:
    """An HTTP/1.1 request as bytes, closing the connection after the answer."""
    lines = [
        method + b" " + target + b" HTTP/1.1",
        b"Host: 127.0.0.1",
        b"Connection: close",
        *(name + b": " + value for name, value in headers),
    ]
    if body:
        lines.append(b"Content-Length: " + str(len(body)).encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def assert_clean(status: int | None, answer: bytes) -> None:
    """No 500, no Python trace and no source path in the answer."""
    assert status != 500, answer[:2000]
    assert not TRACE.search(answer), answer[:2000]
    assert SOURCE not in answer, answer[:2000]


def assert_alive(base: str) -> None:
    """The server still answers a simple query correctly."""
    answer = httpx.get(f"{base}/sparql", params={"query": SIMPLE}, timeout=30)
    assert answer.status_code == 200 and answer.json()["boolean"] is True


@pytest.fixture(scope="module")
def base(endpoint: str) -> Iterator[str]:
    """The session endpoint, checked to be alive after the module's fuzzing."""
    yield endpoint
    assert_alive(endpoint)


def encoded(data: bytes) -> bytes:
    """Percent-encode bytes for a URL (so any byte, valid UTF-8 or not, can be sent)."""
    return quote_from_bytes(data, safe="").encode()


byte_text = st.one_of(st.binary(max_size=200), st.text(max_size=100).map(str.encode))
value = st.one_of(
    byte_text.map(encoded),
    byte_text.filter(lambda b: b" " not in b),
    st.sampled_from([b"%", b"%f", b"%ff", b"%00", b"%C3%28", b"%ED%A0%80", b"+"]),
)
pair = st.tuples(st.sampled_from(PARAMS), value).map(lambda p: p[0] + b"=" + p[1])
query_string = st.lists(st.one_of(pair, value), max_size=20).map(b"&".join)
sparql_text = st.lists(st.sampled_from(SPARQL), max_size=25).map(" ".join)


@FUZZ
@given(route=st.sampled_from(ROUTES), query=query_string)
def test_random_query_strings(base: str, route: bytes, query: bytes) -> None:
    assert_clean(*raw(base, http(b"GET", route + b"?" + query)))


@FUZZ
@given(target=st.binary(min_size=1, max_size=300))
def test_random_request_targets(base: str, target: bytes) -> None:
    assert_clean(*raw(base, http(b"GET", target)))


@FUZZ
@given(text=sparql_text, fmt=st.sampled_from(["", "json", "xml", "csv", "ttl", "nt", "x/y"]))
def test_random_queries(base: str, text: str, fmt: str) -> None:
    target = b"/sparql?query=" + encoded(text.encode()) + b"&format=" + fmt.encode()
    assert_clean(*raw(base, http(b"GET", target)))


header_name = st.one_of(
    st.sampled_from(
        [
            b"Accept",
            b"Content-Type",
            b"Accept-Charset",
            b"Accept-Encoding",
            b"Content-Encoding",
            b"Transfer-Encoding",
            b"Origin",
            b"Range",
            b"Access-Control-Request-Method",
            b"X-Forwarded-For",
            b"Expect",
        ]
    ),
    st.binary(min_size=1, max_size=30).filter(lambda b: not re.search(rb"[\s:]", b)),
)
header_value = st.one_of(
    st.sampled_from([m.encode() for m in MEDIA]),
    st.sampled_from(
        [
            b"*/*;q=nan",
            b"text/html;q=-1",
            b"application/json;q=1e400",
            b",,,",
            b"text/*;q=0, */*;q=0",
            b"gzip",
            b"chunked",
            b"bytes=0-1",
            b"100-continue",
        ]
    ),
    st.binary(max_size=100).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b"")),
)


@FUZZ
@given(
    method=st.sampled_from([b"GET", b"POST", b"OPTIONS", b"HEAD"]),
    route=st.sampled_from(ROUTES),
    headers=st.lists(st.tuples(header_name, header_value), max_size=8),
)
def test_random_headers(
    base: str, method: bytes, route: bytes, headers: list[tuple[bytes, bytes]]
) -> None:
    target = route + b"?query=" + encoded(SIMPLE.encode()) if route == b"/sparql" else route
    assert_clean(*raw(base, http(method, target, headers)))


body = st.one_of(
    st.binary(max_size=3000),
    sparql_text.map(str.encode),
    st.lists(pair, max_size=50).map(b"&".join),
    sparql_text.map(lambda t: t.encode("utf-16")),
)


@FUZZ
@given(media=st.sampled_from(MEDIA), content=body, route=st.sampled_from(ROUTES))
def test_random_bodies(base: str, media: str, content: bytes, route: bytes) -> None:
    request = http(b"POST", route, [(b"Content-Type", media.encode())], content)
    assert_clean(*raw(base, request))


@FUZZ
@given(
    method=st.one_of(
        st.sampled_from(
            [b"PUT", b"DELETE", b"PATCH", b"TRACE", b"CONNECT", b"PROPFIND", b"get", b"QUERY"]
        ),
        st.binary(min_size=1, max_size=12).filter(lambda b: not re.search(rb"\s", b)),
    ),
    route=st.sampled_from(ROUTES),
)
def test_odd_methods(base: str, method: bytes, route: bytes) -> None:
    assert_clean(*raw(base, http(method, route, [(b"Content-Type", b"text/plain")], b"x")))


@pytest.mark.parametrize("size", [20_001, 2_000_000])
def test_huge_bodies_are_refused(base: str, size: int) -> None:
    request = http(
        b"POST", b"/sparql", [(b"Content-Type", b"application/sparql-query")], b"#" * size
    )
    status, answer = raw(base, request)
    assert status == 413, answer[:500]
    assert_clean(status, answer)


def test_huge_chunked_body_is_refused(base: str) -> None:
    chunk = b"#" * 8192
    chunks = (b"%x\r\n" % len(chunk) + chunk + b"\r\n") * 300 + b"0\r\n\r\n"
    request = (
        http(
            b"POST",
            b"/sparql",
            [(b"Content-Type", b"application/sparql-query"), (b"Transfer-Encoding", b"chunked")],
        )
        + chunks
    )
    status, answer = raw(base, request)
    assert status == 413, answer[:500]


def test_many_parameters(base: str) -> None:
    graphs = b"&".join(b"default-graph-uri=urn:g%d" % i for i in range(600))
    status, answer = raw(
        base,
        http(
            b"POST",
            b"/sparql",
            [(b"Content-Type", b"application/x-www-form-urlencoded")],
            b"query=" + encoded(SIMPLE.encode()) + b"&" + graphs,
        ),
    )
    assert status == 200 and b"false" in answer  # none of those graphs exists
    many = b"&".join(b"x%d=%d" % (i, i) for i in range(3000))
    status, answer = raw(
        base, http(b"GET", b"/sparql?" + many + b"&query=" + encoded(SIMPLE.encode()))
    )
    assert_clean(status, answer)


def test_repeated_parameters(base: str) -> None:
    queries = b"&".join([b"query=" + encoded(SIMPLE.encode())] * 200)
    status, answer = raw(base, http(b"GET", b"/sparql?" + queries))
    assert status == 400 and b"one query" in answer
    formats = b"&".join(b"format=" + f for f in [b"csv", b"json", b"xml"] * 100)
    status, answer = raw(
        base, http(b"GET", b"/sparql?query=" + encoded(SIMPLE.encode()) + b"&" + formats)
    )
    assert_clean(status, answer)
    assert status == 200


def test_invalid_utf8_everywhere(base: str) -> None:
    for request in (
        http(b"GET", b"/sparql?query=%ff%fe"),
        http(b"GET", b"/sparql?query=" + encoded(SIMPLE.encode()) + b"&format=%ff"),
        http(b"GET", b"/resource/%ff%fe", [(b"Accept", b"text/html")]),
        http(
            b"POST",
            b"/sparql",
            [(b"Content-Type", b"application/x-www-form-urlencoded")],
            b"query=%ff",
        ),
        http(
            b"POST", b"/sparql", [(b"Content-Type", b"application/sparql-query")], b"ASK {}\xc3\x28"
        ),
        http(b"GET", b"/sparql", [(b"Accept", b"\xff\xfe")]),
    ):
        status, answer = raw(base, request)
        assert_clean(status, answer)
        assert status is not None and status < 500
