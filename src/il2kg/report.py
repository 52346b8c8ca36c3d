"""Render a pipeline result as text, Turtle (a SHACL validation report) or JSON."""

from __future__ import annotations

import json
from pathlib import Path

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import SH

from il2kg.checks.reasoning import ReasoningReport
from il2kg.iris import bind_prefixes
from il2kg.pipeline import PipelineResult


def _text(result: PipelineResult) -> str:
    lines = [result.inputs.seeds_line()]
    lines += [str(error) for error in (*result.loaded.errors, *result.loaded.warnings)]
    if result.report is not None:
        lines += [str(finding) for finding in result.report.findings]
    errors = len(result.loaded.errors) + (len(result.report.violations) if result.report else 0)
    if result.reasoning is not None:
        lines += [*result.reasoning.problems, result.reasoning.summary()]
        errors += len(result.reasoning.problems)
    warnings = len(result.loaded.warnings) + (len(result.report.warnings) if result.report else 0)
    verdict = "conforms" if result.ok else "does not conform"
    lines.append(
        f"{verdict}: {errors} error(s), {warnings} warning(s), "
        f"{len(result.loaded.records)} record(s) loaded"
    )
    return "\n".join(lines)


def _json(result: PipelineResult) -> str:
    findings = result.report.findings if result.report else ()
    return json.dumps(
        {
            "seeds": str(result.inputs.seeds_dir.absolute()),
            "conforms": result.ok,
            "record_errors": [e.__dict__ for e in result.loaded.errors],
            "record_warnings": [w.__dict__ for w in result.loaded.warnings],
            "shacl_results": [f.__dict__ for f in findings],
            "reasoning": _reasoning_json(result.reasoning),
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


def _turtle(result: PipelineResult) -> str:
    """The SHACL report graph; record errors become results focused on the seed file."""
    graph = bind_prefixes(Graph())
    if result.report is not None:
        graph += result.report.graph
    report = next(graph.subjects(RDF.type, SH.ValidationReport), None) or BNode()
    graph.set((report, RDF.type, SH.ValidationReport))
    graph.set((report, SH.conforms, Literal(result.ok)))
    results = [
        (URIRef(Path(error.file).absolute().as_uri()), f"{error.path}: {error.message}", severity)
        for errors, severity in ((result.loaded.errors, SH.Violation),
                                 (result.loaded.warnings, SH.Warning))
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


def render_report(result: PipelineResult, fmt: str) -> str:
    """The report in one of: text, turtle, json."""
    return {"text": _text, "json": _json, "turtle": _turtle}[fmt](result)
