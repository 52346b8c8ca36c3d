"""SHACL validation of the built graph, as a report object with RDF and readable text."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Literal

import pyoxigraph as ox
from pyshacl import validate as shacl_validate
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from il2kg.checks import fast_shacl
from il2kg.checks.fast_shacl import Unsupported, validate_fast
from il2kg.checks.store_view import materialise
from il2kg.errors import UsageError
from il2kg.iris import DATA_GRAPH, MAPPINGS_GRAPH, bind_prefixes, curie, seed_file_of

ShaclEngine = Literal["fast", "pyshacl"]  # the choices of the command line's --engine
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Finding:
    """One SHACL result, in terms a curator can act on.

    `focus` and `path` are CURIEs, `focus_iri` and `path_iri` the IRIs they abbreviate; `rule`
    is the shape's name (with the path for a property shape: 'OutcomeShape/count'); `field`,
    `line` and `column` say where in its seed file the value was written, once located.
    """

    severity: str
    file: str
    focus: str
    path: str
    message: str
    shape: str
    rule: str = ""
    value: str = ""
    focus_iri: str = ""
    path_iri: str = ""
    field: str = ""
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        subject = self.field or f"{self.focus}: {self.path}"
        return f"{where}: {subject}: {self.severity}: {self.explained}"

    @property
    def explained(self) -> str:
        """The message, with the offending value when the message does not give it."""
        shown = self.value if len(self.value) <= 80 else self.value[:77] + "..."
        return (
            f"{self.message} Found {shown}."
            if shown and shown not in self.message
            else self.message
        )


@dataclass(frozen=True)
class ShaclReport:
    """The outcome of SHACL validation: conforms when no result is a violation."""

    findings: tuple[Finding, ...]
    graph: Graph

    @property
    def conforms(self) -> bool:
        return not any(f.severity == "Violation" for f in self.findings)

    @property
    def violations(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == "Violation")

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity != "Violation")


def _short(node: object) -> str:
    """A node as a CURIE where one fits, else as it is."""
    if node is None:
        return ""
    return curie(str(node)) if isinstance(node, URIRef) else str(node)


def _local(node: object) -> str:
    return re.split(r"[/#]", str(node))[-1]


def _finding(report: Graph, result: Node, owners: Mapping[Node | None, Node]) -> Finding:
    """One result; `shape` names the node shape, also for results of its property shapes."""
    focus = report.value(result, SH.focusNode)
    source = report.value(result, SH.sourceShape)
    severity = report.value(result, SH.resultSeverity)
    path = report.value(result, SH.resultPath)
    value = report.value(result, SH.value)
    messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
    shape = owners.get(source, source)
    rule = _local(shape) + (f"/{_local(path)}" if source in owners and path is not None else "")
    return Finding(
        severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
        file=seed_file_of(str(focus)),
        focus=_short(focus),
        path=_short(path) or "-",
        message=" ".join(messages) or "(no message)",
        shape=_short(shape),
        rule=rule,
        value="" if value is None else _short(value),
        focus_iri=str(focus) if isinstance(focus, URIRef) else "",
        path_iri=str(path) if isinstance(path, URIRef) else "",
    )


def pyshacl_report(data: Graph, shapes: Graph, ontology: Graph) -> Graph:
    """The SHACL report graph computed by plain pySHACL (the reference implementation)."""
    _, report_graph, text = shacl_validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    if not isinstance(report_graph, Graph):
        raise UsageError(f"SHACL validation could not run: {text}")
    return report_graph


def _by_engine(
    engine: ShaclEngine, fast: Callable[[], Graph], reference: Callable[[], Graph]
) -> Graph:
    """The report graph by the fast engine, or by pySHACL when asked or when the fast engine
    declines the shapes (logged, with its reason)."""
    if engine == "fast":
        try:
            return fast()
        except Unsupported as exc:
            log.warning("fast SHACL engine: %s; validating with pySHACL instead (much slower)", exc)
    return reference()


def report_graph_of(data: Graph, shapes: Graph, ontology: Graph, engine: ShaclEngine) -> Graph:
    """The SHACL report graph by `engine`; `fast` says why when it has to fall back."""
    return _by_engine(
        engine,
        partial(validate_fast, data, shapes, ontology),
        partial(pyshacl_report, data, shapes, ontology),
    )


def _report(report_graph: Graph, shapes: Graph) -> ShaclReport:
    """The findings of a SHACL report graph, sorted by file, focus node, path and message."""
    report_graph = bind_prefixes(report_graph)
    owners: dict[Node | None, Node] = {p: n for n, p in shapes.subject_objects(SH.property)}
    findings = sorted(
        (
            _finding(report_graph, r, owners)
            for r in report_graph.subjects(RDF.type, SH.ValidationResult)
        ),
        key=lambda f: (f.file, f.focus, f.path, f.message),
    )
    return ShaclReport(tuple(findings), report_graph)


def validate_graph(
    data: Graph, shapes: Graph, ontology: Graph, engine: ShaclEngine = "fast"
) -> ShaclReport:
    """Validate data (with the ontology mixed in for classes and labels) against shapes.

    The set-at-a-time engine of `fast_shacl` gives pySHACL's results much faster; shapes
    that use a feature it does not implement are validated by pySHACL itself.

    >>> shapes = Graph().parse(format="turtle", data='''
    ...     @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <https://example.org/> .
    ...     ex:CohortShape a sh:NodeShape ; sh:targetClass ex:Cohort ; sh:property [
    ...         sh:path ex:size ; sh:minCount 1 ; sh:message "a cohort states its size" ] .''')
    >>> cohort = "<https://example.org/c> a <https://example.org/Cohort> ."
    >>> data = Graph().parse(format="turtle", data=cohort)
    >>> fast = validate_graph(data, shapes, Graph()).findings
    >>> [(f.rule, f.message) for f in fast]
    [('CohortShape/size', 'a cohort states its size')]
    >>> validate_graph(data, shapes, Graph(), "pyshacl").findings == fast  # the reference
    True
    """
    return _report(report_graph_of(data, shapes, ontology, engine), shapes)


def validate_store(
    store: ox.Store,
    shapes: Graph,
    ontology: Graph,
    engine: ShaclEngine = "fast",
    graphs: Sequence[URIRef] = (DATA_GRAPH, MAPPINGS_GRAPH),
) -> ShaclReport:
    """Validate the union of named graphs of a pyoxigraph store, as `validate_graph` does.

    The fast engine reads the store where it is (`fast_shacl.validate_store`: the first graph
    is the large one); pySHACL, asked for or as the fallback, gets an rdflib copy of them.
    """
    fast = partial(fast_shacl.validate_store, store, graphs, shapes, ontology)
    copy = partial(materialise, store, [ox.NamedNode(g) for g in graphs])
    return _report(
        _by_engine(engine, fast, lambda: pyshacl_report(copy(), shapes, ontology)), shapes
    )
