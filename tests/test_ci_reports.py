"""`il2kg validate` in the forms CI reads (GitHub, JUnit, SARIF): every finding at its line.

Two projects: one with a broken record (refused when loading) and one whose records load but
break SHACL rules only (a count above its cohort: a violation; an interval that misses its
estimate: a warning). Expected lines and columns are found in the files' own text.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
from junitparser import Failure, JUnitXml

from il2kg.cli import REPORT_FORMATS, main
from il2kg.paths import SEEDS_DIR, locate
from il2kg.pipeline import PipelineResult, run
from il2kg.report import FORMATS, Style, render_report

from .conftest import DATA

BROKEN = DATA / "broken-records" / "count-above-denominator.yaml"
SARIF_SCHEMA = json.loads((DATA / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
Spot = tuple[str, str, int, int]  # severity, file, line, column


def _project(root: Path, edits: dict[str, tuple[str, str]], extra: tuple[Path, ...] = ()) -> Path:
    """A project with the seeds, each named seed's text replaced once, and extra seeds."""
    shutil.copytree(SEEDS_DIR, root / "seeds")
    for name, (old, new) in edits.items():
        seed = root / "seeds" / name
        text = seed.read_text(encoding="utf-8")
        assert text.count(old) == 1, (name, old)
        seed.write_text(text.replace(old, new), encoding="utf-8")
    for path in extra:
        shutil.copy(path, root / "seeds")
    return root


def _spot(root: Path, name: str, line_text: str, key: str, severity: str) -> Spot:
    """Where `key` is written on the line holding `line_text` in seeds/<name>."""
    lines = (root / "seeds" / name).read_text(encoding="utf-8").splitlines()
    [number] = [i for i, line in enumerate(lines, start=1) if line_text in line]
    return severity, f"seeds/{name}", number, lines[number - 1].index(key) + 1


CI = ("    ci: {level: 95, lower: 12, upper: 21}", "    ci: {level: 95, lower: 12, upper: 15}")
CI_LINE = 1 + (SEEDS_DIR / "atkins-1999.yaml").read_text(encoding="utf-8").split(CI[0])[0].count(
    "\n"
)  # the line of Atkins' reported CI
PNEUMONITIS = ("    event: pneumonitis\n    count: 1\n", "    event: pneumonitis\n    count: 58\n")


@pytest.fixture(scope="module")
def shacl_only(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[Spot]]:
    root = _project(
        tmp_path_factory.mktemp("shacl"),
        {"atkins-1999.yaml": CI, "buchbinder-2019.yaml": PNEUMONITIS},
    )
    expected = {
        _spot(root, "atkins-1999.yaml", "upper: 15}", "ci:", "warning"),
        _spot(root, "buchbinder-2019.yaml", "count: 58", "count:", "error"),
    }
    return root, expected


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, set[Spot]]:
    root = _project(tmp_path_factory.mktemp("broken"), {}, (BROKEN,))
    spot = _spot(root, BROKEN.name, "count: 12, denominator: 10", "{id: cr", "error")
    return root, {spot}


def _run(root: Path) -> PipelineResult:
    """The pipeline in the project, as `il2kg validate` runs it there (files relative to it)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(root)
        return run(locate(root, None), reasoning=False)


@pytest.fixture(scope="module")
def reports(
    shacl_only: tuple[Path, set[Spot]], broken: tuple[Path, set[Spot]]
) -> dict[str, tuple[PipelineResult, set[Spot], Path]]:
    return {
        name: (_run(root), spots, root)
        for name, (root, spots) in (("shacl-only", shacl_only), ("broken", broken))
    }


def _render(
    result: PipelineResult, root: Path, fmt: str, monkeypatch: pytest.MonkeyPatch, **style: bool
) -> str:
    monkeypatch.chdir(root)  # files are reported relative to the working directory
    return render_report(result, fmt, Style(**style))


CASES = ("shacl-only", "broken")
GITHUB = re.compile(r"^::(error|warning) file=([^,]+),line=(\d+),col=(\d+),title=[^:]+::(.+)$")


@pytest.mark.parametrize("case", CASES)
def test_github_annotations_point_at_the_line(case: str, reports: dict, monkeypatch) -> None:
    result, expected, root = reports[case]
    text = _render(result, root, "github", monkeypatch)
    commands = [GITHUB.match(line) for line in text.splitlines() if line.startswith("::")]
    assert all(commands), text
    found = {(m[1], m[2], int(m[3]), int(m[4])) for m in commands if m}
    assert found == expected, text
    assert "found dict" not in text


@pytest.mark.parametrize("case", CASES)
def test_junit_has_a_case_per_record_failing_at_the_line(
    case: str, reports: dict, monkeypatch
) -> None:
    result, expected, root = reports[case]
    xml = JUnitXml.fromstring(_render(result, root, "junit", monkeypatch, strict=True))
    cases = {case.name: case for suite in xml for case in suite}
    assert set(cases) >= {f"seeds/{p.name}" for p in (root / "seeds").glob("*.yaml")}
    found = set()
    for name, testcase in cases.items():
        for failure in testcase.result:
            assert isinstance(failure, Failure)
            for line in (failure.text or "").splitlines():
                file, number, column, severity = line.split(":")[:4]
                assert file == name
                found.add((severity.strip(), file, int(number), int(column)))
    assert found == expected


def test_junit_warnings_fail_only_when_strict(reports: dict, monkeypatch) -> None:
    result, _, root = reports["shacl-only"]
    xml = JUnitXml.fromstring(_render(result, root, "junit", monkeypatch))
    atkins = next(c for suite in xml for c in suite if c.name == "seeds/atkins-1999.yaml")
    assert atkins.is_passed and "atkins-1999.yaml:" in (atkins.system_out or "")


@pytest.mark.parametrize("case", CASES)
def test_sarif_is_valid_and_points_at_the_line(case: str, reports: dict, monkeypatch) -> None:
    result, expected, root = reports[case]
    log = json.loads(_render(result, root, "sarif", monkeypatch))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    [sarif_run] = log["runs"]
    rules = [rule["id"] for rule in sarif_run["tool"]["driver"]["rules"]]
    found = set()
    for r in sarif_run["results"]:
        assert rules[r["ruleIndex"]] == r["ruleId"]
        [location] = r["locations"]
        physical = location["physicalLocation"]
        found.add(
            (
                r["level"],
                physical["artifactLocation"]["uri"],
                physical["region"]["startLine"],
                physical["region"]["startColumn"],
            )
        )
    assert found == expected
    shapes = {"CountWithinCohort", "ConfidenceIntervalBracketsEstimate"}
    assert set(rules) == (shapes if case == "shacl-only" else {"record"})


@pytest.mark.parametrize("case", CASES)
def test_json_problems_point_at_the_line(case: str, reports: dict, monkeypatch) -> None:
    result, expected, root = reports[case]
    found = json.loads(_render(result, root, "json", monkeypatch))["problems"]
    assert {(p["severity"], p["file"], p["line"], p["column"]) for p in found} == expected


def test_every_format_of_the_command_line_is_rendered() -> None:
    assert REPORT_FORMATS == FORMATS


def _cli(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str]:
    monkeypatch.chdir(root)
    status = main(["validate", "--no-reasoning", *args])
    return status, capsys.readouterr().out


def test_exit_codes_strict_and_quiet(tmp_path: Path, monkeypatch, capsys) -> None:
    root = _project(tmp_path / "p", {"atkins-1999.yaml": CI})
    assert _cli(root, monkeypatch, capsys, "-q")[0] == 0  # a warning alone passes
    status, out = _cli(root, monkeypatch, capsys, "-q", "--strict")
    assert status == 1
    assert out.startswith(f"seeds/atkins-1999.yaml:{CI_LINE}:5: warning: outcomes[0].ci")
    shutil.copy(SEEDS_DIR / "atkins-1999.yaml", root / "seeds")
    assert _cli(root, monkeypatch, capsys, "-q", "--strict") == (0, "")
    status, out = _cli(root, monkeypatch, capsys, "--format", "github", "-q", "seeds/nope.yaml")
    assert status == 2 and out == ""


def test_named_files_narrow_the_report_not_the_validation(shacl_only, monkeypatch, capsys) -> None:
    root, _ = shacl_only
    status, out = _cli(root, monkeypatch, capsys, "-q", "seeds/atkins-1999.yaml")
    assert status == 0 and out.count("\n") == 1 and f"atkins-1999.yaml:{CI_LINE}:" in out
    status, out = _cli(root, monkeypatch, capsys, "-q", "seeds/buchbinder-2019.yaml")
    assert status == 1 and "buchbinder-2019.yaml:" in out and "atkins" not in out
    assert _cli(root, monkeypatch, capsys, "-q", "seeds/clark-2021.yaml") == (0, "")


def test_a_named_file_is_not_passed_when_another_seed_is_broken(
    broken, monkeypatch, capsys
) -> None:
    root, _ = broken
    status, out = _cli(root, monkeypatch, capsys, "-q", "seeds/clark-2021.yaml")
    assert status == 1 and "not checked against the shapes" in out and BROKEN.name in out


def test_sarif_names_a_seed_outside_the_working_directory_by_its_file_uri(
    reports: dict, tmp_path: Path, monkeypatch
) -> None:
    root = reports["broken"][2]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(elsewhere)
        moved = run(locate(root, None), reasoning=False)  # files named as seen from elsewhere
    log = json.loads(_render(moved, elsewhere, "sarif", monkeypatch))
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
    [artifact] = [
        r["locations"][0]["physicalLocation"]["artifactLocation"] for r in log["runs"][0]["results"]
    ]
    assert artifact == {"uri": (root / "seeds" / BROKEN.name).as_uri()}
