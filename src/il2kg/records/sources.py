"""The source texts records are curated from (`sources/`), and where a quote stands in one.

A quote matches the source when its words occur there in order with whitespace between them:
any run of whitespace (spaces, line breaks) in either reads as one space. Offsets count
Unicode code points, as W3C Web Annotation's TextPositionSelector does.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from pydantic import BaseModel

from il2kg.files import read_inside
from il2kg.records.model import ELEMENT_KINDS, PublicationRecord, Quote

MAX_SOURCE_BYTES = 1_000_000
SENTENCE_BREAK = re.compile(r"\n|[.!?](?=\s+[A-Z0-9(])")  # a line break or a full stop


def words_pattern(text: str) -> re.Pattern[str]:
    """A pattern matching the words of `text` with any whitespace between them."""
    return re.compile(r"\s+".join(re.escape(word) for word in text.split()))


def quote_end(source: str, text: str, start: int) -> int | None:
    """Where a quote of `text` starting at `start` ends in `source`, or None if it is not there."""
    if text and text == text.strip() and source.startswith(text, start):
        return start + len(text)  # verbatim: what the pattern would match, without compiling it
    match = words_pattern(text).match(source, start)
    return match.end() if match else None


def occurrences(source: str, text: str) -> list[int]:
    """Every start at which `text` occurs in `source` (whitespace normalised).

    >>> occurrences("There were 17 complete\\n  responses (CRs).", "17 complete responses")
    [11]
    """
    return [m.start() for m in words_pattern(text).finditer(source)]


def file_problem(sources_dir: Path, name: str) -> str | None:
    """Why `name` is not a readable source file in `sources_dir`, or None when it is."""
    if Path(name).name != name or name.startswith("."):
        return f"expected a plain file name in {sources_dir}; found {name!r}"
    if not (sources_dir / name).is_file():
        return f"expected the source text {name} in {sources_dir}; found no such file"
    return None


@dataclass(frozen=True)
class Element:
    """A curated element of a record: its ref ('outcome/cr'), field path and model."""

    ref: str
    path: str
    model: BaseModel

    @property
    def quotes(self) -> list[Quote]:
        """The quotes the element was curated from."""
        return list(getattr(self.model, "quotes", []))


def curated_elements(record: PublicationRecord) -> Iterator[Element]:
    """The publication, the study and every element of a record, in record order."""
    yield Element("publication", "publication", record.publication)
    yield Element("study", "study", record.study)
    for field, kind in ELEMENT_KINDS.items():
        for index, item in enumerate(getattr(record, field)):
            yield Element(f"{kind}/{item.id}", f"{field}[{index}]", item)


def record_quotes(record: PublicationRecord) -> Iterator[tuple[str, Quote]]:
    """(field path, quote) of every quote in a record, the not-curated spans included."""
    for element in curated_elements(record):
        for index, quote in enumerate(element.quotes):
            yield f"{element.path}.quotes[{index}]", quote
    for index, span in enumerate(record.not_curated):
        yield f"not_curated[{index}]", span
    if (account := record.source_sentences) is not None:
        yield "source_sentences.first_sentence", account.first_sentence
        yield "source_sentences.last_sentence", account.last_sentence


def source_names(record: PublicationRecord) -> Iterator[tuple[str, str]]:
    """(field path, file name) of every source file a record names: its own, then its quotes'."""
    yield "source_file", record.source_file
    for path, quote in record_quotes(record):
        if quote.source is not None:
            yield f"{path}.source", quote.source


def sentence_bounds(source: str, start: int, end: int) -> tuple[int, int]:
    """Where the sentences (or lines) of `source` holding start..end begin and end."""
    cuts = _cuts(source)
    first = cuts[bisect_right(cuts, start) - 1]
    last = cuts[min(bisect_left(cuts, max(end, start + 1)), len(cuts) - 1)]
    return first, last


def sentence_starts(source: str) -> list[int]:
    """Where each sentence (or line) of `source` begins, blank ones left out.

    >>> sentence_starts("Two arms. 17 CRs (6%).\\n\\nCONCLUSION: some benefit.")
    [0, 9, 24]
    """
    return [a for a, b in pairwise(_cuts(source)) if source[a:b].strip()]


def _cuts(source: str) -> list[int]:
    """Where the sentences (or lines) of `source` begin, and its end."""
    return [0, *(m.end() for m in SENTENCE_BREAK.finditer(source)), len(source)]


def sentence_at(source: str, position: int) -> str:
    """The sentence (or line) of `source` around `position`, whitespace normalised."""
    first, last = sentence_bounds(source, position, position)
    return " ".join(source[first:last].split())


@lru_cache(maxsize=256)
def _read(path: Path, sources_dir: Path, mtime_ns: int) -> str:
    return read_inside(path, sources_dir, MAX_SOURCE_BYTES).decode("utf-8")


def read_source(sources_dir: Path, name: str) -> str:
    """The text of one source file (UTF-8, a regular file of at most MAX_SOURCE_BYTES inside
    `sources_dir`: a link out of it is refused), cached while unchanged."""
    path = sources_dir / name
    return _read(path, sources_dir, path.stat().st_mtime_ns)
