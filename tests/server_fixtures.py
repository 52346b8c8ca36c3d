"""Fixtures for the endpoint tests: a built graph, example queries and a live uvicorn server."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from pyoxigraph import Store

from il2kg.cli import main
from il2kg.paths import QUERIES_DIR
from il2kg.publish.disk_store import build_store
from il2kg.server.app import create_app
from il2kg.server.http_server import config
from il2kg.server.pool import WorkerPool
from il2kg.server.settings import Settings
from tests.reasoner import REASONING

EXAMPLES = {
    "publications": (
        "#+ summary: Which publications are in the graph?\n"
        "#+ description: One row per publication with its title.\n"
        "#+ keywords: publication, title\n"
        "PREFIX il2kg: <https://w3id.org/il2kg/ontology/>\n"
        "PREFIX dcterms: <http://purl.org/dc/terms/>\n"
        "SELECT ?publication ?title WHERE { ?publication a il2kg:Publication ;\n"
        "  dcterms:title ?title } ORDER BY ?publication\n"
    ),
    "graph-sizes": (
        "#+ summary: How many triples does each named graph hold?\n"
        "#+ keywords: graph, count\n"
        "SELECT ?g (COUNT(*) AS ?triples) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g\n"
    ),
}
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def wait_until(condition: Callable[[], object], what: str, seconds: float = 60) -> None:
    """Wait for a state (not for a time): poll `condition` until it holds, at most `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"never reached: {what}"
        time.sleep(0.02)


def timed_asks(client: httpx.Client, count: int) -> list[float]:
    """Send `ASK {}` `count` times, each answered true: the seconds each took (to print)."""
    latencies = []
    for _ in range(count):
        started = time.perf_counter()
        answer = client.get("/sparql", params={"query": "ASK {}"})
        latencies.append(time.perf_counter() - started)
        assert answer.status_code == 200 and answer.json()["boolean"] is True, answer.text
    return latencies


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def live_server(app: object, *, startup: float = 60.0, read_timeout: float = 10.0) -> Iterator[str]:
    """Run an ASGI app in uvicorn on a free loopback port; yield its base URL."""
    port = free_port()
    server = uvicorn.Server(
        config(app, host="127.0.0.1", port=port, read_timeout=read_timeout, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + startup
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)


@pytest.fixture(scope="session")
def built_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The graph built from the project's seeds, once per session (test modules share it)."""
    out = tmp_path_factory.getbasetemp() / "server-build" / "dist"
    if not (out / "il2kg.nq").is_file():
        assert main(["build", "--out", str(out), *REASONING]) == 0
    return out


@pytest.fixture(scope="session")
def example_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory of small example queries written by the tests."""
    folder = tmp_path_factory.getbasetemp() / "server-queries"
    folder.mkdir(exist_ok=True)
    for name, text in EXAMPLES.items():
        (folder / f"{name}.rq").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def store_dir(
    tmp_path_factory: pytest.TempPathFactory, built_dist: Path, example_dir: Path
) -> Path:
    """An on-disk store with the build and the example queries, once per session."""
    path = tmp_path_factory.getbasetemp() / "server-store"
    if path.is_dir():
        return path
    return build_store(path, built_dist, queries_dir=example_dir)


@pytest.fixture(scope="session")
def endpoint(store_dir: Path) -> Iterator[str]:
    """A running endpoint (2 workers answering connections themselves as `il2kg serve`'s
    do, 3 s limit, small body limit); its base URL."""
    settings = Settings(timeout=3.0, max_body_bytes=20_000, max_result_bytes=5_000_000)
    pool = WorkerPool(str(store_dir), size=2, timeout=settings.timeout, direct=True)
    app = create_app(pool, settings)
    with live_server(app) as url:
        yield url


@pytest.fixture(scope="session")
def release_endpoint(built_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The release as `il2kg serve` serves it: the build with the packaged example queries,
    default limits; its base URL (the pages a new user sees, and docs/img/'s screenshots)."""
    path = tmp_path_factory.getbasetemp() / "release-store"
    store = build_store(path, built_dist, queries_dir=QUERIES_DIR)
    settings = Settings(timeout=30.0)
    pool = WorkerPool(str(store), size=2, timeout=30.0, direct=True)
    with live_server(create_app(pool, settings)) as url:
        yield url


# A handful of quads for the fast loop: an endpoint over them needs no build of the seeds.
TINY_QUADS = """\
<https://w3id.org/il2kg/resource/tiny/p1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> \
<https://w3id.org/il2kg/ontology/Publication> <https://w3id.org/il2kg/graph/data> .
<https://w3id.org/il2kg/resource/tiny/p1> <http://www.w3.org/2000/01/rdf-schema#label> \
"A tiny publication"@en <https://w3id.org/il2kg/graph/data> .
<https://w3id.org/il2kg/resource/tiny/p2> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> \
<https://w3id.org/il2kg/ontology/Publication> <https://w3id.org/il2kg/graph/data> .
<https://w3id.org/il2kg/ontology/Publication> <http://www.w3.org/2000/01/rdf-schema#label> \
"publication"@en <https://w3id.org/il2kg/graph/ontology> .
"""


@pytest.fixture(scope="session")
def tiny_store_dir(tmp_path_factory: pytest.TempPathFactory, example_dir: Path) -> Path:
    """An on-disk store of `TINY_QUADS` and the example queries, built in milliseconds."""
    dist = tmp_path_factory.mktemp("tiny-dist")
    (dist / "il2kg.nq").write_text(TINY_QUADS, encoding="utf-8")
    return build_store(tmp_path_factory.getbasetemp() / "tiny-store", dist, queries_dir=example_dir)


@pytest.fixture(scope="session")
def tiny_endpoint(tiny_store_dir: Path) -> Iterator[str]:
    """A running endpoint over the tiny store (1 worker answering connections itself, 3 s
    limit): the fast loop's server."""
    settings = Settings(timeout=3.0)
    pool = WorkerPool(str(tiny_store_dir), size=1, timeout=settings.timeout, direct=True)
    app = create_app(pool, settings)
    with live_server(app) as url:
        yield url


@pytest.fixture(scope="session")
def direct(store_dir: Path) -> Store:
    """The same store opened directly, to compute what the endpoint must answer."""
    return Store.read_only(str(store_dir))


@contextmanager
def recording(sock: socket.socket) -> Iterator[list[bytes]]:
    """Listen on a bound socket, recording the first bytes each client sends, until the end."""
    received: list[bytes] = []
    sock.listen()
    sock.settimeout(0.2)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            with conn, contextlib.suppress(OSError):
                conn.settimeout(1)
                received.append(conn.recv(4096))

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield received
    finally:
        stop.set()
        thread.join(5)
        sock.close()


@contextmanager
def listener() -> Iterator[tuple[str, list[bytes]]]:
    """A loopback TCP listener recording what any client sends to it: (url, requests)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    with recording(sock) as received:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/sparql", received


def wait_for(
    sparql_url: str, process: subprocess.Popen[bytes], *, startup: float, log: Path | None = None
) -> None:
    """Wait until a server process answers ASK {} at its SPARQL URL; fail if it exits first
    (with the end of its `log`, if it writes one)."""
    deadline = time.monotonic() + startup
    while True:
        try:
            urllib.request.urlopen(f"{sparql_url}?query=ASK%7B%7D", timeout=2).close()
            return
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                said = log.read_text(errors="replace")[-3000:] if log else ""
                raise RuntimeError(
                    f"{process.args} did not start on {sparql_url}\n{said}"
                ) from None
            time.sleep(0.05)


def serve_command(*args: str) -> list[str]:
    """`il2kg serve ARGS` as a command line, run by this Python."""
    return [sys.executable, "-m", "il2kg.cli", "serve", *args]


@contextmanager
def il2kg_serve(
    args: list[str],
    log: Path,
    *,
    port: int | None = None,
    ready: bool = True,
    preexec_fn: Callable[[], None] | None = None,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`il2kg serve ARGS` run as users run it (a process of its own on a free loopback port
    unless `port` is given, its output appended to `log`): its base URL and process, once it
    answers unless not `ready`; stopped with SIGTERM after (SIGKILL if it does not stop)."""
    port = port or free_port()
    with log.open("ab") as sink:
        process = subprocess.Popen(
            serve_command(*args, "--port", str(port)),
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=preexec_fn,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        if ready:
            wait_for(f"{url}/sparql", process, startup=180, log=log)
        yield url, process
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(30)


def oxigraph_binary() -> str:
    """The `oxigraph` server command of the test extra, preferably beside this Python."""
    return (
        shutil.which("oxigraph", path=str(Path(sys.executable).parent))
        or shutil.which("oxigraph")
        or "oxigraph"
    )


@contextmanager
def oxigraph_server(location: Path, *, command: str = "serve") -> Iterator[str]:
    """A real Oxigraph server on loopback over `location` (union default graph): its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [
            oxigraph_binary(),
            command,
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{url}/query", process, startup=30)
        yield url
    finally:
        process.terminate()
        process.wait(10)


VIRTUOSO_INI = """[Database]
DatabaseFile = virtuoso.db
ErrorLogFile = virtuoso.log
LockFile = virtuoso.lck
TransactionFile = virtuoso.trx
xa_persistent_file = virtuoso.pxa
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = virtuoso-temp.db
TransactionFile = virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql}
DisableUnixSocket = 1
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = .
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = .
ServerThreads = 4
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 60
"""
# The anonymous SPARQL user may write through the Graph Store Protocol (a throw-away database).
VIRTUOSO_GRANTS = (
    "GRANT SPARQL_UPDATE TO \"SPARQL\"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);"
)


@contextmanager
def virtuoso_server(location: Path) -> Iterator[str]:
    """A real Virtuoso (Debian virtuoso-opensource) on loopback in a fresh database: its base
    URL, with SPARQL at /sparql and the Graph Store Protocol at /sparql-graph-crud."""
    sql, http = free_port(), free_port()
    (location / "virtuoso.ini").write_text(VIRTUOSO_INI.format(sql=sql, http=http))
    process = subprocess.Popen(
        ["virtuoso-t", "+foreground", "+configfile", "virtuoso.ini"],
        cwd=location,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{http}"
    try:
        try:
            wait_for(f"{url}/sparql", process, startup=120)
        except RuntimeError as exc:
            log = location / "virtuoso.log"
            raise RuntimeError(
                f"{exc}: {log.read_text()[-2000:] if log.exists() else ''}"
            ) from None
        subprocess.run(
            ["isql-vt", f"127.0.0.1:{sql}", "dba", "dba", f"exec={VIRTUOSO_GRANTS}"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        yield url
    finally:
        process.terminate()
        process.wait(60)
