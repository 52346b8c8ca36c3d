"""No query makes an outbound connection: the kernel refuses the query workers any socket but
a Unix one. Every shape is sent by GET, form POST and direct POST while a loopback listener
counts connections; the check that refuses SERVICE from the query's tokens is also bypassed on
purpose to show that the guarantee does not rest on it."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyoxigraph import Store

from il2kg.query.result import QueryError
from il2kg.server.messages import Job
from il2kg.server.pool import WorkerPool

from .server_fixtures import free_port, listener

PREFIX = "PREFIX p: <http://example.org/p/>\n"
BODY = "{ ?a ?b ?c }"
SERVICE_SHAPES = [
    "SELECT * WHERE { SERVICE <{url}> {body} }",
    "SELECT * WHERE { SERVICE SILENT <{url}> {body} }",
    "SELECT * WHERE { BIND(1 AS ?x) .SERVICE <{url}> {body} }",
    "SELECT * WHERE { BIND(1 AS ?x) .SERVICE SILENT <{url}> {body} }",
    "SELECT * WHERE { ?s p:a\\#b ?o . SERVICE <{url}> {body} }",
    "SELECT * WHERE { ?s p:a\\'b ?o . SERVICE <{url}> {body} }",
    "SELECT * WHERE { ?s p:a\\#b ?o .SERVICE SILENT <{url}> {body} }",
    "select * where { service <{url}> {body} }",
    "SELECT * WHERE { #SERVICE\nSERVICE#c\n<{url}>#c\n{body} }",
    "SELECT * WHERE {\n\tSERVICE\n\t<{url}>\n{body}\n}",
    "SELECT * WHERE { \\u0053ERVICE <{url}> {body} }",
    "SELECT * WHERE { \\u0073\\u0065rvice <{url}> {body} }",
    "SELECT * WHERE { \\U00000053ERVICE SILENT <{url}> {body} }",
    "SELECT * WHERE { VALUES ?svc { <{url}> } SERVICE ?svc {body} }",
    "SELECT * WHERE { BIND(<{url}> AS ?svc) SERVICE ?svc {body} }",
    "SELECT * WHERE { { SELECT * WHERE { SERVICE <{url}> {body} } } }",
    "SELECT * WHERE { OPTIONAL { SERVICE <{url}> {body} } }",
    "SELECT * WHERE { { BIND(1 AS ?x) } UNION { SERVICE <{url}> {body} } }",
    "SELECT * WHERE { BIND(1 AS ?x) FILTER EXISTS { SERVICE <{url}> {body} } }",
    "SELECT * WHERE { BIND(1 AS ?x) FILTER NOT EXISTS { SERVICE SILENT <{url}> {body} } }",
    "SELECT * WHERE { BIND(1 AS ?x) MINUS { SERVICE <{url}> {body} } }",
    "SELECT * WHERE { GRAPH ?g { SERVICE <{url}> {body} } }",
    "ASK { SERVICE <{url}> {body} }",
    "CONSTRUCT { ?a ?b ?c } WHERE { SERVICE <{url}> {body} }",
    "DESCRIBE ?a WHERE { SERVICE <{url}> {body} }",
    "BASE <{url}> SELECT * WHERE { SERVICE <> {body} }",
    "PREFIX r: <{base}> SELECT * WHERE { SERVICE r:sparql {body} }",
    "SELECT * WHERE { SERVICE <{url}> { SERVICE <{url}> {body} } }",
]
DATASET_SHAPES = [
    "SELECT * FROM <{url}> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <{url}> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "SELECT * FROM <{url}> FROM NAMED <{url}/n> WHERE { ?s ?p ?o }",
    "select * from named <{url}> where { graph <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { GRAPH <{url}> { ?s ?p ?o } }",
    "CONSTRUCT { ?s ?p ?o } FROM <{url}> WHERE { ?s ?p ?o }",
    "ASK FROM <{url}> { }",
    "DESCRIBE <{url}>",
    "DESCRIBE ?x FROM <{url}> WHERE { BIND(<{url}> AS ?x) }",
    'SELECT (IRI("{url}") AS ?x) (STRLEN(STR(<{url}>)) AS ?n) WHERE { }',
    "LOAD <{url}>",
]
ALL_SHAPES = SERVICE_SHAPES + DATASET_SHAPES
METHODS = ["get", "form", "direct"]


def fill(shape: str, url: str) -> str:
    """A query of the corpus aimed at the listener at `url`."""
    base = url.rsplit("/", 1)[0] + "/"
    return PREFIX + shape.replace("{url}", url).replace("{base}", base).replace("{body}", BODY)


def send(
    client: httpx.Client, method: str, query: str, params: dict[str, str] | None = None
) -> httpx.Response:
    """The query by GET, form POST or direct POST (dataset parameters in the URL)."""
    if method == "get":
        return client.get("/sparql", params={"query": query, **(params or {})})
    if method == "form":
        return client.post("/sparql", data={"query": query, **(params or {})})
    return client.post(
        "/sparql",
        params=params or {},
        content=query.encode(),
        headers={"Content-Type": "application/sparql-query"},
    )


@pytest.fixture(scope="module")
def client(endpoint: str) -> httpx.Client:
    with httpx.Client(base_url=endpoint, timeout=30) as client:
        yield client


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("shape", ALL_SHAPES)
def test_no_query_shape_connects_out(client: httpx.Client, shape: str, method: str) -> None:
    with listener() as (url, received):
        response = send(client, method, fill(shape, url))
    assert response.status_code < 500, response.text
    assert received == []


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("parameter", ["default-graph-uri", "named-graph-uri"])
def test_dataset_parameters_never_connect(
    client: httpx.Client, method: str, parameter: str
) -> None:
    with listener() as (url, received):
        response = send(client, method, "SELECT * WHERE { ?s ?p ?o } LIMIT 1", {parameter: url})
    assert response.status_code == 200, response.text
    assert received == []


def test_service_glued_to_a_dot_is_refused_before_it_runs(client: httpx.Client) -> None:
    with listener() as (url, received):
        response = send(client, "get", fill(SERVICE_SHAPES[2], url))
    assert response.status_code == 403 and "is not allowed" in response.text
    assert received == []


def run_unchecked(store_dir: Path, queries: list[str]) -> list[int]:
    """Each query run by a worker pool directly, with no text check: its HTTP status."""

    async def run_all() -> list[int]:
        pool = WorkerPool(str(store_dir), size=1, timeout=10)
        await pool.start()
        statuses = []
        try:
            for query in queries:
                try:
                    await (await pool.run(Job(query=query, format="json"))).read()
                    statuses.append(200)
                except QueryError as exc:
                    statuses.append(exc.status)
        finally:
            await pool.stop()
        return statuses

    return asyncio.run(run_all())


def test_workers_connect_nowhere_without_any_text_check(store_dir: Path) -> None:
    with listener() as (url, received):
        statuses = run_unchecked(store_dir, [fill(shape, url) for shape in SERVICE_SHAPES])
    assert received == []
    assert set(statuses) <= {200, 400, 403}, statuses  # 200: SILENT, or never evaluated
    assert statuses[0] == statuses[2] == 403  # refused by the kernel, not by a text check


def test_the_listener_does_see_an_unsandboxed_engine() -> None:
    """The same query in this (unsandboxed) test process does connect: the listener works."""
    with listener() as (url, received), pytest.raises(OSError):
        list(Store().query(fill(SERVICE_SHAPES[0], url)))  # the listener sends no answer
    assert len(received) == 1 and received[0].startswith(b"POST")


FUZZ_BEFORE = [
    "",
    ".",
    " . ",
    ";",
    "\n",
    "#x\n",
    "BIND(1 AS ?x) .",
    "BIND(1 AS ?x)",
    "?s p:a\\#b ?o .",
    "?s p:a\\'b ?o .",
    "{}",
    "OPTIONAL {}",
    "FILTER(true)",
    "VALUES ?v { 1 }",
]
FUZZ_KEYWORD = [
    "SERVICE",
    "service",
    "SeRvIcE",
    "\\u0053ERVICE",
    "\\u0073ervice",
    "S\\u0045RVICE",
    "\\U00000053ERVICE",
    "SERVIC\\u0045",
]
FUZZ_GAP = [" ", "", "\n", "\t", "#c\n", " #SERVICE\n", "\r\n"]


@settings(max_examples=80, deadline=None)
@given(
    before=st.lists(st.sampled_from(FUZZ_BEFORE), max_size=3),
    keyword=st.sampled_from(FUZZ_KEYWORD),
    gap=st.sampled_from(FUZZ_GAP),
    silent=st.sampled_from(["", "SILENT", "silent", "SILENT#c\n"]),
    gap2=st.sampled_from(FUZZ_GAP),
    noise=st.text(alphabet=" .;\n#{}\\'\"<>", max_size=4),
    method=st.sampled_from(METHODS),
)
def test_fuzzed_service_never_connects(
    endpoint: str,
    before: list[str],
    keyword: str,
    gap: str,
    silent: str,
    gap2: str,
    noise: str,
    method: str,
) -> None:
    with listener() as (url, received), httpx.Client(base_url=endpoint, timeout=30) as client:
        query = (
            f"{PREFIX}SELECT * WHERE {{ {' '.join(before)}{noise}{keyword}{gap}{silent}"
            f"{gap2}<{url}> {BODY} }}"
        )
        response = send(client, method, query)
    assert response.status_code < 500, response.text
    assert received == []


SECCOMP_DENIED = """
import errno, os, sys, pyseccomp as s
f = s.SyscallFilter(s.ALLOW)
f.add_rule(s.ERRNO(errno.EPERM), "seccomp")
f.add_rule(s.ERRNO(errno.EPERM), "prctl", s.Arg(0, s.EQ, 22))  # PR_SET_SECCOMP
f.load()
os.execv(sys.executable, [sys.executable, "-m", "il2kg.cli", *sys.argv[1:]])
"""


def test_serve_refuses_to_run_queries_unsandboxed(store_dir: Path) -> None:
    """Where the kernel will not install the filter, `il2kg serve` stops and says why."""
    port = free_port()
    script = textwrap.dedent(SECCOMP_DENIED)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            script,
            "serve",
            "--store",
            str(store_dir),
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert result.returncode != 0
    assert "cannot be sandboxed" in result.stderr and "seccomp" in result.stderr
    assert "Uvicorn running" not in result.stderr
