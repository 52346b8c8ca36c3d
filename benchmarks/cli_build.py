"""Benchmark (not a test): `il2kg build --no-reasoning` of a synthetic project, beside
`oxigraph load` of the same `il2kg.nq`, in one run.

    python benchmarks/cli_build.py 1500 --work /tmp/cli-1m --json cli-1m.json

Writes a project of that many synthetic records (`benchmarks/generate.write_project`:
seeds and the source texts they quote, so the audit passes; about 670 data triples a
record), then measures, each in its own process (wall time, CPU time, max RSS): the real
command line building it (loading, audit, conversion into the store, SHACL, the release
files), and Oxigraph's own bulk loader on the N-Quads it wrote (the peer). The machine's
load average is recorded before and after: wall times on a shared machine are inflated.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import write_project  # noqa: E402
from benchmarks.scale import measured  # noqa: E402

BIN = Path(sys.executable).parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", type=int, help="how many synthetic records")
    parser.add_argument("--work", type=Path, required=True, help="a directory with room")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    project, dist = args.work / "project", args.work / "project" / "dist"
    if not (project / "seeds").is_dir():
        start = time.perf_counter()
        write_project(args.records, project)
        print(f"project written in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    figures: dict[str, Any] = {"records": args.records, "load_avg_before": os.getloadavg()[0]}
    build = [str(BIN / "il2kg"), "build", "--no-reasoning", "--out", str(dist)]
    figures["il2kg_build"] = measured(build, cwd=project)
    figures["load_avg_between"] = os.getloadavg()[0]
    store = args.work / "oxigraph"
    shutil.rmtree(store, ignore_errors=True)
    load = [str(BIN / "oxigraph"), "load", "--location", str(store), "--file"]
    figures["oxigraph_load"] = measured([*load, str(dist / "il2kg.nq")])
    figures["load_avg_after"] = os.getloadavg()[0]
    with (dist / "il2kg.nt").open("rb") as nt:
        figures["data_and_mapping_triples"] = sum(1 for _ in nt)
    ours, peer = figures["il2kg_build"], figures["oxigraph_load"]
    figures["ratio_wall"] = round(ours["wall_s"] / peer["wall_s"], 2)
    figures["ratio_cpu"] = round(ours["cpu_s"] / peer["cpu_s"], 2)
    print(json.dumps(figures, indent=1))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n")


if __name__ == "__main__":
    main()
