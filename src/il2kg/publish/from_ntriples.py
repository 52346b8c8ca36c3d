"""Turtle and JSON-LD written by pyoxigraph from a sorted N-Triples file, in its order, so the
same triples give the same bytes. Only pyoxigraph is imported here, so a process spawned to
write one of them starts quickly."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox


def write_turtle(path: Path, nt: Path, prefixes: dict[str, str]) -> None:
    """Turtle with the given prefixes."""
    with path.open("wb") as out:
        triples = ox.parse(path=nt, format=ox.RdfFormat.N_TRIPLES)
        ox.serialize(triples, out, ox.RdfFormat.TURTLE, prefixes=prefixes)


def write_jsonld(path: Path, nt: Path, context: dict[str, str]) -> None:
    """JSON-LD: the published context and pyoxigraph's node objects (full IRIs) as @graph."""
    head = json.dumps({"@context": context}, indent=1)[:-2]
    with path.open("wb") as out:
        out.write(f'{head},\n "@graph": '.encode())
        ox.serialize(ox.parse(path=nt, format=ox.RdfFormat.N_TRIPLES), out, ox.RdfFormat.JSON_LD)
        out.write(b"\n}\n")
