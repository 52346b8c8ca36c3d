"""The SPARQL query route in plain ASGI: the endpoint's hot path, without a framework.

`GET /sparql?query=...` (and HEAD) and `POST /sparql` are answered here: one pass over the headers,
the body read with a size and time limit, the job handed to the engine and its answer sent;
what the answer is, is decided by `reply` (which a worker answering a connection itself uses too).
Everything else (pages, the service description, CORS preflights; HEAD as GET) goes to the FastAPI
application given as `fallback`. Profiling showed FastAPI's middleware and routing to cost
more per request than the query itself (BENCHMARKS.md).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable, MutableMapping
from typing import Any

from il2kg.query.result import QueryError
from il2kg.server.dispatch import Dispatch
from il2kg.server.messages import Job
from il2kg.server.pool import Answer
from il2kg.server.protocol import ProtocolError
from il2kg.server.reply import (
    INTERNAL,
    WANTED,
    Headers,
    Reply,
    Request,
    answered,
    failed,
    head,
    plain,
    prepare,
    too_large,
)
from il2kg.server.settings import Settings

log = logging.getLogger("il2kg.server")
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


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
        self.direct: Dispatch | None = None  # the workers answering connections, if any

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] != "/sparql"
            or scope["method"] not in ("GET", "HEAD", "POST")
        ):
            return await self._fallback(scope, receive, send)
        headers = {k.decode(): v.decode("latin-1") for k, v in scope["headers"] if k in WANTED}
        request = Request(scope["method"], scope["query_string"], headers)
        job: Job | Reply | None = None
        try:
            if request.method == "POST":
                body = await self._body(receive, headers)
                request = Request(request.method, request.query_string, headers, body)
            job = prepare(request, self.settings, self.base_iri)
            if job is None:
                return await self._fallback(scope, receive, send)
            if isinstance(job, Reply):
                return await _send(send, job)
            answer = await self.run(job)
        except Disconnected:
            return
        except (QueryError, ProtocolError) as exc:
            return await _send(send, failed(request, exc, _query(job), self.prefixes))
        except Exception:
            log.exception("unexpected error")
            return await _send(send, plain(500, INTERNAL, request.extra))
        if isinstance(answer.body, bytes):
            await _send(send, answered(request, answer.media_type, answer.body, answer.etag))
        else:
            await _respond(send, receive, answer.media_type, answer.body, request.extra)

    async def _fallback(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Hand over to the application; HEAD as GET (the server leaves out the body), so
        every GET route answers HEAD."""
        if scope["type"] == "http" and scope["method"] == "HEAD":
            scope = {**scope, "method": "GET"}
        await self.fallback(scope, receive, send)

    async def _body(self, receive: Receive, headers: dict[str, str]) -> bytes:
        """The request body, refused past the size limit or when it arrives too slowly."""
        limit = self.settings.max_body_bytes
        if (refused := too_large(headers, limit)) is not None:
            raise refused
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


def _query(job: object) -> str:
    """The query text of a job, if the request got that far."""
    return job.query if isinstance(job, Job) else ""


async def _send(send: Send, reply: Reply) -> None:
    await send({"type": "http.response.start", "status": reply.status, "headers": reply.headers})
    await send({"type": "http.response.body", "body": reply.body})


async def _respond(
    send: Send,
    receive: Receive,
    media_type: str,
    chunks: AsyncGenerator[bytes, None],
    extra: Headers,
) -> None:
    """Send a streamed answer chunk by chunk until done or the client leaves."""
    await send({"type": "http.response.start", "status": 200, "headers": head(media_type, extra)})
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
