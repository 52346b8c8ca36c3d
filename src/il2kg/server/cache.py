"""Whole answers kept for the build being served, and their entity tags.

A build never changes once served, so a query whose answer depends only on the data (no
`RAND`, `NOW`, `UUID`, `STRUUID` or `BNODE`) gets the same answer until the next generation.
The pool keeps whole answers (never streamed ones) here, keyed by the job and tagged with
the generation that answered: a lookup names the generation being served, and an answer of
an older one is never given (a switch to a new generation empties the cache). The
cache holds at most `capacity` bytes (every text of the job and the answer counted), least recently
used out first; capacity 0 keeps nothing.
"""

from __future__ import annotations

import hashlib
import sys
from collections import OrderedDict
from dataclasses import dataclass

from il2kg.server.messages import Job

CACHE_BYTES = 64 << 20  # the default capacity
LARGEST = 1 << 20  # bytes: a larger answer is not kept
OVERHEAD = 512  # bytes counted for an entry's objects (job, answer, their places in the cache)
# Functions whose answer changes from one run to the next; an escape (`\u0052AND`) may spell
# one, so a query with escapes is not kept either. Matching more than these (`known` holds
# `now`) only leaves an answer out of the cache.
VOLATILE = ("rand", "now", "uuid", "bnode", "\\u")


def deterministic(query: str) -> bool:
    """True when the query's answer depends only on the data (conservatively, by its text).

    >>> deterministic("ASK {}"), deterministic("SELECT (RAND() AS ?r) {}")
    (True, False)
    """
    lowered = query.lower()
    return not any(word in lowered for word in VOLATILE)


def entity_tag(body: bytes) -> str:
    """A strong entity tag for an answer's bytes (RFC 9110, 8.8.3).

    >>> entity_tag(b"true")
    '"b30ee95ec6cda01eb712d912431fe867"'
    """
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


@dataclass(frozen=True)
class Kept:
    """A kept answer: media type, bytes, entity tag."""

    media_type: str
    body: bytes
    etag: str


def _cost(job: Job, kept: Kept) -> int:
    """The memory an entry holds: every text of its job and its answer, and the objects."""
    texts = (job.query, job.accept, job.format, job.base_iri, kept.media_type, kept.etag)
    objects = (*texts, *job.default_graphs, *job.named_graphs, kept.body)
    return OVERHEAD + sum(map(sys.getsizeof, objects))


class ResultCache:
    """Whole answers of one generation, at most `capacity` bytes, least recently used out first."""

    def __init__(self, capacity: int = CACHE_BYTES) -> None:
        self.capacity, self.size, self.generation = capacity, 0, -1
        self.entries: OrderedDict[Job, Kept] = OrderedDict()

    def get(self, generation: int, job: Job) -> Kept | None:
        """The answer kept for `job` by `generation`, if any."""
        if generation != self.generation:
            return None
        kept = self.entries.get(job)
        if kept is not None:
            self.entries.move_to_end(job)
        return kept

    def put(self, generation: int, job: Job, kept: Kept) -> None:
        """Keep an answer `generation` gave, if it may be kept; a newer generation's first
        answer empties the cache, an older generation's is dropped."""
        if generation < self.generation:
            return
        if generation > self.generation:
            self.serve(generation)
        cost = _cost(job, kept)
        if len(kept.body) > LARGEST or cost > self.capacity or not deterministic(job.query):
            return
        if (old := self.entries.pop(job, None)) is not None:
            self.size -= _cost(job, old)
        while self.size + cost > self.capacity:
            gone, answer = self.entries.popitem(last=False)
            self.size -= _cost(gone, answer)
        self.entries[job] = kept
        self.size += cost

    def serve(self, generation: int) -> None:
        """A newer generation is served: forget every answer, keep none of an older one."""
        self.entries.clear()
        self.size, self.generation = 0, generation
