"""The fast SHACL engine gives exactly the results of plain pySHACL on the same data and shapes."""

from __future__ import annotations

import pytest
from benchmarks.generate import DEFECTS, graph_defects, synthetic_records
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import SH
from rdflib.plugins.sparql import prepareQuery

from il2kg import project
from il2kg.convert import records_to_graph
from il2kg.fast_shacl import Unsupported, predicates_of, validate_fast
from il2kg.mappings import mapping_graph, read_mapping_set
from il2kg.modular import check_module, validate_records
from il2kg.namespaces import IL2KG, RES
from il2kg.pipeline import PipelineResult, read_graph
from il2kg.validate import pyshacl_report

Row = tuple[object, ...]


def _results(report: Graph) -> set[Row]:
    """Every result as (focus, shape, component, severity, path, value, constraint, messages)."""
    keys = (
        SH.focusNode,
        SH.sourceShape,
        SH.sourceConstraintComponent,
        SH.resultSeverity,
        SH.resultPath,
        SH.value,
        SH.sourceConstraint,
    )
    return {
        (
            *(report.value(r, k) for k in keys),
            frozenset(map(str, report.objects(r, SH.resultMessage))),
        )
        for r in report.subjects(RDF.type, SH.ValidationResult)
    }


def _both(data: Graph) -> tuple[set[Row], set[Row]]:
    shapes, ontology = read_graph(project.SHAPES_FILE), read_graph(project.ONTOLOGY_FILE)
    return _results(validate_fast(data, shapes, ontology)), _results(
        pyshacl_report(data, shapes, ontology)
    )


def test_seed_graph_gives_the_same_results(seed_result: PipelineResult) -> None:
    assert seed_result.graph is not None
    fast, reference = _both(seed_result.graph + seed_result.mappings)
    assert fast == reference


def test_defective_graph_gives_the_same_violations_and_warnings() -> None:
    graph = records_to_graph(synthetic_records(2 * len(DEFECTS), defect_every=2))
    assert graph_defects(graph, every=23) > 0
    fast, reference = _both(graph)
    severities = {row[3] for row in reference}
    components = {row[2] for row in reference}
    assert {SH.Violation, SH.Warning} <= severities
    assert {
        SH.SPARQLConstraintComponent,
        SH.MinCountConstraintComponent,
        SH.DatatypeConstraintComponent,
        SH.ClassConstraintComponent,
    } <= components
    assert fast == reference


def test_unknown_shape_features_are_refused() -> None:
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:s> a sh:NodeShape ; sh:targetNode <urn:x> ; sh:closed true .""",
        format="turtle",
    )
    try:
        validate_fast(Graph(), shapes, Graph())
    except Unsupported as exc:
        assert "closed" in str(exc)
    else:
        raise AssertionError("sh:closed should be refused, not silently ignored")


def test_rule_store_holds_every_predicate_a_rule_can_match() -> None:
    base = "PREFIX : <urn:> SELECT $this WHERE { $this "
    assert predicates_of(prepareQuery(base + ":a/^:b|:c+ ?x }")) == {
        URIRef("urn:a"),
        URIRef("urn:b"),
        URIRef("urn:c"),
    }
    for anything in ("?p ?x }", ":a* ?x }", "!:a ?x }", ":a? ?x }"):
        assert predicates_of(prepareQuery(base + anything)) is None, anything


def test_record_batches_in_worker_processes_give_the_whole_graph_results() -> None:
    records = list(synthetic_records(len(DEFECTS), defect_every=1))
    shapes, ontology = read_graph(project.SHAPES_FILE), read_graph(project.ONTOLOGY_FILE)
    mappings = mapping_graph(read_mapping_set(project.MAPPINGS_FILE))
    batched = _results(validate_records(records, shapes, ontology, mappings, batch_records=2))
    whole = _results(pyshacl_report(records_to_graph(records) + mappings, shapes, ontology))
    assert {row[2] for row in whole} >= {SH.SPARQLConstraintComponent}
    assert batched == whole


def test_a_triple_crossing_records_is_refused_for_batches() -> None:
    graph = Graph()
    graph.add((RES["a/cohort/x"], IL2KG.subCohortOf, RES["b/cohort/y"]))
    try:
        check_module(graph, {"a"})
    except Unsupported as exc:
        assert "crosses" in str(exc)
    else:
        raise AssertionError("a reference into another record must be refused")


def test_a_sparql_constraint_on_a_property_shape_falls_back() -> None:
    """The fast path refuses what it does not implement instead of skipping it."""
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:p ; sh:message "m" ;
                          sh:sparql [ sh:select "SELECT $this WHERE { $this ?p ?o }" ] ] .
        """, format="turtle")
    with pytest.raises(Unsupported, match="SPARQL constraint"):
        validate_fast(Graph(), shapes, Graph())
