"""Shared fixtures: one pipeline run and one build of the project's own seeds per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from il2kg.pipeline import PipelineResult, run

pytest_plugins = ["tests.server_fixtures"]

TESTS = Path(__file__).parent
DATA = TESTS / "data"


@pytest.fixture(scope="session")
def seed_result() -> PipelineResult:
    """The pipeline run over the project's seeds."""
    result = run()
    assert result.ok, [str(e) for e in result.loaded.errors]
    return result
