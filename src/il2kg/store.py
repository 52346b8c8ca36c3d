"""The hand-off from building to serving: the built named graphs in a pyoxigraph store."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Store

QUAD_FORMATS = {RdfFormat.N_QUADS, RdfFormat.TRIG}


def extra_graph_name(path: Path) -> NamedNode:
    """The named graph an extra data file is loaded into: its file IRI."""
    return NamedNode(path.absolute().as_uri())


def load_file(store: Store, path: Path) -> None:
    """Load one RDF file; a triple format goes into a graph named after the file."""
    fmt = RdfFormat.from_extension(path.suffix.lstrip("."))
    if fmt is None:
        raise ValueError(f"{path}: unknown RDF format for extension '{path.suffix}'")
    to_graph = None if fmt in QUAD_FORMATS else extra_graph_name(path)
    store.bulk_load(path=path, format=fmt, to_graph=to_graph)


def open_store(dist: Path, *, extra: Sequence[Path] = ()) -> Store:
    """An in-memory store with the build in `dist` (its N-Quads) and any extra files."""
    quads = dist / "il2kg.nq"
    if not quads.is_file():
        raise FileNotFoundError(f"{quads} not found; run `il2kg build` first")
    store = Store()
    store.bulk_load(path=quads, format=RdfFormat.N_QUADS)
    for path in extra:
        load_file(store, path)
    return store
