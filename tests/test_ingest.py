"""Seed files read in worker processes give exactly what this process gives, in order."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from benchmarks.generate import write_project

from il2kg import ingest
from il2kg.audit.wording import bundled_lexicon
from il2kg.paths import ONTOLOGY_FILE
from il2kg.pipeline import read_graph
from il2kg.records.load import load_seeds, parse_seed
from il2kg.records.vocabulary import vocabulary_from

from .conftest import DATA

VOCABULARY = vocabulary_from(read_graph(ONTOLOGY_FILE))


def _not_here(*args: object) -> None:
    raise AssertionError("a seed file was read in this process")


def test_worker_processes_give_what_this_process_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Records, errors at their lines, audits and quads: the same, in the order of the files,
    one file at a time through two workers (results arrive in any order)."""
    write_project(5, tmp_path)
    seeds = tmp_path / "seeds"
    shutil.copy(DATA / "broken-records" / "count-above-denominator.yaml", seeds)
    paths = sorted(seeds.glob("*.yaml"))
    checks = ingest.Checks(VOCABULARY, tmp_path / "sources", bundled_lexicon())
    here = list(ingest.ingest(paths, checks))
    for name, value in (("POOL_MIN_SEEDS", 0), ("CHUNK", 1), ("WINDOW", 1)):
        monkeypatch.setattr(ingest, name, value)
    monkeypatch.setattr(ingest, "ingest_one", _not_here)  # the spawned workers have their own
    pooled = list(ingest.ingest(paths, checks))
    assert pooled == here
    assert [item.path for item in here] == paths
    assert sum(bool(item.quads and item.audit) for item in here) == 5
    [broken] = [item for item in here if item.errors]
    assert broken.record is None and broken.errors[0].line


def test_source_maps_are_read_again_as_they_were(tmp_path: Path) -> None:
    """Records' source maps are not kept but read again when asked: the same lines."""
    write_project(2, tmp_path)
    paths = sorted((tmp_path / "seeds").glob("*.yaml"))
    loaded = load_seeds(paths, VOCABULARY)
    assert [loaded.source_maps[r.id] for r in loaded.records] == [parse_seed(p)[1] for p in paths]
    assert all(m.marks for m in loaded.source_maps.values())
