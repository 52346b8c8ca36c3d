"""A project is a directory: where il2kg reads seeds and data, and the record JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from rdflib import Graph, Literal
from rdflib.namespace import SH

from il2kg.paths import (
    ONTOLOGY_FILE,
    QUERIES_DIR,
    RECORD_SCHEMA_FILE,
    SEEDS_DIR,
    SHAPES_FILE,
    find_project,
    locate,
)
from il2kg.records.load import parse_seed, scan_seeds
from il2kg.records.schema import SCHEMA_COMMENT, record_schema
from tests.conftest import DATA, cli

SCHEMA = json.loads(RECORD_SCHEMA_FILE.read_text(encoding="utf-8"))


def test_a_project_is_the_nearest_directory_upwards_with_seeds(tmp_path: Path) -> None:
    (tmp_path / "p" / "seeds").mkdir(parents=True)
    below = tmp_path / "p" / "docs" / "notes"
    below.mkdir(parents=True)
    (tmp_path / "p" / "shapes").mkdir()
    (tmp_path / "p" / "shapes" / "il2kg-shapes.ttl").write_text("")
    inputs = locate(below)
    assert find_project(below) == tmp_path / "p"
    assert inputs.seeds_dir == tmp_path / "p" / "seeds"
    assert inputs.shapes_file == tmp_path / "p" / "shapes" / "il2kg-shapes.ttl"
    assert (inputs.ontology_file, inputs.queries_dir) == (ONTOLOGY_FILE, QUERIES_DIR)
    project = tmp_path / "p"
    assert inputs.seeds_line() == f"seeds: {project / 'seeds'} (the project {project})"


def test_outside_any_project_the_bundled_studies_are_read(tmp_path: Path) -> None:
    if find_project(tmp_path) is not None:
        pytest.fail(f"{tmp_path} lies inside a project; the test needs a directory outside one")
    inputs = locate(tmp_path)
    assert (inputs.seeds_dir, inputs.shapes_file) == (SEEDS_DIR, SHAPES_FILE)
    assert "bundled" in inputs.seeds_line()


def test_given_seeds_override_the_project_and_say_so(tmp_path: Path) -> None:
    inputs = locate(tmp_path, tmp_path / "mine")
    assert inputs.seeds_dir == tmp_path / "mine" and "--seeds" in inputs.seeds_line()


def test_files_that_are_not_seeds_are_named_and_misspelt_yaml_is_an_error(tmp_path: Path) -> None:
    for name in ("a.yaml", "b.yml", "C.YAML", "notes.txt"):
        (tmp_path / name).write_text("id: x\n")
    (tmp_path / "sub").mkdir()
    scan = scan_seeds(tmp_path)
    assert [p.name for p in scan.seeds] == ["a.yaml"]
    assert sorted(Path(e.file).name for e in scan.errors) == ["C.YAML", "b.yml"]
    assert all("rename it to" in e.message for e in scan.errors)
    assert sorted(Path(w.file).name for w in scan.warnings) == ["notes.txt", "sub"]
    assert all(w.message.startswith("Warning: not read") for w in scan.warnings)


def test_an_empty_seeds_directory_is_refused(tmp_path: Path) -> None:
    scan = scan_seeds(tmp_path)
    assert scan.seeds == ()
    assert [e.message for e in scan.errors] == [
        "no seed files (*.yaml): refusing to build an empty graph"
    ]


@pytest.mark.slow  # four runs of the command line
def test_validate_and_build_refuse_an_empty_project_naming_its_seeds(tmp_path: Path) -> None:
    (tmp_path / "seeds").mkdir()
    validate = cli("validate", cwd=tmp_path)
    assert validate.returncode == 1
    first = validate.stdout.splitlines()[0]
    assert first == locate(tmp_path).seeds_line()
    assert "refusing to build an empty graph" in validate.stdout
    turtle = cli("validate", "--format", "turtle", cwd=tmp_path)
    assert turtle.stdout.splitlines()[0] == f"# {first}"
    assert (None, SH.conforms, Literal(False)) in Graph().parse(data=turtle.stdout, format="turtle")
    report = json.loads(cli("validate", "--format", "json", cwd=tmp_path).stdout)
    assert report["seeds"] == str(tmp_path / "seeds") and not report["conforms"]
    build = cli("build", cwd=tmp_path)
    assert build.returncode == 1 and not (tmp_path / "dist").exists()
    assert build.stderr.splitlines()[0] == f"il2kg build: {first}"


def test_the_shipped_schema_is_generated_from_the_record_models() -> None:
    assert RECORD_SCHEMA_FILE.read_text(encoding="utf-8") == record_schema(), (
        "shapes/record.schema.json is out of date: run `python -m il2kg.records.schema`"
    )
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


@pytest.mark.parametrize("seed", sorted(SEEDS_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_seed_names_the_schema_and_conforms_to_it(seed: Path) -> None:
    first = seed.read_text(encoding="utf-8").splitlines()[0]
    assert first == SCHEMA_COMMENT
    assert (seed.parent / first.split("$schema=", 1)[1]).resolve() == RECORD_SCHEMA_FILE.resolve()
    data, _, errors = parse_seed(seed)
    assert not errors
    jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)


@pytest.mark.parametrize(
    "name", ["wrong-type", "unknown-field", "missing-field", "negative-count", "bad-local-id"]
)
def test_the_schema_rejects_what_the_record_models_reject(name: str) -> None:
    data, _, errors = parse_seed(DATA / "broken-records" / f"{name}.yaml")
    assert not errors
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)


@pytest.mark.slow
def test_outside_a_project_the_build_goes_to_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`query`/`plot`/`export` outside any project build into the user's cache, and say so;
    nothing is written to the working directory."""
    from il2kg.cli import main
    from il2kg.paths import build_cache

    work, cache = tmp_path / "work", tmp_path / "cache"
    work.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    assert main(["export", "fhir", "--no-reasoning", "--out", str(tmp_path / "b.json")]) == 0
    assert list(work.iterdir()) == []
    built = build_cache(SEEDS_DIR)
    assert built.is_relative_to(cache) and (built / "il2kg.nq").is_file()
    assert f"building into the cache {built}" in capsys.readouterr().err
    assert main(["plot", "forest", "--out", str(tmp_path / "f.svg")]) == 0  # reuses it
    assert "building" not in capsys.readouterr().err
