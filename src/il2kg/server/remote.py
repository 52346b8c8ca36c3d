"""Remote stores: put the graph into one (Graph Store Protocol) and query one as the engine."""

from __future__ import annotations

import tempfile
import time
from collections.abc import AsyncGenerator
from itertools import islice
from typing import IO

import httpx
from pyoxigraph import BlankNode, NamedNode, RdfFormat, Store, serialize

from il2kg.query.client import media_type, query_request, refused, unreachable
from il2kg.query.result import QueryError
from il2kg.server.messages import Job
from il2kg.server.negotiation import ALIASES
from il2kg.server.pool import Answer

CONNECTIONS = 100  # to the remote store at once (httpx's default)
REMOTE = "the remote store"  # how errors name it: its address is not the client's business


CHUNK_TRIPLES = 50_000  # triples serialised at a time for an upload


def load_to(store: Store, url: str, *, timeout: float = 60.0) -> dict[str, int]:
    """PUT every named graph of `store` to a Graph Store Protocol endpoint; triples per graph.

    Each graph's N-Triples are written to a temporary file `CHUNK_TRIPLES` at a time and
    sent from there with their length (some stores, e.g. Virtuoso, refuse chunked uploads),
    so the upload holds one chunk in memory however large the graph is."""
    counts = {}
    with httpx.Client(timeout=timeout) as client:
        for graph in store.named_graphs():
            with tempfile.TemporaryFile() as body:
                counts[graph.value] = _spool(store, graph, body)
                body.seek(0)
                try:
                    response = client.put(url, params={"graph": graph.value}, content=body,
                                          headers={"Content-Type": "application/n-triples"})
                except httpx.HTTPError as exc:
                    raise OSError(f"could not reach {url}: {exc}") from exc
            if response.status_code >= 300:
                raise OSError(f"{url} refused graph {graph.value}: HTTP {response.status_code} "
                              f"{response.text[:500]}")
    return counts


def _spool(store: Store, graph: NamedNode | BlankNode, out: IO[bytes]) -> int:
    """Write a graph's triples to `out` as N-Triples, a chunk at a time; how many."""
    quads, count = store.quads_for_pattern(None, None, None, graph), 0
    while chunk := [q.triple for q in islice(quads, CHUNK_TRIPLES)]:
        serialize(chunk, out, RdfFormat.N_TRIPLES)
        count += len(chunk)
    return count


class RemoteEngine:
    """A remote SPARQL endpoint used as the store; the time limit bounds each request."""

    descriptors = CONNECTIONS

    def __init__(self, url: str, *, timeout: float) -> None:
        self.url, self.timeout = url, timeout
        self.client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        """Open the connection pool."""
        self.client = httpx.AsyncClient(timeout=self.timeout,
                                        limits=httpx.Limits(max_connections=CONNECTIONS))

    async def stop(self) -> None:
        """Close the connection pool."""
        if self.client is not None:
            await self.client.aclose()

    async def run(self, job: Job) -> Answer:
        """Send the query; stream the answer back, or raise the remote error as a QueryError."""
        assert self.client is not None, "start() the engine first"
        accept = ALIASES.get(job.format.lower(), job.format) if job.format else job.accept
        request = query_request(self.client, self.url, job.query, accept=accept or "*/*",
                                default_graphs=job.default_graphs,
                                named_graphs=job.named_graphs)
        deadline = time.monotonic() + self.timeout
        try:
            response = await self.client.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise unreachable(REMOTE, exc, self.timeout) from exc
        if not response.is_success:
            text = await response.aread()
            await response.aclose()
            raise refused(REMOTE, response, text)
        return Answer(media_type(response), self._body(response, deadline, job.max_bytes))

    async def _body(self, response: httpx.Response, deadline: float,
                    limit: int) -> AsyncGenerator[bytes, None]:
        size = 0
        try:
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if (limit and size > limit) or time.monotonic() > deadline:
                    raise QueryError("the remote answer passed this endpoint's limits", 503)
                yield chunk
        finally:
            await response.aclose()
