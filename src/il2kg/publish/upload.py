"""Put a build into a remote store with the SPARQL 1.1 Graph Store Protocol (`il2kg load --to`)."""

from __future__ import annotations

import tempfile
from itertools import islice
from typing import IO

import httpx
from pyoxigraph import BlankNode, NamedNode, RdfFormat, Store, serialize

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
