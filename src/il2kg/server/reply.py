"""What the SPARQL route answers, decided once for both paths that answer it: the front's
ASGI route (`sparql_route`) and a query worker answering a connection itself (`direct`).

Each path reads the request its own way, then calls `prepare` (the request read, admitted
and made a `Job`, or the refusal to send, or None: not a query, the application answers it),
runs the job its own way, and calls `answered` or `failed` for the status, headers and body.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import formatdate
from functools import lru_cache
from http import HTTPStatus

from il2kg.query.lexer import admit
from il2kg.query.result import QueryError
from il2kg.server.cache import entity_tag
from il2kg.server.messages import Job
from il2kg.server.protocol import ProtocolError, QueryRequest, explain, read_request, url_params
from il2kg.server.settings import Settings

Headers = list[tuple[bytes, bytes]]
WANTED = {b"accept", b"content-type", b"content-length", b"origin", b"if-none-match"}
OPERATIONS = ("query", "update")
CORS = [(b"access-control-allow-origin", b"*")]
REMEMBERED = 4096  # bytes of query string, body and content type up to which a request's
#                    reading is kept
# A whole answer's entity tag may be kept by caches, to be revalidated on each use (the
# build may change): `If-None-Match` then gets 304 (GET, HEAD) or 412 (POST) when unchanged.
CACHE_CONTROL = (b"cache-control", b"no-cache")
VARY = (b"vary", b"Accept")
INTERNAL = "internal error (logged on the server)"


@dataclass(frozen=True)
class Request:
    """A request to the SPARQL route: method, raw query string, the headers it reads (names
    in lower case, the last of a repeated one) and the whole body."""

    method: str
    query_string: bytes
    headers: Mapping[str, str]
    body: bytes = b""

    @property
    def extra(self) -> Headers:
        """The CORS header, for a request naming an origin."""
        return CORS if "origin" in self.headers else []


@dataclass(frozen=True)
class Reply:
    """A response: status, headers, body."""

    status: int
    headers: Headers
    body: bytes


def too_large(headers: Mapping[str, str], limit: int) -> ProtocolError | None:
    """The 413 for a body whose declared length passes the limit."""
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return ProtocolError(413, f"request body larger than {limit} bytes")
    return None


def prepare(request: Request, settings: Settings, base_iri: str) -> Job | Reply | None:
    """The job a query request asks for, or the refusal to send; None for a GET without a
    query (the application answers it)."""
    try:
        req = read(
            request.method,
            request.query_string,
            request.headers.get("content-type", ""),
            request.body,
        )
    except (QueryError, ProtocolError) as exc:  # lexer.ServiceRefused (SERVICE): a 403
        return failed(request, exc, "", {})
    if req is None:
        return None
    return Job(
        query=req.query or "",
        accept=request.headers.get("accept"),
        format=req.format,
        default_graphs=req.default_graphs,
        named_graphs=req.named_graphs,
        max_bytes=settings.max_result_bytes,
        base_iri=base_iri,
    )


def read(method: str, query_string: bytes, content_type: str, body: bytes) -> QueryRequest | None:
    """The query request, its query admitted (SERVICE and the size bounds, whatever engine
    runs it); None for a GET or HEAD without a query (the application answers it). A small
    request is read once and remembered: the same bytes give the same request."""
    if len(query_string) + len(body) + len(content_type) > REMEMBERED:
        return _read(method, query_string, content_type, body)
    return _remembered(method, query_string, content_type, body)


def _read(method: str, query_string: bytes, content_type: str, body: bytes) -> QueryRequest | None:
    params = url_params(query_string.decode("latin-1"))
    if method != "POST" and all(name not in OPERATIONS for name, _ in params):
        return None
    request = read_request(method, params, content_type, body)
    admit(request.query or "")
    return request


_remembered = lru_cache(maxsize=1024)(_read)  # errors are not remembered


def failed(
    request: Request, exc: QueryError | ProtocolError, query: str, prefixes: Mapping[str, str]
) -> Reply:
    """The plain-text answer to a refused or failed query (a parser's unknown prefix
    explained, `Retry-After` when the error names one)."""
    if isinstance(exc, ProtocolError):
        return plain(exc.status, exc.message, request.extra)
    message = explain(exc.message, query, prefixes) if exc.status == 400 else exc.message
    retry = [] if exc.retry_after is None else [(b"retry-after", str(exc.retry_after).encode())]
    return plain(exc.status, message, request.extra + retry)


def answered(request: Request, media_type: str, body: bytes, etag: str | None) -> Reply:
    """A whole answer with its entity tag; 304 (GET, HEAD) or 412 (POST) when the client
    holds it already (RFC 9110, 13.1.2)."""
    tag = etag or entity_tag(body)
    validators = [*request.extra, (b"etag", tag.encode()), CACHE_CONTROL]
    if not matches(request.headers.get("if-none-match"), tag):
        return Reply(200, head(media_type, validators, len(body)), body)
    if request.method == "POST":
        return plain(412, "the answer has not changed (If-None-Match)", validators)
    return Reply(304, [*validators, VARY], b"")


def plain(status: int, message: str, extra: Headers) -> Reply:
    """A plain-text answer."""
    body = (message + "\n").encode()
    return Reply(status, head("text/plain", extra, len(body)), body)


def head(media_type: str, extra: Headers, length: int | None = None) -> Headers:
    """An answer's headers: its media type (UTF-8 for text), `Vary`, `extra`, its length."""
    content_type = media_type + ("; charset=utf-8" if media_type.startswith("text/") else "")
    headers = [(b"content-type", content_type.encode("latin-1")), VARY, *extra]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    return headers


def matches(if_none_match: str | None, etag: str) -> bool:
    """True when an `If-None-Match` value names the entity tag (weak comparison) or is `*`."""
    if if_none_match is None:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return etag in tags or tags == ["*"]


class Dates:
    """The `Date` header, as uvicorn writes it, made once a second."""

    def __init__(self) -> None:
        self.second, self.header = -1, b""

    def now(self) -> bytes:
        """The current `Date` header line."""
        now = time.time()
        if int(now) != self.second:
            self.second = int(now)
            self.header = b"date: " + formatdate(now, usegmt=True).encode() + b"\r\n"
        return self.header


def response(reply: Reply, date: bytes) -> bytes:
    """The bytes of a response as the server (uvicorn) writes it: status line, `date` and
    `server`, the reply's headers, the body."""
    lines = [b"HTTP/1.1 %d %s\r\n" % (reply.status, HTTPStatus(reply.status).phrase.encode())]
    lines.append(date)
    lines.append(b"server: uvicorn\r\n")
    lines.extend(name + b": " + value + b"\r\n" for name, value in reply.headers)
    lines.append(b"\r\n")
    lines.append(reply.body)
    return b"".join(lines)
