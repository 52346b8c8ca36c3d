"""Fidelity to the sources: what a record does not say, the graph does not say either."""

from __future__ import annotations

import inspect
from pathlib import Path

import yaml
from pydantic import BaseModel
from rdflib import XSD, Literal

from il2kg import records
from il2kg.convert import records_to_graph
from il2kg.loading import load_seeds
from il2kg.namespaces import IL2KG, RES
from il2kg.pipeline import PipelineResult

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
