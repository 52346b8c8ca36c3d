"""The query page (YASGUI, bundled) and the published prefixes it preloads."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, JSONResponse

from il2kg.namespaces import prefixes

STATIC = Path(__file__).parent / "static"
POLICY = ("default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
          "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
          "form-action 'self'; frame-ancestors 'none'")
"""The page loads, fetches and submits only from this server: the browser enforces it."""


def query_page() -> FileResponse:
    """The query page, under a policy that lets it reach no other server."""
    return FileResponse(STATIC / "index.html", headers={"Content-Security-Policy": POLICY})


router = APIRouter()


@router.get("/")
async def index() -> FileResponse:
    """The query page."""
    return query_page()


@router.get("/prefixes")
async def published_prefixes() -> JSONResponse:
    """The published prefix map, prefix to namespace IRI (what the editor completes)."""
    return JSONResponse(prefixes())
