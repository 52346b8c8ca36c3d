"""The sources and the audit: each curated element quotes its source's words, in place."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from il2kg.audit.check import audit_record
from il2kg.paths import SEEDS_DIR, SOURCES_DIR
from il2kg.records.load import load_seeds, parse_seed
from il2kg.records.model import PublicationRecord
from il2kg.records.sources import quote_end, sentence_at

from .test_records import VOCABULARY

SEEDS = sorted(SEEDS_DIR.glob("*.yaml"))


class _Dumper(yaml.SafeDumper):
    """Writes the loader's numbers back as YAML numbers."""


_Dumper.add_representer(Decimal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:float", str(v)))


def _seed(name: str) -> dict[str, Any]:
    """A seed's data as il2kg's loader reads it (numbers as int or Decimal, dates as text)."""
    data, _, errors = parse_seed(SEEDS_DIR / name)
    assert not errors
    return dict(data)


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / f"{data['id']}.yaml"
    path.write_text(yaml.dump(data, Dumper=_Dumper, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("seed", SEEDS, ids=[p.stem for p in SEEDS])
def test_every_seed_names_a_source_in_the_project(seed: Path) -> None:
    name = _seed(seed.name)["source_file"]
    assert (SOURCES_DIR / str(name)).is_file()


def test_a_record_naming_a_missing_source_is_an_error(tmp_path: Path) -> None:
    data = _seed("clark-2021.yaml")
    data["source_file"] = "no-such-source.txt"
    path = _write(tmp_path, data)
    [error] = load_seeds([path], VOCABULARY, SOURCES_DIR).errors
    assert (error.path, Path(error.file).name) == ("source_file", path.name)
    assert "expected the source text no-such-source.txt" in error.message


def test_a_source_file_outside_the_sources_directory_is_refused(tmp_path: Path) -> None:
    data = _seed("clark-2021.yaml")
    data["source_file"] = "../seeds/clark-2021.yaml"
    [error] = load_seeds([_write(tmp_path, data)], VOCABULARY, SOURCES_DIR).errors
    assert error.path == "source_file" and "plain file name" in error.message


def test_a_project_may_hold_its_own_sources(tmp_path: Path) -> None:
    seed = tmp_path / "seeds" / "clark-2021.yaml"
    seed.parent.mkdir()
    shutil.copy(SEEDS_DIR / seed.name, seed)
    assert load_seeds([seed], VOCABULARY, tmp_path / "sources").errors
    shutil.copytree(SOURCES_DIR, tmp_path / "sources")
    assert not load_seeds([seed], VOCABULARY, tmp_path / "sources").errors


def test_a_quote_matches_across_line_breaks_and_runs_of_spaces() -> None:
    source = "First line ends\n  and the next   begins. Then more."
    end = len("First line ends\n  and the next   begins.")
    assert quote_end(source, "ends and the next begins.", 11) == end
    assert quote_end(source, "ends and the next begins.", 10) is None
    assert quote_end(source, "ends and a next begins.", 11) is None
    assert sentence_at(source, 40) == "Then more."


def _record(data: dict[str, Any]) -> PublicationRecord:
    return PublicationRecord.model_validate(data)


def test_a_quote_off_its_offset_is_found_and_its_true_place_named() -> None:
    data = _seed("clark-2021.yaml")
    source = (SOURCES_DIR / str(data["source_file"])).read_text(encoding="utf-8")
    words = "Eleven HD IL-2 treatment centers"
    study = dict(data["study"])
    study["quotes"] = [{"text": words, "start": source.index(words) + 1}]
    data["study"] = study
    findings = [f for f in audit_record("clark-2021.yaml", _record(data), SOURCES_DIR)
                if f.element == "study.quotes[0]"]
    [finding] = findings
    assert f"they occur at {source.index(words)}" in finding.message
    study["quotes"] = [{"text": words, "start": source.index(words)}]
    assert not [f for f in audit_record("clark-2021.yaml", _record(data), SOURCES_DIR)
                if f.element.startswith("study")]
