"""HTTP load measurement (not a test): il2kg beside rdflib-endpoint and `oxigraph serve`.

Each server serves the same build (dist/il2kg.nq, default graph = union of its named
graphs); 16 concurrent clients send one example query for about
10 s; the script prints requests per second and p50/p99 latency per server and query.

    python benchmarks/http_bench.py --dist dist --peer-venv /tmp/venv-peer
    python benchmarks/http_bench.py --dist dist --load-run    # 64 clients, 20 s, errors

rdflib-endpoint lives in its own virtual environment (--peer-venv) so it does not change
ours. Servers bind 127.0.0.1 only and are stopped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
ACCEPT = "application/sparql-results+json"


@dataclass(frozen=True)
class Figures:
    """What one load run measured."""

    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    def row(self, server: str, query: str) -> str:
        """One line of the report."""
        lat = sorted(self.latencies) or [float("nan")]
        p50 = statistics.median(lat) * 1000
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000
        return (f"{server:<16} {query:<34} {self.requests / self.seconds:>9.1f} "
                f"{p50:>9.1f} {p99:>9.1f} {self.errors:>7}")


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(url: str, timeout: float = 120.0) -> None:
    """Wait until the endpoint answers a trivial query."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, params={"query": "ASK {}"}, headers={"Accept": ACCEPT},
                         timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not start")


@contextmanager
def running(command: list[str], url: str) -> Iterator[str]:
    """Start a server process, wait for it, stop it afterwards."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(url)
        yield url
    finally:
        process.terminate()
        process.wait(30)


def il2kg(dist: Path, _: Path) -> tuple[list[str], str]:
    """`il2kg serve` (worker processes, default settings)."""
    port = free_port()
    exe = str(Path(sys.executable).with_name("il2kg"))
    return [exe, "serve", "--port", str(port), "--dist", str(dist)], \
        f"http://127.0.0.1:{port}/sparql"


def rdflib_endpoint(dist: Path, peer: Path) -> tuple[list[str], str]:
    """rdflib-endpoint serving il2kg.nq (rdflib's memory store)."""
    port = free_port()
    return [str(peer / "bin" / "rdflib-endpoint"), "serve", str(dist / "il2kg.nq"),
            "--host", "127.0.0.1", "--port", str(port)], f"http://127.0.0.1:{port}/"


def oxigraph(dist: Path, _: Path) -> tuple[list[str], str]:
    """`oxigraph serve --union-default-graph` over il2kg.nq loaded into a fresh store."""
    port = free_port()
    exe = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    location = tempfile.mkdtemp(prefix="bench-oxigraph-")
    subprocess.run([exe, "load", "--location", location, "--file", str(dist / "il2kg.nq")],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return [exe, "serve", "--location", location, "--bind", f"127.0.0.1:{port}",
            "--union-default-graph"], \
        f"http://127.0.0.1:{port}/query"


SERVERS = {"il2kg": il2kg, "rdflib-endpoint": rdflib_endpoint, "oxigraph": oxigraph}


async def load(url: str, query: str, *, clients: int, seconds: float) -> Figures:
    """`clients` concurrent loops POSTing the query until `seconds` have passed."""
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        stop = time.monotonic() + seconds

        async def one() -> None:
            nonlocal errors
            while time.monotonic() < stop:
                started = time.perf_counter()
                response = await client.post(url, data={"query": query},
                                             headers={"Accept": ACCEPT})
                if response.status_code == 200 and response.json()["results"]["bindings"]:
                    latencies.append(time.perf_counter() - started)
                else:
                    errors += 1

        begun = time.monotonic()
        await asyncio.gather(*(one() for _ in range(clients)))
        return Figures(len(latencies) + errors, errors, time.monotonic() - begun, latencies)


def load_run(dist: Path, query: Path, *, clients: int, seconds: float) -> None:
    """The reliability load run: `clients` clients for `seconds` against `il2kg serve`."""
    command, url = il2kg(dist, Path())
    with running(command, url):
        text = query.read_text(encoding="utf-8")
        asyncio.run(load(url, text, clients=clients, seconds=1.0))  # warm-up
        figures = asyncio.run(load(url, text, clients=clients, seconds=seconds))
    print(f"load run ({query.stem}): {clients} clients, {figures.seconds:.1f} s, "
          f"{figures.requests} requests, {figures.requests / figures.seconds:.1f} req/s, "
          f"{figures.errors} errors", flush=True)


def main() -> None:
    """Measure every server on every query and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist")
    parser.add_argument("--peer-venv", type=Path, default=Path("/tmp/venv-peer"))
    parser.add_argument("--queries", nargs="+", type=Path, default=[
        ROOT / "queries" / "cohorts-by-publication.rq",
        ROOT / "queries" / "complete-response-rate-by-study.rq"])
    parser.add_argument("--servers", nargs="+", choices=list(SERVERS), default=list(SERVERS))
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--load-run", action="store_true",
                        help="instead: il2kg alone, 64 clients for 20 s, throughput and errors")
    args = parser.parse_args()
    if args.load_run:
        load_run(args.dist, args.queries[0], clients=64, seconds=20.0)
        return
    print(f"{'server':<16} {'query':<34} {'req/s':>9} {'p50 ms':>9} {'p99 ms':>9} {'errors':>7}")
    for name in args.servers:
        command, url = SERVERS[name](args.dist, args.peer_venv)
        with running(command, url):
            for path in args.queries:
                query = path.read_text(encoding="utf-8")
                asyncio.run(load(url, query, clients=args.clients, seconds=1.0))  # warm-up
                figures = asyncio.run(load(url, query, clients=args.clients,
                                           seconds=args.seconds))
                print(figures.row(name, path.stem), flush=True)


if __name__ == "__main__":
    main()
