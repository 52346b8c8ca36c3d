"""Lines sorted and made unique in bounded memory: runs sorted in memory, spilled to
temporary files, merged (an external merge sort). Lines are bytes ending in a line feed;
bytes order UTF-8 text as code points, so the order is that of the text."""

from __future__ import annotations

import heapq
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO

RUN = 500_000  # lines sorted in memory at a time


def _spill(lines: list[bytes]) -> IO[bytes]:
    """A sorted run in a temporary file, read back from its start."""
    run = tempfile.TemporaryFile()  # noqa: SIM115 (returned; closed after the merge)
    run.writelines(lines)
    run.seek(0)
    return run


def sorted_unique(lines: Iterable[bytes], run: int = RUN) -> Iterator[bytes]:
    """`lines` sorted, each once; at most `run` of them held in memory."""
    runs: list[IO[bytes]] = []
    batch: list[bytes] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= run:
            runs.append(_spill(sorted(set(batch))))
            batch = []
    last = None
    try:
        for line in heapq.merge(*runs, sorted(set(batch))):
            if line != last:
                yield line
                last = line
    finally:
        for spilled in runs:
            spilled.close()
