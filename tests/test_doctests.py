"""The runnable examples in the public entry points' docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib

import pytest

# Modules whose public functions carry an example (>>>); each must have at least one.
MODULES = ["il2kg.errors", "il2kg.iris", "il2kg.graph.derive", "il2kg.query.result"]


@pytest.mark.parametrize("name", MODULES)
def test_the_examples_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no example"
    assert result.failed == 0
