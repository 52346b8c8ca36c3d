"""Forest plots of response estimates (matplotlib, no pyplot: safe in a server thread).

One row per study x cohort x category: point estimate, 95% interval (filled marker: reported
by the source; open marker: derived Clopper-Pearson), n/N, diseases and treatment context.
No pooled estimate is drawn: the studies differ in disease, line of therapy and selection.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.transforms import Transform, blended_transform_factory

from il2kg.errors import UsageError
from il2kg.evidence.rows import EvidenceRow, by_category, rows_from_json, select
from il2kg.files import write_atomic

ROW_HEIGHT = 0.32  # inches per row
TEXT_COLUMNS = ((0.01, "study"), (0.2, "disease"), (0.41, "context"), (0.57, "n/N"))
PLOT_LEFT, PLOT_RIGHT = 0.62, 0.79
# Every string is drawn as the text it is: a '$' in a label is a dollar, never mathematics.
LITERAL: dict[str, Any] = {"parse_math": False, "usetex": False}
NOTE = (
    "Filled square: 95% interval reported by the source; open square: exact "
    "(Clopper-Pearson, CP) 95% interval derived from n/N; dot: estimate without an interval "
    "(no n/N). * derived by il2kg. ‡ reported, differs from n/N (see the record's curation "
    "note): no interval derived for it. Context 'how the cohort was selected': the outcome "
    "of a prior treatment the cohort was chosen on, not an effect of it. Each row has its own "
    "treatment. No pooled estimate."
)
TITLE = "Response outcomes by category"
DRAW_SECONDS = 30.0  # the default time for drawing a plot in a child (server and command line)
Wanted = dict[str, list[str]]  # selector -> names, as `rows.select` takes them
TEXT_SIZE, HEADING_SIZE = 9.5, 10.5


def _lines(rows: list[EvidenceRow]) -> list[EvidenceRow | str]:
    """The plot's lines top to bottom: a heading per category, then its rows."""
    lines: list[EvidenceRow | str] = []
    for category, members in by_category(rows).items():
        lines += [category, *members]
    return lines


def _short(text: str, width: int) -> str:
    """Text cut to `width` characters, with an ellipsis when cut."""
    return text if len(text) <= width else text[: width - 1] + "…"


def _estimate_text(row: EvidenceRow) -> str:
    """'16% (12-21, reported)', '10%* (2.79-23.66, CP)' or '6.6%'."""
    estimate = f"{row.percent.normalize():f}%{row.mark}"
    if row.lower is None or row.upper is None:
        return estimate
    source = "CP" if row.interval_derived else "reported"
    return f"{estimate} ({row.lower.normalize():f}-{row.upper.normalize():f}, {source})"


def figure(rows: list[EvidenceRow], title: str | None = TITLE) -> Figure:
    """A forest plot of the rows, grouped by category (titled unless `title` is None, e.g.
    on a page that has its own heading)."""
    lines = _lines(rows)
    height = ROW_HEIGHT * (len(lines) + 4)
    fig = Figure(figsize=(13, height))
    ax = fig.add_axes((PLOT_LEFT, 1.0 / height, PLOT_RIGHT - PLOT_LEFT, 1 - 1.5 / height))
    ax.set_ylim(len(lines) - 0.5, -1.5)
    ax.set_xlim(0, 100)
    ax.set_xlabel("percent of patients (95% interval)")
    ax.set_yticks([])
    ax.grid(axis="x", color="#ddd", linewidth=0.6)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    text = blended_transform_factory(fig.transFigure, ax.transData)
    for x, heading in (*TEXT_COLUMNS, (PLOT_RIGHT + 0.01, "estimate, 95% interval")):
        ax.text(
            x,
            -1,
            heading,
            transform=text,
            weight="bold",
            va="center",
            fontsize=TEXT_SIZE,
            **LITERAL,
        )
    for y, line in enumerate(lines):
        if isinstance(line, str):
            ax.text(
                0.01,
                y,
                line.capitalize(),
                transform=text,
                weight="bold",
                va="center",
                fontsize=HEADING_SIZE,
                color="#124",
                **LITERAL,
            )
            continue
        _draw_row(ax, text, y, line)
    fig.text(0.01, 0.1 / height, NOTE, fontsize=TEXT_SIZE - 1, color="#444", wrap=True, **LITERAL)
    if title is not None:
        fig.text(0.01, 1 - 0.3 / height, title, fontsize=12, weight="bold", **LITERAL)
    return fig


def _draw_row(ax: Axes, text: Transform, y: int, row: EvidenceRow) -> None:
    """One study row: its text columns, interval and point estimate."""
    cells = (_short(row.publication_label, 28), _short(row.diseases, 32), row.context, row.counts)
    for (x, _), cell in zip(TEXT_COLUMNS, cells, strict=True):
        ax.text(x, y, cell, transform=text, va="center", fontsize=TEXT_SIZE, **LITERAL)
    ax.text(
        PLOT_RIGHT + 0.01,
        y,
        _estimate_text(row),
        transform=text,
        va="center",
        fontsize=TEXT_SIZE,
        **LITERAL,
    )
    if row.lower is None or row.upper is None:
        ax.plot([float(row.percent)], [y], marker="o", markersize=4, color="#777")
        return
    ax.plot([float(row.lower), float(row.upper)], [y, y], color="#333", linewidth=1.2)
    face = "white" if row.interval_derived else "#124"
    ax.plot(
        [float(row.percent)],
        [y],
        marker="s",
        markersize=6,
        color="#124",
        markerfacecolor=face,
        linestyle="none",
    )


def draw_forest(rows: list[EvidenceRow], fmt: str, title: str | None = TITLE) -> bytes:
    """The forest plot as PNG or SVG bytes."""
    buffer = io.BytesIO()
    with rc_context({"svg.fonttype": "none", "svg.hashsalt": "il2kg"}):
        figure(rows, title).savefig(
            buffer, format=fmt, dpi=110, metadata={"Date": None} if fmt == "svg" else None
        )
    return buffer.getvalue()


def write_within(payload: bytes, out: Path, seconds: float, wanted: Wanted) -> Path:
    """Write the forest plot of a rows query's SPARQL JSON result (the rows `wanted` selects)
    to `out` (whole or not at all), its format given by the suffix (.png or .svg), drawn
    within `seconds`; UsageError when it is not."""
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("png", "svg"):
        raise UsageError(f"{out}: the forest plot is written as .png or .svg, not {out.suffix!r}")
    drawn = draw_forest_within(payload, fmt, seconds, title=TITLE, wanted=wanted)
    if drawn is None:
        raise UsageError(
            f"{out}: drawing the forest plot took longer than {seconds:g} s (--timeout); "
            "choose fewer rows (--category, --disease, --context, --study)"
        )
    return write_atomic(out, drawn)


def draw_forest_within(
    payload: bytes,
    fmt: str,
    seconds: float,
    *,
    publication: str | None = None,
    title: str | None = None,
    wanted: Wanted | None = None,
) -> bytes | None:
    """The forest plot of a rows query's SPARQL JSON result (all rows, one publication's, or
    those `wanted` selects), untitled unless told (a page has its own title), drawn by a
    child process; None when it takes longer than `seconds` (the child is killed: a large
    plot takes minutes and gigabytes)."""
    choice = json.dumps({"publication": publication, "title": title, "wanted": wanted or {}})
    command = [sys.executable, "-m", "il2kg.evidence.forest", fmt, choice]
    try:
        return subprocess.run(
            command, input=payload, capture_output=True, timeout=seconds, check=True
        ).stdout
    except subprocess.TimeoutExpired:
        return None


if __name__ == "__main__":  # draw_forest_within's child: FORMAT CHOICE, the rows on stdin
    given = json.loads(sys.argv[2])
    chosen = [
        row
        for row in select(rows_from_json(sys.stdin.buffer.read()), **given["wanted"])
        if given["publication"] in (None, row.publication)
    ]
    sys.stdout.buffer.write(draw_forest(chosen, sys.argv[1], title=given["title"]))
