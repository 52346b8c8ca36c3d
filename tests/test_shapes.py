"""Every SHACL rule both ways: the seeds pass it, and its counter-examples fail it."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SH

from il2kg.checks.shacl import validate_graph
from il2kg.graph.convert import records_to_graph
from il2kg.iris import record_of
from il2kg.paths import SEEDS_DIR, SHAPES_FILE, SOURCES_DIR
from il2kg.pipeline import PipelineResult, locate, read_graph
from il2kg.records.load import load_seeds
from il2kg.records.sources import read_source
from il2kg.records.vocabulary import vocabulary_from

from .conftest import DATA

SHAPES_NS = "https://w3id.org/il2kg/shapes/"
COUNTER_EXAMPLES = sorted((DATA / "shape-counter-examples").glob("*.ru"))
SHAPES = read_graph(SHAPES_FILE)
NODE_SHAPES = sorted(str(s)[len(SHAPES_NS) :] for s in SHAPES.subjects(RDF.type, SH.NodeShape))
TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode)


def _only(shape: str) -> Graph:
    """The shapes graph with every other node shape's targets removed."""
    graph = Graph() + SHAPES
    for other in graph.subjects(RDF.type, SH.NodeShape):
        if other != URIRef(SHAPES_NS + shape):
            for target in TARGETS:
                graph.remove((other, target, None))
    return graph


@pytest.fixture(scope="module")
def base(seed_result: PipelineResult) -> Graph:
    """A small valid graph: the Atkins and Buchbinder records with the mappings."""
    paths = [SEEDS_DIR / "atkins-1999.yaml", SEEDS_DIR / "buchbinder-2019.yaml"]
    loaded = load_seeds(paths, vocabulary_from(seed_result.ontology))
    assert not loaded.errors
    graph = records_to_graph(loaded.records, partial(read_source, SOURCES_DIR))
    graph += seed_result.mappings
    # Valid against every shape, hence against each one alone (fewer targets, fewer findings):
    # what a counter-example breaks, it breaks itself.
    assert validate_graph(graph, SHAPES, seed_result.ontology).findings == ()
    return graph


def test_every_rule_has_a_counter_example() -> None:
    folder = DATA / "shape-counter-examples"
    assert sorted(folder.iterdir()) == COUNTER_EXAMPLES, "a file there is not a .ru update"
    named = {p.stem.split("--")[0] for p in COUNTER_EXAMPLES}
    assert named == set(NODE_SHAPES)


def test_the_seeds_conform_with_no_warnings(seed_result: PipelineResult) -> None:
    assert seed_result.report is not None
    assert seed_result.report.findings == ()


@pytest.mark.parametrize("path", COUNTER_EXAMPLES, ids=[p.stem for p in COUNTER_EXAMPLES])
def test_counter_example_fails_for_its_reason(
    path: Path, base: Graph, seed_result: PipelineResult
) -> None:
    shape = path.stem.split("--")[0]
    shapes = _only(shape)
    broken = Graph() + base
    broken.update(path.read_text())
    assert not broken.isomorphic(base), f"{path.name} changed nothing"
    report = validate_graph(broken, shapes, seed_result.ontology)
    assert {f.shape for f in report.findings} == {SHAPES_NS + shape}, report.findings
    severity = SHAPES.value(URIRef(SHAPES_NS + shape), SH.severity, default=SH.Violation)
    expected = str(severity).rsplit("#", 1)[-1]
    assert {f.severity for f in report.findings} == {expected}
    assert all(f.message != "(no message)" for f in report.findings)
    if shape != "EveryTermLabelled":  # its focus is a vocabulary term, written in no seed file
        for finding in report.findings:
            where = locate(seed_result.loaded.source_maps, finding.focus_iri, finding.path_iri)
            record = record_of(finding.focus_iri)
            assert where and where.file == f"seeds/{record}.yaml" and where.line, finding
