"""The graph built from the seeds: complete, faithful to the sources, deterministic."""

from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox
import pytest
import yaml
from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import PROV

from il2kg.graph import quads
from il2kg.graph.convert import record_triples, records_to_graph
from il2kg.graph.quads import records_to_quads
from il2kg.iris import IL2KG, OA, RES, record_of, seed_file_of
from il2kg.pipeline import PipelineResult

from .conftest import DATA

NUMERIC = {XSD.decimal, XSD.integer}
STRUCTURAL = {  # positions, not findings: step orders, sentence numbers, quotes' offsets
    IL2KG.stepOrder,
    OA.start,
    OA.end,
    IL2KG.sourceSentence,
    IL2KG.sentenceNumber,
    IL2KG.abstractSentenceCount,
}


def _derived_nodes(graph: Graph) -> set[URIRef]:
    nodes = set(graph.subjects(RDF.type, IL2KG.DerivedValue))
    return nodes | {ci for node in nodes for ci in graph.objects(node, IL2KG.hasConfidenceInterval)}


def test_every_seed_loads(seed_result: PipelineResult) -> None:
    ids = sorted(r.id for r in seed_result.loaded.records)
    assert ids == [
        "atkins-1999",
        "buchbinder-2019",
        "clark-2021",
        "fateh-2010",
        "nci-surgery-branch-1998",
    ]


def test_no_number_is_invented(seed_result: PipelineResult) -> None:
    """Every reported number is one its source abstract states; the rest is marked derived."""
    stated = yaml.safe_load((DATA / "source-numbers.yaml").read_text())
    graph = seed_result.graph
    derived = _derived_nodes(graph)
    checked = 0
    for s, p, o in graph:
        if not (isinstance(o, Literal) and o.datatype in NUMERIC) or p in STRUCTURAL:
            continue
        if s in derived:
            continue
        record_id = record_of(s)
        allowed = {Decimal(str(n)) for n in stated[record_id]}
        assert Decimal(str(o)) in allowed, f"{s} {p} {o} is not stated in {record_id}'s abstract"
        checked += 1
    assert checked > 100


def test_derived_values_are_marked_and_sourced(seed_result: PipelineResult) -> None:
    graph = seed_result.graph
    for node in graph.subjects(RDF.type, IL2KG.DerivedValue):
        sources = set(graph.objects(node, PROV.wasDerivedFrom))
        assert sources and all((s, RDF.type, None) in graph for s in sources)
        assert (None, IL2KG.hasDerivedValue, node) in graph
        assert not set(graph.objects(node, IL2KG.reportedPercent))


def _derived(graph: Graph, record: str, outcome: str, prop: str) -> Decimal:
    node = RES[f"{record}/outcome/{outcome}/derived"]
    if prop in {"lowerBound", "upperBound"}:
        node = URIRef(f"{node}/ci")
    return Decimal(str(graph.value(node, IL2KG[prop])))


def test_derived_statistics_match_hand_computation(seed_result: PipelineResult) -> None:
    """Values computed by hand: 33/409 = 8.068%; 43/270 with R's binom.test 0.1177-0.2085."""
    g = seed_result.graph
    assert _derived(g, "nci-surgery-branch-1998", "cr", "derivedPercent") == Decimal("8.07")
    assert _derived(g, "atkins-1999", "orr", "derivedCount") == 43
    assert _derived(g, "atkins-1999", "orr", "derivedPercent") == Decimal("15.93")
    assert _derived(g, "atkins-1999", "orr", "lowerBound") == Decimal("11.77")
    assert _derived(g, "atkins-1999", "orr", "upperBound") == Decimal("20.85")
    assert _derived(g, "atkins-1999", "responders-progression-free", "derivedDenominator") == 43
    assert _derived(g, "atkins-1999", "responders-progression-free", "derivedPercent") == Decimal(
        "27.91"
    )
    assert _derived(g, "buchbinder-2019", "melanoma-orr", "derivedCount") == 9
    assert _derived(g, "buchbinder-2019", "melanoma-orr", "derivedPercent") == Decimal("22.50")
    assert _derived(g, "buchbinder-2019", "renal-orr", "derivedPercent") == Decimal("23.53")


def test_reported_figures_are_kept_beside_derived(seed_result: PipelineResult) -> None:
    g = seed_result.graph
    orr = RES["atkins-1999/outcome/orr"]
    assert g.value(orr, IL2KG.reportedPercent) == Literal("16", datatype=XSD.decimal)
    assert g.value(orr, IL2KG["count"]) is None
    ci = g.value(orr, IL2KG.hasConfidenceInterval)
    assert (g.value(ci, IL2KG.lowerBound), g.value(ci, IL2KG.upperBound)) == (
        Literal("12", datatype=XSD.decimal),
        Literal("21", datatype=XSD.decimal),
    )


def test_no_blank_nodes_and_one_namespace(seed_result: PipelineResult) -> None:
    for s, _, _ in seed_result.graph:
        assert isinstance(s, URIRef) and str(s).startswith(str(RES)), s


def test_conversion_is_deterministic(seed_result: PipelineResult) -> None:
    records = seed_result.loaded.records
    first = records_to_graph(records).serialize(format="nt")
    second = records_to_graph(reversed(records)).serialize(format="nt")
    assert sorted(first.splitlines()) == sorted(second.splitlines())


def test_stream_of_quads_is_the_graph(seed_result: PipelineResult) -> None:
    """The build's stream (one record's triples at a time, as pyoxigraph quads) holds exactly
    the triples of the rdflib graph, term for term."""
    records = seed_result.loaded.records
    graph = ox.NamedNode("https://example.org/graph")
    streamed = {q.triple for q in records_to_quads(records, graph)}
    parsed = ox.parse(records_to_graph(records).serialize(format="nt"), ox.RdfFormat.N_TRIPLES)
    assert streamed == {q.triple for q in parsed}
    assert len(streamed) > 1000


def test_fill_loads_every_batch(
    seed_result: PipelineResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Records bulk loaded a few at a time make the same data graph as one rdflib graph."""
    monkeypatch.setattr(quads, "BATCH", 2)
    records = seed_result.loaded.records
    assert len(records) > 2 * quads.BATCH
    store = quads.fill(ox.Store(), records, Graph())
    parsed = ox.parse(records_to_graph(records).serialize(format="nt"), ox.RdfFormat.N_TRIPLES)
    assert {q.triple for q in store.quads_for_pattern(None, None, None, quads.DATA)} == {
        q.triple for q in parsed
    }


def test_labels_come_from_the_writer_not_a_graph(seed_result: PipelineResult) -> None:
    """A quote's and a quantity's label name their owner by the label the writer gave it."""
    record = next(r for r in seed_result.loaded.records if r.regimens)
    labels = {str(s): str(o) for s, p, o in record_triples(record) if p == RDFS.label}
    regimen = RES[f"{record.id}/regimen/{record.regimens[0].id}"]
    quote = labels[f"{regimen}/quote/1"]
    assert quote == f"quote 1 of {record.regimens[0].label}"


def test_sequences_are_ordered_with_gaps_recorded(seed_result: PipelineResult) -> None:
    g = seed_result.graph
    step2 = RES["fateh-2010/sequence/il2-then-tmz/step/2"]
    gap = g.value(step2, IL2KG.startAfterPrevious)
    assert g.value(gap, IL2KG.numericValue) == Literal("6", datatype=XSD.decimal)
    assert g.value(gap, IL2KG.unit) == IL2KG.week
    assert g.value(gap, IL2KG.statistic) == IL2KG.mean
    step1 = RES["fateh-2010/sequence/il2-then-tmz/step/1"]
    assert g.value(step1, IL2KG.nextStep) == step2


def test_record_of_names_the_record_of_resources_only(seed_result: PipelineResult) -> None:
    ids = {r.id for r in seed_result.loaded.records}
    assert {record_of(s) for s in seed_result.graph.subjects()} == ids
    outcome = RES["atkins-1999/outcome/orr"]
    assert (record_of(outcome), seed_file_of(outcome)) == ("atkins-1999", "seeds/atkins-1999.yaml")
    for other in (IL2KG.Cohort, Literal(str(outcome)), BNode(), None):
        assert record_of(other) is None and seed_file_of(other) == "(graph)", other
