"""A pipeline result in il2kg's own forms: text, Turtle (a SHACL validation report), JSON."""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH

from il2kg.audit.check import format_audit, summary
from il2kg.checks.reasoning import ReasoningReport
from il2kg.iris import bind_prefixes
from il2kg.paths import SOURCES
from il2kg.pipeline import PipelineResult
from il2kg.records.load import display_path
from il2kg.report.problems import Problem, Style, failed, problems


def text(result: PipelineResult, found: list[Problem], style: Style) -> str:
    """One line per problem ('file:line:column: error: field: message'); unless quiet, the
    seeds read first and the verdict last."""
    lines = [str(problem) for problem in found]
    if style.quiet:
        return "\n".join(lines)
    if result.reasoning is not None:
        lines.append(result.reasoning.summary())
    if result.audit is not None:
        lines += [f"audit: {line}" for line in summary(result.audit)]
    elif result.loaded.errors:
        lines.append("audit: not run: the records above have errors; fix them first")
    elif result.loaded.records:
        lines.append(
            f"audit: not run: no {SOURCES}/ directory beside "
            f"{display_path(result.inputs.seeds_dir)}"
        )
    errors = sum(p.severity == "error" for p in found)
    verdict = "does not conform" if failed(found, style) else "conforms"
    lines.append(
        f"{verdict}: {errors} error(s), {len(found) - errors} warning(s), "
        f"{len(result.loaded.records)} record(s) loaded"
    )
    return "\n".join([result.inputs.seeds_line(), *lines])


def json_report(result: PipelineResult, found: list[Problem], style: Style) -> str:
    """The whole run as JSON: record errors and warnings, SHACL results, reasoning, audit; and
    `problems`, the located findings the other forms report (narrowed to named files)."""
    findings = result.report.findings if result.report else ()
    return json.dumps(
        {
            "seeds": str(result.inputs.seeds_dir.absolute()),
            "conforms": not failed(problems(result), style),
            "record_errors": [e.__dict__ for e in result.loaded.errors],
            "record_warnings": [w.__dict__ for w in result.loaded.warnings],
            "shacl_results": [f.__dict__ for f in findings],
            "reasoning": _reasoning_json(result.reasoning),
            "audit": json.loads(format_audit(result.audit, "json")) if result.audit else None,
            "problems": [vars(p) for p in found],
        },
        indent=2,
    )


def _reasoning_json(reasoning: ReasoningReport | None) -> dict[str, object] | None:
    if reasoning is None:
        return None
    return {
        "reasoner": reasoning.reasoner,
        "consistent": reasoning.consistent,
        "unsatisfiable_classes": list(reasoning.unsatisfiable),
        "inconsistent_resources": list(reasoning.culprits),
        "inferred_triples": len(reasoning.inferred),
    }


def turtle(result: PipelineResult, found: list[Problem], style: Style) -> str:
    """The SHACL report graph; record errors become results focused on the seed file."""
    graph = bind_prefixes(Graph())
    if result.report is not None:
        graph += result.report.graph
    report = next(graph.subjects(RDF.type, SH.ValidationReport), None) or BNode()
    graph.set((report, RDF.type, SH.ValidationReport))
    graph.set((report, SH.conforms, Literal(result.ok)))
    results = [
        (URIRef(Path(error.file).absolute().as_uri()), f"{error.path}: {error.message}", severity)
        for errors, severity in (
            (result.loaded.errors, SH.Violation),
            (result.loaded.warnings, SH.Warning),
        )
        for error in errors
    ]
    if result.reasoning is not None:
        focus = (*result.reasoning.unsatisfiable, *result.reasoning.culprits)
        results += [
            (URIRef(iri), problem, SH.Violation)
            for iri, problem in zip(focus, result.reasoning.problems, strict=True)
        ]
    for focus_node, message, severity in results:
        node = BNode()
        graph.add((report, SH.result, node))
        graph.add((node, RDF.type, SH.ValidationResult))
        graph.add((node, SH.focusNode, focus_node))
        graph.add((node, SH.resultSeverity, severity))
        graph.add((node, SH.resultMessage, Literal(message)))
    return f"# {result.inputs.seeds_line()}\n" + graph.serialize(format="turtle")
