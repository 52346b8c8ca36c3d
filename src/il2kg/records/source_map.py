"""Where each value of a seed file is written: record paths to YAML lines and columns."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import yaml

from il2kg.records.model import ELEMENT_KINDS

Path = tuple[int | str, ...]  # a path inside a record: ('outcomes', 1, 'count')


def format_path(location: Iterable[int | str]) -> str:
    """Turn a record path ('cohorts', 1, 'size') into 'cohorts[1].size'."""
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


PART = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


def parse_path(text: str) -> Path:
    """Turn 'cohorts[1].size' back into ('cohorts', 1, 'size')."""
    return tuple(int(index) if index else name for index, name in PART.findall(text))


@dataclass(frozen=True)
class Origin:
    """Which part of which record a value of the graph came from, as the converter built it.

    `element` is 'publication', 'study', 'kind/local-id' (e.g. 'outcome/cr') or '' for the
    record's top level; `node` the path inside it (('ci',), ('curation_notes', 0)); `fields`
    the fields of that node that may hold the value, best first (empty: the whole node).
    """

    record: str
    element: str
    node: Path = ()
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Location:
    """A place in a seed file: the file, the record path and its line and column (from 1)."""

    file: str
    field: str = ""
    line: int | None = None
    column: int | None = None


@dataclass(frozen=True)
class SourceMap:
    """The line and column (from 1) of every key and list item of one seed file."""

    file: str
    marks: dict[Path, tuple[int, int]] = field(default_factory=dict)
    elements: dict[str, Path] = field(default_factory=dict)  # 'outcome/cr' -> ('outcomes', 3)

    def at(self, path: Path) -> tuple[Path, tuple[int, int] | None]:
        """The longest prefix of `path` written in the file, and its line and column."""
        for end in range(len(path), 0, -1):
            if path[:end] in self.marks:
                return path[:end], self.marks[path[:end]]
        return (), None

    def find(self, origin: Origin) -> tuple[Path, tuple[int, int] | None]:
        """Where a value of `origin` is written: its field, else its node, else its element."""
        base = self.elements.get(origin.element, (origin.element,) if origin.element else ())
        node = (*base, *origin.node)
        for name in origin.fields:
            if (*node, name) in self.marks:
                return self.at((*node, name))
        return self.at(node)

    def locate(self, origin: Origin) -> Location:
        """The location of a value of `origin` in this file."""
        path, mark = self.find(origin)
        return Location(self.file, format_path(path), *(mark or (None, None)))


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _walk(node: yaml.Node, path: Path, marks: dict[Path, tuple[int, int]]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                marks[(*path, key.value)] = _mark(key)
                _walk(value, (*path, key.value), marks)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            marks[(*path, index)] = _mark(item)
            _walk(item, (*path, index), marks)


def _local_id(node: yaml.Node) -> str | None:
    """The `id` of an element written as a mapping, if it is a plain scalar."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.value == "id":
                return value.value if isinstance(value, yaml.ScalarNode) else None
    return None


def source_map(file: str, root: yaml.Node) -> SourceMap:
    """The source map of a composed seed file."""
    marks: dict[Path, tuple[int, int]] = {}
    _walk(root, (), marks)
    elements: dict[str, Path] = {"publication": ("publication",), "study": ("study",)}
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            kind = ELEMENT_KINDS.get(key.value) if isinstance(key, yaml.ScalarNode) else None
            if kind and isinstance(value, yaml.SequenceNode):
                for index, item in enumerate(value.value):
                    if (local := _local_id(item)) is not None:
                        elements.setdefault(f"{kind}/{local}", (key.value, index))
    return SourceMap(file, marks, elements)
