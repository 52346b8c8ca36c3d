"""The packages are layered as ARCHITECTURE.md draws them: data flows down, never sideways."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "il2kg"

ARCHITECTURE = SRC.parents[1] / "ARCHITECTURE.md"
ORDER = re.compile(r"in this order: ((?:`\w+`(?:/`\w+`)*,\s*)*`\w+`(?:/`\w+`)*)")


def layers_from(text: str) -> dict[str, int]:
    """Each unit and its layer, from ARCHITECTURE.md's 'in this order: `a`/`b`, `c`, ...'
    (one source for both): units joined by '/' share a layer; the package itself is at 0."""
    match = ORDER.search(" ".join(text.split()))
    assert match, "ARCHITECTURE.md no longer says 'in this order: `unit`, ...'"
    groups = [re.findall(r"`(\w+)`", group) for group in match.group(1).split(",")]
    return {"il2kg": 0} | {name: layer for layer, group in enumerate(groups) for name in group}


# Each unit of the package and its layer: a module may import from its own unit or a lower layer.
LAYERS = layers_from(ARCHITECTURE.read_text(encoding="utf-8"))


def unit(module: str) -> str:
    """The unit a dotted module name belongs to: 'il2kg.graph.convert' -> 'graph'."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def imported(path: Path) -> set[str]:
    """Every il2kg module a source file imports, at its top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("il2kg"):
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names |= {a.name for a in node.names if a.name.startswith("il2kg")}
    return names


def modules() -> list[tuple[str, Path]]:
    """Every module of the package with its dotted name."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found.append((name, path))
    return found


def test_every_unit_has_a_layer() -> None:
    assert {unit(name) for name, _ in modules()} == set(LAYERS)


def wrong_imports(name: str, path: Path) -> list[str]:
    """The imports of a module that reach its own layer (another unit) or a higher one."""
    own = unit(name)
    return sorted(
        target
        for target in imported(path)
        if unit(target) not in {own, "il2kg"} and LAYERS[unit(target)] >= LAYERS[own]
    )


@pytest.mark.parametrize("name, path", modules(), ids=[name for name, _ in modules()])
def test_imports_go_down_the_layers(name: str, path: Path) -> None:
    wrong = wrong_imports(name, path)
    assert not wrong, f"{name} (layer {LAYERS[unit(name)]}) imports {wrong} from its layer or above"


def test_the_layers_are_read_as_written() -> None:
    text = "... in this order: `errors`/`files`, `paths`,\n`records`/`query`, `cli`. Then"
    assert layers_from(text) == {
        "il2kg": 0,
        "errors": 0,
        "files": 0,
        "paths": 1,
        "records": 2,
        "query": 2,
        "cli": 3,
    }


def test_upward_and_sideways_imports_are_caught(tmp_path: Path) -> None:
    source = tmp_path / "crossrefs.py"
    source.write_text(
        "from il2kg.records.model import Quantity\n"
        "def f():\n    from il2kg.graph.convert import term\n    import il2kg.query.lexer\n",
        encoding="utf-8",
    )
    assert wrong_imports("il2kg.records.crossrefs", source) == [
        "il2kg.graph.convert",
        "il2kg.query.lexer",
    ]
