"""Records as independent modules of the graph: SHACL validation record batch by batch.

Every triple a record converts to is about the record's own IRIs (`il2r:<record-id>/...`)
and points only at its own IRIs, the vocabulary or literals; the ontology and the mappings
are shared. So a large set of records can be validated in batches, each converted and
validated in a worker process over its own triples plus the shared graphs: no process
ever holds the whole graph, and both cores work. A vocabulary term seen by several
batches gives the same result in each (it depends on shared triples only), so results
are merged as a set. A batch that breaks the module rule raises `Unsupported`, and the
caller validates the whole graph instead.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor

from rdflib import BNode, Graph

from il2kg.checks.fast_shacl import (
    Unsupported,
    ValidationResult,
    mixed_in,
    report_graph,
    validate_graphs,
)
from il2kg.graph.convert import records_to_graph
from il2kg.iris import record_of
from il2kg.records.model import PublicationRecord

BATCH_RECORDS = 100
_shared: dict[str, Graph] = {}


def check_module(graph: Graph, records: set[str]) -> None:
    """Raise Unsupported unless every triple is about, and points only into, these records."""
    for s, _, o in graph:
        target = record_of(o)
        if record_of(s) not in records or (target is not None and target not in records):
            raise Unsupported(f"{s} -> {o} crosses the records' modules")
        if isinstance(o, BNode):
            raise Unsupported(f"{s} has a blank node value")


def _start(shapes: Graph, ontology: Graph, mappings: Graph) -> None:
    """A worker's set-up: the shared graphs, received once per process (pickled, so blank
    nodes keep their ids and results name the same shape nodes as in the caller)."""
    _shared.update(shapes=shapes, ontology=ontology, mappings=mappings)


def _validate_batch(records: Sequence[PublicationRecord]) -> list[ValidationResult]:
    """Convert and validate one batch in a worker; the results of its SHACL validation."""
    data = records_to_graph(records)
    check_module(data, {r.id for r in records})
    graphs = (data + _shared["mappings"], _shared["ontology"])
    return validate_graphs(graphs, _shared["shapes"])


def validate_records(
    records: Sequence[PublicationRecord],
    shapes: Graph,
    ontology: Graph,
    mappings: Graph,
    *,
    workers: int | None = None,
    batch_records: int = BATCH_RECORDS,
) -> Graph:
    """The SHACL report of the records' graph plus the mappings, computed batch by batch."""
    batches = [records[i : i + batch_records] for i in range(0, len(records), batch_records)]
    # Spawned, not forked: callers may run other threads (the reasoner) meanwhile.
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers or os.cpu_count(),
        mp_context=spawn,
        initializer=_start,
        initargs=(shapes, mixed_in(ontology), mappings),
    ) as pool:
        results = {r for found in pool.map(_validate_batch, batches) for r in found}
    return report_graph(sorted(results, key=repr), shapes, mappings)
