"""The runnable examples in the public entry points' docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

# Modules whose public functions carry an example (>>>); each must have at least one.
MODULES = [
    "il2kg.errors",
    "il2kg.files",
    "il2kg.iris",
    "il2kg.terms",
    "il2kg.records.load",
    "il2kg.records.sources",
    "il2kg.records.vocabulary",
    "il2kg.query.result",
    "il2kg.query.run",
    "il2kg.query.render",
    "il2kg.query.tabular",
    "il2kg.query.lexer",
    "il2kg.graph.derive",
    "il2kg.graph.origin",
    "il2kg.audit.numbers",
    "il2kg.audit.check",
    "il2kg.audit.sentences",
    "il2kg.audit.wording",
    "il2kg.pipeline",
    "il2kg.report",
    "il2kg.checks.shacl",
    "il2kg.publish.dist",
    "il2kg.evidence.fhir_terms",
    "il2kg.server.negotiation",
    "il2kg.server.protocol",
    "il2kg.server.cache",
    "il2kg.scaffold",
    "il2kg.cli",
]


@pytest.mark.parametrize("name", MODULES)
def test_the_examples_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no example"
    assert result.failed == 0


def test_every_example_in_the_package_is_run() -> None:
    """A module whose docstrings show an example is listed above, so its examples run."""
    src = Path(__file__).parents[1] / "src"
    shown = {
        ".".join(path.relative_to(src).with_suffix("").parts).removesuffix(".__init__")
        for path in src.rglob("*.py")
        if ">>> " in path.read_text(encoding="utf-8")
    }
    assert shown == set(MODULES)
