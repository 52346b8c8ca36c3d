"""Each seed file read, checked, audited and converted to N-Quads on its own: the per-file half
of the pipeline, in worker processes for a large project (seed files are independent)."""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from itertools import islice
from pathlib import Path

from il2kg.audit.check import AuditReport, audit_record
from il2kg.audit.wording import Lexicon
from il2kg.graph.quads import record_nquads
from il2kg.records.load import RecordError, display_path, load_record
from il2kg.records.model import PublicationRecord
from il2kg.records.sources import read_source
from il2kg.records.vocabulary import Vocabulary

POOL_MIN_SEEDS = 200  # fewer seed files are read in this process: a worker starts in ~2 s
WORKERS = 2
CHUNK = 8  # seed files a worker takes at a time
WINDOW = 8  # chunks waiting per worker at most, so results never pile up in memory


@dataclass(frozen=True)
class Checks:
    """What each seed file is held against: the ontology's vocabulary, the source texts (no
    directory: no audit) and the ontology's words for its terms."""

    vocabulary: Vocabulary
    sources_dir: Path | None
    lexicon: Lexicon


@dataclass(frozen=True)
class Ingested:
    """One seed file's outcome: its record and quads, or its errors."""

    path: Path
    record: PublicationRecord | None  # None when the file has errors
    errors: tuple[RecordError, ...]
    audit: AuditReport | None  # None when the file has errors or there are no sources
    quads: bytes  # the record's quads in the data graph, N-Quads; empty with errors


def ingest_one(path: Path, checks: Checks) -> Ingested:
    """Load, check, audit (when there are sources) and convert one seed file."""
    record, errors = load_record(path, checks.vocabulary, checks.sources_dir)
    if record is None or errors:
        return Ingested(path, None, tuple(errors), None, b"")
    if checks.sources_dir is None:
        return Ingested(path, record, (), None, record_nquads(record))
    audited = audit_record(display_path(path), record, checks.sources_dir, checks.lexicon)
    quads = record_nquads(record, partial(read_source, checks.sources_dir))
    return Ingested(path, record, (), audited, quads)


def _ingest_all(paths: list[Path], checks: Checks) -> list[Ingested]:
    return [ingest_one(path, checks) for path in paths]


def ingest(paths: Sequence[Path], checks: Checks) -> Iterator[Ingested]:
    """Every seed file's outcome, in the order of `paths` whatever the workers' timing: from
    WORKERS processes (spawned: nothing of this one's state is shared) for POOL_MIN_SEEDS
    files or more, from this process for fewer."""
    if len(paths) < POOL_MIN_SEEDS:
        yield from (ingest_one(path, checks) for path in paths)
        return
    remaining = iter(paths)
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(WORKERS, mp_context=spawn) as pool:
        waiting: deque[Future[list[Ingested]]] = deque()
        while chunk := list(islice(remaining, CHUNK)):
            waiting.append(pool.submit(_ingest_all, chunk, checks))
            if len(waiting) >= WINDOW * WORKERS:
                yield from waiting.popleft().result()
        while waiting:
            yield from waiting.popleft().result()
