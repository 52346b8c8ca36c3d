"""`il2kg audit`: every curated value tied to the words of the source it came from.

Per record, against its source texts (`sources/`):

1. every curated element (publication, study, cohort, regimen, ...) has at least one quote,
   and every quote occurs verbatim at its offset (whitespace and line breaks normalised: any
   run of them reads as one space);
2. every number the element states (numeric fields, dates, numbers in its labels and text)
   occurs in its quotes, as many times as the element states it in numeric fields;
3. every reported percent agrees, at the precision reported, with count / denominator as
   `graph/derive.py` recomputes them (components summed, denominators taken from the outcome
   a figure is among), unless a curation note `about: percent` says why: derived values are
   recomputed, never read from the record;
4. every number in the record's own source is used by one of its elements (a quote of an
   element stating that value covers it) or lies in a span the record lists as not curated;
5. every curation note speaks of the source as it is: the words it puts in double quotes
   occur in the element's sources, and every number it writes outside them (in digits or
   in words) occurs in the quotes of the element or of an element it refers to (its cohort,
   its treatment...);
6. the account of the abstract's sentences (`source_sentences`) is the text's: its count is
   the number of sentences from `first_sentence` to `last_sentence`, each sentence
   accounted as curated as an element holds one of its quotes, and each sentence of the
   abstract an element quotes is accounted as curated as it (`audit/sentences.py`);
7. the words that give a number its meaning are in the element's quotes: an outcome's
   category, a cohort's diseases, a regimen's agents and each quantity's unit, statistic and
   comparator (`audit/wording.py`), unless a curation note about that field says why;
8. what a record copies from the source is there, word for word (whitespace normalised; DOIs
   in any case): the publication's title, each author, the journal, its DOI and the DOIs it
   cites, in the publication's quotes.
"""

from __future__ import annotations

import itertools
import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

from il2kg.audit.numbers import Mention, Stated, mentions, stated_numbers
from il2kg.audit.sentences import account_findings
from il2kg.audit.wording import (
    COMPARATOR_REACH,
    STATISTIC_WORDS,
    UNIT_REACH,
    Lexicon,
    Meaning,
    attested,
    bounded,
    bundled_lexicon,
    meanings,
    pairing,
)
from il2kg.graph.derive import Derived, derive_outcomes, rate_percent
from il2kg.records.model import CurationNote, PublicationRecord, Quote
from il2kg.records.sources import (
    Element,
    curated_elements,
    occurrences,
    quote_end,
    read_source,
    record_quotes,
    sentence_at,
    sentence_starts,
)

NORMALISED = "whitespace and line breaks normalised: any run reads as one space"
COPIED = ("title", "authors", "journal", "doi", "cites")  # fields copied from the source
QUOTED = re.compile(r'"([^"]+)"|\u201c([^\u201d]+)\u201d')


@dataclass(frozen=True)
class Finding:
    """One thing the audit found: where (file, element ref, record field), what, the number
    and the sentence of the source it is about."""

    file: str
    element: str
    field: str
    message: str
    number: str = ""
    sentence: str = ""

    def __str__(self) -> str:
        where = f"{self.file}: {self.element} ({self.field}): {self.message}"
        return f"{where}\n    sentence: {self.sentence}" if self.sentence else where


@dataclass(frozen=True)
class Coverage:
    """How the numbers of the audited records' own sources are accounted for."""

    sources: int = 0
    numbers: int = 0
    used: int = 0
    listed: int = 0

    def __add__(self, other: Coverage) -> Coverage:
        return Coverage(
            self.sources + other.sources,
            self.numbers + other.numbers,
            self.used + other.used,
            self.listed + other.listed,
        )


@dataclass(frozen=True)
class AuditReport:
    """The findings over some records, and what was checked (`combined` adds reports up)."""

    findings: tuple[Finding, ...] = ()
    records: int = 0
    quotes: int = 0
    stated: int = 0
    recomputed: int = 0
    notes: int = 0
    sentences: int = 0
    meanings: int = 0
    copies: int = 0
    coverage: Coverage = Coverage()

    @property
    def ok(self) -> bool:
        """True when nothing was found."""
        return not self.findings


@dataclass(frozen=True)
class _Span:
    """Where a located quote is: its source file and character range."""

    source: str
    start: int
    end: int

    def holds(self, source: str, mention: Mention) -> bool:
        return source == self.source and self.start <= mention.start and mention.end <= self.end


@dataclass(frozen=True)
class _Around:
    """A number in an element's quotes, with the quoted text just before and after it."""

    value: Decimal
    before: str
    after: str


class _RecordAudit:
    """The audit of one record: its quotes located, its numbers checked and accounted for."""

    def __init__(
        self,
        file: str,
        record: PublicationRecord,
        sources_dir: Path,
        lexicon: Lexicon,
    ) -> None:
        self.file, self.record, self.sources_dir, self.lexicon = file, record, sources_dir, lexicon
        self.meanings_checked = self.copies_checked = 0
        self.findings: list[Finding] = []
        self.used: set[tuple[str, int]] = set()
        self.stated = self.recomputed = self.notes_checked = 0
        self.quoted: dict[str, set[Decimal]] = {}
        self.own_spans: dict[str, list[tuple[int, int]]] = {}
        self.around: dict[str, list[_Around]] = {}
        self.written: dict[str, list[Stated]] = {}
        self.unplaced: set[str] = set()
        self.sentences_checked = 0

    def text(self, quote: Quote) -> tuple[str, str]:
        """The name and text of the source a quote is in."""
        name = quote.source or self.record.source_file
        return name, read_source(self.sources_dir, name)

    def find(
        self,
        element: Element | None,
        field: str,
        message: str,
        number: str = "",
        at: int = 0,
        source: str = "",
    ) -> None:
        """Record a finding, with the sentence of `source` (default: the record's) at `at`."""
        text = source or read_source(self.sources_dir, self.record.source_file)
        self.findings.append(
            Finding(
                self.file,
                element.ref if element else "source",
                field,
                message,
                number,
                sentence_at(text, min(at, len(text))),
            )
        )

    def flag(self, element: Element, field: str, message: str, number: str = "") -> None:
        """Record a finding about a field of an element, at the sentence of its first quote."""
        self.find(element, f"{element.path}.{field}", message, number, *self.place(element.quotes))

    def locate(self, element: Element | None, where: str, quote: Quote) -> _Span | None:
        """The span of a quote, or None (and a finding naming where its words are) if off."""
        name, source = self.text(quote)
        end = quote_end(source, quote.text, quote.start)
        if end is not None:
            return _Span(name, quote.start, end)
        found = occurrences(source, quote.text)
        hint = (
            f"they occur at {', '.join(map(str, found))}"
            if found
            else f"they occur nowhere in {name} ({NORMALISED})"
        )
        self.find(
            element,
            where,
            f"quote {quote.text!r} is not at offset {quote.start}: {hint}",
            at=quote.start,
            source=source,
        )
        return None

    def element(self, element: Element, spans: list[_Span]) -> None:
        """An element's stated numbers against the numbers in its quotes."""
        if not element.quotes:
            self.find(
                element,
                element.path,
                "no quote: every curated element quotes the words "
                "of the source it was curated from",
            )
            return
        quoted = list(  # a mention once, however many of the element's quotes hold it
            {
                (span.source, m.start): (span, m)
                for span in spans
                for m in mentions_in(self.sources_dir, span.source)
                if span.holds(span.source, m)
            }.values()
        )
        stated = list(stated_numbers(element.model))
        self.stated += len(stated)
        have = Counter(m.value for _, m in quoted)
        need = Counter(s.value for s in stated if not s.in_text)
        at, source = self.place(element.quotes)
        for item in stated:
            short = (
                need[item.value] - have[item.value]
                if not item.in_text
                else (1 if not have[item.value] else 0)
            )
            if short > 0:
                times = f" {need[item.value]} times" if need[item.value] > 1 else ""
                self.find(
                    element,
                    f"{element.path}.{item.field}",
                    f"states {_show(item.value)}"
                    f"{times}, but its quotes hold it {have[item.value]} time(s)",
                    _show(item.value),
                    at,
                    source,
                )
                need[item.value] = have[item.value]  # one finding per value
        values = {s.value for s in stated}
        self.used |= {(span.source, m.start) for span, m in quoted if m.value in values}
        self.quoted[element.ref] = set(have)
        self.around[element.ref] = self._around(quoted)
        self.written[element.ref] = [item for item in stated if item.in_text]

    def wording(self, element: Element, texts: list[str]) -> None:
        """The words of an element's category, units, statistics and comparators in its quotes
        (`texts`), and no comparator, statistic or unit dropped that they give, unless a
        curation note about the field says why (`explained`)."""
        notes = getattr(element.model, "curation_notes", [])
        found = list(meanings(element.model, self.lexicon))
        stated = {m.value for m in found if m.field.endswith("statistic")}
        for meaning in found:
            if explained(meaning, notes):
                continue
            self.meanings_checked += 1
            around = [a for a in self.around.get(element.ref, []) if a.value in meaning.numbers]
            if meaning.side == "unstated":
                self.unstated(element, meaning, stated, texts)
            elif meaning.side == "unitless":
                self.unitless(element, meaning, around)
            elif meaning.side == "bare":
                self.bare(element, meaning, around)
            else:
                self.said(element, meaning, around, texts)

    def said(
        self, element: Element, meaning: Meaning, around: list[_Around], texts: list[str]
    ) -> None:
        """A value's words in the quotes: a unit's right after its number, a comparator's
        right before it, any other's anywhere in them."""
        near = [a.after if meaning.side == "after" else a.before for a in around]
        if not (
            any(meaning.value in self.lexicon.first_unit(t) for t in near)
            if meaning.side == "after"
            else attested(meaning.words, " ".join(near if meaning.side else texts))
        ):
            self.flag(
                element,
                meaning.field,
                f"says {meaning.value!r}, but its quotes have none of its words "
                f"({', '.join(map(repr, meaning.words))}); quote them, or say why in a "
                "curation note about the field",
            )

    def bare(self, element: Element, meaning: Meaning, around: list[_Around]) -> None:
        """A quantity with no comparator, every mention of whose number the quotes bound ("up
        to 14"): the comparator was dropped."""
        if around and all(bounded(a.before, a.after) for a in around):
            self.flag(
                element,
                meaning.field,
                "states no comparator, but its quotes bound each mention of its "
                f"number(s) ({', '.join(repr(a.before[-12:] + '…') for a in around)}); "
                "say the comparator, or say why not in a curation note about the field",
            )

    def unstated(
        self, element: Element, meaning: Meaning, stated: set[str], texts: list[str]
    ) -> None:
        """A quantity with no statistic, in an element whose quotes name one ("median") that
        none of its quantities states: the statistic was dropped."""
        for statistic, words in STATISTIC_WORDS.items():
            if statistic not in stated and attested(words, " ".join(texts)):
                self.flag(
                    element,
                    meaning.field,
                    f"states no statistic, but its quotes say {statistic!r} and no value of "
                    "the element is one; say the statistic, or say why not in a curation note "
                    "about the field",
                )
                return

    def unitless(self, element: Element, meaning: Meaning, around: list[_Around]) -> None:
        """A quantity with no unit whose number the quotes give with one ("5.9 months"): the
        unit was dropped."""
        named = sorted({u for a in around for u in self.lexicon.first_unit(a.after)})
        if named:
            self.flag(
                element,
                meaning.field,
                f"states no unit, but its quotes give {_show(meaning.numbers[-1])} in "
                f"{' or '.join(named)}; say the unit",
                _show(meaning.numbers[-1]),
            )

    def paired(self, element: Element, texts: list[str]) -> None:
        """A number that a quote pairs with a disease by "respectively" ("6.6% and 9.3% of
        patients with metastatic melanoma and renal cancer, respectively") is stated by an
        element whose cohort has that disease."""
        quoted = [t for t in texts if "respectively" in t.lower()]
        cohorts = {c.id: c for c in self.record.cohorts}
        cohort = cohorts.get(getattr(element.model, "cohort", None) or "")
        if not quoted or cohort is None or len(cohort.diseases) != 1:
            return
        terms = sorted({d for c in self.record.cohorts for d in c.diseases})
        pairs = [pairing(text, terms, self.lexicon) for text in quoted]
        for paired, item in itertools.product(pairs, stated_numbers(element.model)):
            term = None if item.in_text else paired.get(item.value)
            if term is None:
                continue
            self.meanings_checked += 1
            if term != cohort.diseases[0]:
                self.flag(
                    element,
                    item.field,
                    f"states {_show(item.value)}, which its quote pairs with {term} "
                    f'("respectively"), but its cohort {cohort.id!r} is '
                    f"{cohort.diseases[0]}: the numbers or the cohorts are swapped",
                    _show(item.value),
                )

    def context(self, element: Element, texts: list[str]) -> None:
        """The diseases and agents an element's quotes name are its cohort's and its
        treatment's: "22.5% for mM" is not a renal cohort's, "responses to TMZ" not IL-2's.
        (Quotes that pair lists by "respectively" name both; `paired` reads those.)"""
        said = " ".join(t for t in texts if "respectively" not in t.lower())
        notes = getattr(element.model, "curation_notes", [])
        for field, own, every in (
            ("cohort", self._diseases, {d for c in self.record.cohorts for d in c.diseases}),
            ("treatment", self._agents, {a for r in self.record.regimens for a in r.agents}),
        ):
            ref = getattr(element.model, field, None)
            if not isinstance(ref, str) or any(n.about == field for n in notes):
                continue
            self.meanings_checked += 1
            mine = own(ref)
            named = {t for t in every if attested(self.lexicon.words.get(t, (t,)), said)}
            foreign = sorted(named - mine)
            if mine and foreign:
                self.flag(
                    element,
                    field,
                    f"is {ref!r}, but its quotes name {', '.join(foreign)}, which it has not; "
                    "link the element to the cohort or treatment its quotes are about, or say "
                    "why in a curation note about the field",
                )

    def _diseases(self, cohort: str) -> set[str]:
        return {d for c in self.record.cohorts if c.id == cohort for d in c.diseases}

    def _agents(self, treatment: str) -> set[str]:
        """The agents a regimen gives, or every step of a sequence gives."""
        regimens = {r.id: r for r in self.record.regimens}
        steps = {s.id: [step.regimen for step in s.steps] for s in self.record.sequences}
        given = [regimens[r] for r in steps.get(treatment, [treatment]) if r in regimens]
        return {a for regimen in given for a in regimen.agents}

    def written_units(self, element: Element) -> None:
        """A unit free text names right after a number (a label's "every 8 hours") is one
        the element's quotes name after that number ("every 8 hours for up to 5 days")."""
        around = self.around.get(element.ref, [])
        for item in self.written.get(element.ref, []):
            said = self.lexicon.unit_right_after(item.after)
            if not said:
                continue
            self.meanings_checked += 1
            near = (a.after for a in around if a.value == item.value)
            if not any(said & self.lexicon.first_unit(t) for t in near):
                self.flag(
                    element,
                    item.field,
                    f"writes {_show(item.value)} {' or '.join(sorted(said))}, but its quotes "
                    f"give {_show(item.value)} no such unit: write the unit the source gives",
                    _show(item.value),
                )

    def copied(self, element: Element, texts: list[str]) -> None:
        """The values an element copies from its source (title, authors, journal, DOIs), each
        found word for word in its quotes (`texts`)."""
        for name in COPIED:
            value = getattr(element.model, name, None)
            for index, item in enumerate(value if isinstance(value, list) else [value]):
                if not isinstance(item, str):
                    continue
                self.copies_checked += 1
                doi = name in ("doi", "cites")
                if not any(
                    occurrences(t.lower() if doi else t, item.lower() if doi else item)
                    for t in texts
                ):
                    field = f"{name}[{index}]" if isinstance(value, list) else name
                    self.flag(
                        element,
                        field,
                        f"{item!r} is not in its quotes word for word ({NORMALISED}): a value "
                        "copied from the source is quoted as the source writes it",
                        "",
                    )

    def _around(self, quoted: list[tuple[_Span, Mention]]) -> list[_Around]:
        """Each number mentioned in an element's quotes, with the quoted text just before it
        (where a comparator is) and just after it (where a unit is)."""
        texts = {s.source: read_source(self.sources_dir, s.source) for s, _ in quoted}
        return [
            _Around(
                m.value,
                texts[s.source][max(s.start, m.start - COMPARATOR_REACH) : m.start],
                texts[s.source][m.end : min(m.end + UNIT_REACH, s.end)],
            )
            for s, m in quoted
        ]

    def notes(self, element: Element, elements: dict[str, list[Element]]) -> None:
        """An element's curation notes: their quoted words in its sources, their other
        numbers in its quotes or those of an element it refers to."""
        notes = getattr(element.model, "curation_notes", [])
        if not notes:
            return
        texts = [self.text(q)[1] for q in element.quotes]
        at, source = self.place(element.quotes)
        quoted = set().union(
            *(self.quoted.get(ref, set()) for ref in (element.ref, *_referenced(element, elements)))
        )
        for index, note in enumerate(notes):
            self.notes_checked += 1
            where = f"{element.path}.curation_notes[{index}].basis"
            for match in QUOTED.finditer(note.basis):
                words = match.group(1) or match.group(2)
                if not any(occurrences(text, words) for text in texts):
                    self.find(
                        element,
                        where,
                        f"puts {words!r} in quotes, but the element's sources do not "
                        f"have these words ({NORMALISED})",
                        at=at,
                        source=source,
                    )
            outside = QUOTED.sub(lambda m: " " * len(m.group()), note.basis)
            for m in mentions(outside):
                if m.value not in quoted:
                    self.find(
                        element,
                        where,
                        f"writes {m.text!r}, a number neither its quotes nor those of an "
                        "element it refers to hold (numbers in words count too: rephrase "
                        "a pronoun 'one')",
                        _show(m.value),
                        at,
                        source,
                    )

    def percents(self) -> None:
        """Reported percents against count / denominator as derive.py recomputes them."""
        derived = derive_outcomes(list(self.record.outcomes), intervals=False)
        elements = {e.ref: e for e in curated_elements(self.record)}
        rows: list[tuple[str, int | None, int | None, Decimal | None]] = []
        for o in self.record.outcomes:
            d = derived.get(o.id, Derived())
            rows.append(
                (
                    f"outcome/{o.id}",
                    d.count if o.count is None else o.count,
                    o.denominator or d.denominator,
                    o.percent,
                )
            )
        rows += [
            (f"adverse-event/{a.id}", a.count, a.denominator, a.percent)
            for a in self.record.adverse_events
        ]
        for ref, count, denominator, percent in rows:
            explained = any(
                n.about == "percent" for n in getattr(elements[ref].model, "curation_notes", [])
            )
            if count is None or not denominator or percent is None or explained:
                continue
            self.recomputed += 1
            shown = rounded_as(percent, count, denominator)
            if shown != percent:
                element = elements[ref]
                self.find(
                    element,
                    f"{element.path}.percent",
                    f"reported percent {_show(percent)} is not {count}/{denominator} = "
                    f"{rate_percent(count, denominator)}% rounded as reported ({_show(shown)})",
                    _show(percent),
                    *self.place(element.quotes),
                )

    def sentences(self) -> None:
        """The account of the abstract's sentences against the record's own source."""
        account = self.record.source_sentences
        if account is None:
            return
        anchors = [
            self.locate(None, f"source_sentences.{name}", quote)
            for name, quote in (
                ("first_sentence", account.first_sentence),
                ("last_sentence", account.last_sentence),
            )
        ]
        if any(a is None or a.source != self.record.source_file for a in anchors):
            if all(a is not None for a in anchors):
                self.find(
                    None,
                    "source_sentences",
                    "the sentences are counted in the record's "
                    f"own source ({self.record.source_file}): quote its words there",
                )
            return
        self.sentences_checked += account.sentences
        text = read_source(self.sources_dir, self.record.source_file)
        elements = {e.ref: e for e in curated_elements(self.record)}
        for f in account_findings(
            account, sentence_starts(text), self.own_spans, frozenset(self.unplaced)
        ):
            element = elements.get(f.ref) if f.ref else None
            field = f"{element.path}.{f.field}" if element else f.field
            self.find(element, field, f.message, at=f.at, source=text)

    def place(self, quotes: list[Quote]) -> tuple[int, str]:
        """Where an element's findings point: its first quote (offset, source text)."""
        if not quotes:
            return 0, ""
        return quotes[0].start, self.text(quotes[0])[1]

    def coverage(self, listed: list[_Span]) -> Coverage:
        """Each number of the record's own source: used, listed as not curated, or a finding."""
        name = self.record.source_file
        source = read_source(self.sources_dir, name)
        found = mentions_in(self.sources_dir, name)
        used = [m for m in found if (name, m.start) in self.used]
        left = [m for m in found if (name, m.start) not in self.used]
        unlisted = [m for m in left if not any(span.holds(name, m) for span in listed)]
        for m in unlisted:
            self.find(
                None,
                "not_curated",
                f"the source's number {m.text!r} (at {m.start}) is "
                "neither stated by an element quoting it nor in a span listed as not "
                "curated",
                _show(m.value),
                at=m.start,
                source=source,
            )
        return Coverage(1, len(found), len(used), len(left) - len(unlisted))

    def run(self) -> Coverage:
        for element in curated_elements(self.record):
            located = [
                self.locate(element, f"{element.path}.quotes[{i}]", quote)
                for i, quote in enumerate(element.quotes)
            ]
            spans = [span for span in located if span is not None]
            if len(spans) < len(located):
                self.unplaced.add(element.ref)
            self.element(element, spans)
            texts = [read_source(self.sources_dir, s.source)[s.start : s.end] for s in spans]
            self.wording(element, texts)
            self.written_units(element)
            self.paired(element, texts)
            self.context(element, texts)
            self.copied(element, texts)
            self.own_spans[element.ref] = [
                (s.start, s.end) for s in spans if s.source == self.record.source_file
            ]
        by_id: dict[str, list[Element]] = {}
        for element in curated_elements(self.record):
            by_id.setdefault(element.ref.rpartition("/")[2], []).append(element)
        for element in curated_elements(self.record):
            self.notes(element, by_id)
        self.percents()
        self.sentences()
        listed = [
            self.locate(None, f"not_curated[{i}]", span)
            for i, span in enumerate(self.record.not_curated)
        ]
        return self.coverage([span for span in listed if span is not None])


def explained(meaning: Meaning, notes: list[CurationNote]) -> bool:
    """Whether a curation note says why a meaning's words are not in the quotes: a note about
    the field itself (`about: category`), or about the field holding it that names the value
    (`about: cycle_duration` saying "week" of a nested unit); a note about a field on
    another matter does not excuse what it holds."""
    top = meaning.field.partition(".")[0].partition("[")[0]
    for note in notes:
        if note.about == top and (
            top == meaning.field or attested((meaning.value, *meaning.words), note.basis)
        ):
            return True
    return False


def _referenced(element: Element, elements: dict[str, list[Element]]) -> set[str]:
    """The refs ('cohort/all') of the elements an element names by id in its fields, and of
    those they name in turn (a sub-cohort's parent)."""
    found: set[str] = set()
    todo = [element]
    while todo:
        for field in type((current := todo.pop()).model).model_fields:
            values = getattr(current.model, field)
            for value in values if isinstance(values, list) else [values]:
                for named in elements.get(value, []) if isinstance(value, str) else []:
                    if named.ref not in found:
                        found.add(named.ref)
                        todo.append(named)
    return found


def mentions_in(sources_dir: Path, name: str) -> tuple[Mention, ...]:
    """The numbers written in one source file."""
    return _mentions(read_source(sources_dir, name))


@lru_cache(maxsize=64)
def _mentions(text: str) -> tuple[Mention, ...]:
    return tuple(mentions(text))


def rounded_as(percent: Decimal, count: int, denominator: int) -> Decimal:
    """count/denominator in percent, rounded once (half up) to as many decimals as `percent`
    has: 22/65 = 33.846...% is 33.8 to one decimal (not 33.85 rounded again to 33.9).

    >>> rounded_as(Decimal("33.8"), 22, 65), rounded_as(Decimal("6"), 17, 270)
    (Decimal('33.8'), Decimal('6'))
    """
    exact = Decimal(count) * 100 / Decimal(denominator)
    return exact.quantize(Decimal(1).scaleb(min(0, _exponent(percent))), ROUND_HALF_UP)


def _exponent(value: Decimal) -> int:
    return int(value.as_tuple().exponent)


def _show(value: Decimal) -> str:
    return format(value.normalize(), "f")


def audit_record(
    file: str, record: PublicationRecord, sources_dir: Path, lexicon: Lexicon
) -> AuditReport:
    """Audit one record (from seed file `file`) against the source texts in `sources_dir`;
    `lexicon` has the ontology's words for its terms."""
    one = _RecordAudit(file, record, sources_dir, lexicon)
    coverage = one.run()
    return AuditReport(
        tuple(one.findings),
        records=1,
        quotes=sum(1 for _ in record_quotes(record)),
        stated=one.stated,
        recomputed=one.recomputed,
        notes=one.notes_checked,
        sentences=one.sentences_checked,
        meanings=one.meanings_checked,
        copies=one.copies_checked,
        coverage=coverage,
    )


def combined(reports: Iterable[AuditReport]) -> AuditReport:
    """The audit of several records from each one's: findings in order, counts summed (in
    time linear in the findings)."""
    findings: list[Finding] = []
    counts = {f.name: 0 for f in fields(AuditReport) if f.name not in ("findings", "coverage")}
    coverage = Coverage()
    for report in reports:
        findings += report.findings
        counts = {name: n + getattr(report, name) for name, n in counts.items()}
        coverage += report.coverage
    return AuditReport(tuple(findings), coverage=coverage, **counts)


def audit(
    records: Iterable[tuple[str, PublicationRecord]],
    sources_dir: Path,
    lexicon: Lexicon | None = None,
) -> AuditReport:
    """Audit records (seed file name, record) against the source texts in `sources_dir`;
    `lexicon` has the ontology's words for its terms (default: the bundled ontology's)."""
    lexicon = bundled_lexicon() if lexicon is None else lexicon
    return combined(audit_record(file, record, sources_dir, lexicon) for file, record in records)


def summary(report: AuditReport) -> Iterator[str]:
    """The lines saying what was checked and how the sources' numbers are accounted for."""
    c = report.coverage
    yield (
        f"{report.records} record(s), {report.quotes} quote(s) checked at their offsets "
        f"({NORMALISED}); {report.stated} number(s) stated by elements checked against "
        f"their quotes; "
        f"{report.recomputed} reported percent(s) recomputed from count / denominator; "
        f"{report.notes} curation note(s) checked (quoted words in the sources, numbers in "
        f"the quotes); {report.sentences} abstract sentence(s) accounted for as the text has "
        f"them; {report.meanings} categories, diseases, agents, units (labels' too), "
        "statistics, comparators and 'respectively' pairings checked against the words of "
        f"their quotes; {report.copies} title(s), "
        "author(s), journal(s) and DOI(s) found word for word"
    )
    yield (
        f"{c.numbers} number(s) in {c.sources} source(s): {c.used} used by curated elements, "
        f"{c.listed} listed as not curated, {c.numbers - c.used - c.listed} unaccounted for"
    )


def format_audit(report: AuditReport, form: str = "text") -> str:
    """The report as text for people (findings, then a summary) or as JSON."""
    if form == "json":
        return json.dumps(
            {
                "ok": report.ok,
                "findings": [asdict(f) for f in report.findings],
                "records": report.records,
                "quotes": report.quotes,
                "stated_numbers": report.stated,
                "recomputed": report.recomputed,
                "curation_notes": report.notes,
                "sentences": report.sentences,
                "meanings": report.meanings,
                "copies": report.copies,
                "coverage": asdict(report.coverage),
            },
            indent=2,
            ensure_ascii=False,
        )
    verdict = "audit passed" if report.ok else f"audit failed: {len(report.findings)} finding(s)"
    return "\n".join([*map(str, report.findings), *summary(report), verdict])
