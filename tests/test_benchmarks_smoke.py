"""The benchmark harness at its smallest size, so it cannot rot (figures are never asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from benchmarks.generate import DEFECTS, synthetic_records, write_project, write_seeds

from il2kg.cli import main
from il2kg.pipeline import Inputs, run

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.java
@pytest.mark.slow
def test_harness_runs_every_stage_at_the_tiny_size(tmp_path: Path) -> None:
    """Every il2kg stage in its own process (peers are slow and measured by hand)."""
    out = tmp_path / "results.json"
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "run.py"),
            "--sizes",
            "tiny",
            "--no-peers",
            "--reasoning",
            "2",
            "--json",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(out.read_text())
    assert set(results) == {"machine", "command", "sizes", "reasoning"}
    (row,) = results["sizes"]
    for stage in ("build", "validate", "validate_records", "load_pyoxigraph"):
        assert "not_measured" not in row[stage], (stage, row[stage])
        assert row[stage]["peak_mb"] > 0
    assert "not_measured" in row["validate_pyshacl"] and "load_rdflib" not in row
    assert row["build"]["triples"] > 1000
    assert row["load_pyoxigraph"]["triples"] >= row["build"]["triples"]
    assert row["validate"]["triples"] == row["build"]["triples"]
    assert row["validate_records"]["results"] == row["validate"]["results"]
    (reasoned,) = results["reasoning"]
    assert reasoned["studies"] == 2 and reasoned["triples"] > 0, reasoned


@pytest.mark.slow
def test_generated_seeds_load_and_report_each_deliberate_defect(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    assert write_seeds(synthetic_records(len(DEFECTS), defect_every=1), seeds) == len(DEFECTS)
    result = run(Inputs(seeds_dir=seeds, sources_dir=None), reasoning=False)  # no source texts
    assert not result.loaded.errors, [str(e) for e in result.loaded.errors]
    assert result.report is not None
    flagged = {Path(f.file).name for f in result.report.findings}
    assert flagged == {p.name for p in seeds.iterdir()}


def test_a_generated_project_passes_the_audit_and_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every element quotes its synthetic source at its offset, with the numbers it states:
    the audit finds nothing and `il2kg build` accepts the project."""
    assert write_project(3, tmp_path) == 3
    result = run(
        Inputs(seeds_dir=tmp_path / "seeds", sources_dir=tmp_path / "sources"), reasoning=False
    )
    assert result.audit is not None and result.audit.quotes > 60
    assert result.ok, [str(f) for f in result.audit.findings][:3]
    monkeypatch.chdir(tmp_path)
    assert main(["build", "--no-reasoning", "--out", str(tmp_path / "dist")]) == 0


def test_generator_is_deterministic() -> None:
    first = [r.model_dump() for r in synthetic_records(3, seed=7)]
    assert first == [r.model_dump() for r in synthetic_records(3, seed=7)]
    assert first != [r.model_dump() for r in synthetic_records(3, seed=8)]
