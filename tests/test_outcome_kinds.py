"""The table of outcome kinds agrees with the record model, the ontology and the shapes."""

from __future__ import annotations

from typing import get_args

import pytest
from pydantic import ValidationError
from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH

from il2kg.iris import IL2KG
from il2kg.paths import ONTOLOGY_FILE, SHAPES_FILE
from il2kg.pipeline import read_graph
from il2kg.records.model import Outcome
from il2kg.records.outcome_kinds import OUTCOME_KINDS, KindName, OutcomeKind

DEFINITION = URIRef("http://purl.obolibrary.org/obo/IAO_0000115")
ONTOLOGY = read_graph(ONTOLOGY_FILE)
SHAPES = read_graph(SHAPES_FILE)
OUTCOME_CLASSES = {IL2KG[kind.outcome_class] for kind in OUTCOME_KINDS.values()}
CATEGORY_CLASSES = {kind.category_iri for kind in OUTCOME_KINDS.values()}


def _disjoint_sets(graph: Graph) -> list[set[URIRef]]:
    """The member sets of every owl:AllDisjointClasses axiom."""
    return [
        set(Collection(graph, graph.value(axiom, OWL.members)))  # type: ignore[arg-type]
        for axiom in graph.subjects(RDF.type, OWL.AllDisjointClasses)
    ]


def _named_subclasses(parent: URIRef) -> set[URIRef]:
    return {c for c in ONTOLOGY.subjects(RDFS.subClassOf, parent) if isinstance(c, URIRef)}


def test_the_record_kinds_are_the_table() -> None:
    assert list(get_args(KindName)) == list(OUTCOME_KINDS)


def test_outcome_classes_are_the_ontologys_disjoint_union() -> None:
    """Every named subclass of il2kg:Outcome is a kind's class, and they are declared disjoint."""
    assert _named_subclasses(IL2KG.Outcome) == OUTCOME_CLASSES
    assert OUTCOME_CLASSES in _disjoint_sets(ONTOLOGY)


def test_category_classes_are_defined_disjoint_and_have_terms() -> None:
    assert _named_subclasses(IL2KG.OutcomeCategory) == CATEGORY_CLASSES
    assert CATEGORY_CLASSES in _disjoint_sets(ONTOLOGY)
    for cls in CATEGORY_CLASSES | OUTCOME_CLASSES:
        assert ONTOLOGY.value(cls, RDFS.label) is not None, cls
        assert ONTOLOGY.value(cls, DEFINITION) is not None, cls
    for cls in CATEGORY_CLASSES:
        assert any(ONTOLOGY.subjects(RDF.type, cls)), f"no category term of {cls}"


def _shape_property(target: URIRef, path: URIRef) -> dict[object, object]:
    """The constraints on `path` in the node shapes targeting `target`, merged."""
    constraints: dict[object, object] = {}
    for shape in SHAPES.subjects(SH.targetClass, target):
        for prop in SHAPES.objects(shape, SH.property):
            if SHAPES.value(prop, SH.path) == path:
                constraints |= {p: o for p, o in SHAPES.predicate_objects(prop)}
    return constraints


@pytest.mark.parametrize("kind", OUTCOME_KINDS.values(), ids=lambda k: k.name)
def test_a_shape_checks_each_kinds_category_and_time(kind: OutcomeKind) -> None:
    category = _shape_property(IL2KG[kind.outcome_class], IL2KG.hasCategory)
    assert category.get(SH["class"]) == kind.category_iri
    time = _shape_property(IL2KG[kind.outcome_class], IL2KG.hasTime)
    assert (SH.minCount in time) == kind.timed


@pytest.mark.parametrize("kind", OUTCOME_KINDS.values(), ids=lambda k: k.name)
def test_the_record_model_keeps_each_kinds_time_rule(kind: OutcomeKind) -> None:
    """A timed kind needs a time and refuses counts; an untimed kind needs a count."""
    base = {
        "id": "o",
        "kind": kind.name,
        "label": "o",
        "cohort": "c",
        "treatment": "t",
        "category": "x",
    }
    timed = {**base, "time": {"value": 1, "unit": "year"}}
    counted = {**base, "count": 1}
    if kind.timed:
        Outcome.model_validate(timed)
        for bad in (base, {**timed, "count": 1}):
            with pytest.raises(ValidationError):
                Outcome.model_validate(bad)
    else:
        Outcome.model_validate(counted)
        with pytest.raises(ValidationError):
            Outcome.model_validate(base)
