"""HTTP load measurement (not a test): il2kg beside rdflib-endpoint and `oxigraph serve-read-only`.

Each server serves the same build (dist/il2kg.nq) on loopback; `wrk` (a compiled load
generator, Debian package `wrk`) keeps 16 connections busy POSTing one query for a bounded
time, and the script prints requests per second, p50/p99 latency and errors per server and
query, then il2kg's ratios to the peers (the issue's targets). It also reads from /proc the
CPU time each server spent per request: its main process (for il2kg the HTTP front) and all
its processes (il2kg's query workers too). Those figures hold even when other programs share
the machine and make requests per second noisy.

    python benchmarks/http_bench.py --dist dist --json http.json
    python benchmarks/http_bench.py --dist dist --load-run    # il2kg, 64 clients, 20 s, errors

Three workloads: `lookup`, one cohort's label by IRI, the same query every time;
`aggregate`, a GROUP BY over every outcome, the same every time; `lookup-any`, the label of
a resource drawn at random from every resource IRI of the build on each request. il2kg runs
twice: `il2kg` as served by default (answers kept for the build: a repeated query is
answered from the cache) and `il2kg-engine` with `--result-cache 0` (every query runs on a
query worker); both with the workers answering connections themselves (the default).
`il2kg-front` and `il2kg-front-engine` are the same with `--no-direct` (every request through
the server process). `lookup-any` is run only where nothing is kept.
rdflib-endpoint comes with the `bench` extra (or from another environment's `bin/`,
--peer-venv), `oxigraph` with the `test` extra. Servers bind 127.0.0.1 only and are stopped
at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

import httpx

ACCEPT = "application/sparql-results+json"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
AGGREGATE = """PREFIX il2kg: <https://w3id.org/il2kg/ontology/>
SELECT ?category (COUNT(?o) AS ?outcomes) (SUM(?n) AS ?patients) WHERE { GRAPH ?g {
  ?o il2kg:hasCategory ?category . OPTIONAL { ?o il2kg:count ?n } } } GROUP BY ?category"""
WRK_SCRIPT = """wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Accept"] = "{accept}"
"""
# Each request a body drawn at random from `bodies` (each wrk thread seeded differently).
WRK_RANDOM = """local bodies = {{ {bodies} }}
local threads = 0
function setup(thread) threads = threads + 1; thread:set("number", threads) end
function init(args) math.randomseed(7919 * number) end
function request()
  return wrk.format(nil, nil, nil, bodies[math.random(#bodies)])
end
"""
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}
TARGETS = (
    "il2kg >= 5x rdflib-endpoint and >= 30% of oxigraph with p99 < 10 ms (lookup), "
    ">= 90% of oxigraph (aggregate); il2kg = answers kept, il2kg-engine = every query run"
)
RESOURCE = "<https://w3id.org/il2kg/resource/"


def label_query(iri: str) -> str:
    """The label of one resource, by its IRI (written `<...>`)."""
    return f"SELECT ?label WHERE {{ GRAPH ?g {{ {iri} {RDFS_LABEL} ?label }} }}"


def lookup_query(dist: Path) -> str:
    """A lookup of one cohort's label by its IRI (the first cohort in the build)."""
    with open(dist / "il2kg.nt", encoding="utf-8") as lines:
        for line in lines:
            subject, predicate, _ = line.split(" ", 2)
            if "/cohort/" in subject and predicate == RDFS_LABEL:
                return label_query(subject)
    raise ValueError(f"{dist}: no labelled cohort to look up")


def resources(dist: Path) -> list[str]:
    """Every resource IRI (as `<...>`) the build has statements about."""
    with open(dist / "il2kg.nt", encoding="utf-8") as lines:
        found = {line.split(" ", 1)[0] for line in lines if line.startswith(RESOURCE)}
    return sorted(found)


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rows(url: str, query: str) -> int:
    """The number of solutions the endpoint gives (checked once before the load)."""
    response = httpx.post(url, data={"query": query}, headers={"Accept": ACCEPT}, timeout=60)
    response.raise_for_status()
    return len(response.json()["results"]["bindings"])


def wait_ready(url: str, timeout: float = 120.0) -> None:
    """Wait until the endpoint answers a trivial query."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            rows(url, "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
            return
        except (httpx.TransportError, httpx.HTTPStatusError):
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not start")


@contextmanager
def running(command: list[str], url: str) -> Iterator[int]:
    """Start a server process, wait for it, stop it afterwards; yield its process id."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(url)
        yield process.pid
    finally:
        process.terminate()
        process.wait(30)


def il2kg(dist: Path, _: Path, work: Path, *options: str) -> tuple[list[str], str]:
    """`il2kg serve` (worker processes, default settings)."""
    port = free_port()
    exe = str(Path(sys.executable).with_name("il2kg"))
    return [
        exe,
        "serve",
        "--port",
        str(port),
        "--dist",
        str(dist),
        "--store",
        str(work / "il2kg-store"),
        *options,
    ], f"http://127.0.0.1:{port}/sparql"


def il2kg_engine(dist: Path, peer: Path, work: Path) -> tuple[list[str], str]:
    """`il2kg serve --result-cache 0`: every query runs on a query worker."""
    return il2kg(dist, peer, work, "--result-cache", "0")


def il2kg_front(dist: Path, peer: Path, work: Path) -> tuple[list[str], str]:
    """`il2kg serve --no-direct`: every request through the server process, answers kept."""
    return il2kg(dist, peer, work, "--no-direct")


def il2kg_front_engine(dist: Path, peer: Path, work: Path) -> tuple[list[str], str]:
    """`il2kg serve --no-direct --result-cache 0`: through the server process, every query run."""
    return il2kg(dist, peer, work, "--no-direct", "--result-cache", "0")


def rdflib_endpoint(dist: Path, peer: Path, _: Path) -> tuple[list[str], str]:
    """rdflib-endpoint serving il2kg.nq (rdflib's memory store)."""
    port = free_port()
    return [
        str(peer / "bin" / "rdflib-endpoint"),
        "serve",
        str(dist / "il2kg.nq"),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ], f"http://127.0.0.1:{port}/"


def oxigraph(dist: Path, _: Path, work: Path) -> tuple[list[str], str]:
    """`oxigraph serve-read-only --union-default-graph` over il2kg.nq loaded into a fresh store."""
    port = free_port()
    exe = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    location = work / "oxigraph-store"
    subprocess.run(
        [exe, "load", "--location", str(location), "--file", str(dist / "il2kg.nq")],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return [
        exe,
        "serve-read-only",
        "--location",
        str(location),
        "--bind",
        f"127.0.0.1:{port}",
        "--union-default-graph",
    ], f"http://127.0.0.1:{port}/query"


SERVERS: dict[str, Callable[[Path, Path, Path], tuple[list[str], str]]] = {
    "il2kg": il2kg,
    "il2kg-engine": il2kg_engine,
    "il2kg-front": il2kg_front,
    "il2kg-front-engine": il2kg_front_engine,
    "rdflib-endpoint": rdflib_endpoint,
    "oxigraph": oxigraph,
}
KEEPS = {"il2kg", "il2kg-front"}  # servers answering a repeated query from a cache: no
#                                    lookup-any


def cpu_seconds(pid: int) -> tuple[float, float]:
    """CPU time (user + system) of a process, and of it with its child processes."""
    tick = os.sysconf("SC_CLK_TCK")
    own = total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended meanwhile
            continue
        used = (int(fields[11]) + int(fields[12])) / tick
        if stat.parent.name == str(pid):
            own, total = own + used, total + used
        elif int(fields[1]) == pid:
            total += used
    return own, total


def _ms(text: str) -> float:
    """A wrk duration ("812.00us", "1.20ms", "2.01s") in milliseconds."""
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * UNITS[unit]


def script(queries: list[str], work: Path) -> Path:
    """A wrk script POSTing the one query, or each time one drawn at random."""
    path = work / "post.lua"
    bodies = [json.dumps(urlencode({"query": query})) for query in queries]
    text = WRK_SCRIPT.format(body=bodies[0], accept=ACCEPT)
    if len(bodies) > 1:
        text += WRK_RANDOM.format(bodies=", ".join(bodies))
    path.write_text(text, encoding="utf-8")
    return path


def wrk(
    url: str,
    queries: list[str],
    *,
    clients: int,
    seconds: float,
    work: Path,
    pid: int | None = None,
) -> dict[str, float]:
    """Requests per second, p50/p99 in ms and failed requests, measured by wrk (each request
    one of `queries`, at random); with the server's `pid`, its CPU microseconds per request
    (main process, all processes)."""
    command = [
        "wrk",
        "-t",
        "2",
        "-c",
        str(clients),
        "-d",
        f"{seconds:g}s",
        "--latency",
        "--timeout",
        "10s",
        "-s",
        str(script(queries, work)),
        url,
    ]
    before = cpu_seconds(pid) if pid else (0.0, 0.0)
    out = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=seconds + 60
    ).stdout
    after = cpu_seconds(pid) if pid else (0.0, 0.0)
    count = int(re.search(r"(\d+) requests in", out).group(1)) or 1  # type: ignore[union-attr]
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", out, re.MULTILINE))
    failed = sum(
        int(n)
        for n in re.findall(r"(?:Non-2xx or 3xx responses:|connect|read|write|timeout) (\d+)", out)
    )
    return {
        "req_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": _ms(latency["50"]),
        "p99_ms": _ms(latency["99"]),
        "errors": failed,
        "main_cpu_us": round(1e6 * (after[0] - before[0]) / count),
        "all_cpu_us": round(1e6 * (after[1] - before[1]) / count),
    }


def measure(dist: Path, args: argparse.Namespace) -> dict[str, dict[str, dict[str, float]]]:
    """Every server on every query: {server: {query: figures}}."""
    workloads = {
        "lookup": [lookup_query(dist)],
        "aggregate": [AGGREGATE],
        "lookup-any": [label_query(iri) for iri in resources(dist)],
    }
    figures: dict[str, dict[str, dict[str, float]]] = {}
    for name in args.servers:
        with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
            work = Path(tmp)
            command, url = SERVERS[name](dist, args.peer_venv, work)
            with running(command, url) as pid:
                figures[name] = {}
                for workload, queries in workloads.items():
                    if workload == "lookup-any" and name in KEEPS:
                        continue
                    if rows(url, queries[0]) == 0:
                        raise RuntimeError(f"{name}: {workload} gives no rows")
                    wrk(url, queries, clients=args.clients, seconds=1, work=work)  # warm-up
                    figures[name][workload] = wrk(
                        url, queries, clients=args.clients, seconds=args.seconds, work=work, pid=pid
                    )
    return figures


def load_run(dist: Path, peer: Path, *, clients: int = 64, seconds: float = 20.0) -> None:
    """The reliability load run: `clients` connections for `seconds` against `il2kg serve`."""
    with tempfile.TemporaryDirectory(prefix="bench-load-run-") as tmp:
        command, url = il2kg(dist, peer, Path(tmp))
        with running(command, url):
            f = wrk(url, [lookup_query(dist)], clients=clients, seconds=seconds, work=Path(tmp))
    print(
        f"load run (lookup): {clients} clients, {seconds:g} s, {f['req_s']:.1f} req/s, "
        f"p99 {f['p99_ms']:.1f} ms, {f['errors']:.0f} errors",
        flush=True,
    )


def ratios(figures: dict[str, dict[str, dict[str, float]]]) -> dict[str, float]:
    """Each il2kg's throughput over each peer's, per workload (none where a peer finished
    nothing)."""
    found = {}
    for own, mine in figures.items():
        for peer, theirs in figures.items():
            if not own.startswith("il2kg") or peer.startswith("il2kg"):
                continue
            for workload, figure in mine.items():
                if theirs.get(workload, {}).get("req_s", 0) > 0:
                    ratio = figure["req_s"] / theirs[workload]["req_s"]
                    found[f"{own}:{workload}/{peer}"] = round(ratio, 3)
    return found


def main() -> None:
    """Measure every server on every query; print the table and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, required=True)
    parser.add_argument(
        "--peer-venv",
        type=Path,
        default=Path(sys.executable).parent.parent,
        help="the environment holding rdflib-endpoint (default: this one)",
    )
    parser.add_argument("--servers", nargs="+", choices=list(SERVERS), default=list(SERVERS))
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument(
        "--load-run",
        action="store_true",
        help="instead: il2kg alone, 64 clients for 20 s, throughput and errors",
    )
    args = parser.parse_args()
    if args.load_run:
        load_run(args.dist, args.peer_venv)
        return
    figures = measure(args.dist, args)
    print(
        f"{'server':<16} {'workload':<10} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} "
        f"{'main us/req':>12} {'all us/req':>11}"
    )
    for server, by_query in figures.items():
        for query, f in by_query.items():
            print(
                f"{server:<16} {query:<10} {f['req_s']:>9.1f} {f['p50_ms']:>8.2f} "
                f"{f['p99_ms']:>8.2f} {f['errors']:>7.0f} {f['main_cpu_us']:>12} "
                f"{f['all_cpu_us']:>11}"
            )
    found = ratios(figures)
    print(f"ratios ({TARGETS}): {json.dumps(found)}")
    if args.json:
        args.json.write_text(json.dumps({"servers": figures, "ratios": found}, indent=2) + "\n")


if __name__ == "__main__":
    main()
