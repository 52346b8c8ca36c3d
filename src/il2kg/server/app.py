"""The web application: SPARQL 1.1 Protocol, service description, VoID, pages, resources."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Protocol

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pyoxigraph import NamedNode, RdfFormat, parse, serialize
from starlette.responses import PlainTextResponse, StreamingResponse

from il2kg.namespaces import prefixes
from il2kg.server import describe, evidence, pages
from il2kg.server.guard import Refused, check_services
from il2kg.server.negotiation import GRAPH_FORMATS, best, by_name
from il2kg.server.pool import Answer, QueryError
from il2kg.server.protocol import ProtocolError, QueryRequest, read_request
from il2kg.server.settings import Settings
from il2kg.server.worker import Job

log = logging.getLogger("il2kg.server")
STATIC = Path(__file__).parent / "static"
RDF_MEDIA = list(dict.fromkeys(GRAPH_FORMATS))


class Engine(Protocol):
    """Where queries run: worker processes over a local store, or a remote endpoint."""

    async def start(self) -> None:
        """Get ready to answer."""

    async def stop(self) -> None:
        """Release every resource."""

    async def run(self, job: Job) -> Answer:
        """Answer one query."""


def _error(status: int, message: str) -> Response:
    return PlainTextResponse(message + "\n", status_code=status)


def _negotiate(request: Request, offered: list[str]) -> str | None:
    """The media type to answer with: `format=` if it names one, else by Accept."""
    named = by_name(request.query_params.get("format"), offered, graph=True)
    return named or best(request.headers.get("accept"), offered)


def create_app(store: Engine, settings: Settings) -> FastAPI:
    """The endpoint application over one query engine; all state lives in its arguments."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await store.start()
        try:
            yield
        finally:
            await store.stop()

    app = FastAPI(title="il2kg SPARQL endpoint", lifespan=lifespan, docs_url=None,
                  redoc_url=None, openapi_url=None)
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"],
                       allow_headers=["Accept", "Content-Type"], allow_credentials=False)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    for kind in (ProtocolError, QueryError):
        app.add_exception_handler(kind, lambda _, exc: _error(exc.status, exc.message))
    app.add_exception_handler(Refused, lambda _, exc: _error(403, str(exc)))

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
        return StreamingResponse(answer.body, media_type=answer.media_type,
                                 headers={"Vary": "Accept"})

    async def run_query(request: Request, req: QueryRequest) -> Response:
        check_services(req.query or "")
        return await stream(Job(
            query=req.query or "", accept=request.headers.get("accept"), format=req.format,
            default_graphs=req.default_graphs, named_graphs=req.named_graphs,
            max_bytes=settings.max_result_bytes))

    async def service(request: Request) -> Response:
        media = _negotiate(request, [*RDF_MEDIA, "text/html"])
        if media is None:
            return _error(406, "no acceptable format for the service description")
        if media == "text/html":
            return FileResponse(STATIC / "index.html")
        rows = json.loads(await collect(describe.GRAPHS_QUERY, "json"))["results"]["bindings"]
        triples = describe.service_description(
            endpoint(request), [r["g"]["value"] for r in rows])
        body = serialize(triples, format=GRAPH_FORMATS[media], prefixes=prefixes())
        return Response(body, media_type=media, headers={"Vary": "Accept"})

    @app.api_route("/sparql", methods=["GET", "POST"], name="sparql")
    async def sparql(request: Request) -> Response:
        """SPARQL 1.1 Protocol; without a query, the service description or the page."""
        req = await read_request(request, settings.max_body_bytes)
        if req.query is None:
            return await service(request)
        return await run_query(request, req)

    @app.get("/")
    async def index() -> Response:
        """The query page."""
        return FileResponse(STATIC / "index.html")

    @app.get("/.well-known/void")
    async def void(request: Request) -> Response:
        """The dataset's VoID description, counted from the store."""
        return await stream(Job(query=describe.void_query(endpoint(request)),
                                accept=request.headers.get("accept"),
                                format=request.query_params.get("format"),
                                max_bytes=settings.max_result_bytes))

    @app.get("/queries")
    async def queries(request: Request) -> Response:
        """The example queries: HTML for browsers, JSON otherwise."""
        rows = json.loads(await collect(describe.EXAMPLES_QUERY, "json"))["results"]["bindings"]
        examples = [{"name": r["example"]["value"].rsplit("/", 1)[-1],
                     **{k: r[k]["value"] for k in ("label", "comment", "query", "keywords")}}
                    for r in rows]
        if _negotiate(request, ["application/json", "text/html"]) == "text/html":
            return HTMLResponse(pages.examples_page(examples))
        return JSONResponse(examples)

    app.include_router(evidence.router(collect))

    @app.get("/resource/{path:path}")
    async def resource(request: Request, path: str) -> Response:
        """A resource of the graph: HTML for browsers, RDF by Accept."""
        media = _negotiate(request, [*RDF_MEDIA, "text/html"])
        if media is None:
            return _error(406, "no acceptable format for a resource")
        try:
            iri = NamedNode(describe.RESOURCE_BASE + path)
        except ValueError:
            return _error(404, f"no resource {path}")
        data = await collect(describe.resource_query(iri), "nt")
        triples = list(parse(data, format=RdfFormat.N_TRIPLES))
        if not triples:
            return _error(404, f"no resource {iri.value} in this graph")
        if media == "text/html":
            section = await evidence.publication_section(collect, iri.value)
            return HTMLResponse(pages.resource_page(iri.value, triples, section))
        body = serialize(triples, format=GRAPH_FORMATS[media], prefixes=prefixes())
        return Response(body, media_type=media, headers={"Vary": "Accept"})

    return app
