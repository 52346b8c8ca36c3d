"""The query page (YASGUI, bundled) and the published prefixes it preloads."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, JSONResponse

from il2kg.iris import prefixes
from il2kg.publish.release import schema_org

STATIC = Path(__file__).parent / "static"
POLICY = ("default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
          "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
          "form-action 'self'; frame-ancestors 'none'")
"""The page loads, fetches and submits only from this server: the browser enforces it."""


@cache
def page_html() -> str:
    """The query page with the dataset's schema.org description (JSON-LD) in its head."""
    data = json.dumps(schema_org(), indent=1).replace("</", "<\\/")
    script = f'<script type="application/ld+json">\n{data}\n</script>\n'
    return (STATIC / "index.html").read_text(encoding="utf-8").replace("</head>",
                                                                      script + "</head>", 1)


def query_page() -> HTMLResponse:
    """The query page, under a policy that lets it reach no other server."""
    return HTMLResponse(page_html(), headers={"Content-Security-Policy": POLICY})


router = APIRouter()


@router.get("/")
async def index() -> HTMLResponse:
    """The query page."""
    return query_page()


@router.get("/prefixes")
async def published_prefixes() -> JSONResponse:
    """The published prefix map, prefix to namespace IRI (what the editor completes)."""
    return JSONResponse(prefixes())
