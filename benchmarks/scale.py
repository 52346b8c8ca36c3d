"""Benchmark (not a test): a build's N-Quads at 10x its size, loaded by one machine.

    python benchmarks/scale.py DIST_1M --times 10 --work /tmp/scale --json scale.json

Writes the data graph of a build `--times` times, each copy under renamed record ids
(`synthetic-0000001` -> `synthetic-0000001x3`), and every other graph once: the same shape
of data at `--times` the size, written as a stream. Then measures, each in its own process
(wall time, max RSS): `oxigraph load` of the file (the peer), and `il2kg load --to` an
Oxigraph server (`oxigraph serve`) from a dist holding it, with the server's peak memory.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

DATA = "<https://w3id.org/il2kg/graph/data> .\n"
RECORD = re.compile(r"synthetic-(\d{7})")


def replicate(source: Path, target: Path, times: int) -> int:
    """Write `source` N-Quads with the data graph `times` times; the lines written."""
    written = 0
    with source.open(encoding="utf-8") as lines, target.open("w", encoding="utf-8") as out:
        for line in lines:
            copies = range(times) if line.endswith(DATA) else range(1)
            for copy in copies:
                out.write(RECORD.sub(rf"synthetic-\1x{copy}", line) if copy else line)
                written += 1
    return written


def measured(command: list[str], cwd: Path | None = None) -> dict[str, Any]:
    """Run a command; its wall time, CPU time (user + system, its worker processes included),
    peak memory (max RSS of its largest process) and the peak of the resident memory of it and
    its worker processes together (sampled every 0.2 s)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, cwd=cwd)
    peaks = [0]
    sampler = threading.Thread(target=_sample_tree, args=(process.pid, peaks), daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    sampler.join()
    if status != 0:
        raise RuntimeError(f"{' '.join(command)} failed (wait status {status})")
    return {
        "wall_s": round(wall, 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "peak_mb": round(usage.ru_maxrss / 1024),
        "tree_peak_mb": round(peaks[0] / 1024),
    }


def _tree_rss_kb(pid: int) -> int:
    """The resident memory of a process and all its descendants, in kB (Linux /proc)."""
    total = 0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:  # it ended meanwhile
            continue
        if found := re.search(r"VmRSS:\s+(\d+)", status):
            total += int(found.group(1))
    return total


def _sample_tree(pid: int, peaks: list[int]) -> None:
    """Keep the largest sum of resident memory of `pid`'s tree in `peaks[0]` until it exits."""
    while rss := _tree_rss_kb(pid):
        peaks[0] = max(peaks[0], rss)
        time.sleep(0.2)


def _peak_of(pid: int) -> int:
    """A running process's peak resident memory in MB (Linux: VmHWM)."""
    status = Path(f"/proc/{pid}/status").read_text()
    return round(int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024)  # type: ignore[union-attr]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_to_server(dist: Path, work: Path, store_options: str) -> dict[str, Any]:
    """`il2kg load --to` an Oxigraph server started for it (`store_options` appended to its
    store URL), the triples it then holds and its peak memory."""
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "oxigraph"),
            "serve",
            "--location",
            str(work / "server"),
            "--bind",
            f"127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                httpx.get(f"{url}/query", params={"query": "ASK {}"}, timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        figures = measured(
            [
                str(Path(sys.executable).parent / "il2kg"),
                "load",
                "--to",
                f"{url}/store{store_options}",
                "--dist",
                str(dist),
                "--timeout",
                "3600",
            ]
        )
        count = httpx.post(
            f"{url}/query",
            timeout=600,
            data={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"},
            headers={"Accept": "application/sparql-results+json"},
        ).json()
        figures["server_triples"] = int(count["results"]["bindings"][0]["n"]["value"])
        figures["server_peak_mb"] = _peak_of(server.pid)
        return figures
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dist", type=Path, help="a build (its il2kg.nq is replicated)")
    parser.add_argument("--times", type=int, default=10)
    parser.add_argument("--work", type=Path, required=True, help="a directory with room")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument(
        "--store-options",
        default="",
        help="appended to the server's store URL, e.g. '?no_transaction' "
        "(Oxigraph's bulk loader: not atomic, memory bounded)",
    )
    args = parser.parse_args()
    dist = args.work / "dist"
    dist.mkdir(parents=True, exist_ok=True)
    quads = dist / "il2kg.nq"
    start = time.perf_counter()
    figures: dict[str, Any] = {
        "times": args.times,
        "quads": replicate(args.dist / "il2kg.nq", quads, args.times),
    }
    figures["write_s"] = round(time.perf_counter() - start, 1)
    figures["load_avg_before"] = os.getloadavg()[0]
    figures["oxigraph_load"] = measured(
        [
            str(Path(sys.executable).parent / "oxigraph"),
            "load",
            "--location",
            str(args.work / "oxigraph"),
            "--file",
            str(quads),
        ]
    )
    figures["il2kg_load_to"] = load_to_server(dist, args.work, args.store_options)
    figures["load_avg_after"] = os.getloadavg()[0]
    print(json.dumps(figures, indent=1))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n")


if __name__ == "__main__":
    main()
