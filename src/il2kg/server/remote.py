"""Remote stores: put the graph into one (Graph Store Protocol) and query one as the engine."""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator

import httpx
from pyoxigraph import RdfFormat, Store, serialize

from il2kg.query.client import media_type, query_request, refused, unreachable
from il2kg.query.result import QueryError
from il2kg.server.negotiation import ALIASES
from il2kg.server.pool import Answer
from il2kg.server.worker import Job

REMOTE = "the remote store"  # how errors name it: its address is not the client's business


def load_to(store: Store, url: str, *, timeout: float = 60.0) -> dict[str, int]:
    """PUT every named graph of `store` to a Graph Store Protocol endpoint; triples per graph."""
    counts = {}
    with httpx.Client(timeout=timeout) as client:
        for graph in store.named_graphs():
            triples = [q.triple for q in store.quads_for_pattern(None, None, None, graph)]
            body = serialize(triples, format=RdfFormat.N_TRIPLES)
            try:
                response = client.put(url, params={"graph": graph.value}, content=body,
                                      headers={"Content-Type": "application/n-triples"})
            except httpx.HTTPError as exc:
                raise OSError(f"could not reach {url}: {exc}") from exc
            if response.status_code >= 300:
                raise OSError(f"{url} refused graph {graph.value}: HTTP {response.status_code} "
                              f"{response.text[:500]}")
            counts[graph.value] = len(triples)
    return counts


class RemoteEngine:
    """A remote SPARQL endpoint used as the store; the time limit bounds each request."""

    def __init__(self, url: str, *, timeout: float) -> None:
        self.url, self.timeout = url, timeout
        self.client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        """Open the connection pool."""
        self.client = httpx.AsyncClient(timeout=self.timeout)

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
