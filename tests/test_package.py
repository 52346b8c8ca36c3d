"""The built wheel, installed in a fresh venv, works from a directory outside the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from il2kg.paths import ROOT, locate
from tests.conftest import DATA
from tests.golden import compare, read_expected
from tests.reasoner import REASONING
from tests.server_fixtures import free_port, wait_for

CHECKOUT = Path(__file__).resolve().parents[1]
DATA_DIRS = ("ontology", "shapes", "queries", "seeds", "sources")
DATA_FILES = ("dataset.yaml",)
QUERY = "durability-of-complete-responses"

pytestmark = pytest.mark.slow  # builds a wheel and installs it into a fresh venv


def _run(
    command: list[str | Path], cwd: Path, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """Run outside the test venv: no PYTHONPATH or VIRTUAL_ENV leaks into the child."""
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    return subprocess.run(
        [str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel `pip wheel` builds from the checkout."""
    out = tmp_path_factory.mktemp("wheel")
    built = _run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", out, CHECKOUT], cwd=out
    )
    assert built.returncode == 0, built.stderr
    return next(out.glob("il2kg-*.whl"))


@pytest.fixture(scope="module")
def il2kg(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The `il2kg` program of a fresh venv into which only the wheel (and its deps) went."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=True)
    installed = _run([env_dir / "bin" / "python", "-m", "pip", "install", "-q", wheel], cwd=env_dir)
    assert installed.returncode == 0, installed.stderr
    return env_dir / "bin" / "il2kg"


@pytest.fixture
def empty(tmp_path: Path) -> Path:
    """An empty working directory outside the checkout and outside any project."""
    folder = tmp_path / "empty"
    folder.mkdir()
    return folder


def test_the_wheel_carries_every_data_file_of_the_checkout(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        packed = {
            name: archive.read(name)
            for name in archive.namelist()
            if name.startswith("il2kg/data/")
        }
    files = [p for folder in DATA_DIRS for p in (CHECKOUT / folder).rglob("*") if p.is_file()]
    files += [CHECKOUT / name for name in DATA_FILES]
    assert len(files) > 90
    assert packed == {f"il2kg/data/{p.relative_to(CHECKOUT)}": p.read_bytes() for p in files}


def test_validate_build_and_query_from_an_empty_directory(il2kg: Path, empty: Path) -> None:
    validate = _run([il2kg, "validate", *REASONING], cwd=empty)
    assert validate.returncode == 0, validate.stdout + validate.stderr
    first = validate.stdout.splitlines()[0]
    assert first.startswith("seeds: ") and "bundled" in first
    assert str(il2kg.parents[1]) in first and str(CHECKOUT) not in first
    assert validate.stdout.splitlines()[-1].endswith("5 record(s) loaded")
    built = _run([il2kg, "build", *REASONING], cwd=empty)
    assert built.returncode == 0, built.stderr
    assert (empty / "dist" / "il2kg.nq").is_file()
    assert _answer(il2kg, empty, []) == ()


def _answer(il2kg: Path, cwd: Path, extra: list[str]) -> tuple[str, ...]:
    """The problems of the installed program's answer to QUERY against the expected result."""
    answered = _run([il2kg, "query", QUERY, "--format", "json", *extra], cwd=cwd)
    assert answered.returncode == 0, answered.stderr
    actual = cwd / "actual.srj"
    actual.write_text(answered.stdout, encoding="utf-8")
    difference = compare(
        read_expected(ROOT / "queries" / f"{QUERY}.srj"), read_expected(actual), ordered=False
    )
    return difference.problems + difference.missing + difference.unexpected


@pytest.fixture
def served(il2kg: Path, empty: Path) -> Iterator[str]:
    """`il2kg serve` of the installed program, run in an empty directory: its SPARQL URL."""
    port = free_port()
    process = subprocess.Popen(
        [il2kg, "serve", "--port", str(port), *REASONING],
        cwd=empty,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/sparql"
    try:
        wait_for(url, process, startup=300)
        yield url
    finally:
        process.terminate()
        process.wait(30)


def test_serve_answers_query_endpoint_from_an_empty_directory(
    il2kg: Path, served: str, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert _answer(il2kg, elsewhere, ["--endpoint", served]) == ()
    assert not (elsewhere / "dist").exists()


def test_init_makes_a_project_that_validates_and_names_a_broken_seed(
    il2kg: Path, wheel: Path, empty: Path
) -> None:
    refused = _run([il2kg, "init", "p"], cwd=empty)  # installed from a path CI cannot reach
    assert refused.returncode == 2 and "--source" in refused.stderr
    assert not (empty / "p").exists()
    init = _run([il2kg, "init", "p", "--source", wheel], cwd=empty)
    assert init.returncode == 0, init.stderr
    project = empty / "p"
    assert (project / ".github" / "workflows" / "validate.yml").is_file()
    assert (project / "README.md").is_file()
    assert [p.name for p in (project / "sources").iterdir()] == ["001_4480bedd9f41dbcc.txt"]
    validate = _run([il2kg, "validate", *REASONING], cwd=project)
    assert validate.returncode == 0, validate.stdout
    assert validate.stdout.splitlines()[0] == locate(project).seeds_line()
    broken = (DATA / "broken-records" / "count-above-denominator.yaml").read_bytes()
    (project / "seeds" / "count-above-denominator.yaml").write_bytes(broken)
    failed = _run([il2kg, "validate", *REASONING], cwd=project)
    assert failed.returncode == 1
    assert "seeds/count-above-denominator.yaml:12:5: error: outcomes[0]:" in failed.stdout
    again = _run([il2kg, "init", "p"], cwd=empty)
    assert again.returncode == 2 and "not empty" in again.stderr


@pytest.mark.java  # the workflow sets up Java for HermiT; here this machine's Java stands in
def test_the_init_workflow_runs_as_written(il2kg: Path, wheel: Path, empty: Path) -> None:
    """The workflow's `run` steps, in order, with its environment, in the project: the venv
    of `il2kg` stands in for setup-python, this machine's Java for setup-java."""
    assert _run([il2kg, "init", "p", "--source", wheel], cwd=empty).returncode == 0
    project = empty / "p"
    assert (project / "wheels" / wheel.name).read_bytes() == wheel.read_bytes()
    workflow = yaml.safe_load((project / ".github" / "workflows" / "validate.yml").read_text())
    job = workflow["jobs"]["validate"]
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env |= {**job["env"], "PATH": f"{il2kg.parent}{os.pathsep}{env['PATH']}"}

    def steps() -> list[subprocess.CompletedProcess[str]]:
        return [
            subprocess.run(
                ["bash", "-ec", step["run"]],
                cwd=project,
                env=env,
                text=True,
                capture_output=True,
                timeout=600,
            )
            for step in job["steps"]
            if "run" in step
        ]

    *_, validate = done = steps()
    assert all(d.returncode == 0 for d in done), [d.stdout + d.stderr for d in done]
    assert "::error" not in validate.stdout
    seed = project / "seeds" / "clark-2021.yaml"
    text = seed.read_text(encoding="utf-8")
    number = text[: text.index("    count: 27\n")].count("\n") + 1
    seed.write_text(text.replace("    count: 27\n", "    count: -27\n", 1), encoding="utf-8")
    *_, validate = steps()
    assert validate.returncode == 1
    assert f"::error file=seeds/clark-2021.yaml,line={number},col=5," in validate.stdout
