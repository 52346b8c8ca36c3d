"""Fidelity to the sources: what a record does not say, the graph does not say either."""

from __future__ import annotations

import inspect
from pathlib import Path

import yaml
from pydantic import BaseModel
from rdflib import RDF, RDFS, XSD, Literal
from rdflib.namespace import SKOS

from il2kg.graph.convert import records_to_graph
from il2kg.iris import IL2KG, RES
from il2kg.paths import QUERIES_DIR
from il2kg.pipeline import PipelineResult
from il2kg.records import model as records
from il2kg.records.load import LoadResult, load_seeds

from .test_properties import VOCABULARY

MODELS = [
    cls
    for _, cls in inspect.getmembers(records, inspect.isclass)
    if issubclass(cls, BaseModel) and cls.__module__ == records.__name__
]

MINIMAL_EVENT = {
    "id": "minimal",
    "label": "Minimal",
    "source_file": "minimal.txt",
    "publication": {"title": "A publication", "date": "2001", "authors": ["A. Author"]},
    "study": {"label": "A study", "designs": ["retrospective-study"]},
    "cohorts": [{"id": "all", "label": "All", "diseases": ["metastatic-melanoma"]}],
    "regimens": [{"id": "r", "label": "r", "modalities": ["immunotherapy"]}],
    "outcomes": [
        {
            "id": "cr",
            "kind": "response",
            "label": "CR",
            "cohort": "all",
            "treatment": "r",
            "category": "complete-response",
            "count": 1,
        },
        {
            "id": "t",
            "kind": "time",
            "label": "t",
            "cohort": "all",
            "treatment": "r",
            "category": "follow-up",
            "time": {"value": 1, "unit": "year"},
        },
    ],
    "adverse_events": [{"id": "ae", "label": "ae", "cohort": "all", "event": "sepsis"}],
}


def test_the_record_models_are_all_found() -> None:
    assert len(MODELS) >= 14, [m.__name__ for m in MODELS]


def test_no_optional_field_defaults_to_a_value() -> None:
    """An optional field is None or an empty list when left out: never false, 0 or a word."""
    for model in MODELS:
        for name, field in model.model_fields.items():
            if field.is_required():
                continue
            default = field.get_default(call_default_factory=True)
            assert default is None or default == [], (
                f"{model.__name__}.{name} defaults to {default!r}"
            )


def test_an_unstated_flag_is_absent_from_the_graph(tmp_path: Path) -> None:
    """A record that states no flag publishes no boolean at all."""
    path = tmp_path / "minimal.yaml"
    path.write_text(yaml.safe_dump(MINIMAL_EVENT, sort_keys=False))
    loaded = load_seeds([path], VOCABULARY)
    assert loaded.errors == ()
    graph = records_to_graph(loaded.records)
    booleans = [t for t in graph if isinstance(t[2], Literal) and t[2].datatype == XSD.boolean]
    assert booleans == []


def test_a_stated_false_is_published(tmp_path: Path) -> None:
    data = dict(
        MINIMAL_EVENT,
        adverse_events=[
            {"id": "ae", "label": "ae", "cohort": "all", "event": "sepsis", "fatal": False}
        ],
    )
    path = tmp_path / "minimal.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    graph = records_to_graph(load_seeds([path], VOCABULARY).records)
    assert graph.value(RES["minimal/adverse-event/ae"], IL2KG.fatal) == Literal(False)


def test_unstated_attribution_and_fatality_stay_unknown(seed_result: PipelineResult) -> None:
    """The audit's cases: no source says these were not fatal or not attributed."""
    graph = seed_result.graph
    unknown = {
        "buchbinder-2019/adverse-event/pneumonitis": IL2KG.fatal,
        "fateh-2010/adverse-event/mi-death": IL2KG.attributedToTreatment,
        "fateh-2010/adverse-event/polyarthralgia-responders": IL2KG.attributedToTreatment,
        "fateh-2010/adverse-event/polyarthralgia-non-responders": IL2KG.attributedToTreatment,
    }
    for local, prop in unknown.items():
        assert (RES[local], None, None) in graph, local
        assert graph.value(RES[local], prop) is None, f"{local} states {prop}"
    stated_false = {p for _, p, _ in graph.triples((None, None, Literal(False)))}
    assert stated_false == {IL2KG.authorListComplete}  # the 'et al.' of Atkins and Clark


def _load(tmp_path: Path, data: dict[str, object]) -> LoadResult:
    path = tmp_path / f"{data['id']}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return load_seeds([path], VOCABULARY)


def _errors_at(result: LoadResult) -> dict[str, str]:
    return {e.path: e.message for e in result.errors}


# --- wrong kind of measure ---------------------------------------------------------------


def test_time_since_treatment_start_is_not_a_response_duration(seed_result: PipelineResult) -> None:
    """NCI 1998's 39 to 148+ months run from the onset of treatment, not from the response."""
    graph = seed_result.graph
    ongoing = RES["nci-surgery-branch-1998/outcome/cr-ongoing-since-start"]
    assert graph.value(ongoing, IL2KG.hasCategory) == IL2KG["time-since-treatment-start"]
    assert graph.value(ongoing, IL2KG.measuredFrom) == IL2KG["treatment-start"]
    durations = set(graph.subjects(IL2KG.hasCategory, IL2KG["response-duration"]))
    origins = {seed_result.ontology.value(IL2KG["response-duration"], IL2KG.measuredFrom)}
    origins |= {graph.value(d, IL2KG.measuredFrom) for d in durations} - {None}
    assert durations and origins == {IL2KG["response-onset"]}


def test_a_cycle_duration_is_not_a_start_to_start_cycle_length(seed_result: PipelineResult) -> None:
    """Clark 2021's '2 1-week cycles' is how long each cycle lasts."""
    regimen = RES["clark-2021/regimen/hd-il2"]
    graph = seed_result.graph
    assert graph.value(regimen, IL2KG.cycleLength) is None
    duration = graph.value(regimen, IL2KG.cycleDuration)
    assert graph.value(duration, IL2KG.numericValue).toPython() == 1
    assert graph.value(duration, IL2KG.unit) == IL2KG.week


# --- direction ----------------------------------------------------------------------------


def test_a_factor_association_carries_the_level_the_source_gives(
    seed_result: PipelineResult,
) -> None:
    graph = seed_result.graph
    levels = {
        str(a).rsplit("/", 1)[1]: graph.value(a, IL2KG.factorLevel)
        for a in graph.subjects(IL2KG.factor, None)
    }
    assert levels.pop("no-prior-immunotherapy") == IL2KG["factor-absent"]
    assert set(levels.values()) == {None}  # no other source gives a direction


# --- background: every sentence accounted for --------------------------------------------


def test_every_seed_accounts_for_every_sentence_of_its_abstract(
    seed_result: PipelineResult,
) -> None:
    for record in seed_result.loaded.records:
        account = record.source_sentences
        assert account is not None, f"{record.id} does not account for its abstract's sentences"
        numbers = sorted(a.sentence for a in account.accounts)
        assert numbers == list(range(1, account.sentences + 1)), record.id
        for entry in account.accounts:
            assert entry.curated_as or (entry.not_curated and len(entry.not_curated) > 20)


def test_a_record_that_skips_a_sentence_is_refused(tmp_path: Path) -> None:
    data = dict(
        MINIMAL_EVENT,
        source_sentences={
            "sentences": 3,
            "first_sentence": {"start": 0, "text": "first"},
            "last_sentence": {"start": 0, "text": "last"},
            "accounts": [
                {"sentence": 1, "curated_as": ["outcome/cr"]},
                {"sentence": 3, "curated_as": ["outcome/nowhere"]},
            ],
        },
    )
    errors = _errors_at(_load(tmp_path, data))
    assert "missing 2" in errors["source_sentences.accounts"]
    assert "outcome/nowhere" in errors["source_sentences.accounts[1].curated_as[0]"]


def test_a_huge_sentence_count_or_a_repeated_element_is_refused(tmp_path: Path) -> None:
    """A count no abstract has is refused by its type (it once built a set of every number
    up to it: 10^11 sentences took all memory), and a sentence may list an element once."""
    data = dict(
        MINIMAL_EVENT,
        source_sentences={
            "sentences": 10**11,
            "first_sentence": {"start": 0, "text": "first"},
            "last_sentence": {"start": 0, "text": "last"},
            "accounts": [{"sentence": 1, "curated_as": ["outcome/cr", "outcome/cr"]}],
        },
    )
    errors = _errors_at(_load(tmp_path, data))
    assert "less than or equal to 10000" in errors["source_sentences.sentences"]
    data["source_sentences"]["sentences"] = 1
    errors = _errors_at(_load(tmp_path, data))
    assert "'outcome/cr' is used twice" in errors["source_sentences.accounts[0].curated_as[1]"]


def test_sentences_become_provenance_in_the_graph(seed_result: PipelineResult) -> None:
    graph = seed_result.graph
    uncurated = list(graph.subjects(RDF.type, IL2KG.UncuratedSentence))
    assert [graph.value(u, IL2KG.sentenceNumber) for u in uncurated] == [
        Literal("5", datatype=XSD.integer)
    ]
    for record in seed_result.loaded.records:
        pub = RES[record.id]
        cited = {
            int(n)
            for _, n in graph.subject_objects(IL2KG.sourceSentence)
            if graph.value(_, IL2KG.reportedIn) in (pub, None)
        }
        assert int(graph.value(pub, IL2KG.abstractSentenceCount)) >= len(cited) > 0


def test_the_audit_s_background_and_descriptive_facts_are_curated(
    seed_result: PipelineResult,
) -> None:
    graph = seed_result.graph
    for local in (
        "fateh-2010/statement/poor-prognosis",
        "fateh-2010/statement/approved-but-poor",
        "buchbinder-2019/statement/pd1-not-all-respond",
        "buchbinder-2019/statement/il2-durable-subset",
        "buchbinder-2019/statement/not-yet-explored",
        "clark-2021/statement/limited-long-term-data",
    ):
        assert (RES[local], RDF.type, IL2KG.BackgroundStatement) in graph, local
    oral = graph.value(RES["fateh-2010/statement/tmz-oral-alkylator"], IL2KG.statementText)
    assert "oral atypical alkylating" in str(oral)
    assert graph.value(RES["atkins-1999/regimen/hd-il2"], IL2KG.manufacturer) is not None


# --- judgement calls ------------------------------------------------------------------------


def test_every_adverse_event_states_the_basis_of_its_attribution(
    seed_result: PipelineResult,
) -> None:
    graph = seed_result.graph
    for event in graph.subjects(RDF.type, IL2KG.AdverseEventReport):
        explained = {
            graph.value(n, IL2KG.concernsProperty)
            for n in graph.objects(event, IL2KG.hasCurationNote)
        }
        assert explained & {IL2KG.attributedToTreatment, IL2KG.afterTreatment}, event


def test_a_note_about_a_field_the_element_lacks_is_refused(tmp_path: Path) -> None:
    events = [
        {
            "id": "ae",
            "label": "ae",
            "cohort": "all",
            "event": "sepsis",
            "curation_notes": [{"about": "components", "basis": "x"}],
        }
    ]
    errors = _errors_at(_load(tmp_path, dict(MINIMAL_EVENT, adverse_events=events)))
    assert "components" in errors["adverse_events[0].curation_notes[0].about"]


def test_outcome_selected_cohorts_are_marked(seed_result: PipelineResult) -> None:
    """Clark 2021 (survivors) and Fateh 2010 (IL-2 failures) are selected on outcome."""
    graph = seed_result.graph + seed_result.ontology
    selected = {
        str(c).split("/")[-3]
        for c, crit in graph.subject_objects(IL2KG.selectedBy)
        if (graph.value(crit, IL2KG.selectionBasis), RDF.type, IL2KG.OutcomeSelection) in graph
    }
    assert selected == {"clark-2021", "fateh-2010"}


def test_long_term_survivors_are_not_shown_as_a_survival_proportion(
    seed_result: PipelineResult,
) -> None:
    store_graph = seed_result.graph + seed_result.ontology
    rows = list(store_graph.query((QUERIES_DIR / "long-term-survivors.rq").read_text()))
    variables = {str(v) for v in rows[0].labels} if rows else set()
    assert rows and not any("share" in v.lower() or "rate" in v.lower() for v in variables)
    assert all(row.outcomeSelected.toPython() is True for row in rows)


# --- free text is the last resort -----------------------------------------------------------


def test_recurring_free_text_has_structured_terms_beside_it(seed_result: PipelineResult) -> None:
    graph = seed_result.graph
    statements = list(graph.subjects(IL2KG.statementText, None))
    assert {graph.value(s, IL2KG.anatomicalSite) for s in statements} >= {
        IL2KG["organ-site"],
        IL2KG["disease-site"],
    }
    thresholds = [graph.value(s, IL2KG.threshold) for s in statements]
    assert len([t for t in thresholds if t is not None]) == 2
    lines = {graph.value(s, IL2KG.recommendsLineOfTherapy) for s in statements} - {None}
    assert lines == {IL2KG["first-line-therapy"]}
    care = set(graph.objects(RES["atkins-1999/regimen/hd-il2"], IL2KG.allowsSupportiveCare))
    assert IL2KG["vasopressor-support"] in care
    for crit in graph.subjects(RDF.type, IL2KG.SelectionCriterion):
        assert graph.value(crit, RDFS.comment), f"{crit} lost the source's words"


# --- labels that over-claim ------------------------------------------------------------------


def test_the_substance_carries_no_product_or_regimen_names(seed_result: PipelineResult) -> None:
    labels = {str(x) for x in seed_result.ontology.objects(IL2KG.aldesleukin, SKOS.altLabel)}
    assert not labels & {"Proleukin", "HD IL-2", "high-dose interleukin-2"}
    graph = seed_result.graph
    products = {r: str(p) for r, p in graph.subject_objects(IL2KG.productName)}
    assert products == {RES["atkins-1999/regimen/hd-il2"]: "Proleukin"}


def test_journal_names_are_kept_as_the_source_gives_them(seed_result: PipelineResult) -> None:
    graph = seed_result.graph
    for pub in graph.subjects(IL2KG.journalTitleExpansion, None):
        title = str(graph.value(pub, IL2KG.journalTitle))
        expansion = str(graph.value(pub, IL2KG.journalTitleExpansion))
        assert title != expansion and len(title) < len(expansion)
    assert str(graph.value(RES["clark-2021"], IL2KG.journalTitle)) == "J Investig Med"
