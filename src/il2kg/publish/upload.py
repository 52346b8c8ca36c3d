"""Put a build into a remote store with the SPARQL 1.1 Graph Store Protocol (`il2kg load --to`)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from itertools import islice
from typing import IO

import httpx
from pyoxigraph import BlankNode, NamedNode, Quad, RdfFormat, Store, serialize

CHUNK_TRIPLES = 50_000  # triples serialised at a time for an upload
REQUEST_TRIPLES = 1_000_000  # triples sent in one request at most (graphs without blank nodes)
BLANK = "ASK {{ GRAPH {} {{ ?s ?p ?o FILTER (isBlank(?s) || isBlank(?o)) }} }}"


def load_to(store: Store, url: str, *, timeout: float = 60.0) -> dict[str, int]:
    """PUT every named graph of `store` to a Graph Store Protocol endpoint; triples per graph.

    A graph of more than `REQUEST_TRIPLES` triples and no blank node goes in several
    requests, a PUT (which replaces the graph) and then POSTs (which add to it), so no store
    has to take in more than that at once. Each request's N-Triples are written to a
    temporary file `CHUNK_TRIPLES` at a time and sent from there with their length (some
    stores, e.g. Virtuoso, refuse chunked uploads): the upload holds one chunk in memory."""
    counts = {}
    with httpx.Client(timeout=timeout) as client:
        for graph in store.named_graphs():
            quads = store.quads_for_pattern(None, None, None, graph)
            # A blank node means the same node only within one request: such a graph goes whole.
            limit = None if store.query(BLANK.format(graph)) else REQUEST_TRIPLES
            counts[graph.value], method = 0, "PUT"
            while sent := _send(client, method, url, graph, islice(quads, limit)):
                counts[graph.value] += sent
                method = "POST"
    return counts


def _send(
    client: httpx.Client, method: str, url: str, graph: NamedNode | BlankNode, quads: Iterator[Quad]
) -> int:
    """Send the quads' triples (the next part of a graph) in one request; how many."""
    with tempfile.TemporaryFile() as body:
        count = _spool(quads, body)
        if not count:
            return 0
        body.seek(0)
        try:
            response = client.request(
                method,
                url,
                params={"graph": graph.value},
                content=body,
                headers={"Content-Type": "application/n-triples"},
            )
        except httpx.HTTPError as exc:
            raise OSError(f"could not reach {url}: {exc}") from exc
    if response.status_code >= 300:
        raise OSError(
            f"{url} refused graph {graph.value}: HTTP {response.status_code} {response.text[:500]}"
        )
    return count


def _spool(quads: Iterator[Quad], out: IO[bytes]) -> int:
    """Write the quads' triples to `out` as N-Triples, a chunk at a time; how many."""
    count = 0
    while chunk := [q.triple for q in islice(quads, CHUNK_TRIPLES)]:
        serialize(chunk, out, RdfFormat.N_TRIPLES)
        count += len(chunk)
    return count
