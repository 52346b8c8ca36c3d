"""The FHIR R5 export: parses with fhir.resources' R5 models, round-trips, carries the figures."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fhir.resources.bundle import Bundle
from pyoxigraph import Store

from il2kg.cli import main
from il2kg.evidence.fhir import bundle
from il2kg.publish.store import open_store
from il2kg.query.run import run_local
from il2kg.records.outcome_kinds import OUTCOME_KINDS

RES = "https://w3id.org/il2kg/resource/"
DERIVED_VALUES = """PREFIX il2kg: <https://w3id.org/il2kg/ontology/>
SELECT DISTINCT ?d WHERE { ?o il2kg:hasDerivedValue ?d }"""


@pytest.fixture(scope="module")
def store(built_dist: Path) -> Store:
    return open_store(built_dist)


@pytest.fixture(scope="module")
def exported(store: Store) -> dict:
    return bundle(lambda query: run_local(store, query).payload)


def _by_iri(exported: dict, kind: str) -> dict[str, dict]:
    """The resources of a type by graph IRI (those made for a graph resource have none)."""
    return {
        e["resource"]["identifier"][0]["value"]: e["resource"]
        for e in exported["entry"]
        if e["resource"]["resourceType"] == kind and "identifier" in e["resource"]
    }


def test_bundle_parses_as_r5_and_round_trips(exported: dict) -> None:
    parsed = Bundle.model_validate(exported)
    assert parsed.get_resource_type() == "Bundle" and len(parsed.entry) == len(exported["entry"])
    assert json.loads(parsed.model_dump_json()) == exported
    assert Bundle.model_validate_json(parsed.model_dump_json()) == parsed


def test_every_reference_resolves_in_the_bundle(exported: dict) -> None:
    ids = {f"{e['resource']['resourceType']}/{e['resource']['id']}" for e in exported["entry"]}
    found = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("reference"), str):  # a CodeableReference holds a Reference
                found.append(node["reference"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(exported)
    assert found and set(found) <= ids


def test_one_citation_per_publication(exported: dict, seed_result: object) -> None:
    citations = _by_iri(exported, "Citation")
    for record in seed_result.loaded.records:
        cited = citations[RES + record.id]["citedArtifact"]
        assert cited["title"][0]["text"] == " ".join(record.publication.title.split())
        if record.publication.doi:
            assert cited["identifier"][0]["value"] == record.publication.doi
    assert len(citations) == len(seed_result.loaded.records)


def test_reported_figures_are_carried(exported: dict, seed_result: object) -> None:
    """Each count outcome's reported percent, count, denominator and CI, as the seed says."""
    evidence = _by_iri(exported, "Evidence")
    checked = 0
    for record in seed_result.loaded.records:
        for outcome in record.outcomes:
            counted = outcome.percent is not None or outcome.count is not None
            if OUTCOME_KINDS[outcome.kind].timed or not counted:
                continue
            statistic = evidence[f"{RES}{record.id}/outcome/{outcome.id}"]["statistic"][0]
            value = outcome.percent if outcome.percent is not None else outcome.count
            assert statistic["quantity"]["value"] == float(value)
            assert statistic.get("numberOfEvents") == outcome.count
            assert statistic.get("sampleSize", {}).get("knownDataCount") == outcome.denominator
            if outcome.ci is not None:
                [estimate] = statistic["attributeEstimate"]
                assert estimate["level"] == float(outcome.ci.level) / 100
                assert (estimate["range"]["low"]["value"], estimate["range"]["high"]["value"]) == (
                    float(outcome.ci.lower),
                    float(outcome.ci.upper),
                )
            checked += 1
    assert checked


def test_atkins_objective_response(exported: dict, seed_result: object) -> None:
    """Atkins: the reported 16% of 270 with its reported 95% CI, and the derived 43/270."""
    atkins = next(r for r in seed_result.loaded.records if r.id == "atkins-1999")
    orr = next(o for o in atkins.outcomes if o.id == "orr")
    evidence = _by_iri(exported, "Evidence")
    reported = evidence[RES + "atkins-1999/outcome/orr"]["statistic"][0]
    assert reported["statisticType"]["coding"][0] == {
        "system": "https://fevir.net/sevco",
        "code": "STATO:0000639",
        "display": "percentage",
    }
    assert (reported["quantity"]["value"], reported["quantity"]["unit"]) == (orr.percent, "%")
    assert reported["sampleSize"]["knownDataCount"] == orr.denominator
    interval = reported["attributeEstimate"][0]
    assert (
        interval["level"],
        interval["range"]["low"]["value"],
        interval["range"]["high"]["value"],
    ) == (0.95, orr.ci.lower, orr.ci.upper)
    derived = evidence[RES + "atkins-1999/outcome/orr/derived"]
    counts = sum(o.count for o in atkins.outcomes if o.id in orr.components)
    assert derived["statistic"][0]["numberOfEvents"] == counts
    assert derived["description"].startswith("Derived by il2kg")
    assert (
        derived["relatedArtifact"][0]["resourceReference"]["reference"]
        == "Evidence/atkins-1999.outcome.orr"
    )


def test_every_derived_value_is_one_derived_evidence(exported: dict, store: Store) -> None:
    derived = {
        str(s["d"].value) for s in store.query(DERIVED_VALUES, use_default_graph_as_union=True)
    }
    evidence = _by_iri(exported, "Evidence")
    marked = {iri for iri, r in evidence.items() if r["description"].startswith("Derived")}
    assert derived and marked == derived


def test_cli_writes_the_bundle(
    built_dist: Path, tmp_path: Path, exported: dict, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "bundle.json"
    assert main(["export", "fhir", "--dist", str(built_dist), "--out", str(out)]) == 0
    assert json.loads(out.read_text()) == exported
    capsys.readouterr()
    assert main(["export", "fhir", "--dist", str(built_dist)]) == 0
    assert json.loads(capsys.readouterr().out) == exported


def test_author_list_completeness_only_where_recorded(exported: dict, seed_result: object) -> None:
    citations = _by_iri(exported, "Citation")
    for record in seed_result.loaded.records:
        contributors = citations[RES + record.id]["citedArtifact"].get("contributorship", {})
        assert contributors.get("complete") == record.publication.authors_complete
