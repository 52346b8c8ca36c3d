"""`il2kg audit`: every curated element quotes the words it came from, at the right place.

Checks, per record: each element (publication, study, cohort, regimen, ...) has at least
one quote; each quote occurs verbatim in its source file at its offset (whitespace and line
breaks normalised: any run reads as one space).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from il2kg.records.model import PublicationRecord, Quote
from il2kg.records.sources import (
    curated_elements,
    occurrences,
    quote_end,
    read_source,
    record_quotes,
    sentence_at,
)


@dataclass(frozen=True)
class Finding:
    """One thing the audit found: where (file, element), what, and the source's sentence."""

    file: str
    element: str
    message: str
    sentence: str = ""

    def __str__(self) -> str:
        where = f"{self.file}: {self.element}: {self.message}"
        return f"{where}\n    sentence: {self.sentence}" if self.sentence else where


@dataclass(frozen=True)
class AuditReport:
    """The findings over some records, and what was checked."""

    findings: tuple[Finding, ...]
    records: int
    quotes: int

    @property
    def ok(self) -> bool:
        """True when nothing was found."""
        return not self.findings


def _quote_finding(file: str, where: str, quote: Quote, source: str) -> Finding | None:
    """A finding when the quote is not at its offset; it says where the words are, if anywhere."""
    if quote_end(source, quote.text, quote.start) is not None:
        return None
    found = occurrences(source, quote.text)
    hint = (f"they occur at {', '.join(map(str, found))}" if found
            else "they occur nowhere in the source (whitespace normalised)")
    return Finding(file, where, f"quote {quote.text!r} is not at offset {quote.start}: {hint}",
                   sentence_at(source, min(quote.start, len(source))))


def audit_record(file: str, record: PublicationRecord, sources_dir: Path) -> list[Finding]:
    """The findings of one record (its source files must exist: the loader checks that)."""
    findings = [Finding(file, element.ref, "no quote: every curated element quotes the words "
                        "of the source it was curated from")
                for element in curated_elements(record) if not element.quotes]
    for where, quote in record_quotes(record):
        source = read_source(sources_dir, quote.source or record.source_file)
        if (finding := _quote_finding(file, where, quote, source)) is not None:
            findings.append(finding)
    return findings


def audit(records: Iterable[tuple[str, PublicationRecord]], sources_dir: Path) -> AuditReport:
    """Audit records (seed file name, record) against the source texts in `sources_dir`."""
    findings: list[Finding] = []
    count = quotes = 0
    for file, record in records:
        count += 1
        quotes += sum(1 for _ in record_quotes(record))
        findings += audit_record(file, record, sources_dir)
    return AuditReport(tuple(findings), count, quotes)


def render_text(report: AuditReport) -> str:
    """The report for people: one finding per entry, then a summary line."""
    verdict = "audit passed" if report.ok else f"audit failed: {len(report.findings)} finding(s)"
    summary = (f"{verdict}; {report.records} record(s), {report.quotes} quote(s) checked "
               "(whitespace and line breaks normalised: any run reads as one space)")
    return "\n".join([*map(str, report.findings), summary])
