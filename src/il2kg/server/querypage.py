"""The query page (YASGUI, bundled) and the published prefixes it preloads.

Its head carries the served dataset's schema.org description, read from the VoID graph of
the store it serves (what that build says about itself), not from il2kg's own metadata."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, JSONResponse
from pyoxigraph import RdfFormat, parse

from il2kg.iris import prefixes
from il2kg.publish.release import dataset_from_void, schema_org
from il2kg.server.describe import VOID_QUERY
from il2kg.server.evidence import Collect

STATIC = Path(__file__).parent / "static"
POLICY = (
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
"""The page loads, fetches and submits only from this server: the browser enforces it."""


@lru_cache(maxsize=8)
def page_html(void: bytes) -> str:
    """The query page with the schema.org description (JSON-LD) of the dataset whose VoID
    (N-Triples) is given in its head."""
    dataset = dataset_from_void(parse(void, format=RdfFormat.N_TRIPLES))
    data = json.dumps(schema_org(dataset), indent=1).replace("</", "<\\/")
    script = f'<script type="application/ld+json">\n{data}\n</script>\n'
    return (
        (STATIC / "index.html")
        .read_text(encoding="utf-8")
        .replace("</head>", script + "</head>", 1)
    )


async def query_page(collect: Collect) -> HTMLResponse:
    """The query page, under a policy that lets it reach no other server."""
    void = await collect(VOID_QUERY, "nt")
    return HTMLResponse(page_html(void), headers={"Content-Security-Policy": POLICY})


def router(collect: Collect) -> APIRouter:
    """The query page at `/` and the prefixes it completes, over a query runner."""
    routes = APIRouter()

    @routes.get("/")
    async def index() -> HTMLResponse:
        """The query page."""
        return await query_page(collect)

    @routes.get("/prefixes")
    async def published_prefixes() -> JSONResponse:
        """The published prefix map, prefix to namespace IRI (what the editor completes)."""
        return JSONResponse(prefixes())

    return routes
