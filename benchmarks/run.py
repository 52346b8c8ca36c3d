"""Benchmark suite (not a test): build, validate, load and query synthetic graphs by size.

    python benchmarks/run.py --sizes 10k 100k --reasoning 100 --http --json results.json

Every stage runs in its own process so its peak memory (max RSS) is its own. Peers are
measured in the same run on the same data: plain pySHACL for validation, rdflib for loading,
raw pyoxigraph for queries, and the HTTP figures of `benchmarks/http_bench.py` (wrk against
il2kg, rdflib-endpoint and `oxigraph serve`) when asked. `--no-peers` measures il2kg only.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SIZES = {"tiny": 2_000, "10k": 10_000, "100k": 100_000, "1M": 1_000_000, "10M": 10_000_000}
LOOKUP = """SELECT ?label WHERE { GRAPH ?g {
  <https://w3id.org/il2kg/resource/synthetic-0000001/cohort/all>
    <http://www.w3.org/2000/01/rdf-schema#label> ?label } }"""
AGGREGATE = """PREFIX il2kg: <https://w3id.org/il2kg/ontology/>
SELECT ?category (COUNT(?o) AS ?outcomes) (SUM(?n) AS ?patients) WHERE { GRAPH ?g {
  ?o il2kg:hasCategory ?category . OPTIONAL { ?o il2kg:count ?n } } } GROUP BY ?category"""


def _peak_mb() -> float:
    """This process's peak resident memory in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _timed(figures: dict[str, Any], name: str, action: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    value = action()
    figures[name] = round(time.perf_counter() - start, 3)
    return value


def stage_build(records: int, out: Path) -> dict[str, Any]:
    """Records to quads in a store to files, then the files into a store and two queries."""
    from pyoxigraph import Store

    from benchmarks.generate import synthetic_records
    from il2kg.graph.mappings import mapping_graph, read_mapping_set
    from il2kg.graph.quads import DATA, count, fill
    from il2kg.iris import prefixes
    from il2kg.paths import MAPPINGS_FILE, ONTOLOGY_FILE
    from il2kg.pipeline import read_graph
    from il2kg.publish.dist import publish_written
    from il2kg.publish.serialise import write_release
    from il2kg.publish.store import open_store

    f: dict[str, Any] = {"records": records}
    ontology, mappings = read_graph(ONTOLOGY_FILE), mapping_graph(read_mapping_set(MAPPINGS_FILE))
    recs = _timed(f, "generate_s", lambda: list(synthetic_records(records)))
    with tempfile.TemporaryDirectory(prefix="il2kg-bench-store-") as work:
        built = _timed(f, "convert_s", lambda: fill(Store(work), recs, mappings))
        f["triples"] = count(built, DATA)

        def write(directory: Path) -> None:
            write_release(directory, built, ontology, prefixes())

        _timed(f, "render_s", lambda: publish_written(write, out))
    store = _timed(f, "store_load_s", lambda: open_store(out))
    f["lookup_ms"] = round(1000 * _best(lambda: list(store.query(LOOKUP))), 3)
    f["aggregate_ms"] = round(1000 * _best(lambda: list(store.query(AGGREGATE))), 3)
    f["build_s"] = round(sum(f[k] for k in ("convert_s", "render_s", "store_load_s")), 3)
    f["build_triples_per_s"] = round(f["triples"] / f["build_s"])
    f["peak_mb"] = round(_peak_mb())
    return f


def _best(action: Callable[[], Any], repeat: int = 5) -> float:
    """The fastest of a few runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def stage_validate(records: int, engine: str) -> dict[str, Any]:
    """SHACL validation of the synthetic graph (with its defects) by one engine.

    `il2kg` and `pyshacl` validate the whole graph, built first; `il2kg-records` converts
    and validates batches of records in worker processes (`benchmarks/batches.py`), so its time
    includes the conversion and no process holds the whole graph.
    """
    from rdflib import RDF
    from rdflib.namespace import SH

    from benchmarks.batches import validate_records
    from benchmarks.generate import synthetic_records
    from il2kg.checks.fast_shacl import validate_fast
    from il2kg.checks.shacl import pyshacl_report
    from il2kg.graph.convert import records_to_graph
    from il2kg.graph.mappings import mapping_graph, read_mapping_set
    from il2kg.paths import MAPPINGS_FILE, ONTOLOGY_FILE, SHAPES_FILE
    from il2kg.pipeline import read_graph

    shapes, ontology = read_graph(SHAPES_FILE), read_graph(ONTOLOGY_FILE)
    f: dict[str, Any] = {"engine": engine}
    if engine == "il2kg-records":
        recs = list(synthetic_records(records))
        mappings = mapping_graph(read_mapping_set(MAPPINGS_FILE))
        before = _peak_mb()
        report = _timed(f, "validate_s", lambda: validate_records(recs, shapes, ontology, mappings))
        f["peak_mb_worker"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    else:
        graph = records_to_graph(synthetic_records(records))
        f["triples"] = len(graph)
        before = _peak_mb()
        check = validate_fast if engine == "il2kg" else pyshacl_report
        report = _timed(f, "validate_s", lambda: check(graph, shapes, ontology))
    f["results"] = len(set(report.subjects(RDF.type, SH.ValidationResult)))
    f["peak_mb"] = round(_peak_mb())
    f["peak_mb_before_validation"] = round(before)
    return f


def stage_load(nt_file: Path, engine: str) -> dict[str, Any]:
    """Load the built N-Triples into rdflib or pyoxigraph."""
    f: dict[str, Any] = {"engine": engine}
    if engine == "rdflib":
        from rdflib import Graph

        graph = _timed(f, "load_s", lambda: Graph().parse(nt_file, format="nt"))
        f["triples"] = len(graph)
    else:
        from pyoxigraph import RdfFormat, Store

        store = Store()
        _timed(f, "load_s", lambda: store.bulk_load(path=nt_file, format=RdfFormat.N_TRIPLES))
        f["triples"] = len(store)
    f["peak_mb"] = round(_peak_mb())
    return f


def stage_reasoning(records: int) -> dict[str, Any]:
    """HermiT over the ontology and the synthetic graph, with il2kg's reasoning module."""
    from benchmarks.generate import synthetic_records
    from il2kg.checks.reasoning import reason
    from il2kg.graph.convert import records_to_graph
    from il2kg.paths import ONTOLOGY_FILE
    from il2kg.pipeline import read_graph

    graph = records_to_graph(synthetic_records(records, defect_every=0))
    f: dict[str, Any] = {"studies": records, "triples": len(graph)}
    _timed(f, "reason_s", lambda: reason(read_graph(ONTOLOGY_FILE), graph))
    f["peak_mb"] = round(_peak_mb())
    return f


STAGES: dict[str, Callable[..., dict[str, Any]]] = {
    "build": stage_build,
    "validate": stage_validate,
    "load": stage_load,
    "reasoning": stage_reasoning,
}


def in_process(stage: str, *args: object, timeout: float) -> dict[str, Any]:
    """Run one stage in a fresh interpreter; its figures, or the reason it gave none."""
    command = [sys.executable, __file__, "--stage", stage, *map(str, args)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"not_measured": f"stopped after the {timeout:.0f} s limit"}
    if done.returncode != 0:
        return {"not_measured": f"failed: {done.stderr.strip().splitlines()[-1:]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def records_for(size: str) -> int:
    """The number of synthetic records that make about the named number of triples."""
    from benchmarks.generate import records_for as count

    return count(SIZES[size])


def run_size(size: str, work: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Every figure for one size."""
    records = records_for(size)
    out = work / f"dist-{size}"
    row: dict[str, Any] = {"size": size, "records": records}
    row["build"] = in_process("build", records, out, timeout=args.timeout)
    row["validate"] = in_process("validate", records, "il2kg", timeout=args.timeout)
    row["validate_records"] = in_process("validate", records, "il2kg-records", timeout=args.timeout)
    peers = not args.no_peers and SIZES[size] <= SIZES[args.peer_max]
    row["validate_pyshacl"] = (
        in_process("validate", records, "pyshacl", timeout=args.timeout)
        if peers
        else {"not_measured": f"peers off (--no-peers or above --peer-max {args.peer_max})"}
    )
    nt_file = out / "il2kg.nt"
    if nt_file.is_file():
        row["load_pyoxigraph"] = in_process("load", nt_file, "pyoxigraph", timeout=args.timeout)
        if not args.no_peers:
            row["load_rdflib"] = in_process("load", nt_file, "rdflib", timeout=args.timeout)
    if args.http and out.is_dir() and SIZES[size] <= SIZES[args.http_max]:
        row["http"] = http_figures(out, work / f"http-{size}.json", args)
    return row


def http_figures(dist: Path, figures: Path, args: argparse.Namespace) -> dict[str, Any]:
    """The figures of benchmarks/http_bench.py (wrk, 16 clients) on this size's build."""
    servers = ["il2kg"] if args.no_peers else ["il2kg", "rdflib-endpoint", "oxigraph"]
    command = [
        sys.executable,
        str(ROOT / "benchmarks" / "http_bench.py"),
        "--dist",
        str(dist),
        "--seconds",
        str(args.http_seconds),
        "--json",
        str(figures),
        "--servers",
        *servers,
    ]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=args.timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return {"not_measured": "http_bench.py timed out"}
    if done.returncode != 0:
        return {"not_measured": f"http_bench.py failed: {done.stderr.strip()[-500:]}"}
    print(done.stdout, file=sys.stderr)
    return json.loads(figures.read_text(encoding="utf-8"))


def machine() -> dict[str, str]:
    """A description of the machine the figures come from."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        (
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "0",
    )
    import os

    import pyoxigraph
    import pyshacl
    import rdflib

    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory_gb": f"{int(memory) / 1e6:.1f}",
        "python": platform.python_version(),
        "system": platform.platform(),
        "rdflib": rdflib.__version__,
        "pyshacl": pyshacl.__version__,
        "pyoxigraph": pyoxigraph.__version__,
    }


def main() -> None:
    """Parse arguments; run one stage (internal) or the whole suite."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", choices=list(SIZES), default=["10k", "100k"])
    parser.add_argument(
        "--peer-max",
        choices=list(SIZES),
        default="10k",
        help="largest size at which plain pySHACL is run (it is slow)",
    )
    parser.add_argument(
        "--reasoning",
        nargs="*",
        type=int,
        default=[],
        help="numbers of synthetic studies to reason over (e.g. 10 100 1000)",
    )
    parser.add_argument(
        "--no-peers",
        action="store_true",
        help="measure il2kg only (no pySHACL, rdflib, rdflib-endpoint or oxigraph serve)",
    )
    parser.add_argument("--http", action="store_true", help="run benchmarks/http_bench.py per size")
    parser.add_argument("--http-seconds", type=float, default=10.0)
    parser.add_argument(
        "--http-max", choices=list(SIZES), default="100k", help="largest size served over HTTP"
    )
    parser.add_argument("--timeout", type=float, default=1800.0, help="limit per stage, seconds")
    parser.add_argument("--json", type=Path, help="write every figure here")
    parser.add_argument("--plot", type=Path, help="write a PNG plot here (needs matplotlib)")
    parser.add_argument("--stage", choices=list(STAGES), help=argparse.SUPPRESS)
    parser.add_argument("stage_args", nargs="*", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage:
        params = [int(a) if a.isdigit() else (Path(a) if "/" in a else a) for a in args.stage_args]
        print(json.dumps(STAGES[args.stage](*params)))
        return
    with tempfile.TemporaryDirectory(prefix="il2kg-bench-") as work:
        results = {
            "machine": machine(),
            "command": " ".join(["python", *sys.argv]),
            "sizes": [],
            "reasoning": [],
        }
        for size in args.sizes:
            row = run_size(size, Path(work), args)
            results["sizes"].append(row)
            print(json.dumps(row), flush=True)
        for studies in args.reasoning:
            row = {"studies": studies, **in_process("reasoning", studies, timeout=args.timeout)}
            results["reasoning"].append(row)
            print(json.dumps(row), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if args.plot:
        from benchmarks.plot import plot

        plot(results, args.plot)


if __name__ == "__main__":
    main()
