"""The fast SHACL engine against the W3C SHACL test suite (core and SPARQL, pre-binding too).

The cases are the W3C data-shapes test suite's, copied into `tests/data/w3c-shacl/` (source
and licence in its README). Every case is run: what the engine accepts must give the
manifest's expected report and pySHACL's; what it declines (`Unsupported`: validation then
falls back to pySHACL, logged, which the test checks) and the rules it cannot pre-filter
(then run in rdflib per focus node, logged) are listed here by name, so a change in either
is seen.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from rdflib import RDF, BNode, Graph, Literal, Namespace
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from il2kg.checks.fast_shacl import Unsupported, validate_fast
from il2kg.checks.shacl import pyshacl_report, report_graph_of

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
SUITE = Path(__file__).parent / "data" / "w3c-shacl"
CASES = 120  # the entries of every manifest under core/ and sparql/

# pySHACL refuses some cases itself (the queries SHACL forbids, `$shapesGraph`): its verdict
# is not under test here, only that the engine hands the case to it, saying why.
PYSHACL_REFUSALS = (ValueError, NotImplementedError)
Row = tuple[Node | None, ...]
KEYS = (
    SH.focusNode,
    SH.resultPath,
    SH.value,
    SH.resultSeverity,
    SH.sourceShape,
    SH.sourceConstraintComponent,
)

# What the engine declines, by case, with the reason it gives (the shapes use a feature it
# does not implement); `shacl.report_graph_of` then validates with pySHACL, logged.
DECLINED: dict[str, str] = {
    "core/complex/personexample": "uses sh:nodeKind",
    "core/complex/shacl-shacl": "uses sh:nodeKind",
    "core/misc/deactivated-001": "no sh:message",
    "core/misc/deactivated-002": "uses sh:deactivated",
    "core/misc/severity-001": "no sh:message",
    "core/misc/severity-002": "not an sh:NodeShape",
    "core/node/and-001": "no sh:message",
    "core/node/and-002": "no sh:message",
    "core/node/class-001": "no sh:message",
    "core/node/class-002": "no sh:message",
    "core/node/class-003": "no sh:message",
    "core/node/closed-001": "uses sh:closed",
    "core/node/closed-002": "uses sh:closed",
    "core/node/datatype-001": "no sh:message",
    "core/node/datatype-002": "no sh:message",
    "core/node/disjoint-001": "uses sh:disjoint",
    "core/node/equals-001": "uses sh:equals",
    "core/node/hasValue-001": "no sh:message",
    "core/node/in-001": "no sh:message",
    "core/node/languageIn-001": "uses sh:languageIn",
    "core/node/maxExclusive-001": "no sh:message",
    "core/node/maxInclusive-001": "no sh:message",
    "core/node/maxLength-001": "uses sh:maxLength",
    "core/node/minExclusive-001": "no sh:message",
    "core/node/minInclusive-001": "no sh:message",
    "core/node/minInclusive-002": "no sh:message",
    "core/node/minInclusive-003": "no sh:message",
    "core/node/minLength-001": "uses sh:minLength",
    "core/node/node-001": "uses http://www.w3.org/2000/01/rdf-schema#subClassOf",
    "core/node/nodeKind-001": "uses sh:nodeKind",
    "core/node/not-001": "no sh:message",
    "core/node/not-002": "uses sh:not",
    "core/node/or-001": "uses http://www.w3.org/2000/01/rdf-schema#subClassOf",
    "core/node/pattern-001": "no sh:message",
    "core/node/pattern-002": "uses sh:flags",
    "core/node/qualified-001": "uses sh:qualifiedValueShapesDisjoint",
    "core/node/xone-001": "no sh:message",
    "core/node/xone-duplicate": "uses sh:xone",
    "core/path/path-alternative-001": "not an sh:NodeShape",
    "core/path/path-complex-001": "not an sh:NodeShape",
    "core/path/path-complex-002": "not an sh:NodeShape",
    "core/path/path-inverse-001": "complex path",
    "core/path/path-oneOrMore-001": "not an sh:NodeShape",
    "core/path/path-sequence-001": "not an sh:NodeShape",
    "core/path/path-sequence-002": "not an sh:NodeShape",
    "core/path/path-sequence-duplicate-001": "uses sh:nodeKind",
    "core/path/path-strange-001": "not an sh:NodeShape",
    "core/path/path-strange-002": "not an sh:NodeShape",
    "core/path/path-unused-001": "no sh:message",
    "core/path/path-zeroOrMore-001": "not an sh:NodeShape",
    "core/path/path-zeroOrOne-001": "not an sh:NodeShape",
    "core/property/and-001": "no sh:message",
    "core/property/class-001": "no sh:message",
    "core/property/datatype-001": "also a class",
    "core/property/datatype-002": "no sh:message",
    "core/property/datatype-003": "no sh:message",
    "core/property/datatype-ill-formed": "not an sh:NodeShape",
    "core/property/disjoint-001": "uses sh:disjoint",
    "core/property/equals-001": "uses sh:equals",
    "core/property/hasValue-001": "no sh:message",
    "core/property/in-001": "no sh:message",
    "core/property/languageIn-001": "uses sh:languageIn",
    "core/property/lessThan-001": "uses sh:lessThan",
    "core/property/lessThan-002": "uses sh:lessThan",
    "core/property/lessThanOrEquals-001": "uses sh:lessThanOrEquals",
    "core/property/maxCount-001": "no sh:message",
    "core/property/maxCount-002": "no sh:message",
    "core/property/maxExclusive-001": "no sh:message",
    "core/property/maxInclusive-001": "no sh:message",
    "core/property/maxLength-001": "uses sh:maxLength",
    "core/property/minCount-001": "no sh:message",
    "core/property/minCount-002": "no sh:message",
    "core/property/minExclusive-001": "also a class",
    "core/property/minExclusive-002": "also a class",
    "core/property/minLength-001": "also a class",
    "core/property/node-001": "no sh:message",
    "core/property/node-002": "uses sh:node",
    "core/property/nodeKind-001": "uses sh:nodeKind",
    "core/property/not-001": "uses sh:not",
    "core/property/or-001": "no sh:message",
    "core/property/or-datatypes-001": "no sh:message",
    "core/property/pattern-001": "no sh:message",
    "core/property/pattern-002": "also a class",
    "core/property/property-001": "no sh:message",
    "core/property/qualifiedMinCountDisjoint-001": "no sh:message",
    "core/property/qualifiedValueShape-001": "uses sh:qualifiedMaxCount",
    "core/property/qualifiedValueShapesDisjoint-001": "uses sh:qualifiedMaxCount",
    "core/property/uniqueLang-001": "also a class",
    "core/property/uniqueLang-002": "not an sh:NodeShape",
    "core/targets/multipleTargets-001": "no sh:message",
    "core/targets/targetClass-001": "no sh:message",
    "core/targets/targetClassImplicit-001": "no sh:message",
    "core/targets/targetNode-001": "no sh:message",
    "core/targets/targetObjectsOf-001": "no sh:message",
    "core/targets/targetSubjectsOf-001": "no sh:message",
    "core/targets/targetSubjectsOf-002": "no sh:message",
    "core/validation-reports/shared": "no sh:message",
    "sparql/component/optional-001": "optional-001.test#optionalParam",
    "sparql/component/propertyValidator-select-001": "propertyValidator-select-001.test#lang",
    "sparql/component/validator-001": "validator-001.test#test1",
    "sparql/node/sparql-002": "uses sh:select",
    "sparql/node/sparql-003": "uses sh:select",
    "sparql/pre-binding/pre-binding-006": "a sub-SELECT that does not return $this",
    "sparql/pre-binding/shapesGraph-001": "shapesGraph-001.test#property",
    "sparql/pre-binding/unsupported-sparql-001": "does not allow MINUS with $this pre-bound",
    "sparql/pre-binding/unsupported-sparql-002": "does not allow VALUES with $this pre-bound",
    "sparql/pre-binding/unsupported-sparql-003": "does not allow SERVICE with $this pre-bound",
    "sparql/pre-binding/unsupported-sparql-004": "a sub-SELECT that does not return $this",
    "sparql/pre-binding/unsupported-sparql-005": "does not allow AS $this with $this pre-bound",
    "sparql/pre-binding/unsupported-sparql-006": "unsupported-sparql-006.test#lang",
    "sparql/property/sparql-001": "not an sh:NodeShape",
}
# The cases whose SPARQL rules cannot be pre-filtered on pyoxigraph (logged; then every
# focus node is checked in rdflib, as pySHACL does).
PER_FOCUS_NODE = {f"sparql/pre-binding/pre-binding-00{n}" for n in (1, 2, 3, 4, 5, 7)}


@dataclass(frozen=True)
class Case:
    """One sht:Validate entry: its name, data, shapes and expected report."""

    name: str
    data: Graph
    shapes: Graph
    conforms: bool | None  # None: the case expects a failure, not a report
    results: frozenset[Row]
    one_file: bool  # data, shapes and expected report are one parse: blank nodes compare


def _file(iri: Node | None) -> Path:
    return Path(str(iri).removeprefix("file://"))


@cache
def _parse(path: Path) -> Graph:
    return Graph().parse(path, format="turtle")


def _rows(report: Graph, node: Node | None, same_graph: bool) -> frozenset[Row]:
    """A report's results as rows; blank nodes kept only when both graphs are one parse."""

    def term(value: Node | None) -> Node | None:
        return None if isinstance(value, BNode) and not same_graph else value

    return frozenset(
        tuple(term(report.value(r, k)) for k in KEYS) for r in report.objects(node, SH.result)
    )


def _entries(manifest: Path) -> Iterator[tuple[Path, Node]]:
    graph = _parse(manifest)
    for included in sorted(graph.objects(None, MF.include), key=str):
        yield from _entries(_file(included))
    for entries in graph.objects(None, MF.entries):
        for entry in Collection(graph, entries):
            yield manifest, entry


def _case(path: Path, entry: Node) -> Case:
    manifest = _parse(path)
    action = manifest.value(entry, MF.action)
    data, shapes = (_file(manifest.value(action, p)) for p in (SHT.dataGraph, SHT.shapesGraph))
    expected = manifest.value(entry, MF.result)
    name = "/".join(_file(entry).parts[-3:])
    one_file = data == shapes == path
    if expected == SHT.Failure:
        return Case(name, _parse(data), _parse(shapes), None, frozenset(), one_file)
    conforms = manifest.value(expected, SH.conforms)
    assert isinstance(conforms, Literal)
    return Case(
        name,
        _parse(data),
        _parse(shapes),
        bool(conforms.value),
        _rows(manifest, expected, one_file),
        one_file,
    )


@cache
def cases() -> tuple[Case, ...]:
    return tuple(
        _case(path, e)
        for path, e in _entries(SUITE / "manifest.ttl")
        if (e, RDF.type, SHT.Validate) in _parse(path)
    )


def test_every_case_of_the_suite_is_found() -> None:
    assert len(cases()) == CASES
    names = {c.name for c in cases()}
    assert DECLINED.keys() <= names
    assert names >= PER_FOCUS_NODE


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.name)
def test_the_engine_gives_the_expected_report_or_declines_as_listed(
    case: Case, caplog: pytest.LogCaptureFixture
) -> None:
    try:
        with caplog.at_level(logging.WARNING, logger="il2kg.checks.fast_shacl"):
            report = validate_fast(case.data, case.shapes, Graph())
    except Unsupported as exc:
        assert case.name in DECLINED, f"declined, not listed: {exc}"
        assert DECLINED[case.name] in str(exc).replace(str(SH), "sh:")
        _falls_back_logged(case, caplog)
        return
    assert case.name not in DECLINED, "listed as declined but accepted"
    assert case.conforms is not None, "the case expects a failure, the engine gave a report"
    node = report.value(predicate=RDF.type, object=SH.ValidationReport)
    per_node = any("runs in rdflib for every focus node" in r.getMessage() for r in caplog.records)
    assert per_node == (case.name in PER_FOCUS_NODE)
    assert report.value(node, SH.conforms) == Literal(case.conforms)
    assert _rows(report, node, case.one_file) == case.results
    assert _with_messages(report) == _with_messages(pyshacl_report(case.data, case.shapes, Graph()))


def _falls_back_logged(case: Case, caplog: pytest.LogCaptureFixture) -> None:
    """The engine's choice falls back to pySHACL for a declined case, saying why."""
    with caplog.at_level(logging.WARNING, logger="il2kg.checks.shacl"), suppress(*PYSHACL_REFUSALS):
        report_graph_of(case.data, case.shapes, Graph(), "fast")
    assert any("validating with pySHACL instead" in r.getMessage() for r in caplog.records)


def _with_messages(report: Graph) -> set[tuple[object, ...]]:
    """Every result with its messages, to compare with pySHACL's own report."""
    return {
        (
            *(report.value(r, k) for k in KEYS),
            frozenset(map(str, report.objects(r, SH.resultMessage))),
        )
        for r in report.subjects(RDF.type, SH.ValidationResult)
    }
