"""Numbers in text and in records: what a source says, and what a curated element states.

A number in text is written in digits (`17`, `8.1`, `600,000`, `5+`, `1990s`), in words
(`Thirty-three`, `Two hundred seventy`, `eight`, ordinals from `second`) or as a month name
next to a number (`Sep 1985`, `2021 Apr 1`). Digits glued to a capital or a short token are
part of a name, not a number (`IL-2`, `interleukin-2`, `interleukin 2`, `PD1`, `mg/m2`, `S55`);
glued to a longer lowercase word they are page furniture's numbers (`Issue number11`). DOIs
are identifiers, not numbers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from pydantic import BaseModel

from il2kg.records.model import CurationNote, Quote, Rdf

UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
ORDINALS = ["second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
WORD_VALUES = {
    **{w: n for n, w in enumerate(UNITS)},
    **{w: 20 + 10 * n for n, w in enumerate(TENS)},
    **{w: n + 2 for n, w in enumerate(ORDINALS)},
    "hundred": 100,
    "thousand": 1000,
}

DOI = re.compile(r"10\.\d{4,9}/\S+")
DIGITS = re.compile(r"(?<![\d.,])(?:\d{1,3}(?:,\d{3})+(?![\d,])|\d+)(?:\.\d+)?(?!\d)")
# A name the digits belong to: IL-2, interleukin-2, interleukin 2, PD1, mg/m2, S55.
NAMED = re.compile(r"(?:[A-Za-z]-|[A-Z][A-Za-z]*|\b[a-z]{1,3}|[Ii]nterleukin )$")
WORD = re.compile(r"[A-Za-z]+")
MONTH = re.compile(
    r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?"
    r"(?=\s+\d)|(?<=\d\s)(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b"
)
DATE_FIELDS = {"date", "start", "end"}
SKIPPED_FIELDS = {"id", "quotes", "curation_notes", "metadata_source"}


@dataclass(frozen=True)
class Mention:
    """A number written in a text, with where it is."""

    value: Decimal
    start: int
    end: int
    text: str


def _digits(text: str, blocked: list[range]) -> Iterator[Mention]:
    for match in DIGITS.finditer(text):
        if any(match.start() in span for span in blocked):
            continue
        if NAMED.search(text, 0, match.start()):
            continue
        value = Decimal(match.group().replace(",", ""))
        yield Mention(value, match.start(), match.end(), match.group())


def _number_words(text: str) -> Iterator[Mention]:
    """Numbers written in words: 'Thirty-three', 'Two hundred seventy', 'eight', 'second'."""
    words = [(m, WORD_VALUES.get(m.group().lower())) for m in WORD.finditer(text)]
    index = 0
    while index < len(words):
        first, value = words[index]
        if value is None:
            index += 1
            continue
        total, current, last = 0, value, index
        while last + 1 < len(words):
            following, number = words[last + 1]
            gap = text[words[last][0].end() : following.start()]
            if number is None or gap not in (" ", "-") or not _follows(words[last][1], number):
                break
            if number in (100, 1000):
                current *= number
                if number == 1000:
                    total, current = total + current, 0
            else:
                current += number
            last += 1
        yield Mention(
            Decimal(total + current),
            first.start(),
            words[last][0].end(),
            text[first.start() : words[last][0].end()],
        )
        index = last + 1


def _follows(previous: int | None, number: int) -> bool:
    """Whether `number` continues a number in words after `previous` (thirty -> three)."""
    if previous is None or number == 0:
        return False
    if number in (100, 1000):
        return previous < 100
    if previous in (100, 1000):
        return True
    return previous >= 20 and previous % 10 == 0 and number < 10


def mentions(text: str) -> list[Mention]:
    """Every number written in `text`, in order (a name such as IL-2 is not one).

    >>> [str(m.value) for m in mentions("Of 270 patients, seventeen (6%) had a CR to IL-2")]
    ['270', '17', '6']
    """
    blocked = [range(m.start(), m.end()) for m in DOI.finditer(text)]
    found = [*_digits(text, blocked), *_number_words(text)]
    found += [
        Mention(
            Decimal(MONTHS.index((m.group(1) or m.group(2)).lower()) + 1),
            m.start(),
            m.end(),
            m.group(),
        )
        for m in MONTH.finditer(text)
    ]
    return sorted(found, key=lambda m: m.start)


@dataclass(frozen=True)
class Stated:
    """A number a curated element states: its field path, value, whether it is free text and,
    if it is, the text after it (where its unit is named: "8 hours")."""

    field: str
    value: Decimal
    in_text: bool
    after: str = ""


def _date_parts(text: str) -> list[Decimal]:
    return [Decimal(int(part)) for part in text.split("-")]


def _constrained(metadata: list[object]) -> bool:
    """True for a field with constraints (an id, a term, a DOI): not free text. How a field
    is written as RDF (`Rdf`) is no constraint."""
    return any(not isinstance(m, Rdf) for m in metadata)


def stated_numbers(model: BaseModel, prefix: str = "") -> Iterator[Stated]:
    """The numbers an element states: numeric fields, the parts of dates, and numbers in its
    free text (labels, text, notes); not its ids, vocabulary terms, quotes or curation notes."""
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        path = f"{prefix}{name}"
        if name in SKIPPED_FIELDS or value is None:
            continue
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items):
            where = f"{path}[{index}]" if isinstance(value, list) else path
            if isinstance(item, bool | Quote | CurationNote):
                continue
            if isinstance(item, int | Decimal):
                yield Stated(where, Decimal(item), False)
            elif isinstance(item, BaseModel):
                yield from stated_numbers(item, f"{where}.")
            elif isinstance(item, str) and name in DATE_FIELDS:
                yield from (Stated(where, part, False) for part in _date_parts(item))
            elif isinstance(item, str) and not _constrained(info.metadata):
                yield from (Stated(where, m.value, True, item[m.end :]) for m in mentions(item))
