"""What a curator's CI runs: il2kg's pre-commit hook, tried with `pre-commit try-repo` on a
project `il2kg init` wrote (the hook installs il2kg from this checkout, offline)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from il2kg.scaffold import scaffold

CHECKOUT = Path(__file__).resolve().parents[1]
SEED = "seeds/clark-2021.yaml"

pytestmark = pytest.mark.slow  # pre-commit installs il2kg into an environment of its own


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=1200)


@pytest.mark.skipif(
    not (CHECKOUT / ".git").exists() or shutil.which("git") is None,
    reason="pre-commit try-repo needs this checkout as a git repository and git",
)
def test_pre_commit_try_repo_runs_the_hook_on_a_scaffolded_project(tmp_path: Path) -> None:
    project = tmp_path / "project"
    scaffold(project, source="il2kg @ git+https://example.org/il2kg@v0")  # not installed here
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    env |= {
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-cache"),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    for command in (["git", "init", "-q"], ["git", "add", "-A"], ["git", "commit", "-qm", "init"]):
        assert _run(command, project, env).returncode == 0
    hook = [
        sys.executable,
        "-m",
        "pre_commit",
        "try-repo",
        str(CHECKOUT),
        "il2kg-validate",
        "--files",
        SEED,
    ]
    passed = _run(hook, project, env)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert re.search(r"il2kg validate\.+Passed", passed.stdout), passed.stdout

    seed = project / SEED
    lines = seed.read_text(encoding="utf-8").splitlines(keepends=True)
    [number] = [i for i, line in enumerate(lines, start=1) if line == "    count: 27\n"]
    lines[number - 1] = "    count: twenty-seven\n"
    seed.write_text("".join(lines), encoding="utf-8")
    failed = _run(hook, project, env)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert f"{SEED}:{number}:5: error: outcomes[" in failed.stdout, failed.stdout
