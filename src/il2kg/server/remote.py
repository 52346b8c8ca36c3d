"""A remote store as the engine: queries sent to a SPARQL endpoint through `query/client`."""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator

import httpx

from il2kg.query.client import media_type, query_request, refused, unreachable
from il2kg.query.result import QueryError
from il2kg.server.messages import Job
from il2kg.server.negotiation import ALIASES
from il2kg.server.pool import Answer

CONNECTIONS = 100  # to the remote store at once (httpx's default)
REMOTE = "the remote store"  # how errors name it: its address is not the client's business


class RemoteEngine:
    """A remote SPARQL endpoint used as the store; the time limit bounds each request."""

    descriptors = CONNECTIONS

    def __init__(self, url: str, *, timeout: float) -> None:
        self.url, self.timeout = url, timeout
        self.client: httpx.AsyncClient | None = None

    async def start(self) -> None:
        """Open the connection pool."""
        self.client = httpx.AsyncClient(
            timeout=self.timeout, limits=httpx.Limits(max_connections=CONNECTIONS)
        )

    async def stop(self) -> None:
        """Close the connection pool."""
        if self.client is not None:
            await self.client.aclose()

    async def run(self, job: Job) -> Answer:
        """Send the query; stream the answer back, or raise the remote error as a QueryError."""
        assert self.client is not None, "start() the engine first"
        accept = ALIASES.get(job.format.lower(), job.format) if job.format else job.accept
        request = query_request(
            self.client,
            self.url,
            job.query,
            accept=accept or "*/*",
            default_graphs=job.default_graphs,
            named_graphs=job.named_graphs,
        )
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

    async def _body(
        self, response: httpx.Response, deadline: float, limit: int
    ) -> AsyncGenerator[bytes, None]:
        size = 0
        try:
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if (limit and size > limit) or time.monotonic() > deadline:
                    raise QueryError("the remote answer passed this endpoint's limits", 503)
                yield chunk
        finally:
            await response.aclose()
