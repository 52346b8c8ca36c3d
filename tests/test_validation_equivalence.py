"""The fast SHACL engine gives exactly the results of plain pySHACL on the same data and shapes."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
import pytest
from benchmarks.batches import check_module, validate_records
from benchmarks.generate import DEFECTS, graph_defects, synthetic_records
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from il2kg import paths as project
from il2kg.checks import fast_shacl
from il2kg.checks.fast_shacl import Unsupported, prefilter_safe, validate_fast
from il2kg.checks.shacl import pyshacl_report, validate_graph, validate_store
from il2kg.checks.store_view import to_quad
from il2kg.cli import main
from il2kg.graph.convert import records_to_graph
from il2kg.graph.mappings import mapping_graph, read_mapping_set
from il2kg.iris import DATA_GRAPH, IL2KG, MAPPINGS_GRAPH, RES
from il2kg.pipeline import PipelineResult, read_graph

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


@pytest.mark.slow
def test_seed_graph_gives_the_same_results(seed_result: PipelineResult) -> None:
    assert seed_result.graph is not None
    fast, reference = _both(seed_result.graph + seed_result.mappings)
    assert fast == reference


@pytest.mark.slow
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


def _store(graphs: dict[URIRef, Graph]) -> ox.Store:
    """A pyoxigraph store holding each graph as the named graph of its name."""
    store = ox.Store()
    for name, graph in graphs.items():
        store.bulk_extend(to_quad(t, ox.NamedNode(name)) for t in graph)
    return store


@pytest.mark.slow
def test_the_store_gives_the_same_results_and_is_left_as_it_was() -> None:
    graph = records_to_graph(synthetic_records(2 * len(DEFECTS), defect_every=2))
    graph_defects(graph, every=23)
    mappings = mapping_graph(read_mapping_set(project.MAPPINGS_FILE))
    store = _store({DATA_GRAPH: graph, MAPPINGS_GRAPH: mappings})
    before = set(store)
    shapes, ontology = read_graph(project.SHAPES_FILE), read_graph(project.ONTOLOGY_FILE)
    report = validate_store(store, shapes, ontology)
    assert set(store) == before
    # pySHACL on an rdflib copy of the two graphs
    reference = validate_store(store, shapes, ontology, engine="pyshacl")
    assert {row[2] for row in _results(reference.graph)} >= {SH.SPARQLConstraintComponent}
    assert _results(report.graph) == _results(reference.graph)
    assert report.findings == reference.findings


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


@pytest.mark.slow
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
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:p ; sh:message "m" ;
                          sh:sparql [ sh:select "SELECT $this WHERE { $this ?p ?o }" ] ] .
        """,
        format="turtle",
    )
    with pytest.raises(Unsupported, match="SPARQL constraint"):
        validate_fast(Graph(), shapes, Graph())


EX = Namespace("http://example.org/")
NODES = [EX.a, EX.b, EX.c]
CLASSES = [EX.C, EX.D]
PATHS = [EX.p, EX.q, RDFS.label]
LITERALS = [
    Literal(1),
    Literal(2),
    Literal("1.5", datatype=XSD.decimal),
    Literal("x"),
    Literal("x", lang="en"),
    Literal(True),
    Literal("abc", datatype=XSD.integer),
    Literal("2020-01-01", datatype=XSD.date),
]
VALUES = NODES + LITERALS
RULES = [
    "SELECT $this ?value WHERE { $this <http://example.org/p> ?value FILTER(isLiteral(?value)) }",
    "SELECT $this WHERE { $this <http://example.org/p> ?v } GROUP BY $this HAVING (COUNT(?v) > 1)",
    "SELECT $this ?value WHERE { $this <http://example.org/q>/<http://example.org/p> ?value }",
    "SELECT $this WHERE { OPTIONAL { $this <http://example.org/p> ?v } FILTER(!BOUND(?v)) }",
]
TRIPLES = st.one_of(
    st.tuples(*map(st.sampled_from, (NODES, PATHS[:2], VALUES))),
    st.tuples(*map(st.sampled_from, (NODES + CLASSES, [RDFS.label], LITERALS[3:5]))),
    st.tuples(*map(st.sampled_from, (NODES, [RDF.type], [*CLASSES, OWL.NamedIndividual]))),
    st.tuples(*map(st.sampled_from, (CLASSES, [EX.p, RDF.type], [OWL.Class]))),
    st.tuples(*map(st.sampled_from, (CLASSES, [RDFS.subClassOf], CLASSES))),
)
TARGETS = [SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf]


def _graph(triples: Iterable[tuple[Node, Node, Node]]) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


@st.composite
def data_and_ontology(draw: st.DrawFn) -> tuple[Graph, Graph]:
    """A data graph and an ontology graph that hold some of the same triples."""
    data = draw(st.lists(TRIPLES, max_size=14))
    shared = draw(st.lists(st.sampled_from(data), max_size=4)) if data else []
    return _graph(data), _graph(draw(st.lists(TRIPLES, max_size=4)) + shared)


def _add_list(shapes: Graph, node: Node, predicate: URIRef, members: list[Node]) -> None:
    head = BNode()
    Collection(shapes, head, members)
    shapes.add((node, predicate, head))


def _constraint(draw: st.DrawFn, shapes: Graph, node: Node, *, nested: bool = False) -> None:
    """One value constraint on a shape; an sh:or of two constrained shapes unless nested."""
    pick = st.sampled_from
    kinds = [
        SH.datatype,
        SH["class"],
        SH.pattern,
        SH["in"],
        SH.minInclusive,
        SH.minExclusive,
        SH.maxInclusive,
        SH.maxExclusive,
        SH.hasValue,
    ]
    kind = draw(pick(kinds if nested else [*kinds, SH["or"]]))
    if kind in (SH.datatype, SH["in"]) and (node, kind, None) in shapes:
        return  # a well-formed shape has at most one of each (pySHACL refuses a second)
    if kind == SH["or"]:
        members = [BNode(), BNode()]
        for member in members:
            _constraint(draw, shapes, member, nested=True)
        _add_list(shapes, node, kind, members)
    elif kind == SH["in"]:
        _add_list(shapes, node, kind, draw(st.lists(pick(VALUES), min_size=1, max_size=3)))
    else:
        choices = {
            SH.datatype: [XSD.integer, XSD.string, XSD.decimal, XSD.boolean, RDF.langString],
            SH["class"]: CLASSES,
            SH.pattern: [Literal(p) for p in ("^1", "x", "c$", "^http")],
            SH.hasValue: VALUES,
        }.get(kind, [Literal(1), Literal("1.0", datatype=XSD.decimal), Literal("m")])
        shapes.add((node, kind, draw(pick(choices))))


@st.composite
def shape_graphs(draw: st.DrawFn) -> Graph:
    """One or two node shapes: any target, optional own constraint, property shapes, rule."""
    shapes, pick = Graph(), st.sampled_from
    for i in range(draw(st.integers(1, 2))):
        shape = EX[f"S{i}"]
        target = draw(pick(TARGETS))
        aims = {SH.targetClass: CLASSES, SH.targetNode: NODES + LITERALS[:2]}.get(target, PATHS)
        shapes.add((shape, RDF.type, SH.NodeShape))
        shapes.add((shape, target, draw(pick(aims))))
        if draw(st.booleans()):
            shapes.add((shape, SH.severity, SH.Warning))
        if draw(st.booleans()):
            shapes.add((shape, SH.message, Literal(f"node {i}")))
            _constraint(draw, shapes, shape)
        for j in range(draw(st.integers(0, 2))):
            prop = BNode()
            shapes.add((shape, SH.property, prop))
            shapes.add((prop, SH.path, draw(pick(PATHS))))
            shapes.add((prop, SH.message, Literal(f"property {i}.{j}")))
            for count in (SH.minCount, SH.maxCount):
                if draw(st.booleans()):
                    shapes.add((prop, count, Literal(draw(st.integers(0, 2)))))
            for _ in range(draw(st.integers(0, 2))):
                _constraint(draw, shapes, prop)
        if draw(st.booleans()):
            rule = BNode()
            shapes.add((shape, SH.sparql, rule))
            shapes.add((rule, SH.select, Literal(draw(pick(RULES)))))
            shapes.add((rule, SH.message, Literal("rule: {?value}")))
    return shapes


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data_and_ontology(), shape_graphs())
def test_generated_shapes_over_overlapping_graphs_give_the_same_results(
    graphs: tuple[Graph, Graph], shapes: Graph
) -> None:
    data, ontology = graphs
    fast = _results(validate_fast(data, shapes, ontology))
    assert fast == _results(pyshacl_report(data, shapes, ontology))


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data_and_ontology(), shape_graphs())
def test_generated_shapes_over_overlapping_graphs_of_a_store_give_the_same_results(
    graphs: tuple[Graph, Graph], shapes: Graph
) -> None:
    """Two named graphs sharing triples, and an ontology sharing triples with both."""
    data, other = graphs
    store = _store({EX.data: data, EX.other: other})
    fast = _results(fast_shacl.validate_store(store, (EX.data, EX.other), shapes, other))
    assert fast == _results(pyshacl_report(data + other, shapes, other))
    assert {g.value for g in store.named_graphs()} <= {str(EX.data), str(EX.other)}


def test_a_triple_in_data_and_ontology_counts_once() -> None:
    """`sh:maxCount 1` holds for a label that both graphs state, as pySHACL mixes them."""
    shapes = _graph(
        [
            (EX.S, RDF.type, SH.NodeShape),
            (EX.S, SH.targetClass, EX.C),
            (EX.S, SH.property, EX.P),
            (EX.P, SH.path, RDFS.label),
            (EX.P, SH.maxCount, Literal(1)),
            (EX.P, SH.message, Literal("one label")),
        ]
    )
    label = (EX.a, RDFS.label, Literal("a"))
    data = _graph([(EX.a, RDF.type, EX.C), label])
    ontology = _graph([(EX.a, RDF.type, OWL.NamedIndividual), label])
    assert _results(validate_fast(data, shapes, ontology)) == set()
    data.add((EX.a, RDFS.label, Literal("b")))
    (row,) = _results(validate_fast(data, shapes, ontology))
    assert row[2] == SH.MaxCountConstraintComponent
    assert _results(pyshacl_report(data, shapes, ontology)) == {row}


def test_only_what_pyshacl_mixes_in_is_read_from_the_ontology() -> None:
    """An ontology triple pySHACL leaves out of the data graph (here ex:p) is not seen."""
    shapes = _graph(
        [
            (EX.S, RDF.type, SH.NodeShape),
            (EX.S, SH.targetNode, EX.C),
            (EX.S, SH.property, EX.P),
            (EX.P, SH.path, EX.p),
            (EX.P, SH.minCount, Literal(1)),
            (EX.P, SH.message, Literal("needs p")),
        ]
    )
    ontology = _graph([(EX.C, RDF.type, OWL.Class), (EX.C, EX.p, Literal("x"))])
    (row,) = _results(validate_fast(Graph(), shapes, ontology))
    assert row[2] == SH.MinCountConstraintComponent
    assert _results(pyshacl_report(Graph(), shapes, ontology)) == {row}


def test_a_fallback_to_pyshacl_is_logged_with_its_reason(caplog: pytest.LogCaptureFixture) -> None:
    shapes = _graph(
        [
            (EX.S, RDF.type, SH.NodeShape),
            (EX.S, SH.targetNode, EX.a),
            (EX.S, SH.closed, Literal(True)),
        ]
    )
    data = _graph([(EX.a, EX.p, Literal(1))])
    with caplog.at_level(logging.WARNING, logger="il2kg.checks.shacl"):
        report = validate_graph(data, shapes, Graph())
    assert not report.conforms
    assert any("closed" in r.getMessage() and "pySHACL" in r.getMessage() for r in caplog.records)
    caplog.clear()
    validate_graph(data, shapes, Graph(), engine="pyshacl")
    assert not caplog.records


@pytest.mark.slow
def test_validate_command_gives_the_same_report_with_either_engine(
    capsys: pytest.CaptureFixture[str],
) -> None:
    reports = []
    for engine in ("fast", "pyshacl"):
        assert main(["validate", "--no-reasoning", "--engine", engine, "--format", "json"]) == 0
        reports.append(json.loads(capsys.readouterr().out))
    assert reports[0] == reports[1]
    assert reports[0]["reasoning"] is None


def test_a_rule_binding_no_value_reports_the_focus_node_as_pyshacl_does() -> None:
    rule = BNode()
    shapes = _graph(
        [
            (EX.S, RDF.type, SH.NodeShape),
            (EX.S, SH.targetNode, EX.a),
            (EX.S, SH.sparql, rule),
            (rule, SH.select, Literal(RULES[1])),
            (rule, SH.message, Literal("two values on {?value}")),
        ]
    )
    data = _graph([(EX.a, EX.p, Literal(1)), (EX.a, EX.p, Literal(2))])
    (row,) = _results(validate_fast(data, shapes, Graph()))
    assert row[5] == EX.a and row[7] == frozenset({f"two values on {EX.a}"})
    assert _results(pyshacl_report(data, shapes, Graph())) == {row}


@pytest.mark.parametrize(
    ("where", "safe"),
    [
        ("OPTIONAL { $this :name ?n } FILTER(!BOUND(?n))", False),
        ("FILTER ($this = :i)", False),
        ("?x :p ?v FILTER (?x = $this)", False),
        ("{ $this :a ?x } UNION { ?y :b ?x }", False),
        ("$this :a ?x . { ?x :b ?y FILTER(?y != $this) }", False),
        ("$this :a ?x . OPTIONAL { { ?x :b ?y FILTER(?y != $this) } } FILTER(!BOUND(?y))", False),
        ("GRAPH ?g { $this :a ?x }", False),
        ("BIND (:i AS ?t) FILTER (?t = $this)", False),
        ("$this :a ?x", True),
        ("{ $this :a ?x } UNION { $this :b/:c ?x }", True),
        ("$this :a ?x OPTIONAL { ?x :b ?y FILTER(?y != $this) } FILTER(!BOUND(?y))", True),
        (
            "$this :s ?s . { SELECT $this (COUNT(?c) AS ?n) WHERE { ?c :o $this } GROUP BY $this }",
            True,
        ),
    ],
)
def test_a_rule_is_prefiltered_only_where_this_is_bound_by_its_pattern(
    where: str, safe: bool
) -> None:
    assert prefilter_safe(prepareQuery(f"PREFIX : <urn:> SELECT $this WHERE {{ {where} }}")) == safe
    assert not prefilter_safe(
        prepareQuery(f"PREFIX : <urn:> SELECT $this WHERE {{ {where} }} LIMIT 1")
    )


def _rule_shapes(select: str) -> Graph:
    rule = BNode()
    return _graph(
        [
            (EX.S, RDF.type, SH.NodeShape),
            (EX.S, SH.targetClass, EX.C),
            (EX.S, SH.sparql, rule),
            (rule, SH.select, Literal(select)),
            (rule, SH.message, Literal("rule on {$this}")),
        ]
    )


def test_a_rule_that_cannot_be_prefiltered_runs_per_focus_node_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """pyoxigraph with $this unbound would find no candidate here; pySHACL reports EX.a."""
    select = (
        "SELECT $this WHERE { OPTIONAL { $this <http://example.org/name> ?n } FILTER(!BOUND(?n)) }"
    )
    shapes, graph = _rule_shapes(select), _graph([(EX.a, RDF.type, EX.C)])
    with caplog.at_level(logging.WARNING, logger="il2kg.checks.fast_shacl"):
        fast = _results(validate_fast(graph, shapes, Graph()))
    assert {row[0] for row in fast} == {EX.a}
    assert fast == _results(pyshacl_report(graph, shapes, Graph()))
    assert any("not bound by a required triple pattern" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("select", "data"),
    [
        (
            "SELECT $this WHERE { $this <http://example.org/p> ?v FILTER(STR(?v) = '50.0') }",
            [(EX.a, EX.p, Literal("50.0", datatype=XSD.decimal))],
        ),
        (
            "SELECT $this WHERE { $this <http://example.org/p> ?v , ?w FILTER(!sameTerm(?v, ?w)) }",
            [(EX.a, EX.p, Literal("x")), (EX.a, EX.p, Literal("x", datatype=XSD.string))],
        ),
        (
            "SELECT $this ?value WHERE { $this <http://example.org/p> ?value }",
            [(EX.a, EX.p, Literal("x", datatype=XSD.string))],
        ),
    ],
)
def test_a_literal_the_store_would_restate_falls_back_to_pyshacl_logged(
    select: str, data: list[tuple[Node, Node, Node]], caplog: pytest.LogCaptureFixture
) -> None:
    """pyoxigraph stores "50.0"^^xsd:decimal as 50 and "x"^^xsd:string as "x": the engine
    declines such a graph, and pySHACL reports EX.a."""
    shapes, graph = _rule_shapes(select), _graph([(EX.a, RDF.type, EX.C), *data])
    with pytest.raises(Unsupported, match="as another term"):
        validate_fast(graph, shapes, Graph())
    with caplog.at_level(logging.WARNING, logger="il2kg.checks.shacl"):
        report = validate_graph(graph, shapes, Graph())
    assert {f.focus_iri for f in report.findings} == {str(EX.a)}
    assert any("as another term" in r.getMessage() for r in caplog.records)


def test_a_query_shacl_forbids_with_pre_bound_this_is_refused() -> None:
    for select in (
        "SELECT $this WHERE { $this ?p ?o MINUS { $this ?p 1 } }",
        "SELECT $this WHERE { $this ?p ?o { SELECT ?o WHERE { ?s ?q ?o } } }",
        "SELECT $this WHERE { BIND (1 AS $this) }",
    ):
        with pytest.raises(Unsupported, match="SHACL does not allow"):
            validate_fast(Graph(), _rule_shapes(select), Graph())


def test_a_rules_verdict_is_kept_so_an_unchanged_rule_is_not_parsed_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The second run reads the verdict and, with no candidate, parses nothing; a verdict
    file saying anything but "safe" only makes the engine run the rule per focus node."""
    monkeypatch.setenv("IL2KG_CACHE_DIR", str(tmp_path))
    shapes = _rule_shapes("SELECT $this ?value WHERE { $this <http://example.org/p> ?value }")
    clean, broken = _graph([(EX.a, RDF.type, EX.C)]), _graph([(EX.a, EX.p, Literal(1))])
    broken += clean
    fast_shacl._prepared.cache_clear()
    assert _results(validate_fast(clean, shapes, Graph())) == set()
    assert fast_shacl._prepared.cache_info().misses == 1
    (verdict,) = (tmp_path / "shacl").iterdir()
    assert verdict.read_bytes() == b"safe"
    fast_shacl._prepared.cache_clear()
    assert _results(validate_fast(clean, shapes, Graph())) == set()
    assert fast_shacl._prepared.cache_info().misses == 0
    verdict.write_bytes(b"?")
    with caplog.at_level(logging.WARNING, logger="il2kg.checks.fast_shacl"):
        fast = _results(validate_fast(broken, shapes, Graph()))
    assert any("for every focus node" in r.getMessage() for r in caplog.records)
    assert fast == _results(pyshacl_report(broken, shapes, Graph())) != set()
