"""The FHIR export keeps what the numbers mean: each caveat, read back with fhir.resources'
R5 models, and the EBM-on-FHIR profile constraints it claims, checked with fhirpathpy."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from fhir.resources.bundle import Bundle

from il2kg.cli import parser
from il2kg.evidence.fhir import bundle
from il2kg.paths import ROOT
from il2kg.publish.store import open_store
from il2kg.query.run import run_local

RES = "https://w3id.org/il2kg/resource/"
IL2KG = "https://w3id.org/il2kg/ontology/"
SEVCO = "https://fevir.net/sevco"
EBM = "http://hl7.org/fhir/uv/ebm/StructureDefinition/"
ORIGIN = "https://w3id.org/il2kg/fhir/StructureDefinition/value-origin"
DEPRECATED = (
    "http://terminology.hl7.org/CodeSystem/statistic-type",
    "http://terminology.hl7.org/CodeSystem/attribute-estimate-type",
)
PROFILE_RULES = {  # the constraints of each claimed profile (EBM IG 1.0.0-ballot, FHIR R5)
    "non-comparative-evidence": [
        "variableDefinition.where(note.text = 'population').exists()",
        "variableDefinition.where(note.text = 'outcome').exists()",
        "variableDefinition.where(note.text = 'population').all(extension("
        f"'{EBM}variable-definition-variable-role-code').value = 'population')",
        "variableDefinition.where(note.text = 'outcome').all(extension("
        f"'{EBM}variable-definition-variable-role-code').value = 'outcome')",
        "variableDefinition.where(note.text = 'population').observed.reference"
        ".all(startsWith('Group/'))",
        "variableDefinition.where(note.text = 'outcome').observed.reference"
        ".all(startsWith('EvidenceVariable/'))",
        "variableDefinition.all(variableRole.text = 'Use extension:variableRoleCode instead.')",
    ],
    "baseline-measure-evidence": [
        "variableDefinition.where(note.text = 'population').exists()",
        "variableDefinition.where(note.text = 'outcome').exists()",
    ],
    "single-study-evidence": ["synthesisType.coding.where(code = 'NotApplicable').exists()"],
    "study-group": ["membership = 'enumerated'"],
    "cohort-definition": ["membership = 'definitional'", "quantity.empty()", "member.empty()"],
    "variable-definition": [
        f"extension('{EBM}evidence-variable-definition').exists()",
        "handling.exists()",
        "characteristic.empty()",
    ],
}
CORE_RULES = [  # R5 invariants every element and extension must meet
    "descendants().where(url.exists() and (value.exists() or extension.exists()))"
    ".all(extension.exists() != value.exists())",  # ext-1
    "descendants().where(comparator.exists()).all(value.exists())",
    "Group.characteristic.all(value.exists() and exclude.exists())",
    "Group.member.empty() or Group.membership = 'enumerated'",
]


@pytest.fixture(scope="module")
def exported(built_dist: Path) -> dict:
    store = open_store(built_dist)
    return bundle(lambda query: run_local(store, query).payload)


@pytest.fixture(scope="module")
def parsed(exported: dict) -> dict[str, object]:
    """Every resource of the Bundle as fhir.resources parsed it, by type/id."""
    model = Bundle.model_validate(exported)
    return {f"{e.resource.get_resource_type()}/{e.resource.id}": e.resource for e in model.entry}


def _get(parsed: dict[str, object], reference: str) -> object:
    return parsed[reference]


def _codes(concept: object) -> set[tuple[str, str]]:
    return {(c.system, c.code) for c in concept.coding or []}


def _ext(element: object, url: str) -> list[object]:
    return [e for e in element.extension or [] if e.url == url]


def test_clark_cohort_is_selected_on_surviving_five_years(
    parsed: dict, seed_result: object
) -> None:
    clark = next(r for r in seed_result.loaded.records if r.id == "clark-2021")
    cohort = next(c for c in clark.cohorts if c.selection)
    group = _get(parsed, "Group/clark-2021.cohort." + cohort.id)
    for criterion in cohort.selection:
        [found] = [
            c for c in group.characteristic if (IL2KG, criterion.criterion) in _codes(c.code)
        ]
        assert found.exclude is False
        if criterion.threshold is not None:
            value = found.valueQuantity
            assert (value.value, value.comparator, value.code) == (
                criterion.threshold.value,
                criterion.threshold.comparator,
                "a",
            )
        [described] = _ext(found, EBM + "characteristic-description")
        assert "selects on an outcome" in described.valueMarkdown
    [note] = _ext(group, "https://w3id.org/il2kg/fhir/StructureDefinition/curation-note")
    assert note.valueAnnotation.text.startswith("Selected on outcome")


def test_sub_cohorts_carry_their_parent_and_its_caveat(parsed: dict) -> None:
    melanoma = _get(parsed, "Group/clark-2021.cohort.melanoma")
    parents = [
        c.valueReference.reference
        for c in melanoma.characteristic
        if (IL2KG, "subCohortOf") in _codes(c.code)
    ]
    assert parents == ["Group/clark-2021.cohort.all"]
    evidence = _get(parsed, "Evidence/clark-2021.outcome.melanoma-alive-10y")
    assert any(
        n.text.startswith("About the population: Selected on outcome") for n in evidence.note
    )


def test_two_diseases_are_alternatives_not_both(parsed: dict, seed_result: object) -> None:
    alternative = 0
    for record in seed_result.loaded.records:
        for cohort in record.cohorts:
            group = _get(parsed, f"Group/{record.id}.cohort.{cohort.id}")
            [method] = _ext(group, EBM + "combination-method")
            assert method.valueCode == "all-of"
            [disease] = [c for c in group.characteristic if (IL2KG, "hasDisease") in _codes(c.code)]
            if len(cohort.diseases) == 1:
                assert (IL2KG, cohort.diseases[0]) in _codes(disease.valueCodeableConcept)
                continue
            alternatives = _get(parsed, disease.valueReference.reference)
            [method] = _ext(alternatives, EBM + "combination-method")
            assert method.valueCode == "any-of"
            assert {
                code
                for c in alternatives.characteristic
                for code in _codes(c.valueCodeableConcept)
                if code[0] == IL2KG
            } == {(IL2KG, d) for d in cohort.diseases}
            alternative += 1
    assert alternative  # the seeds have cohorts of melanoma or renal cancer


def test_diseases_carry_the_ncit_and_mondo_codes_they_map_to(parsed: dict) -> None:
    systems = {
        "NCIT": ("http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl", ""),
        "MONDO": ("http://purl.obolibrary.org/obo/mondo.owl", "MONDO:"),
    }
    with (ROOT / "ontology/mappings.sssom.tsv").open() as lines:
        rows = list(csv.DictReader((li for li in lines if not li.startswith("#")), delimiter="\t"))
    expected: dict[str, set[tuple[str, str]]] = {}
    for row in rows:
        prefix, code = row["object_id"].split(":")
        if row["predicate_id"] == "skos:exactMatch" and prefix in systems:
            system, form = systems[prefix]
            expected.setdefault(row["subject_id"].removeprefix("il2kg:"), set()).add(
                (system, form + code)
            )
    checked = 0
    for resource in parsed.values():
        for characteristic in getattr(resource, "characteristic", None) or []:
            if (IL2KG, "hasDisease") in _codes(
                characteristic.code
            ) and characteristic.valueCodeableConcept is not None:
                codes = _codes(characteristic.valueCodeableConcept)
                [disease] = [code for system, code in codes if system == IL2KG]
                assert codes - {(IL2KG, disease)} == expected.get(disease, set())
                checked += bool(expected.get(disease))
    assert checked


def test_outcomes_a_cohort_was_selected_on_are_not_efficacy(
    parsed: dict, seed_result: object
) -> None:
    """Fateh's 11% / 89% (no response, progression on prior IL-2) describe the selection."""
    selected = [
        (record.id, o.id)
        for record in seed_result.loaded.records
        for o in record.outcomes
        for c in record.cohorts
        if c.id == o.cohort and o.treatment in c.prior_therapies
    ]
    assert ("fateh-2010", "il2-progression") in selected
    for record_id, outcome_id in selected:
        evidence = _get(parsed, f"Evidence/{record_id}.outcome.{outcome_id}")
        assert evidence.meta.profile[0] == EBM + "baseline-measure-evidence"
        assert [v.note[0].text for v in evidence.variableDefinition] == ["population", "outcome"]
        assert "not the effect of a treatment" in evidence.description


def test_clark_alive_counts_keep_their_time_point_and_origin(
    parsed: dict, seed_result: object
) -> None:
    clark = next(r for r in seed_result.loaded.records if r.id == "clark-2021")
    timed = [o for o in clark.outcomes if o.kind == "status" and o.time is not None]
    assert timed
    for outcome in timed:
        evidence = _get(parsed, f"Evidence/clark-2021.outcome.{outcome.id}")
        [statistic] = evidence.statistic
        assert statistic.numberOfEvents == outcome.count and statistic.sampleSize is None
        assert _codes(statistic.statisticType) == {(SEVCO, "STATO:0000047")}
        [measured] = [v for v in evidence.variableDefinition if v.note[0].text == "outcome"]
        assert measured.intended.reference == f"EvidenceVariable/il2kg.{outcome.category}"
        variable = _get(parsed, measured.observed.reference)
        [definition] = _ext(variable, EBM + "evidence-variable-definition")
        group = _get(parsed, definition.valueCodeableReference.reference.reference)
        [characteristic] = group.characteristic
        [timing] = _ext(characteristic, EBM + "characteristic-timing")
        parts = {e.url: e for e in timing.extension}
        assert (IL2KG, outcome.time_origin) in _codes(parts["contextCode"].valueCodeableConcept)
        offset = parts["offset"].valueDuration
        assert (offset.value, offset.comparator, offset.code) == (
            outcome.time.value,
            outcome.time.comparator,
            "a",
        )
        assert any("not a 10-year survival proportion" in n.text for n in evidence.note)


def test_time_outcomes_keep_kind_and_open_ends(parsed: dict, seed_result: object) -> None:
    """Median and mean as SEVCO codes, 'typical' and its loose bounds as words (SEVCO's range is
    the least and greatest observed), open ends said in their values."""
    checked = set()
    for record in seed_result.loaded.records:
        for outcome in record.outcomes:
            if outcome.kind != "time":
                continue
            [statistic] = _get(parsed, f"Evidence/{record.id}.outcome.{outcome.id}").statistic
            kind = outcome.time.statistic
            if kind in ("median", "mean"):
                assert _codes(statistic.statisticType) == {
                    (SEVCO, {"median": "STATO:0000574", "mean": "STATO:0000573"}[kind])
                }
            elif kind == "typical":
                assert statistic.statisticType.coding is None
                assert "typical" in statistic.statisticType.text
            if outcome.time.value is not None and outcome.time.upper_open_ended:
                assert statistic.quantity.comparator == ">="
                assert statistic.quantity.value == outcome.time.value
            if outcome.time.lower is not None:
                [estimate] = statistic.attributeEstimate
                assert estimate.range.low.value == outcome.time.lower
                if kind == "typical":  # loose bounds of one value, not an observed range
                    assert estimate.type.coding is None
                    assert "not the least and greatest" in estimate.type.text
                else:
                    assert _codes(estimate.type) == {(SEVCO, "STATO:0000035")}
                opened = [
                    v
                    for v, o in (
                        (outcome.time.lower, outcome.time.lower_open_ended),
                        (outcome.time.upper, outcome.time.upper_open_ended),
                    )
                    if o
                ]
                for value in opened:
                    assert f"at least {value:f}".rstrip("0").rstrip(".") in estimate.description
                assert "e.g." not in (estimate.description or "")
            checked.add(kind)
    assert {"median", "typical", "range"} <= checked


def test_every_outcome_carries_its_source_quotes(parsed: dict, seed_result: object) -> None:
    """Each outcome's Evidence notes the exact words it was curated from, with the source file
    and offsets in the source-quote extension (Atkins: "17 complete responses")."""
    url = "https://w3id.org/il2kg/fhir/StructureDefinition/source-quote"
    checked = 0
    for record in seed_result.loaded.records:
        for outcome in record.outcomes:
            evidence = _get(parsed, f"Evidence/{record.id}.outcome.{outcome.id}")
            quoted = [n for n in evidence.note or [] if _ext(n, url)]
            assert len(quoted) == len(outcome.quotes), (record.id, outcome.id)
            for note, quote in zip(quoted, outcome.quotes, strict=True):
                assert f'"{" ".join(quote.text.split())}"' in " ".join(note.text.split())
                where = {e.url: e for e in _ext(note, url)[0].extension}
                assert where["start"].valueInteger == quote.start
                assert where["source"].valueUri.endswith(quote.source or record.source_file)
            checked += len(quoted)
    assert checked


def test_atkins_sepsis_deaths_are_six_of_270(parsed: dict, seed_result: object) -> None:
    atkins = next(r for r in seed_result.loaded.records if r.id == "atkins-1999")
    event = next(a for a in atkins.adverse_events if a.event == "sepsis")
    evidence = _get(parsed, f"Evidence/atkins-1999.adverse-event.{event.id}")
    [statistic] = evidence.statistic
    assert (
        statistic.numberOfEvents,
        statistic.sampleSize.knownDataCount,
        statistic.quantity.value,
    ) == (event.count, event.denominator, event.percent)
    [outcome] = [v for v in evidence.variableDefinition if v.note[0].text == "outcome"]
    said = {True: "attributed to the treatment", False: "not attributed", None: "attributed"}
    assert ("fatal" in outcome.description) == bool(event.fatal)
    assert (said[event.attributed_to_treatment] in outcome.description) == (
        event.attributed_to_treatment is not None
    )
    assert outcome.observed.reference == "EvidenceVariable/il2kg.sepsis"


def test_every_adverse_event_and_the_pneumonitis_case(parsed: dict, seed_result: object) -> None:
    for record in seed_result.loaded.records:
        for event in record.adverse_events:
            evidence = _get(parsed, f"Evidence/{record.id}.adverse-event.{event.id}")
            [statistic] = evidence.statistic
            assert statistic.numberOfEvents == event.count
            if event.prior_therapies:
                [population] = [
                    v for v in evidence.variableDefinition if v.note[0].text == "population"
                ]
                assert "with prior therapy" in population.description
    pneumonitis = _get(parsed, "Evidence/buchbinder-2019.adverse-event.pneumonitis")
    assert "PD-L1" in pneumonitis.variableDefinition[0].description


def test_factor_associations(parsed: dict, seed_result: object) -> None:
    factors = [(record.id, f) for record in seed_result.loaded.records for f in record.factors]
    assert factors
    for record_id, factor in factors:
        evidence = _get(parsed, f"Evidence/{record_id}.factor.{factor.id}")
        assert evidence.assertion == factor.label
        roles = {v.note[0].text: v.observed.reference for v in evidence.variableDefinition}
        assert roles["exposure"] == f"EvidenceVariable/il2kg.{factor.factor}"
        assert roles["outcome"] == f"EvidenceVariable/il2kg.{factor.associated_with}"
        assert factor.association in evidence.description


def test_curation_notes_of_exported_elements_are_carried(parsed: dict, seed_result: object) -> None:
    texts = {n.text for r in parsed.values() for n in getattr(r, "note", None) or []}
    texts |= {
        e.valueAnnotation.text
        for r in parsed.values()
        for e in r.extension or []
        if e.valueAnnotation is not None
    }
    checked = 0
    for record in seed_result.loaded.records:
        for element in (*record.outcomes, *record.adverse_events, *record.factors, *record.cohorts):
            for note in element.curation_notes:
                assert any(" ".join(note.basis.split()) in text for text in texts)
                checked += 1
    assert checked


def test_reported_and_derived_are_marked(exported: dict) -> None:
    marks = []
    for entry in exported["entry"]:
        resource = entry["resource"]
        for statistic in resource.get("statistic", []):
            [origin] = [e["valueCode"] for e in statistic["extension"] if e["url"] == ORIGIN]
            derived = resource["description"].startswith("Derived by il2kg")
            assert origin == ("derived" if derived else "reported")
            marks.append(origin)
    assert set(marks) == {"reported", "derived"}


def test_statistics_use_sevco_not_the_deprecated_systems(exported: dict) -> None:
    text = str(exported)
    assert not any(system in text for system in DEPRECATED)
    assert SEVCO in text


def test_atkins_citation_says_where_its_metadata_came_from(
    parsed: dict, seed_result: object
) -> None:
    atkins = next(r for r in seed_result.loaded.records if r.id == "atkins-1999")
    citation = _get(parsed, "Citation/atkins-1999")
    [related] = citation.relatedArtifact
    assert related.type == "derived-from" and related.citation == atkins.publication.metadata_source
    assert "not from the curated source" in citation.note[0].text


def test_claimed_profiles_and_core_rules_hold(exported: dict) -> None:
    """Every resource meets the constraints of the profiles it claims (see PROFILE_RULES)."""
    # fhirpathpy is the `fhirpath` extra, installed by the README's command after `test` (its
    # ANTLR runtime conflicts with linkml's pin): a missing install fails here, it never skips.
    from fhirpathpy import evaluate
    from fhirpathpy.models import models

    checked = 0
    for entry in exported["entry"]:
        resource = entry["resource"]
        for rule in CORE_RULES:
            assert evaluate(resource, rule, {}, models["r5"]) in ([True], []), (
                resource["id"],
                rule,
            )
        for profile in resource.get("meta", {}).get("profile", []):
            for rule in PROFILE_RULES[profile.removeprefix(EBM)]:
                assert evaluate(resource, rule, {}, models["r5"]) == [True], (resource["id"], rule)
                checked += 1
    assert checked


def test_help_says_what_is_and_is_not_exported(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        parser().parse_args(["export", "--help"])
    said = " ".join(capsys.readouterr().out.split())
    for part in (
        "adverse event",
        "factor association",
        "curation notes",
        "Not exported",
        "statements",
    ):
        assert part in said


def test_a_time_counted_from_a_step_of_a_sequence_names_that_step(
    parsed: dict, seed_result: object
) -> None:
    """Fateh's time to response counts from the start of temozolomide, not of the sequence."""
    found = [
        (r.id, o)
        for r in seed_result.loaded.records
        for o in r.outcomes
        if o.origin_regimen is not None
    ]
    assert found
    for record_id, outcome in found:
        evidence = _get(parsed, f"Evidence/{record_id}.outcome.{outcome.id}")
        [measured] = [v for v in evidence.variableDefinition if v.note[0].text == "outcome"]
        variable = _get(parsed, measured.observed.reference)
        [definition] = _ext(variable, EBM + "evidence-variable-definition")
        group = _get(parsed, definition.valueCodeableReference.reference.reference)
        [timing] = _ext(group.characteristic[0], EBM + "characteristic-timing")
        parts = {e.url: e for e in timing.extension}
        assert (
            parts["contextReference"].valueReference.reference
            == f"EvidenceVariable/{record_id}.regimen.{outcome.origin_regimen}"
        )
        assert (IL2KG, outcome.time_origin) in _codes(parts["contextCode"].valueCodeableConcept)


def test_every_outcome_has_its_evidence(parsed: dict, seed_result: object) -> None:
    """No outcome is dropped: one without a figure is an Evidence without a statistic."""
    for record in seed_result.loaded.records:
        for outcome in record.outcomes:
            evidence = _get(parsed, f"Evidence/{record.id}.outcome.{outcome.id}")
            figures = (outcome.count, outcome.percent, outcome.time)
            assert bool(evidence.statistic) == any(f is not None for f in figures)


def test_citations_say_what_they_cite(parsed: dict, seed_result: object) -> None:
    """Clark 2021 cites Atkins 1999 (cito:cites by DOI): its Citation says so and refers to
    Atkins' Citation, which the graph curates."""
    curated = {r.publication.doi: r.id for r in seed_result.loaded.records if r.publication.doi}
    checked = 0
    for record in seed_result.loaded.records:
        related = _get(parsed, f"Citation/{record.id}").citedArtifact.relatesTo or []
        assert [r.resource for r in related] == [
            f"https://doi.org/{d}" for d in sorted(record.publication.cites)
        ]
        for entry, doi in zip(related, sorted(record.publication.cites), strict=True):
            assert entry.type == "cites"
            if doi in curated:
                assert entry.resourceReference.reference == f"Citation/{curated[doi]}"
                checked += 1
    assert checked
