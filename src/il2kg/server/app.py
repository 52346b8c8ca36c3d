"""The web application: SPARQL 1.1 Protocol, service description, VoID, pages, resources.

Queries at /sparql take the plain-ASGI hot path (`sparql_route`); the other routes are a
FastAPI application, which further routers join.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Protocol

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pyoxigraph import NamedNode, RdfFormat, parse, serialize
from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse, StreamingResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from il2kg.iris import IL2KG, RES, prefixes
from il2kg.query.result import QueryError, text_rows
from il2kg.server import describe, evidence, pages, querypage
from il2kg.server.messages import Job
from il2kg.server.negotiation import GRAPH_FORMATS, best, by_name
from il2kg.server.pool import Answer
from il2kg.server.querypage import STATIC
from il2kg.server.settings import Settings
from il2kg.server.sparql_route import SparqlRoute

log = logging.getLogger("il2kg.server")
RDF_MEDIA = list(dict.fromkeys(GRAPH_FORMATS))
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
IL2KG_PUBLICATION = NamedNode(f"{IL2KG}Publication")
# Headers browsers may ask to send cross-origin (YASGUI, fetch clients, SPARQLWrapper).
CORS_HEADERS = [
    "Accept",
    "Content-Type",
    "Authorization",
    "X-Requested-With",
    "Cache-Control",
    "Pragma",
    "If-None-Match",
    "If-Modified-Since",
]


class QueryEngine(Protocol):
    """Where queries run: worker processes over a local store, or a remote endpoint."""

    @property
    def descriptors(self) -> int:
        """The most file descriptors it holds at once."""

    async def start(self) -> None:
        """Get ready to answer."""

    async def stop(self) -> None:
        """Release every resource."""

    async def run(self, job: Job) -> Answer:
        """Answer one query."""


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return PlainTextResponse(message + "\n", status_code=status, headers=headers)


def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own errors (404, 405) as plain text; 405 names every method the path takes
    (HEAD as GET everywhere, POST at /sparql, which the hot path answers)."""
    assert isinstance(exc, HTTPException), "registered for HTTPException only"
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = "GET, HEAD, POST" if request.url.path == "/sparql" else "GET, HEAD"
    return _error(exc.status_code, str(exc.detail), headers)


class PageHeaders:
    """ASGI middleware: `X-Content-Type-Options: nosniff` on every response, and the pages'
    Content-Security-Policy on any HTML response that does not bring its own."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers.append((b"x-content-type-options", b"nosniff"))
                html = any(
                    name.lower() == b"content-type" and value.startswith(b"text/html")
                    for name, value in headers
                )
                if html and b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", pages.POLICY.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def _query_error(_: Request, exc: Exception) -> Response:
    """A query's error as plain text, with `Retry-After` when it names one."""
    assert isinstance(exc, QueryError), "registered for QueryError only"
    retry = None if exc.retry_after is None else {"Retry-After": str(exc.retry_after)}
    return _error(exc.status, exc.message, retry)


def _negotiate(request: Request, offered: list[str]) -> str | None:
    """The media type to answer with: `format=` if it names one, else by Accept."""
    named = by_name(request.query_params.get("format"), offered, graph=True)
    return named or best(request.headers.get("accept"), offered)


def _alternates(path: str) -> str:
    """A Link header naming the RDF serialisations of a resource page."""
    return ", ".join(
        f'<{path}?format={name}>; rel="alternate"; type="{media}"'
        for name, media in (
            ("ttl", "text/turtle"),
            ("nt", "application/n-triples"),
            ("jsonld", "application/ld+json"),
            ("rdfxml", "application/rdf+xml"),
        )
    )


def create_app(store: QueryEngine, settings: Settings) -> SparqlRoute:
    """The endpoint application over one query engine; all state lives in its arguments.
    An engine whose workers answer connections themselves (`direct`) is told the settings."""
    route = SparqlRoute(store.run, settings, create_api(store, settings), prefixes(), str(RES))
    route.direct = getattr(store, "direct", None)
    if route.direct is not None:
        route.direct.settings = settings
    return route


def create_api(store: QueryEngine, settings: Settings) -> FastAPI:
    """Every route but the SPARQL queries themselves: pages, descriptions, resources."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await store.start()
        try:
            yield
        finally:
            await store.stop()

    app = FastAPI(
        title="il2kg SPARQL endpoint",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "HEAD", "POST"],
        allow_headers=CORS_HEADERS,
        allow_credentials=False,
        max_age=86400,
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(PageHeaders)

    app.add_exception_handler(QueryError, _query_error)
    app.add_exception_handler(HTTPException, _http_error)

    async def internal(_: Request, exc: Exception) -> Response:
        log.error("unexpected error", exc_info=exc)
        return _error(500, "internal error (logged on the server)")

    app.add_exception_handler(Exception, internal)

    def endpoint(request: Request) -> str:
        return settings.endpoint_url or str(request.url_for("sparql"))

    async def collect(query: str, fmt: str) -> bytes:
        answer = await store.run(Job(query=query, format=fmt, max_bytes=settings.max_result_bytes))
        return await answer.read()

    async def stream(job: Job) -> Response:
        answer = await store.run(job)
        if isinstance(answer.body, bytes):
            return Response(answer.body, media_type=answer.media_type, headers={"Vary": "Accept"})
        return StreamingResponse(
            answer.body, media_type=answer.media_type, headers={"Vary": "Accept"}
        )

    @app.get("/sparql", name="sparql")
    async def sparql(request: Request) -> Response:
        """Without a query (queries take the hot path): the service description or the page."""
        media = _negotiate(request, [*RDF_MEDIA, "text/html"])
        if media is None:
            return _error(406, "no acceptable format for the service description")
        if media == "text/html":
            return await querypage.query_page(collect)
        rows = text_rows(await collect(describe.GRAPHS_QUERY, "json"))
        triples = describe.service_description(endpoint(request), [r["g"] for r in rows])
        body = serialize(triples, format=GRAPH_FORMATS[media], prefixes=prefixes())
        return Response(body, media_type=media, headers={"Vary": "Accept"})

    app.include_router(querypage.router(collect))

    @app.get("/.well-known/void")
    async def void(request: Request) -> Response:
        """The dataset's VoID and DCAT description, as the build published it."""
        return await stream(
            Job(
                query=describe.VOID_QUERY,
                accept=request.headers.get("accept"),
                format=request.query_params.get("format"),
                max_bytes=settings.max_result_bytes,
            )
        )

    @app.get("/queries")
    async def queries(request: Request) -> Response:
        """The example queries: HTML for browsers, JSON otherwise."""
        rows = text_rows(await collect(describe.EXAMPLES_QUERY, "json"))
        examples = [
            {
                "name": r["example"].rsplit("/", 1)[-1],
                **{k: r[k] for k in ("label", "comment", "query", "keywords")},
            }
            for r in rows
        ]
        if _negotiate(request, ["application/json", "text/html"]) == "text/html":
            return HTMLResponse(pages.examples_page(examples))
        return JSONResponse(examples)

    app.include_router(evidence.router(collect, settings.draw_timeout))

    async def term(request: Request, base: str, path: str) -> Response:
        """A term of the graph under `base`: HTML for browsers, RDF by Accept."""
        media = _negotiate(request, [*RDF_MEDIA, "text/html"])
        if media is None:
            return _error(406, "no acceptable format for a resource")
        try:
            iri = NamedNode(base + path)
        except ValueError:
            return _error(404, f"no resource {path}")
        data = await collect(describe.resource_query(iri), "nt")
        triples = list(parse(data, format=RdfFormat.N_TRIPLES))
        if not triples:
            return _error(404, f"no resource {iri.value} in this graph")
        headers = {"Vary": "Accept", "Link": _alternates(request.url.path)}
        if media == "text/html":  # the evidence query runs for publications only
            publication = any(
                t.subject == iri and t.predicate == RDF_TYPE and t.object == IL2KG_PUBLICATION
                for t in triples
            )
            draw = settings.draw_timeout
            section = (
                await evidence.publication_section(collect, draw, iri.value) if publication else ""
            )
            return HTMLResponse(pages.resource_page(iri.value, triples, section), headers=headers)
        body = serialize(triples, format=GRAPH_FORMATS[media], prefixes=prefixes())
        return Response(body, media_type=media, headers=headers)

    @app.get("/resource/{path:path}")
    async def resource(request: Request, path: str) -> Response:
        """A resource of the graph (`il2r:...`)."""
        return await term(request, str(RES), path)

    @app.get("/ontology/{path:path}")
    async def ontology_term(request: Request, path: str) -> Response:
        """A term of the ontology (`il2kg:...`)."""
        return await term(request, str(IL2KG), path)

    return app
