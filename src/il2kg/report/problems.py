"""Every finding of a run as one located problem: what is wrong, where, and by which rule."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from il2kg.iris import ONTOLOGY_IRI, curie
from il2kg.pipeline import PipelineResult, locate
from il2kg.records.load import RecordError, display_path
from il2kg.records.source_map import parse_path

Severity = Literal["error", "warning"]
RECORD_RULE = "record"  # the rule id of record errors: the record schema and its references
REASONING_RULE = "reasoning"  # the rule id of what HermiT finds
AUDIT_RULE = "audit"  # the rule id of what `il2kg audit` finds
RULES = {
    RECORD_RULE: "A seed file is a publication record: the record schema "
    "(shapes/record.schema.json), known ids and vocabulary terms.",
    REASONING_RULE: "The records are consistent with the ontology (HermiT).",
    AUDIT_RULE: "Every curated element quotes its source's words at their offset, every number "
    "it states is in its quotes, and every number of the source is used or listed "
    "as not curated (il2kg audit).",
}


@dataclass(frozen=True)
class Style:
    """How a report is written: `files` narrows it to these seed files (and the project as a
    whole), `quiet` leaves out all but the problems, `strict` makes warnings fail."""

    files: tuple[Path, ...] = ()
    quiet: bool = False
    strict: bool = False


@dataclass(frozen=True)
class Problem:
    """One finding: severity, message, rule id, and where (file '' is the whole project)."""

    severity: Severity
    message: str
    rule: str
    file: str = ""
    field: str = ""
    line: int | None = None
    column: int | None = None

    @property
    def where(self) -> str:
        """'file:line:column', or as much of it as is known; '(project)' without a file."""
        if not self.file:
            return "(project)"
        return f"{self.file}:{self.line}:{self.column}" if self.line else self.file

    @property
    def text(self) -> str:
        """The message after the record field it is about."""
        return f"{self.field}: {self.message}" if self.field else self.message

    def __str__(self) -> str:
        return f"{self.where}: {self.severity}: {self.text}"


def _records(errors: tuple[RecordError, ...], severity: Severity) -> Iterator[Problem]:
    for e in errors:
        yield Problem(
            severity,
            e.message.removeprefix("Warning: "),
            RECORD_RULE,
            e.file,
            e.path,
            e.line,
            e.column,
        )


def _shacl(result: PipelineResult) -> Iterator[Problem]:
    for f in result.report.findings if result.report else ():
        severity: Severity = "error" if f.severity == "Violation" else "warning"
        if f.line or f.field:
            yield Problem(severity, f.explained, f.rule, f.file, f.field, f.line, f.column)
        else:  # not from a record: a vocabulary term, a mapping
            yield Problem(severity, f"{f.focus} {f.path}: {f.explained}", f.rule)


def _reasoning(result: PipelineResult) -> Iterator[Problem]:
    if result.reasoning is None:
        return
    ontology = display_path(result.inputs.ontology_file)
    for iri in result.reasoning.unsatisfiable:
        yield Problem(
            "error",
            f"{curie(iri)} is an unsatisfiable class (equivalent to owl:Nothing)",
            REASONING_RULE,
            ontology,
        )
    if not result.reasoning.consistent and not result.reasoning.culprits:
        yield Problem(
            "error",
            "the ontology and the records are inconsistent (HermiT named no element)",
            REASONING_RULE,
        )
    for iri in result.reasoning.culprits:
        if iri == ONTOLOGY_IRI:
            yield Problem("error", "the ontology alone is inconsistent", REASONING_RULE, ontology)
            continue
        message = (
            f"{iri} is inconsistent with the ontology (HermiT finds no model "
            "with this element's description)"
        )
        where = locate(result.loaded.source_maps, iri)
        yield Problem("error", message, REASONING_RULE, *(vars(where).values() if where else ()))


def _audit(result: PipelineResult) -> Iterator[Problem]:
    maps = {m.file: m for m in result.loaded.source_maps.values()}
    for f in result.audit.findings if result.audit else ():
        # a number of the source nobody accounts for: at the record's not_curated or source_file
        where = [
            maps[f.file].at(p)[1] for p in (parse_path(f.field), ("source_file",)) if f.file in maps
        ]
        mark = next((m for m in where if m), None)
        message = f"{f.message} (sentence: {f.sentence})" if f.sentence else f.message
        yield Problem("error", message, AUDIT_RULE, f.file, f.field, *(mark or (None, None)))


def _same(file: str, paths: Collection[Path]) -> bool:
    return not file or Path(file).resolve() in paths


def problems(result: PipelineResult, only: Collection[Path] = ()) -> list[Problem]:
    """Every problem of a run, in the order of the pipeline; with `only`, those of the named
    seed files and of the project as a whole."""
    found = [
        *_records(result.loaded.errors, "error"),
        *_records(result.loaded.warnings, "warning"),
        *_shacl(result),
        *_reasoning(result),
        *_audit(result),
    ]
    if not only:
        return found
    named = {path.resolve() for path in only}
    kept = [p for p in found if _same(p.file, named)]
    others = sorted({e.file for e in result.loaded.errors if not _same(e.file, named)})
    if result.report is None and others:
        kept.append(
            Problem(
                "error",
                f"not checked against the shapes and the ontology: "
                f"{len(others)} other seed file(s) have errors ({', '.join(others)})",
                RECORD_RULE,
            )
        )
    return kept


def fails(problem: Problem, style: Style) -> bool:
    """True for an error, and (strict) for a warning."""
    return problem.severity == "error" or style.strict


def failed(found: list[Problem], style: Style) -> bool:
    """True when a problem fails the run: an error, or (strict) a warning."""
    return any(fails(p, style) for p in found)
