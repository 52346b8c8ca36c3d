"""Lines sorted and made unique in bounded memory: runs sorted in memory, spilled to
temporary files, merged (an external merge sort). Lines are bytes ending in a line feed;
bytes order UTF-8 text as code points, so the order is that of the text."""

from __future__ import annotations

import heapq
import tempfile
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import IO

RUN = 500_000  # lines sorted in memory at a time


def _spill(lines: list[bytes]) -> IO[bytes]:
    """A sorted run in a temporary file, read back from its start."""
    run = tempfile.TemporaryFile()  # noqa: SIM115 (returned; closed after the merge)
    run.writelines(lines)
    run.seek(0)
    return run


def sorted_unique(lines: Iterable[bytes], run: int = RUN) -> Iterator[bytes]:
    """`lines` sorted, each once; at most `run` of them held in memory. Duplicates are
    dropped as the sorted runs are merged; a single run is never written out."""
    pending, runs = iter(lines), []
    batch = sorted(islice(pending, run))
    try:
        while len(batch) == run:  # more may follow: spill this run
            runs.append(_spill(batch))
            batch.clear()
            batch = sorted(islice(pending, run))
        last = None
        for line in heapq.merge(*runs, batch):
            if line != last:
                yield line
                last = line
    finally:
        for spilled in runs:
            spilled.close()
