"""Shared fixtures: one pipeline run and one build of the project's own seeds per session."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from il2kg.pipeline import PipelineResult, run
from tests.reasoner import JAVA, WITHOUT_JAVA

pytest_plugins = ["tests.server_fixtures"]

TESTS = Path(__file__).parent
DATA = TESTS / "data"


# A module using one of these starts a server (uvicorn, oxigraph, Virtuoso, `il2kg serve`).
SERVER_HELPERS = ("live_server", "oxigraph_server", "virtuoso_server", "free_port")


def cli(*args: str, cwd: Path, **options: object) -> subprocess.CompletedProcess[str]:
    """Run il2kg in `cwd`; a hang fails the test instead of blocking it."""
    return subprocess.run(
        [sys.executable, "-m", "il2kg.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        **options,
    )  # type: ignore[call-overload]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark what needs a build (`slow`) or a server (`server`); skip `java` tests without Java."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        if "built_dist" in fixtures:
            item.add_marker(pytest.mark.slow)  # the seeds are built (with HermiT) first
        module = getattr(item, "module", None)
        if "endpoint" in fixtures or any(hasattr(module, h) for h in SERVER_HELPERS):
            item.add_marker(pytest.mark.server)
        if not JAVA and item.get_closest_marker("java"):
            item.add_marker(pytest.mark.skip(reason=WITHOUT_JAVA))


@pytest.fixture(scope="session", autouse=True)
def reasoning_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The session's own reasoning cache (programs the tests start inherit it), not the user's."""
    directory = tmp_path_factory.mktemp("il2kg-cache")
    before = os.environ.get("IL2KG_CACHE_DIR")
    os.environ["IL2KG_CACHE_DIR"] = str(directory)
    yield directory
    if before is None:
        del os.environ["IL2KG_CACHE_DIR"]
    else:
        os.environ["IL2KG_CACHE_DIR"] = before


@pytest.fixture(scope="session")
def seed_result() -> PipelineResult:
    """The pipeline run over the project's seeds, SHACL only (reasoning has its own tests)."""
    result = run(reasoning=False)
    assert result.ok, [str(e) for e in result.loaded.errors]
    return result
