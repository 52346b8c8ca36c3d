"""Answers kept for the served build: entity tags and conditional requests, the same bytes
as the workers give, never an answer of an earlier build, nothing kept that may change."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from pyoxigraph import RdfFormat, parse

from il2kg.publish.disk_store import publish_store
from il2kg.server.app import create_app
from il2kg.server.cache import Kept, ResultCache, deterministic, entity_tag
from il2kg.server.messages import Job
from il2kg.server.pool import WorkerPool
from il2kg.server.settings import Settings

from .server_fixtures import TINY_QUADS, live_server, wait_until

pytestmark = pytest.mark.server

LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
LABELS = f"SELECT ?s ?label WHERE {{ ?s {LABEL} ?label }} ORDER BY ?s ?label"
ASK = "ASK { ?s a <https://w3id.org/il2kg/ontology/Publication> }"
CONSTRUCT = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
GRAPH_FORMATS = {
    "ttl": RdfFormat.TURTLE,
    "nt": RdfFormat.N_TRIPLES,
    "jsonld": RdfFormat.JSON_LD,
    "rdfxml": RdfFormat.RDF_XML,
}
ANSWERS = [
    *((LABELS, f) for f in ("json", "xml", "csv", "tsv")),
    *((ASK, f) for f in ("json", "xml")),
    *((CONSTRUCT, f) for f in GRAPH_FORMATS),
]


@dataclass(frozen=True)
class Servers:
    """Two endpoints over one store: one keeping answers, one without a cache."""

    kept: str
    plain: str
    pool: WorkerPool


@pytest.fixture(scope="module")
def servers(tiny_store_dir: Path) -> Iterator[Servers]:
    settings = Settings(timeout=3.0)
    pool = WorkerPool(str(tiny_store_dir), size=1, timeout=3.0)
    uncached = WorkerPool(str(tiny_store_dir), size=1, timeout=3.0, cache=0)
    with (
        live_server(create_app(pool, settings)) as kept,
        live_server(create_app(uncached, settings)) as plain,
    ):
        yield Servers(f"{kept}/sparql", f"{plain}/sparql", pool)


def is_kept(pool: WorkerPool, query: str, fmt: str | None = None) -> bool:
    """True when the pool keeps an answer to `query` (in `fmt`)."""
    return any(job.query == query and job.format == fmt for job in pool.cache.entries)


@pytest.mark.parametrize(("query", "fmt"), ANSWERS)
def test_kept_answer_is_the_workers_answer(servers: Servers, query: str, fmt: str) -> None:
    params = {"query": query, "format": fmt}
    first = httpx.get(servers.kept, params=params)  # from a worker
    assert first.status_code == 200, first.text
    assert is_kept(servers.pool, query, fmt)
    again = httpx.get(servers.kept, params=params)  # from the cache
    plain = httpx.get(servers.plain, params=params)  # from a worker, no cache at all
    assert again.content == first.content
    for name in ("content-type", "etag", "cache-control", "vary"):
        assert again.headers[name] == first.headers[name] == plain.headers[name], name
    assert first.headers["etag"] == entity_tag(first.content)
    if fmt in GRAPH_FORMATS:  # the same triples (a serialiser may order them otherwise)
        assert set(parse(plain.content, GRAPH_FORMATS[fmt])) == set(
            parse(first.content, GRAPH_FORMATS[fmt])
        )
    else:
        assert plain.content == first.content


@pytest.mark.parametrize("which", ["kept", "plain"])
def test_conditional_requests(servers: Servers, which: str) -> None:
    url = getattr(servers, which)
    params = {"query": ASK}
    first = httpx.get(url, params=params)
    tag = first.headers["etag"]
    assert first.headers["cache-control"] == "no-cache"
    for header in (tag, f"W/{tag}", f'"other", {tag}', "*"):
        unchanged = httpx.get(url, params=params, headers={"If-None-Match": header})
        assert unchanged.status_code == 304, header
        assert unchanged.content == b""
        assert unchanged.headers["etag"] == tag
        assert unchanged.headers["vary"] == "Accept"
    changed = httpx.get(url, params=params, headers={"If-None-Match": '"other"'})
    assert changed.status_code == 200 and changed.content == first.content
    xml = httpx.get(url, params={**params, "format": "xml"}, headers={"If-None-Match": tag})
    assert xml.status_code == 200 and xml.headers["etag"] != tag
    head = httpx.head(url, params=params, headers={"If-None-Match": tag})
    assert head.status_code == 304
    posted = httpx.post(url, data=params, headers={"If-None-Match": tag})
    assert posted.status_code == 412  # RFC 9110, 13.1.2: not GET or HEAD
    assert httpx.post(url, data=params).content == first.content


def test_answers_that_change_are_not_kept(servers: Servers) -> None:
    query = "SELECT (RAND() AS ?r) (STRUUID() AS ?u) WHERE {}"
    answers = {httpx.get(servers.kept, params={"query": query}).content for _ in range(3)}
    assert len(answers) == 3
    assert not is_kept(servers.pool, query)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT (rand() AS ?r) {}",
        "SELECT (NOW() AS ?t) {}",
        "SELECT (UUID() AS ?u) {}",
        "SELECT (STRUUID() AS ?u) {}",
        "SELECT (BNODE() AS ?b) {}",
        "SELECT (\\u0052AND() AS ?r) {}",
    ],
)
def test_volatile_queries_are_told(query: str) -> None:
    assert not deterministic(query)


def test_data_queries_are_deterministic() -> None:
    assert deterministic(LABELS) and deterministic(CONSTRUCT) and deterministic(COUNT)


def kept(size: int) -> Kept:
    body = b"x" * size
    return Kept("application/sparql-results+json", body, entity_tag(body))


def test_cache_holds_its_capacity_least_recently_used_out_first() -> None:
    jobs = [Job(query=f"ASK {{ <urn:{i}> ?p ?o }}") for i in range(3)]
    probe = ResultCache()
    probe.put(0, jobs[0], kept(1_000))
    cache = ResultCache(capacity=probe.size * 5 // 2)  # room for two entries, not three
    for job in jobs[:2]:
        cache.put(0, job, kept(1_000))
    assert cache.get(0, jobs[0]) is not None  # now the most recently used
    cache.put(0, jobs[2], kept(1_000))  # no room for three: the least recently used goes
    assert [cache.get(0, job) is not None for job in jobs] == [True, False, True]
    assert cache.size <= cache.capacity
    cache.put(0, Job(query="ASK {}"), kept(cache.capacity))  # larger than the whole cache
    assert cache.get(0, Job(query="ASK {}")) is None
    assert ResultCache(capacity=0).get(0, jobs[0]) is None


def test_every_text_of_a_job_counts() -> None:
    """A small answer to a request with many dataset IRIs is charged for them too."""
    cache = ResultCache(capacity=20_000)
    graphs = tuple(f"urn:graph:{i:05}" for i in range(1_000))  # about 65 KB of text
    job = Job(query="ASK {}", default_graphs=graphs)
    cache.put(0, job, kept(10))
    assert cache.get(0, job) is None and cache.size == 0


def test_cache_gives_only_the_served_generation() -> None:
    cache, job = ResultCache(), Job(query="ASK {}")
    cache.put(1, job, kept(10))
    assert cache.get(1, job) is not None and cache.get(2, job) is None
    cache.serve(2)
    assert cache.get(1, job) is None and not cache.entries
    cache.put(1, job, kept(10))  # a worker of the old build answering late
    assert cache.get(1, job) is None and cache.get(2, job) is None


def test_no_answer_of_an_earlier_build(tmp_path: Path) -> None:
    """A query kept from one build is answered by the next once `build --store` switches."""
    one, two = tmp_path / "one", tmp_path / "two"
    for dist, quads in ((one, TINY_QUADS), (two, TINY_QUADS + EXTRA)):
        dist.mkdir()
        (dist / "il2kg.nq").write_text(quads, encoding="utf-8")
    link = tmp_path / "store"
    publish_store(link, one)
    pool = WorkerPool(str(link), size=1, timeout=3.0)
    with live_server(create_app(pool, Settings(timeout=3.0))) as url:

        def count() -> int:
            answer = httpx.get(f"{url}/sparql", params={"query": COUNT, "format": "json"})
            return int(answer.json()["results"]["bindings"][0]["n"]["value"])

        old = count()
        assert count() == old and is_kept(pool, COUNT, "json")
        publish_store(link, two)
        wait_until(lambda: count() != old, "the new build answers the kept query")
        new = [count() for _ in range(20)]
        assert new == [old + 1] * 20


EXTRA = (
    "<https://w3id.org/il2kg/resource/tiny/p2> <http://www.w3.org/2000/01/rdf-schema#label> "
    '"Another tiny publication"@en <https://w3id.org/il2kg/graph/data> .\n'
)
