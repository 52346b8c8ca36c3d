"""The hand-off from building to serving: the built named graphs in a pyoxigraph store.

Besides the build (`dist/il2kg.nq`) and any extra files (`publish.extra_files`), a store holds
the example queries as data, SIB sparql-examples style, in the named graph `.../graph/examples`
(`query.examples`). `publish.disk_store` writes such a store to disk.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pyoxigraph import RdfFormat, Store

from il2kg.publish.extra_files import load_file
from il2kg.query.examples import EXAMPLES, example_quads, load_examples


def fill(
    store: Store, dist: Path, *, extra: Sequence[Path] = (), queries_dir: Path | None = None
) -> Store:
    """Load the build in `dist` (its N-Quads), any extra files and the example queries."""
    quads = dist / "il2kg.nq"
    if not quads.is_file():
        raise FileNotFoundError(f"{quads} not found; run `il2kg build` first")
    store.bulk_load(path=quads, format=RdfFormat.N_QUADS)
    for path in extra:
        load_file(store, path)
    if queries_dir is not None:  # these examples replace the build's
        store.clear_graph(EXAMPLES)
        store.bulk_extend(example_quads(load_examples(queries_dir)))
    return store


def open_store(dist: Path, *, extra: Sequence[Path] = (), queries_dir: Path | None = None) -> Store:
    """An in-memory store with the build in `dist`, any extra files and example queries."""
    return fill(Store(), dist, extra=extra, queries_dir=queries_dir)
