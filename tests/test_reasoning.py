"""HermiT reasoning: defined classes classify the data they should and only that; faults are
named; the build publishes the inferred facts in their own named graph beside the imports.

Every test runs the real reasoner (HermiT, through owlready2, on Java) on real graphs.
"""

from __future__ import annotations

import dataclasses
import itertools
import json

import pytest
from pyoxigraph import Store
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import PROV

from il2kg.checks.reasoning import ReasoningReport, reason
from il2kg.iris import IL2KG, INFERRED_GRAPH, RES, prefixes
from il2kg.paths import IMPORTS_DIR, ONTOLOGY_FILE
from il2kg.pipeline import PipelineResult, read_graph, run
from il2kg.publish.dist import publish_written
from il2kg.publish.serialise import write_release
from il2kg.publish.store import open_store
from il2kg.report import render_report

pytestmark = [pytest.mark.java, pytest.mark.slow]

T = Namespace(f"{RES}reasoning-test/")
DEFINED = sorted(
    str(c)
    for c in read_graph(ONTOLOGY_FILE).subjects(OWL.equivalentClass, None)
    if isinstance(c, URIRef)
)

# For each defined class: resources the reasoner must put in it, and resources it must not.
EXPECTED = {
    "AldesleukinRegimen": (["regimen/il2"], ["regimen/tmz", "regimen/ici"]),
    "ChemotherapyRegimen": (["regimen/tmz"], ["regimen/il2", "regimen/local"]),
    "CheckpointInhibitorRegimen": (["regimen/ici"], ["regimen/il2"]),
    "CohortTreatedAfterCheckpointInhibition": (["cohort/after-ici"], ["cohort/after-il2"]),
    "IL2BeforeChemotherapySequence": (["sequence/il2-local-tmz"], ["sequence/tmz-il2"]),
    "CheckpointInhibitionBeforeIL2Sequence": (["sequence/ici-il2"], ["sequence/il2-ici"]),
    "CompleteResponseOutcome": (["outcome/cr"], ["outcome/pr", "outcome/cr-ongoing"]),
    "DurableCompleteResponseOutcome": (
        ["outcome/cr-ongoing"],
        ["outcome/pr-ongoing", "outcome/cr-death"],
    ),
    "RegistryBasedStudy": (["study/registry"], ["study/retrospective"]),
    "FatalAdverseEventReport": (["adverse-event/fatal"], ["adverse-event/non-fatal"]),
}


def examples() -> Graph:
    """A small data graph with members and non-members of every defined class."""
    g = Graph()

    def node(local: str, cls: str, **values: object) -> URIRef:
        subject = T[local]
        g.add((subject, RDF.type, IL2KG[cls]))
        for prop, value in values.items():
            for item in value if isinstance(value, list) else [value]:
                g.add(
                    (
                        subject,
                        IL2KG[prop],
                        item if isinstance(item, URIRef | Literal) else IL2KG[str(item)],
                    )
                )
        return subject

    node("regimen/il2", "Regimen", usesAgent="aldesleukin", hasModality="immunotherapy")
    node("regimen/tmz", "Regimen", usesAgent="temozolomide", hasModality="chemotherapy")
    node(
        "regimen/ici",
        "Regimen",
        usesAgent="pd-1-inhibitor",
        hasModality=["checkpoint-inhibitor-therapy", "immunotherapy"],
    )
    node("regimen/local", "Regimen", hasModality="local-therapy")
    node("cohort/after-ici", "Cohort", hadPriorTherapy=T["regimen/ici"])
    node("cohort/after-il2", "Cohort", hadPriorTherapy=T["regimen/il2"])
    for name, regimens in (
        ("il2-local-tmz", ["il2", "local", "tmz"]),
        ("tmz-il2", ["tmz", "il2"]),
        ("ici-il2", ["ici", "il2"]),
        ("il2-ici", ["il2", "ici"]),
    ):
        sequence = node(f"sequence/{name}", "TherapySequence")
        steps = [
            node(f"sequence/{name}/step/{i}", "SequenceStep", stepRegimen=T[f"regimen/{r}"])
            for i, r in enumerate(regimens, start=1)
        ]
        for step, following in itertools.pairwise(steps):
            g.add((step, IL2KG.nextStep, following))
        for step in steps:
            g.add((sequence, IL2KG.hasStep, step))
    node("outcome/cr", "ResponseOutcome", hasCategory="complete-response")
    node("outcome/pr", "ResponseOutcome", hasCategory="partial-response")
    node(
        "outcome/cr-ongoing",
        "StatusOutcome",
        hasCategory="ongoing-response",
        amongOutcome=T["outcome/cr"],
    )
    node(
        "outcome/pr-ongoing",
        "StatusOutcome",
        hasCategory="ongoing-response",
        amongOutcome=T["outcome/pr"],
    )
    node("outcome/cr-death", "StatusOutcome", hasCategory="death", amongOutcome=T["outcome/cr"])
    node("study/registry", "Study", hasStudyDesign=["registry-study", "retrospective-study"])
    node("study/retrospective", "Study", hasStudyDesign="retrospective-study")
    node("adverse-event/fatal", "AdverseEventReport", fatal=Literal(True))
    node("adverse-event/non-fatal", "AdverseEventReport", fatal=Literal(False))
    return g


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return read_graph(ONTOLOGY_FILE)


@pytest.fixture(scope="module")
def classified(ontology: Graph) -> ReasoningReport:
    """HermiT's verdict on the ontology with the example data."""
    return reason(ontology, examples())


def test_every_defined_class_has_examples() -> None:
    assert len(DEFINED) >= 5
    assert sorted(str(IL2KG[name]) for name in EXPECTED) == DEFINED


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_defined_class_gets_its_members_and_only_them(
    name: str, classified: ReasoningReport
) -> None:
    members, non_members = EXPECTED[name]
    inferred = set(classified.inferred.subjects(RDF.type, IL2KG[name]))
    assert classified.ok
    assert {T[m] for m in members} <= inferred
    assert not {T[m] for m in non_members} & inferred


def test_asserted_facts_are_not_repeated_as_inferred(classified: ReasoningReport) -> None:
    asserted = examples()
    assert not [t for t in classified.inferred if t in asserted]
    assert (T["outcome/cr"], RDF.type, IL2KG.Outcome) in classified.inferred


def test_property_values_are_inferred_through_the_property_hierarchy(
    classified: ReasoningReport,
) -> None:
    step = T["sequence/il2-local-tmz/step/"]
    later = set(classified.inferred.objects(URIRef(f"{step}1"), IL2KG.precedesStep))
    assert later == {URIRef(f"{step}2"), URIRef(f"{step}3")}


def test_inferred_graph_describes_its_provenance(
    classified: ReasoningReport, ontology: Graph
) -> None:
    g = classified.inferred
    version = ontology.value(URIRef("https://w3id.org/il2kg/ontology"), OWL.versionIRI)
    activity = g.value(INFERRED_GRAPH, PROV.wasGeneratedBy)
    agent = g.value(activity, PROV.wasAssociatedWith)
    assert (INFERRED_GRAPH, PROV.wasDerivedFrom, version) in g
    assert "HermiT" in str(g.value(agent, RDFS.label))
    assert str(g.value(agent, RDFS.label)) == classified.reasoner


def test_inconsistency_is_reported_by_name(ontology: Graph) -> None:
    data = examples()
    clash = RES["clash-record/cohort/also-a-regimen"]
    data.add((clash, RDF.type, IL2KG.Cohort))
    data.add((clash, IL2KG.usesAgent, IL2KG.aldesleukin))  # domain Regimen, disjoint with Cohort
    report = reason(ontology, data)
    assert not report.consistent and not report.ok
    assert report.culprits == (str(clash),)
    assert any("seeds/clash-record.yaml" in p and str(clash) in p for p in report.problems)


def test_unsatisfiable_class_is_reported_by_name(ontology: Graph) -> None:
    broken = Graph() + ontology
    impossible = IL2KG.CohortThatIsARegimen
    members = BNode()
    Collection(broken, members, [IL2KG.Cohort, IL2KG.Regimen])
    expression = BNode()
    broken.add((expression, RDF.type, OWL.Class))
    broken.add((expression, OWL.intersectionOf, members))
    broken.add((impossible, RDF.type, OWL.Class))
    broken.add((impossible, OWL.equivalentClass, expression))
    report = reason(broken, examples())
    assert report.consistent and not report.ok
    assert report.unsatisfiable == (str(impossible),)
    assert any(str(impossible) in p for p in report.problems)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[PipelineResult, Store]:
    """The seeds run through the pipeline (with HermiT), published and loaded into a store."""
    result = run()
    store = result.store
    assert result.ok and store is not None
    out = tmp_path_factory.mktemp("reasoned") / "dist"
    publish_written(
        lambda d: write_release(d, store, result.ontology, prefixes(), extra=result.extra_graphs),
        out,
    )
    return result, open_store(out)


def select(store: Store, text: str) -> list[dict[str, str]]:
    """A SELECT query's rows as plain strings by variable name."""
    answer = store.query("PREFIX il2kg: <https://w3id.org/il2kg/ontology/>\n" + text)
    names = [v.value for v in answer.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in answer]


def test_built_graph_has_inferred_members_for_five_defined_classes(
    built: tuple[PipelineResult, Store],
) -> None:
    rows = select(
        built[1],
        f"""
        SELECT ?class (COUNT(DISTINCT ?x) AS ?n) WHERE {{
          GRAPH <{INFERRED_GRAPH}> {{ ?x a ?class }}
          GRAPH <https://w3id.org/il2kg/graph/ontology> {{ ?class <{OWL.equivalentClass}> ?d }}
        }} GROUP BY ?class""",
    )
    with_members = {r["class"] for r in rows if int(r["n"]) > 0}
    assert len(with_members) >= 5
    assert with_members <= set(DEFINED)


def test_asserted_and_inferred_facts_are_told_apart_by_sparql(
    built: tuple[PipelineResult, Store],
) -> None:
    rows = select(
        built[1],
        f"""
        SELECT ?outcome ?asserted WHERE {{
          GRAPH <{INFERRED_GRAPH}> {{ ?outcome a il2kg:CompleteResponseOutcome }}
          GRAPH <https://w3id.org/il2kg/graph/data> {{ ?outcome a ?asserted }}
          FILTER NOT EXISTS {{
            GRAPH <https://w3id.org/il2kg/graph/data> {{ ?outcome a il2kg:CompleteResponseOutcome }}
          }}
        }}""",
    )
    complete = {r["outcome"] for r in rows}
    assert complete and {r["asserted"] for r in rows} == {str(IL2KG.ResponseOutcome)}
    data = built[0].graph
    assert data is not None
    expected = {
        str(o)
        for o in data.subjects(IL2KG.hasCategory, IL2KG["complete-response"])
        if (o, RDF.type, IL2KG.ResponseOutcome) in data
    }
    assert complete == expected


def test_mappings_and_import_modules_are_named_graphs(built: tuple[PipelineResult, Store]) -> None:
    graphs = {g.value for g in built[1].named_graphs()}
    modules = {f"https://w3id.org/il2kg/graph/imports/{p.stem}" for p in IMPORTS_DIR.glob("*.ttl")}
    assert len(modules) >= 5 and modules <= graphs
    rows = select(
        built[1],
        """
        SELECT ?target WHERE { GRAPH <https://w3id.org/il2kg/graph/mappings> {
          il2kg:metastatic-melanoma <http://www.w3.org/2004/02/skos/core#exactMatch> ?target } }""",
    )
    assert {r["target"] for r in rows} >= {"http://purl.obolibrary.org/obo/MONDO_0005191"}


def test_every_import_module_names_its_source() -> None:
    for path in sorted(IMPORTS_DIR.glob("*.ttl")):
        module = Graph().parse(path)
        header = path.read_text(encoding="utf-8").splitlines()[:12]
        ontology = next(module.subjects(RDF.type, OWL.Ontology))
        assert module.value(ontology, URIRef("http://purl.org/dc/terms/source")), path.name
        assert any("@" in line and ":" in line for line in header), path.name
        assert all(module.value(c, RDFS.label) for c in module.subjects(RDF.type, OWL.Class))


def test_validate_report_carries_the_reasoner_verdict(
    built: tuple[PipelineResult, Store], ontology: Graph
) -> None:
    result = built[0]
    assert result.reasoning is not None and "consistent" in render_report(result, "text")
    clash = RES["clash-record/cohort/also-a-regimen"]
    bad = ReasoningReport(False, (), (str(clash),), Graph(), result.reasoning.reasoner)
    failed = dataclasses.replace(result, reasoning=bad)
    assert not failed.ok
    assert str(clash) in render_report(failed, "text")
    assert json.loads(render_report(failed, "json"))["reasoning"]["inconsistent_resources"] == [
        str(clash)
    ]
    assert str(clash) in render_report(failed, "turtle")
