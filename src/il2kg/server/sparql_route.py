"""The SPARQL query route in plain ASGI: the endpoint's hot path, without a framework.

`GET /sparql?query=...` (and HEAD) and `POST /sparql` are answered here: one pass over the headers,
the body read with a size and time limit, the job handed to the engine and its answer sent.
Everything else (pages, the service description, CORS preflights; HEAD as GET) goes to the FastAPI
application given as `fallback`. Profiling showed FastAPI's middleware and routing to cost
more per request than the query itself (BENCHMARKS.md).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable, MutableMapping
from functools import lru_cache
from typing import Any

from il2kg.query.lexer import admit
from il2kg.query.result import QueryError
from il2kg.server.cache import entity_tag
from il2kg.server.messages import Job
from il2kg.server.pool import Answer
from il2kg.server.protocol import (
    ProtocolError,
    QueryRequest,
    explain,
    read_request,
    url_params,
)
from il2kg.server.settings import Settings

log = logging.getLogger("il2kg.server")
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
WANTED = {b"accept", b"content-type", b"content-length", b"origin", b"if-none-match"}
OPERATIONS = ("query", "update")
CORS = [(b"access-control-allow-origin", b"*")]
REMEMBERED = 4096  # bytes of query string, body and content type up to which a request's
#                    reading is kept
# A whole answer's entity tag may be kept by caches, to be revalidated on each use (the
# build may change): `If-None-Match` then gets 304 (GET, HEAD) or 412 (POST) when unchanged.
CACHE_CONTROL = (b"cache-control", b"no-cache")
VARY = (b"vary", b"Accept")


class Disconnected(Exception):
    """The client left before its request was read."""


class SparqlRoute:
    """ASGI application answering SPARQL queries at /sparql, the rest by `fallback`."""

    def __init__(
        self,
        run: Callable[[Job], Awaitable[Answer]],
        settings: Settings,
        fallback: ASGIApp,
        prefixes: dict[str, str],
        base_iri: str,
    ) -> None:
        self.run, self.settings, self.fallback = run, settings, fallback
        self.prefixes, self.base_iri = prefixes, base_iri

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] != "/sparql"
            or scope["method"] not in ("GET", "HEAD", "POST")
        ):
            return await self._fallback(scope, receive, send)
        headers = {k.decode(): v.decode("latin-1") for k, v in scope["headers"] if k in WANTED}
        extra = CORS if "origin" in headers else []
        try:
            method, content_type = scope["method"], headers.get("content-type", "")
            body = await self._body(receive, headers) if method == "POST" else b""
            req = read(method, scope["query_string"], content_type, body)
            if req is None:
                return await self._fallback(scope, receive, send)
            answer = await self._answer(req, headers.get("accept"))
        except Disconnected:
            return
        except QueryError as exc:  # lexer.ServiceRefused (SERVICE) is a 403 QueryError
            return await _plain(send, exc.status, exc.message, extra + _retry(exc))
        except ProtocolError as exc:
            return await _plain(send, exc.status, exc.message, extra)
        except Exception:
            log.exception("unexpected error")
            return await _plain(send, 500, "internal error (logged on the server)", extra)
        if isinstance(answer.body, bytes):
            tag = answer.etag or entity_tag(answer.body)
            validators = [*extra, (b"etag", tag.encode()), CACHE_CONTROL]
            if matches(headers.get("if-none-match"), tag):
                await _unchanged(send, scope["method"], validators)
            else:
                await send(_start(200, answer.media_type, validators, len(answer.body)))
                await send({"type": "http.response.body", "body": answer.body})
        else:
            await _respond(send, receive, answer.media_type, answer.body, extra)

    async def _fallback(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Hand over to the application; HEAD as GET (the server leaves out the body), so
        every GET route answers HEAD."""
        if scope["type"] == "http" and scope["method"] == "HEAD":
            scope = {**scope, "method": "GET"}
        await self.fallback(scope, receive, send)

    async def _answer(self, req: QueryRequest, accept: str | None) -> Answer:
        query = req.query or ""
        job = Job(
            query=query,
            accept=accept,
            format=req.format,
            default_graphs=req.default_graphs,
            named_graphs=req.named_graphs,
            max_bytes=self.settings.max_result_bytes,
            base_iri=self.base_iri,
        )
        try:
            return await self.run(job)
        except QueryError as exc:
            if exc.status == 400:
                exc.message = explain(exc.message, query, self.prefixes)
            raise

    async def _body(self, receive: Receive, headers: dict[str, str]) -> bytes:
        """The request body, refused past the size limit or when it arrives too slowly."""
        limit = self.settings.max_body_bytes
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise ProtocolError(413, f"request body larger than {limit} bytes")
        body = bytearray()
        try:
            async with asyncio.timeout(self.settings.read_timeout):
                while True:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        raise Disconnected
                    body += message.get("body", b"")
                    if len(body) > limit:
                        raise ProtocolError(413, f"request body larger than {limit} bytes")
                    if not message.get("more_body", False):
                        return bytes(body)
        except TimeoutError:
            raise ProtocolError(
                408, f"the request body did not arrive within {self.settings.read_timeout:g} s"
            ) from None


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


def _start(
    status: int, media_type: str, extra: list[tuple[bytes, bytes]], length: int | None = None
) -> Message:
    content_type = media_type + ("; charset=utf-8" if media_type.startswith("text/") else "")
    headers = [(b"content-type", content_type.encode("latin-1")), VARY, *extra]
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    return {"type": "http.response.start", "status": status, "headers": headers}


def _retry(exc: QueryError) -> list[tuple[bytes, bytes]]:
    """A `Retry-After` header when the error names one."""
    return [] if exc.retry_after is None else [(b"retry-after", str(exc.retry_after).encode())]


async def _plain(send: Send, status: int, message: str, extra: list[tuple[bytes, bytes]]) -> None:
    body = (message + "\n").encode()
    await send(_start(status, "text/plain", extra, len(body)))
    await send({"type": "http.response.body", "body": body})


def matches(if_none_match: str | None, etag: str) -> bool:
    """True when an `If-None-Match` value names the entity tag (weak comparison) or is `*`."""
    if if_none_match is None:
        return False
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return etag in tags or tags == ["*"]


async def _unchanged(send: Send, method: str, headers: list[tuple[bytes, bytes]]) -> None:
    """The answer the client holds is current (RFC 9110, 13.1.2): 304 to GET and HEAD, 412
    to other methods."""
    if method == "POST":
        return await _plain(send, 412, "the answer has not changed (If-None-Match)", headers)
    await send({"type": "http.response.start", "status": 304, "headers": [*headers, VARY]})
    await send({"type": "http.response.body", "body": b""})


async def _respond(
    send: Send,
    receive: Receive,
    media_type: str,
    chunks: AsyncGenerator[bytes, None],
    extra: list[tuple[bytes, bytes]],
) -> None:
    """Send a streamed answer chunk by chunk until done or the client leaves."""
    await send(_start(200, media_type, extra))
    streaming = asyncio.ensure_future(_stream(send, chunks))
    left = asyncio.ensure_future(_until_disconnect(receive))
    await asyncio.wait({streaming, left}, return_when=asyncio.FIRST_COMPLETED)
    left.cancel()
    if not streaming.done():
        streaming.cancel()
        log.info("client left while its answer was being sent; the query was stopped")
    try:
        await streaming
    except asyncio.CancelledError:
        pass
    except QueryError as exc:  # the answer is cut short: the client sees an incomplete body
        log.warning("answer stopped while being sent: %s", exc.message)


async def _stream(send: Send, chunks: AsyncGenerator[bytes, None]) -> None:
    try:
        async for chunk in chunks:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    finally:
        await chunks.aclose()


async def _until_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass
