"""A PNG of the benchmark figures against graph size (matplotlib, a benchmark-only dependency)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

STAGE_TIMES = (
    ("build", "build_s", "build (convert+render+write+store)"),
    ("validate", "validate_s", "validate, il2kg"),
    ("validate_records", "validate_s", "convert+validate by record batches, il2kg"),
    ("validate_pyshacl", "validate_s", "validate, plain pySHACL"),
    ("load_pyoxigraph", "load_s", "load N-Triples, pyoxigraph"),
    ("load_rdflib", "load_s", "load N-Triples, rdflib"),
)


def plot(results: dict[str, Any], path: Path) -> None:
    """Stage times, query latency and HTTP throughput against triples, log-log."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in results["sizes"] if "triples" in r.get("build", {})]
    figure, (times, latency, http) = plt.subplots(1, 3, figsize=(16, 4.2))
    for stage, key, label in STAGE_TIMES:
        points = [(r["build"]["triples"], r[stage][key]) for r in rows if key in r.get(stage, {})]
        if points:
            times.plot(*zip(*points, strict=True), marker="o", label=label)
    for key, label in (("lookup_ms", "lookup query"), ("aggregate_ms", "GROUP BY query")):
        points = [(r["build"]["triples"], r["build"][key]) for r in rows]
        if points:
            latency.plot(*zip(*points, strict=True), marker="o", label=label)
    lines: dict[str, list[tuple[int, float]]] = {}
    for r in rows:
        for server, by_query in r.get("http", {}).get("servers", {}).items():
            for query, figures in by_query.items():
                lines.setdefault(f"{server}, {query}", []).append(
                    (r["build"]["triples"], figures["req_s"])
                )
    for label, points in lines.items():
        http.plot(*zip(*points, strict=True), marker="o", label=label)
    for axis, title, unit in (
        (times, "Stage time", "seconds"),
        (latency, "Query latency on pyoxigraph (in process)", "ms"),
        (http, "HTTP throughput, 16 clients (wrk)", "requests/s"),
    ):
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("triples")
        axis.set_ylabel(unit)
        axis.set_title(title)
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
