"""Property-based tests: generated valid records round-trip; generated broken ones fail cleanly."""

from __future__ import annotations

import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import RDF, XSD, Literal

from il2kg.checks.shacl import validate_graph
from il2kg.graph.convert import records_to_graph
from il2kg.iris import IL2KG, RES
from il2kg.paths import ONTOLOGY_FILE, SHAPES_FILE
from il2kg.pipeline import read_graph
from il2kg.records.load import load_seeds
from il2kg.records.vocabulary import vocabulary_from

ONTOLOGY = read_graph(ONTOLOGY_FILE)
SHAPES = read_graph(SHAPES_FILE)
VOCABULARY = vocabulary_from(ONTOLOGY)
DISEASES = sorted(VOCABULARY.of("Disease"))
RESPONSES = sorted(VOCABULARY.of("ResponseCategory"))
QUICK = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    """A valid record: cohorts with sizes, one regimen, outcomes within their cohorts."""
    sizes = draw(st.lists(st.integers(1, 500), min_size=1, max_size=3))
    cohorts = [
        {
            "id": f"c{i}",
            "label": f"Cohort {i}",
            "size": size,
            "diseases": [draw(st.sampled_from(DISEASES))],
        }
        for i, size in enumerate(sizes)
    ]
    outcomes = []
    for i in range(draw(st.integers(0, 4))):
        cohort = draw(st.integers(0, len(sizes) - 1))
        denominator = draw(st.integers(1, sizes[cohort]))
        outcomes.append(
            {
                "id": f"o{i}",
                "kind": "response",
                "label": f"Outcome {i}",
                "cohort": f"c{cohort}",
                "treatment": "r",
                "category": draw(st.sampled_from(RESPONSES)),
                "count": draw(st.integers(0, denominator)),
                "denominator": denominator,
            }
        )
    return {
        "id": "generated",
        "label": "Generated",
        "source_file": "generated.txt",
        "publication": {"title": "A generated publication", "date": "2001"},
        "study": {"label": "A generated study", "designs": ["retrospective-study"]},
        "cohorts": cohorts,
        "regimens": [
            {
                "id": "r",
                "label": "HD IL-2",
                "agents": ["aldesleukin"],
                "modalities": ["immunotherapy"],
            }
        ],
        "outcomes": outcomes,
    }


def _load(data: object, name: str = "generated") -> tuple[Any, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{name}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        return load_seeds([path], VOCABULARY), path.name


@pytest.mark.slow
@QUICK
@given(records())
def test_valid_records_convert_validate_and_round_trip(data: dict[str, Any]) -> None:
    result, _ = _load(data)
    assert result.errors == ()
    graph = records_to_graph(result.records)
    assert validate_graph(graph, SHAPES, ONTOLOGY).conforms
    for cohort in data["cohorts"]:
        node = RES[f"generated/cohort/{cohort['id']}"]
        assert graph.value(node, IL2KG.size) == Literal(str(cohort["size"]), datatype=XSD.integer)
    for outcome in data["outcomes"]:
        node = RES[f"generated/outcome/{outcome['id']}"]
        assert (node, RDF.type, IL2KG.ResponseOutcome) in graph
        assert int(graph.value(node, IL2KG["count"])) == outcome["count"]
        derived = graph.value(graph.value(node, IL2KG.hasDerivedValue), IL2KG.derivedPercent)
        expected = Decimal(100 * outcome["count"]) / outcome["denominator"]
        assert abs(Decimal(str(derived)) - expected) <= Decimal("0.005")


BREAKERS = {
    "wrong type": lambda d: d["cohorts"][0].__setitem__("size", "many"),
    "unknown field": lambda d: d["study"].__setitem__("colour", "red"),
    "missing field": lambda d: d.pop("publication"),
    "unknown agent": lambda d: d["regimens"].append(
        {"id": "r2", "label": "x", "modalities": ["immunotherapy"], "agents": ["nothing"]}
    ),
    "dangling regimen": lambda d: d["cohorts"][0].__setitem__("prior_therapies", ["nope"]),
    "unknown disease": lambda d: d["cohorts"][0].__setitem__("diseases", ["flu"]),
    "negative size": lambda d: d["cohorts"][0].__setitem__("size", -1),
    "not a mapping": lambda d: d["cohorts"].__setitem__(0, "c0"),
}


@QUICK
@given(records(), st.sampled_from(sorted(BREAKERS)), st.sampled_from(["generated", "other"]))
def test_broken_records_are_rejected_cleanly(data: dict[str, Any], breaker: str, name: str) -> None:
    BREAKERS[breaker](data)
    result, file_name = _load(data, name)
    assert result.records == ()
    assert result.errors and all(e.file.endswith(file_name) and e.message for e in result.errors)


@QUICK
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=5),
        lambda kids: (
            st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=5), kids, max_size=3)
        ),
        max_leaves=20,
    )
)
def test_arbitrary_yaml_never_crashes_the_loader(data: object) -> None:
    result, _ = _load(data)
    assert result.records == () and result.errors
