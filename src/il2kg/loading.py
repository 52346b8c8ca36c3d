"""Read seed files into typed records, collecting every error with its file and field."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from il2kg.records import PublicationRecord
from il2kg.references import check_references
from il2kg.vocabulary import Vocabulary

MAX_SEED_BYTES = 1_000_000
MAX_DEPTH = 20


@dataclass(frozen=True)
class RecordError:
    """One problem in one seed file, at a path inside the record."""

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.path or '(file)'}: {self.message}"


@dataclass(frozen=True)
class LoadResult:
    """The records that loaded and the errors found; usable only when there are no errors."""

    records: tuple[PublicationRecord, ...]
    errors: tuple[RecordError, ...]


class _SeedLoader(yaml.SafeLoader):
    """Safe YAML: no dates, exact decimals, and no duplicate keys or aliases (YAML bombs)."""

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in seed files", mark
            )
        return super().compose_node(parent, index)  # type: ignore[arg-type]


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    return Decimal(loader.construct_scalar(node).replace("_", ""))


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    keys = [loader.construct_object(key) for key, _ in node.value]
    duplicates = sorted({str(k) for k in keys if keys.count(k) > 1})
    if duplicates:
        raise yaml.constructor.ConstructorError(
            None, None, f"duplicate key(s) {', '.join(duplicates)}", node.start_mark
        )
    return loader.construct_mapping(node)


_SeedLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_SeedLoader.add_constructor("tag:yaml.org,2002:float", _construct_decimal)
_SeedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def display_path(path: Path) -> str:
    """A file as a user names it: relative to the working directory when inside it."""
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def format_path(location: Iterable[int | str]) -> str:
    """Turn a pydantic location ('cohorts', 1, 'size') into 'cohorts[1].size'."""
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _depth(value: Any, level: int = 0) -> int:
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


def _describe(error: dict[str, Any]) -> str:
    """A pydantic error as 'expected ..., found ...'."""
    found = error.get("input")
    if error["type"] == "missing":
        return "required field is missing"
    if error["type"] == "extra_forbidden":
        return "unknown field (not part of the record schema)"
    shown = repr(found) if not isinstance(found, dict | list) else type(found).__name__
    message = error["msg"].removeprefix("Value error, ")
    return f"expected: {message}; found {shown}"


def parse_seed(path: Path) -> tuple[Any, list[RecordError]]:
    """Read one file's YAML, refusing oversized, non-UTF-8, empty or unsafe content."""
    name = display_path(path)
    raw = path.read_bytes()
    if len(raw) > MAX_SEED_BYTES:
        return None, [RecordError(name, "", f"file is larger than {MAX_SEED_BYTES} bytes")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [RecordError(name, "", f"expected UTF-8 text; byte {exc.start} is not")]
    try:
        data = yaml.load(text, Loader=_SeedLoader)
    except yaml.YAMLError as exc:
        return None, [RecordError(name, "", f"YAML syntax error: {exc}".replace("\n", " "))]
    if data is None:
        return None, [RecordError(name, "", "file is empty; expected a publication record")]
    if not isinstance(data, dict):
        found = type(data).__name__
        return None, [RecordError(name, "", f"expected a mapping at the top; found {found}")]
    if _depth(data) > MAX_DEPTH:
        return None, [RecordError(name, "", f"nested deeper than {MAX_DEPTH} levels")]
    return data, []


def load_record(
    path: Path, vocabulary: Vocabulary
) -> tuple[PublicationRecord | None, list[RecordError]]:
    """Parse, type-check and reference-check one seed file."""
    data, errors = parse_seed(path)
    if errors:
        return None, errors
    try:
        record = PublicationRecord.model_validate(data)
    except ValidationError as exc:
        return None, [
            RecordError(display_path(path), format_path(e["loc"]), _describe(e))
            for e in exc.errors()
        ]
    problems = list(check_references(record, vocabulary))
    if record.id != path.stem:
        problems.append(("id", f"expected the file name '{path.stem}'; found '{record.id}'"))
    return record, [RecordError(display_path(path), where, what) for where, what in problems]


def seed_files(seeds_dir: Path) -> list[Path]:
    """The seed files of a directory, in a stable order."""
    return sorted(p for p in seeds_dir.iterdir() if p.suffix == ".yaml")


def load_seeds(paths: Iterable[Path], vocabulary: Vocabulary) -> LoadResult:
    """Load every seed, reporting all errors of all files in one pass."""
    records: list[PublicationRecord] = []
    errors: list[RecordError] = []
    for path in paths:
        record, problems = load_record(path, vocabulary)
        errors.extend(problems)
        if record is not None and not problems:
            records.append(record)
    return LoadResult(tuple(records), tuple(errors))
