"""SHACL on a graph of N-Triples (not a test): one engine, one process, figures as JSON.

    python benchmarks/shacl_store.py DATA.nt store [--disk DIR]  # on a pyoxigraph store
    python benchmarks/shacl_store.py DATA.nt rdflib  # `validate_fast`, an rdflib graph
    python benchmarks/shacl_store.py DATA.nt pyshacl  # plain pySHACL, an rdflib graph

The data (e.g. `benchmarks/generate.py`'s synthetic graph, written as N-Triples) is loaded
with the mappings as the build publishes them, then validated against the project's shapes
and ontology. Peak memory is this process's (max RSS), before and after validation. Run it
with another checkout's `src` first on PYTHONPATH to measure that code on the same data.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import RDF, Graph
from rdflib.namespace import SH

from il2kg.graph.mappings import mapping_graph, read_mapping_set
from il2kg.iris import DATA_GRAPH, MAPPINGS_GRAPH
from il2kg.paths import MAPPINGS_FILE, ONTOLOGY_FILE, SHAPES_FILE
from il2kg.pipeline import read_graph


def _peak_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def _cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(data: Path, engine: str, disk: Path | None) -> dict[str, Any]:
    """Load, then validate; the figures."""
    shapes, ontology = read_graph(SHAPES_FILE), read_graph(ONTOLOGY_FILE)
    mappings = mapping_graph(read_mapping_set(MAPPINGS_FILE))
    f: dict[str, Any] = {"engine": engine, "store": str(disk) if disk else "memory"}
    start = time.perf_counter()
    if engine == "store":
        from il2kg.checks.shacl import validate_store
        from il2kg.checks.store_view import to_quad

        store = ox.Store(str(disk)) if disk else ox.Store()
        store.bulk_load(path=data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(DATA_GRAPH))
        store.bulk_extend(to_quad(t, ox.NamedNode(MAPPINGS_GRAPH)) for t in mappings)
        f["triples"] = len(store)
        f["load_s"], f["peak_mb_before_validation"] = (
            round(time.perf_counter() - start, 2),
            _peak_mb(),
        )
        start, cpu = time.perf_counter(), _cpu_s()
        report = validate_store(store, shapes, ontology).graph
    else:
        from il2kg.checks.fast_shacl import validate_fast
        from il2kg.checks.shacl import pyshacl_report

        graph = Graph().parse(data, format="nt") + mappings
        f["triples"] = len(graph)
        f["load_s"], f["peak_mb_before_validation"] = (
            round(time.perf_counter() - start, 2),
            _peak_mb(),
        )
        start, cpu = time.perf_counter(), _cpu_s()
        check = validate_fast if engine == "rdflib" else pyshacl_report
        report = check(graph, shapes, ontology)
    f["validate_s"] = round(time.perf_counter() - start, 2)
    f["validate_cpu_s"] = round(_cpu_s() - cpu, 2)
    f["results"] = len(set(report.subjects(RDF.type, SH.ValidationResult)))
    f["peak_mb"] = _peak_mb()
    return f


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="N-Triples of the data graph")
    parser.add_argument("engine", choices=["store", "rdflib", "pyshacl"])
    parser.add_argument("--disk", type=Path, help="an on-disk (RocksDB) store here, not in memory")
    args = parser.parse_args()
    print(json.dumps(measure(args.data, args.engine, args.disk)), file=sys.stdout)


if __name__ == "__main__":
    main()
