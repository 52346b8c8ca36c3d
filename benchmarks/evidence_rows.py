"""How the evidence rows query (`il2kg.evidence.rows.ROWS_QUERY`) grows with the graph.

Synthetic records (benchmarks/generate.py) with the ontology, in an in-memory pyoxigraph
store; the query is timed (best of 3) at each size. Linear time shows as a steady time per
response outcome. `python -m benchmarks.evidence_rows [RECORDS...]`.
"""

from __future__ import annotations

import sys
import time

from pyoxigraph import NamedNode, RdfFormat, Store

from benchmarks.generate import synthetic_records
from il2kg.evidence.rows import ROWS_QUERY
from il2kg.graph.convert import records_to_graph
from il2kg.paths import ONTOLOGY_FILE


def store_of(records: int) -> Store:
    """A store with `records` synthetic records and the ontology (for the category labels)."""
    store = Store()
    graph = records_to_graph(list(synthetic_records(records)))
    store.load(
        graph.serialize(format="nt").encode(),
        format=RdfFormat.N_TRIPLES,
        to_graph=NamedNode("https://w3id.org/il2kg/graph/data"),
    )
    store.load(
        ONTOLOGY_FILE.read_bytes(),
        format=RdfFormat.TURTLE,
        to_graph=NamedNode("https://w3id.org/il2kg/graph/ontology"),
    )
    return store


def seconds(store: Store) -> tuple[float, int]:
    """The best of three runs of the rows query, and how many rows it gave."""
    best, rows = float("inf"), 0
    for _ in range(3):
        start = time.perf_counter()
        rows = len(list(store.query(ROWS_QUERY, use_default_graph_as_union=True)))
        best = min(best, time.perf_counter() - start)
    return best, rows


def main(sizes: list[int]) -> None:
    for records in sizes:
        took, rows = seconds(store_of(records))
        print(
            f"{records} records, {rows} response rows: {took:.2f} s "
            f"({1000 * took / max(rows, 1):.2f} ms a row)"
        )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100, 200, 400])
