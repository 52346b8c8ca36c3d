"""The evidence page (`/evidence`): forest plots as inline SVG and the table behind them."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from functools import lru_cache
from html import escape

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from il2kg.evidence.forest import NOTE, draw_forest_within
from il2kg.evidence.rows import ROWS_QUERY, EvidenceRow, by_category, rows_from_json
from il2kg.server.pages import link, page

Collect = Callable[[str, str], Awaitable[bytes]]
PROLOG = re.compile(rb"^.*?(?=<svg)", re.DOTALL)
COLUMNS = (
    "study",
    "cohort",
    "disease",
    "treatment",
    "context",
    "n/N",
    "estimate",
    "95% interval",
    "outcome",
)


def _cells(row: EvidenceRow) -> tuple[str, ...]:
    """The table cells of one row, as HTML."""
    return (
        link(row.publication, row.publication_label),
        link(row.cohort, row.cohort_label),
        escape(row.diseases),
        link(row.treatment, row.treatment_label),
        escape(row.context),
        escape(row.counts),
        f"{row.percent.normalize():f}%{row.mark}",
        escape(row.interval),
        link(row.outcome, row.outcome_label),
    )


def _table(rows: list[EvidenceRow]) -> str:
    """The evidence table: a heading row per category, one row per outcome."""
    head = "".join(f"<th>{c}</th>" for c in COLUMNS)
    body = ""
    for category, members in by_category(rows).items():
        body += f'<tr><th colspan="{len(COLUMNS)}">{escape(category)}</th></tr>'
        body += "".join(
            "<tr>" + "".join(f"<td>{c}</td>" for c in _cells(r)) + "</tr>" for r in members
        )
    return f'<table class="evidence"><tr>{head}</tr>{body}</table>'


def evidence_html(rows: list[EvidenceRow], svg: bytes | None, seconds: float) -> str:
    """The forest plot (inline SVG, or a note when it took longer than `seconds` to draw),
    then the table behind it ('' without rows)."""
    if not rows:
        return ""
    figure = (
        f'<figure class="forest">{PROLOG.sub(b"", svg).decode()}</figure>'
        if svg
        else f"<p>The forest plot took longer than {seconds:g} s to draw and is left out; "
        "the table has every row.</p>"
    )
    return (
        f"{figure}{_table(rows)}"
        "<p><small>n/N: count over denominator; * derived by il2kg (an il2kg:DerivedValue "
        f"in the graph); ? not given by the source. {escape(NOTE)}</small></p>"
    )


@lru_cache(maxsize=64)
def _rendered(payload: bytes, publication: str | None, seconds: float) -> str:
    """The evidence HTML of a query result, for all rows or one publication's, its plot drawn
    within `seconds` (cached)."""
    rows = [r for r in rows_from_json(payload) if publication in (None, r.publication)]
    svg = draw_forest_within(payload, "svg", seconds, publication=publication) if rows else None
    return evidence_html(rows, svg, seconds)


async def evidence_section(collect: Collect, seconds: float, publication: str | None = None) -> str:
    """The evidence HTML of the graph, or of one publication's outcomes ('' if none)."""
    payload = await collect(ROWS_QUERY, "json")
    return await run_in_threadpool(_rendered, payload, publication, seconds)


async def publication_section(collect: Collect, seconds: float, iri: str) -> str:
    """A publication's response outcomes for its resource page ('' for other resources)."""
    body = await evidence_section(collect, seconds, iri)
    return f"<h2>Response outcomes</h2>{body}" if body else ""


def router(collect: Collect, seconds: float) -> APIRouter:
    """The `/evidence` route over a query runner returning serialised results; plots take at
    most `seconds` to draw."""
    routes = APIRouter()

    @routes.get("/evidence")
    async def evidence() -> HTMLResponse:
        """Forest plots of every response outcome and the table behind them."""
        body = (
            await evidence_section(collect, seconds)
            or "<p>No response outcome has an estimate.</p>"
        )
        return HTMLResponse(
            page(
                "il2kg evidence",
                f"<h1>Response outcomes</h1><p>Every "
                "response outcome in the graph, by category; each row has its "
                f"own treatment and context.</p>{body}",
                wide=True,
            )
        )

    return routes
