"""Broken records: each kind of mistake gives a clear error naming file and field."""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from il2kg.paths import ONTOLOGY_FILE, SEEDS_DIR
from il2kg.pipeline import read_graph
from il2kg.records import load
from il2kg.records.load import load_seeds, parse_seed
from il2kg.records.model import PublicationRecord
from il2kg.records.vocabulary import vocabulary_from

from .conftest import DATA
from .reasoner import REASONING

BROKEN = sorted((DATA / "broken-records").glob("*.yaml"))
VOCABULARY = vocabulary_from(read_graph(ONTOLOGY_FILE))


def _expectation(path: Path) -> tuple[str, str]:
    first = path.read_bytes().split(b"\n", 1)[0].decode()
    assert first.startswith("# expect: "), f"{path.name} lacks its '# expect:' line"
    where, _, fragment = first.removeprefix("# expect: ").partition(" | ")
    return where.strip(), fragment.strip()


def test_the_corpus_is_all_there() -> None:
    """Every file of the corpus is run: none is skipped for its name."""
    assert BROKEN
    assert sorted((DATA / "broken-records").iterdir()) == BROKEN


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_record_is_rejected_naming_file_and_field(path: Path) -> None:
    where, fragment = _expectation(path)
    result = load_seeds([path], VOCABULARY)
    assert not result.records
    assert result.errors
    assert all(Path(e.file).resolve() == path.resolve() for e in result.errors)
    matching = [e for e in result.errors if (e.path or "(file)") == where and fragment in e.message]
    assert matching, f"expected an error at {where} mentioning {fragment!r}; got {result.errors}"


def test_one_run_reports_every_error() -> None:
    result = load_seeds([DATA / "broken-records" / "two-errors.yaml"], VOCABULARY)
    assert sorted(e.path for e in result.errors) == ["cohorts[0].size", "outcomes[0].count"]


def test_an_oversized_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text("id: huge\n" + "# padding\n" * 200_000)
    [error] = load_seeds([path], VOCABULARY).errors
    assert "larger than" in error.message


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "il2kg.cli", *args, *REASONING],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_validate_and_build_refuse_a_broken_seed(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    good = _cli("build", "--seeds", str(seeds), "--out", "dist", cwd=tmp_path)
    assert good.returncode == 0, good.stderr
    before = {p.name: p.read_bytes() for p in (tmp_path / "dist").iterdir()}

    shutil.copy(DATA / "broken-records" / "count-above-denominator.yaml", seeds)
    validate = _cli("validate", "--seeds", str(seeds), cwd=tmp_path)
    assert validate.returncode == 1
    assert "count-above-denominator.yaml:12:5: error: outcomes[0]: count 12" in validate.stdout
    assert "Traceback" not in validate.stdout + validate.stderr

    failed = _cli("build", "--seeds", str(seeds), "--out", "dist", cwd=tmp_path)
    assert failed.returncode == 1
    assert "left as it was" in failed.stderr
    after = {p.name: p.read_bytes() for p in (tmp_path / "dist").iterdir()}
    assert after == before


@pytest.mark.slow
def test_a_count_above_its_cohort_fails_validation(tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    text = (DATA / "broken-records" / "wrong-type.yaml").read_text()
    text = text.replace("id: wrong-type", "id: too-many").replace("size: ten", "size: 1")
    (seeds / "too-many.yaml").write_text(text)
    (tmp_path / "sources").mkdir()  # the source text it names, beside the seeds
    (tmp_path / "sources" / "none.txt").write_text("A small record used to test reports.\n")
    result = _cli("validate", "--seeds", str(seeds), "--format", "text", cwd=tmp_path)
    assert result.returncode == 1
    where = re.search(r"seeds/too-many\.yaml:\d+:\d+: error: outcomes\[0\]\.\w+: ", result.stdout)
    assert where, result.stdout
    assert "counted in a cohort of only 1" in result.stdout


@pytest.mark.slow
def test_validate_exits_2_when_it_cannot_run(tmp_path: Path) -> None:
    result = _cli("validate", "--seeds", str(tmp_path / "missing"), cwd=tmp_path)
    assert result.returncode == 2
    assert "could not run" in result.stderr and "Traceback" not in result.stderr


EDGE_TEXTS = [
    "\ufeffid: bom\n",
    "id: crlf\r\nlabel: b\r\n",
    "a: 'it''s'\nb: \"\\u00e9\\t\\x41\"\n",
    "--- \na: 1\n...\n",
    "a: 1\n---\nb: 2\n",
    "a:\n\t- b\n",
    "? [a, b]\n: c\n",
    "a: !!str 1\nb: !custom x\n",
    "a: &x 1\nb: 2\n",
    "- a\n- b\n",
    "a: |\n  line\n  two\nb: >-\n  folded\n  text\n",
    "a: {b: [1, 2.50, -0, 1e3, .inf, 0x1f, 012, yes, ~, true]}\n",
    "a: b: c\n",
    "a: [1, 2\n",
    "a: 'unclosed\n",
    'a: "\\q"\n',
    "a: &x 1\nb: &x 2\n",
    "a: &x [*x]\n",
    "a: &x 1\nb: *x\n",
    "a: " + "[" * 19 + "]" * 19 + "\n",  # 20 collections: the deepest allowed
    "a: " + "[" * 20 + "]" * 20 + "\n",
]


def _seed_file(case: Path | str, directory: Path) -> Path:
    """A seed file of the corpus, or one holding an edge case's text."""
    if isinstance(case, Path):
        return case
    path = directory / "edge.yaml"
    path.write_bytes(case.encode())
    return path


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML built without libyaml")
@pytest.mark.parametrize(
    "case",
    [*sorted(SEEDS_DIR.glob("*.yaml")), *BROKEN, *EDGE_TEXTS],
    ids=[*(p.stem for p in sorted(SEEDS_DIR.glob("*.yaml"))), *(p.stem for p in BROKEN)]
    + [f"edge-{i}" for i in range(len(EDGE_TEXTS))],
)
def test_the_libyaml_reader_gives_what_the_pure_one_gives(
    case: Path | str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Values, every line and column, and errors (the pure parser's words) are the same
    whether libyaml's parser or PyYAML's Python one reads a seed."""
    path = _seed_file(case, tmp_path)
    fast = parse_seed(path)
    monkeypatch.setattr(load, "_CParser", None)
    assert parse_seed(path) == fast


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML built without libyaml")
def test_a_good_seed_is_read_by_libyaml(monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison above is not vacuous: with libyaml, the pure loader reads no good seed."""

    def refuse(text: str) -> None:
        raise AssertionError("the pure loader was used")

    monkeypatch.setattr(load, "_SeedLoader", refuse)
    data, marks, errors = parse_seed(SEEDS_DIR / "atkins-1999.yaml")
    assert data["id"] == "atkins-1999" and marks.marks and not errors


def _string_lists(data: object, path: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """Paths of the lists of strings in a seed's data (terms, ids, DOIs, authors), outside
    quotes and the sentence account."""
    if isinstance(data, dict):
        return [
            found
            for key, value in data.items()
            if key not in ("quotes", "not_curated", "source_sentences")
            for found in _string_lists(value, (*path, key))
        ]
    if isinstance(data, list) and data and all(isinstance(item, str) for item in data):
        return [path]
    if isinstance(data, list):
        return [found for i, item in enumerate(data) for found in _string_lists(item, (*path, i))]
    return []


@pytest.mark.parametrize("seed", sorted(SEEDS_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_a_term_id_or_doi_listed_twice_is_refused(seed: Path) -> None:
    """Every list of terms, ids and DOIs in a seed is a set: its first item repeated is
    refused at that list, naming the item (a repeat would be counted twice by anything that
    counts the list's items). Authors are names as printed and may repeat."""
    data, _, _ = parse_seed(seed)
    lists = [p for p in _string_lists(dict(data)) if p[-1] != "authors"]
    assert lists
    for path in lists:
        changed = copy.deepcopy(dict(data))
        owner = changed
        for step in path[:-1]:
            owner = owner[step]
        owner[path[-1]] = [*owner[path[-1]], owner[path[-1]][0]]
        with pytest.raises(ValidationError, match="listed more than once") as refused:
            PublicationRecord.model_validate(changed)
        assert [e["loc"] for e in refused.value.errors()] == [path]


def test_a_doi_cited_twice_in_another_case_is_refused() -> None:
    """DOIs are case-insensitive: the same DOI in upper and lower case is one cited twice."""
    data, _, _ = parse_seed(SEEDS_DIR / "clark-2021.yaml")
    changed = copy.deepcopy(dict(data))
    [cited] = changed["publication"]["cites"]
    changed["publication"]["cites"] = [cited, cited.lower()]
    with pytest.raises(ValidationError, match="listed more than once") as refused:
        PublicationRecord.model_validate(changed)
    assert [e["loc"] for e in refused.value.errors()] == [("publication", "cites")]
