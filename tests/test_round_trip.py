"""Generated records go through the build and back: what validate accepts, build publishes,
and every field value in is the value published (read back from il2kg.nt by pyoxigraph)."""

from __future__ import annotations

import tempfile
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyoxigraph import RdfFormat, Store, parse

from il2kg.checks.shacl import validate_graph
from il2kg.graph.convert import records_to_graph
from il2kg.graph.mappings import mapping_graph, read_mapping_set
from il2kg.graph.quads import fill
from il2kg.iris import IL2KG, RES, prefixes
from il2kg.paths import MAPPINGS_FILE, ONTOLOGY_FILE, SHAPES_FILE
from il2kg.pipeline import read_graph
from il2kg.publish.serialise import write_release
from il2kg.records.load import LoadResult, _SeedLoader, load_seeds
from il2kg.records.vocabulary import vocabulary_from

ONTOLOGY = read_graph(ONTOLOGY_FILE)
SHAPES = read_graph(SHAPES_FILE)
MAPPINGS = mapping_graph(read_mapping_set(MAPPINGS_FILE))
VOCABULARY = vocabulary_from(ONTOLOGY)
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
DCTERMS = "http://purl.org/dc/terms/"
BIBO = "http://purl.org/ontology/bibo/"
pytestmark = pytest.mark.slow  # each example is validated and rendered whole
CHECKED = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class _Dumper(yaml.SafeDumper):
    """Writes YAML that the seed loader reads back as written: quotes every string that
    its YAML 1.2 resolvers would read as a number, boolean or null."""


_Dumper.yaml_implicit_resolvers = _SeedLoader.yaml_implicit_resolvers
_Dumper.add_representer(
    Decimal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:float", format(v, "f"))
)

# Printable text: every character but controls, invisible formatting characters, surrogates
# and separators, in words joined by single spaces (the model strips text and the graph
# folds runs of spaces).
WORD = st.text(
    st.characters(exclude_categories=("Cc", "Cf", "Cs", "Zs", "Zl", "Zp")), min_size=1, max_size=8
)
TEXT = st.lists(WORD, min_size=1, max_size=4).map(" ".join)
# Anything at all, controls and separators included: accepted or refused, never a crash.
ANY_TEXT = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=12)
BIG = 10**18 - 1
NUMBER = st.decimals(
    min_value=Decimal("0.000001"),
    max_value=Decimal(BIG),
    places=6,
    allow_nan=False,
    allow_infinity=False,
)


@st.composite
def partial_dates(draw: st.DrawFn) -> str:
    day = draw(st.dates(min_value=date(1000, 1, 1), max_value=date.today()))  # none ahead
    return day.isoformat()[: draw(st.sampled_from([4, 7, 10]))]


@st.composite
def records(draw: st.DrawFn, text: st.SearchStrategy[str] = TEXT) -> dict[str, Any]:
    """A record with free text, numbers up to 18 digits and dates anywhere they may go."""
    size = draw(st.integers(1, BIG))
    denominator = draw(st.integers(1, size))
    count = draw(st.integers(0, denominator))
    publication = {
        "title": draw(text),
        "date": draw(partial_dates()),
        "authors": draw(st.lists(text, max_size=3)),
        "volume": draw(text),
        "authors_complete": draw(st.booleans()),
    }
    if draw(st.booleans()):
        suffix = draw(
            st.text(
                st.characters(exclude_categories=("Cs", "Zs", "Zl", "Zp", "Cc", "Cf")),
                min_size=1,
                max_size=12,
            )
        )
        publication["doi"] = f"10.{draw(st.integers(1000, 999_999_999))}/{suffix}"
    return {
        "id": "generated",
        "label": draw(text),
        "source_file": draw(text),
        "publication": publication,
        "study": {"label": draw(text), "designs": ["retrospective-study"], "objective": draw(text)},
        "cohorts": [
            {
                "id": "all",
                "label": draw(text),
                "size": size,
                "diseases": [draw(st.sampled_from(sorted(VOCABULARY.of("Disease"))))],
            }
        ],
        "regimens": [
            {
                "id": "r",
                "label": draw(text),
                "agents": ["aldesleukin"],
                "modalities": ["immunotherapy"],
                "doses": [{"value": draw(NUMBER), "unit": "international-unit-per-kilogram"}],
                "cycle_length": {"value": draw(NUMBER), "unit": "day"},
                "description": draw(text),
            }
        ],
        "outcomes": [
            {
                "id": "o",
                "kind": "response",
                "label": draw(text),
                "cohort": "all",
                "treatment": "r",
                "category": "complete-response",
                "count": count,
                "denominator": denominator,
                "note": draw(text),
            }
        ],
        "statements": [{"id": "s", "kind": "conclusion", "text": draw(text)}],
    }


def _load(data: dict[str, Any]) -> LoadResult:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "generated.yaml"
        path.write_text(yaml.dump(data, Dumper=_Dumper, allow_unicode=True), encoding="utf-8")
        return load_seeds([path], VOCABULARY)


def _build(result: LoadResult) -> dict[tuple[str, str], list[Any]] | None:
    """What `build` publishes for records `validate` accepts (None when it refuses them)."""
    if result.errors:
        return None
    graph = records_to_graph(result.records)
    if not validate_graph(graph + MAPPINGS, SHAPES, ONTOLOGY).conforms:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        write_release(Path(tmp), fill(Store(), result.records, MAPPINGS), ONTOLOGY, prefixes())
        nt = (Path(tmp) / "il2kg.nt").read_bytes()
    published: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for triple in parse(nt, format=RdfFormat.N_TRIPLES):
        published[triple.subject.value, triple.predicate.value].append(triple.object.value)
    return published


@CHECKED
@given(records())
def test_every_field_value_in_is_the_value_published(data: dict[str, Any]) -> None:
    published = _build(_load(data))
    assert published is not None, _load(data).errors

    def value(node: str, predicate: str) -> Any:
        [found] = published[str(RES[f"generated{node}"]), predicate]
        return found

    p, regimen, outcome = data["publication"], data["regimens"][0], data["outcomes"][0]
    assert value("", f"{DCTERMS}title") == p["title"]
    assert value("", f"{DCTERMS}issued") == p["date"]
    # dcterms:creator is a set (two authors of one name are one triple); the order and
    # every repetition are in il2kg:authorList.
    assert set(published[str(RES["generated"]), f"{DCTERMS}creator"]) == set(p["authors"])
    assert value("", f"{BIBO}volume") == p["volume"]
    assert value("", str(IL2KG.curationSource)) == data["source_file"]
    if p["authors"]:
        assert value("", str(IL2KG.authorList)) == "; ".join(p["authors"])
        assert value("", str(IL2KG.authorListComplete)) == str(p["authors_complete"]).lower()
    if "doi" in p:
        assert value("", f"{BIBO}doi") == p["doi"]
    assert value("/study", str(IL2KG.objective)) == data["study"]["objective"]
    assert value("/cohort/all", f"{RDFS}label") == data["cohorts"][0]["label"]
    assert int(value("/cohort/all", str(IL2KG.size))) == data["cohorts"][0]["size"]
    assert value("/regimen/r", f"{RDFS}comment") == regimen["description"]
    assert (
        Decimal(value("/regimen/r/dose/1", str(IL2KG.numericValue)))
        == (regimen["doses"][0]["value"])
    )
    assert (
        Decimal(value("/regimen/r/cycle-length", str(IL2KG.numericValue)))
        == (regimen["cycle_length"]["value"])
    )
    assert value("/outcome/o", f"{RDFS}label") == outcome["label"]
    assert value("/outcome/o", f"{RDFS}comment") == outcome["note"]
    assert int(value("/outcome/o", str(IL2KG["count"]))) == outcome["count"]
    assert int(value("/outcome/o", str(IL2KG.denominator))) == outcome["denominator"]
    assert value("/statement/s", str(IL2KG.statementText)) == data["statements"][0]["text"]


@CHECKED
@given(records(ANY_TEXT))
def test_validate_and_build_accept_the_same_records(data: dict[str, Any]) -> None:
    """Any text at all: a record is refused with errors, or published whole; never a crash."""
    result = _load(data)
    published = _build(result)  # validate's verdict, then build's rendering: must not raise
    assert all(e.file.endswith("generated.yaml") and e.message for e in result.errors)
    if published is not None:
        assert published[str(RES["generated"]), f"{RDFS}label"] == [data["label"].strip()]
