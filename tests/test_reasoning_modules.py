"""Reasoning record by record gives the whole-graph inferences (HermiT on Java, real runs)."""

from __future__ import annotations

import pytest
from rdflib import RDFS, Graph, Literal
from rdflib.compare import isomorphic

from il2kg.checks.reasoning import batches, modules, reason
from il2kg.iris import IL2KG, RES
from il2kg.pipeline import PipelineResult


@pytest.mark.java
@pytest.mark.slow
def test_per_record_runs_infer_what_the_whole_graph_run_infers(
    seed_result: PipelineResult,
) -> None:
    assert seed_result.graph is not None
    whole = reason(seed_result.ontology, seed_result.graph)
    parts = modules(seed_result.graph)
    assert parts is not None and len(parts) == len(seed_result.loaded.records) > 1
    split = reason(seed_result.ontology, seed_result.graph, batch_triples=1, workers=2)
    assert (split.consistent, split.unsatisfiable) == (whole.consistent, whole.unsatisfiable)
    assert len(whole.inferred) > 100
    assert isomorphic(split.inferred, whole.inferred)


def test_modules_hold_one_record_each_plus_the_shared_triples() -> None:
    g = Graph()
    for record in ("a", "b"):
        g.add((RES[f"{record}/cohort/x"], IL2KG.hasDisease, IL2KG.melanoma))
    g.add((IL2KG.melanoma, RDFS.label, Literal("melanoma")))
    parts = modules(g)
    assert parts is not None
    assert [sorted(map(str, p.subjects())) for p in parts] == [
        sorted([f"{RES}a/cohort/x", str(IL2KG.melanoma)]),
        sorted([f"{RES}b/cohort/x", str(IL2KG.melanoma)]),
    ]
    assert [len(b) for b in batches(parts, 4)] == [3]
    assert [len(b) for b in batches(parts, 3)] == [2, 2]
    assert [len(p) for p in parts] == [2, 2]


def test_a_reference_across_records_keeps_the_graph_whole() -> None:
    g = Graph()
    g.add((RES["a/cohort/x"], IL2KG.subCohortOf, RES["b/cohort/y"]))
    assert modules(g) is None
