"""Read seed files into typed records, collecting every error with its file and field."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from importlib import import_module
from pathlib import Path
from typing import Any, cast

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from il2kg.files import read_inside
from il2kg.records.crossrefs import check_references
from il2kg.records.model import ELEMENT_KINDS, PublicationRecord
from il2kg.records.source_map import SourceMap, format_path, parse_path, source_map
from il2kg.records.sources import file_problem, source_names
from il2kg.records.vocabulary import Vocabulary

MAX_SEED_BYTES = 1_000_000
MAX_SEED_DEPTH = 20
MAX_DIGITS = 18  # every integer fits in 64 bits (owlready2 keeps them in SQLite)
# HermiT reasons over a whole record at once and its time grows faster than the record
# (about 1 min for 250 outcomes): four times the largest curated record (24 elements).
MAX_ELEMENTS = 100
SEED_SUFFIX = ".yaml"
YAML_SUFFIXES = {".yaml", ".yml"}


@dataclass(frozen=True)
class RecordError:
    """One problem in one seed file, at a path inside the record and its line and column."""

    file: str
    path: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        return f"{where}: {self.path or '(file)'}: {self.message}"


def located(marks: SourceMap, path: tuple[int | str, ...] | str, message: str) -> RecordError:
    """An error at a record path, at the line of the nearest key or item written there."""
    path = parse_path(path) if isinstance(path, str) else path
    _, mark = marks.at(path)
    line, column = mark or (None, None)
    return RecordError(marks.file, format_path(path), message, line, column)


@dataclass(frozen=True)
class LoadResult:
    """The records that loaded and the errors found; usable only when there are no errors.

    Warnings (the same publication curated twice?) do not stop a build.
    """

    records: tuple[PublicationRecord, ...]
    errors: tuple[RecordError, ...]
    warnings: tuple[RecordError, ...] = ()
    source_maps: Mapping[str, SourceMap] = field(default_factory=dict)  # by record id


class SeedMaps(Mapping[str, SourceMap]):
    """The source maps of loaded records, by record id, each read again from its seed file
    when asked (to locate a finding) and the last few kept: all of them held would cost
    ~60 KB a record (~1 GB at 10M triples)."""

    def __init__(self, seeds: Mapping[str, Path]) -> None:
        self.seeds = dict(seeds)  # record id -> its seed file
        self._read = lru_cache(maxsize=64)(_source_map_of)

    def __getitem__(self, record_id: str) -> SourceMap:
        return self._read(self.seeds[record_id])

    def __iter__(self) -> Iterator[str]:
        return iter(self.seeds)

    def __len__(self) -> int:
        return len(self.seeds)


def _source_map_of(path: Path) -> SourceMap:
    return parse_seed(path)[1]


@dataclass(frozen=True)
class SeedScan:
    """A seeds directory sorted into seed files, errors, and warnings naming files not read."""

    seeds: tuple[Path, ...]
    errors: tuple[RecordError, ...]
    warnings: tuple[RecordError, ...]

    def merge(self, loaded: LoadResult) -> LoadResult:
        """The loaded records with this scan's errors and warnings first."""
        return LoadResult(
            loaded.records,
            self.errors + loaded.errors,
            self.warnings + loaded.warnings,
            loaded.source_maps,
        )


class _Guarded(yaml.composer.Composer):
    """The composer's guards, whichever parser gives it events: no aliases, no nesting deeper
    than MAX_SEED_DEPTH."""

    depth = 0
    check_event: Callable[..., bool]  # the parser's, whichever it is mixed with
    peek_event: Callable[[], Any]

    # The ignores below: types-PyYAML types `index` as int; PyYAML passes a key node there too.
    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            self._refuse("aliases (*name) are not allowed in seed files")
        if self.check_event(yaml.SequenceStartEvent, yaml.MappingStartEvent):
            if self.depth >= MAX_SEED_DEPTH:
                self._refuse(f"nested deeper than {MAX_SEED_DEPTH} levels")
            self.depth += 1
            try:
                return super().compose_node(parent, index)  # type: ignore[arg-type]
            finally:
                self.depth -= 1
        return super().compose_node(parent, index)  # type: ignore[arg-type]

    def _refuse(self, message: str) -> None:
        mark = self.peek_event().start_mark
        raise yaml.composer.ComposerError(None, None, message, mark)


class _Schema(yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
    """Safe YAML read with YAML 1.2 core-schema meanings, restricted to the forms YAML 1.1 reads
    alike: a number is plain decimal, a boolean is true or false, no dates, no duplicate keys.
    Other plain scalars are strings."""


class _SeedLoader(_Guarded, yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, _Schema):
    """The seed loader on PyYAML's pure-Python reader, scanner and parser: its errors (text,
    line and column) are the ones reported."""

    def __init__(self, text: str) -> None:
        yaml.reader.Reader.__init__(self, text)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)
        _Guarded.__init__(self)
        _Schema.__init__(self)


# libyaml's parser, when PyYAML was built with it (its wheels are); else the pure loader reads.
_CParser: Any = import_module("yaml.cyaml").CParser if yaml.__with_libyaml__ else None


class _FastSeedLoader(*((_CParser,) if _CParser else ()), _Schema):  # type: ignore[misc]
    """The same schema on libyaml's C parser and composer (PyYAML's wheels ship them), ~5x
    faster; the composer's guards are checked on the tree it composed (`_plain`). Used only
    for text the pure reader accepts character by character; any refusal or error is
    reported by `_SeedLoader`, in its words."""

    def __init__(self, text: str) -> None:
        _CParser.__init__(self, text)
        _Schema.__init__(self)

    def get_single_node(self) -> yaml.Node | None:
        node: yaml.Node | None = _CParser.get_single_node(self)
        if node is not None and not _plain(node):
            raise yaml.composer.ComposerError(None, None, "refused", node.start_mark)
        return node


def _plain(root: yaml.Node) -> bool:
    """True when a composed tree holds no node twice (what an alias makes) and no collection
    nested deeper than MAX_SEED_DEPTH: what `_Guarded` checks while composing."""
    seen: set[int] = set()
    todo = [(root, 0)]
    while todo:
        node, depth = todo.pop()
        if id(node) in seen:
            return False
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = node.value
        else:
            continue
        if depth >= MAX_SEED_DEPTH:
            return False
        todo += [(child, depth + 1) for child in children]
    return True


@dataclass(frozen=True)
class RefusedScalar:
    """A scalar the loader will not turn into a value, with the reason (reported at its field)."""

    text: str
    reason: str


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int | RefusedScalar:
    text = loader.construct_scalar(node)
    if not DECIMAL_INTEGER.fullmatch(text):
        return RefusedScalar(
            text,
            "an integer in decimal notation without leading zeros (YAML 1.1 "
            "and 1.2 read 0777, 0o17 or 0x9 differently); quote it if it is text",
        )
    if len(text.lstrip("+-")) > MAX_DIGITS:
        return RefusedScalar(text[:30], f"an integer of at most {MAX_DIGITS} digits")
    return int(text)


def _construct_decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal | RefusedScalar:
    text = loader.construct_scalar(node)
    if not FLOAT.fullmatch(text):
        return RefusedScalar(text, "a finite number (.inf and .nan are not numbers of a record)")
    if "e" in text.lower():
        return RefusedScalar(text[:30], "a number in plain decimal notation (30 or 0.5, not 3e1)")
    value = Decimal(text)
    exponent = cast(int, value.as_tuple().exponent)  # an int: FLOAT matches finite numbers
    integer, fraction = value.adjusted() + 1, -exponent
    if integer > MAX_DIGITS or fraction > MAX_DIGITS:
        return RefusedScalar(
            text[:30], f"a number of at most {MAX_DIGITS} digits each side of the point"
        )
    return value


def _construct_bool(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> bool | RefusedScalar:
    text = loader.construct_scalar(node)
    if not BOOLEAN.fullmatch(text):
        return RefusedScalar(text, "true or false")
    return text.lower() == "true"


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    keys = [loader.construct_object(key) for key, _ in node.value]
    duplicates = sorted({str(k) for k in keys if keys.count(k) > 1})
    if duplicates:
        raise yaml.constructor.ConstructorError(
            None, None, f"duplicate key(s) {', '.join(duplicates)}", node.start_mark
        )
    return loader.construct_mapping(node)


# The YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution); every other
# plain scalar, including YAML 1.1's yes/on/0_9/0:11.0, is a string.
NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
BOOLEAN = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
INTEGER = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
SPECIAL_FLOAT = re.compile(r"^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$")
DECIMAL_INTEGER = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_IMPLICIT = (
    ("null", NULL, "~nN"),
    ("bool", BOOLEAN, "tTfF"),
    ("int", INTEGER, "-+0123456789"),
    ("float", FLOAT, "-+.0123456789"),
    ("float", SPECIAL_FLOAT, "-+."),
)
_Schema.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in _IMPLICIT:
    _Schema.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", _pattern, list(_first))
_Schema.add_implicit_resolver("tag:yaml.org,2002:null", NULL, [""])
for _tag, _constructor in (
    ("tag:yaml.org,2002:int", _construct_int),
    ("tag:yaml.org,2002:float", _construct_decimal),
    ("tag:yaml.org,2002:bool", _construct_bool),
    (yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping),
):
    _Schema.add_constructor(_tag, _constructor)
for _tag in ("timestamp", "binary", "set", "omap", "pairs", "value", "merge"):
    _Schema.yaml_constructors.pop(f"tag:yaml.org,2002:{_tag}", None)


def display_path(path: Path) -> str:
    """A file as a user names it: relative to the working directory when inside it."""
    try:
        return str(path.absolute().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


# Characters no curated text contains and that line-based tools take for line breaks.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def _hidden(text: str) -> tuple[int, str] | None:
    """The first control character, or invisible formatting character (Unicode category Cf:
    bidi overrides such as U+202E, zero-width spaces and joiners, soft hyphens), in text."""
    if control := CONTROL.search(text):
        return control.start(), control[0]
    return next(((i, c) for i, c in enumerate(text) if unicodedata.category(c) == "Cf"), None)


def _scalar_problems(
    value: Any, location: tuple[int | str, ...] = ()
) -> Iterator[tuple[tuple[int | str, ...], str]]:
    """(path, message) for each refused scalar and each string with a control character."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _scalar_problems(key, location)
            yield from _scalar_problems(item, (*location, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _scalar_problems(item, (*location, index))
    elif isinstance(value, RefusedScalar):
        yield location, f"expected: {value.reason}; found {value.text!r}"
    elif isinstance(value, str) and (hidden := _hidden(value)):
        yield (
            location,
            (
                "expected text without control or invisible formatting characters (bidi "
                f"controls, zero-width); found U+{ord(hidden[1]):04X} at character {hidden[0] + 1}"
            ),
        )


def _shown(found: object) -> str:
    """A value as the curator wrote it: scalars as they are, a mapping or list by its size."""
    if isinstance(found, dict):
        return f"a mapping of {len(found)} field(s)"
    if isinstance(found, list):
        return f"a list of {len(found)} item(s)"
    return repr(found)


def _describe(error: ErrorDetails) -> str:
    """A pydantic error as 'expected ...; found ...', or a whole element's problem as it is."""
    found = error.get("input")
    if error["type"] == "missing":
        return "required field is missing"
    if error["type"] == "extra_forbidden":
        return "unknown field (not part of the record schema)"
    message = error["msg"].removeprefix("Value error, ").removeprefix("Input should be ")
    message = message.replace("String should match pattern", "text matching the pattern")
    if error["type"] == "value_error" and isinstance(found, dict | list):
        return message  # a check across fields or items; its message names the values
    shown = _shown(found)
    typed = error["type"] in ("int_type", "bool_type") or message == "a number"
    if typed and isinstance(found, str):
        shown += " (text: YAML 1.2 reads only plain decimals as numbers, true/false as booleans)"
    return f"expected: {message}; found {shown}"


def read_seed(path: Path) -> bytes:
    """The bytes of a seed: a regular file of at most MAX_SEED_BYTES that resolves inside its
    own directory (a link pointing elsewhere is refused, naming the link); OSError otherwise."""
    return read_inside(path, path.parent, MAX_SEED_BYTES)


def _yaml_error(name: str, exc: yaml.YAMLError) -> RecordError:
    """A YAML error at its line and column, without the file's text PyYAML quotes."""
    if not isinstance(exc, yaml.MarkedYAMLError):
        return RecordError(name, "", f"YAML syntax error: {exc}".replace("\n", " "))
    mark = exc.problem_mark or exc.context_mark
    what = "; ".join(str(part) for part in (exc.context, exc.problem) if part)
    line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
    return RecordError(name, "", f"YAML syntax error: {what}", line, column)


def _compose(text: str) -> tuple[Any, yaml.Node | None]:
    """The document's value and its node tree (the tree keeps each value's line and column):
    by libyaml when it is there and the text has no character the pure reader refuses; any
    error (and every read without libyaml) comes from the pure loader, so its text is the same."""
    if _CParser is not None and not yaml.reader.Reader.NON_PRINTABLE.search(text):
        try:
            return _compose_with(_FastSeedLoader, text)
        except yaml.YAMLError:
            pass  # reported below, as the pure loader words it
    return _compose_with(_SeedLoader, text)


def _compose_with(
    kind: type[_SeedLoader] | type[_FastSeedLoader], text: str
) -> tuple[Any, yaml.Node | None]:
    loader = kind(text)
    try:
        node = loader.get_single_node()
        return (None if node is None else loader.construct_document(node)), node
    finally:
        loader.dispose()


def parse_seed(path: Path) -> tuple[Any, SourceMap, list[RecordError]]:
    """Read one file's YAML and where each value is, refusing oversized, non-UTF-8, empty or
    unsafe content."""
    name = display_path(path)
    empty = SourceMap(name)
    try:
        raw = read_seed(path)
    except OSError as exc:
        return None, empty, [RecordError(name, "", exc.strerror or str(exc))]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, empty, [RecordError(name, "", f"expected UTF-8 text; byte {exc.start} is not")]
    try:
        data, node = _compose(text)
    except yaml.YAMLError as exc:
        return None, empty, [_yaml_error(name, exc)]
    if data is None or node is None:
        return None, empty, [RecordError(name, "", "file is empty; expected a publication record")]
    if not isinstance(data, dict):
        found = _shown(data) if isinstance(data, list) else repr(data)
        return (
            None,
            empty,
            [
                RecordError(
                    name,
                    "",
                    f"expected a mapping at the top (a record's fields); found {found}",
                    1,
                    1,
                )
            ],
        )
    marks = source_map(name, node)
    return data, marks, [located(marks, where, what) for where, what in _scalar_problems(data)]


def load_record(
    path: Path, vocabulary: Vocabulary, sources_dir: Path | None = None
) -> tuple[PublicationRecord | None, list[RecordError]]:
    """Parse, type-check and reference-check one seed file; with `sources_dir`, check that the
    source files it names are there."""
    record, _, errors = _load_record(path, vocabulary, sources_dir)
    return record, errors


def _load_record(
    path: Path, vocabulary: Vocabulary, sources_dir: Path | None
) -> tuple[PublicationRecord | None, SourceMap, list[RecordError]]:
    data, marks, errors = parse_seed(path)
    if errors:
        return None, marks, errors
    try:
        record = PublicationRecord.model_validate(data)
    except ValidationError as exc:
        return None, marks, [located(marks, e["loc"], _describe(e)) for e in exc.errors()]
    problems = list(check_references(record, vocabulary))
    elements = {name: len(getattr(record, name)) for name in ELEMENT_KINDS}
    if sum(elements.values()) > MAX_ELEMENTS:
        problems.append(
            (
                max(elements, key=elements.__getitem__),
                (
                    f"expected at most {MAX_ELEMENTS} elements ({', '.join(ELEMENT_KINDS)}) in one "
                    f"record; found {sum(elements.values())}: split the record"
                ),
            )
        )
    if record.id != path.stem:
        problems.append(("id", f"expected the file name '{path.stem}'; found '{record.id}'"))
    if sources_dir is not None:
        shown = Path(display_path(sources_dir))
        problems += [
            (where, problem)
            for where, name in source_names(record)
            if (problem := file_problem(shown, name))
        ]
    return record, marks, [located(marks, where, what) for where, what in problems]


def scan_seeds(seeds_dir: Path) -> SeedScan:
    """The `*.yaml` entries of a directory; other YAML spellings and no seeds at all are errors."""
    entries = sorted(seeds_dir.iterdir())
    seeds = tuple(p for p in entries if p.suffix == SEED_SUFFIX)
    misnamed = [p for p in entries if p.suffix.lower() in YAML_SUFFIXES and p.suffix != SEED_SUFFIX]
    read = {*seeds, *misnamed}  # a set: a seeds directory may hold thousands
    errors = [
        RecordError(
            display_path(p),
            "",
            f"not read: a seed is a file named *{SEED_SUFFIX} (rename it to {p.stem}{SEED_SUFFIX})",
        )
        for p in misnamed
    ]
    if not seeds:
        errors.append(
            RecordError(
                display_path(seeds_dir),
                "",
                f"no seed files (*{SEED_SUFFIX}): refusing to build an empty graph",
            )
        )
    unread = [
        RecordError(
            display_path(p), "", f"Warning: not read (a seed is a file named *{SEED_SUFFIX})"
        )
        for p in entries
        if p not in read
    ]
    return SeedScan(seeds, tuple(errors), tuple(unread))


def _shared(records: Iterable[tuple[PublicationRecord, Path]]) -> Iterator[RecordError]:
    """A warning for each record whose DOI or source file an earlier record already has."""
    for where, key in (
        (("publication", "doi"), lambda r: (r.publication.doi or "").lower()),
        (("source_file",), lambda r: r.source_file),
    ):
        first: dict[str, str] = {}
        for record, path in records:
            value, name = key(record), display_path(path)
            if value and value in first:
                marks = parse_seed(path)[1]  # a few warnings: the file is read again
                yield located(marks, where, f"Warning: {value} is also in {first[value]}")
            first.setdefault(value, name)


def load_result(
    records: Iterable[tuple[PublicationRecord, Path]], errors: Iterable[RecordError]
) -> LoadResult:
    """The records that loaded, each with its seed file, and the errors of all files: with
    the warnings of records sharing a DOI or source file, and the records' source maps."""
    kept = list(records)
    return LoadResult(
        tuple(record for record, _ in kept),
        tuple(errors),
        tuple(_shared(kept)),
        SeedMaps({record.id: path for record, path in kept}),
    )


def load_seeds(
    paths: Iterable[Path], vocabulary: Vocabulary, sources_dir: Path | None = None
) -> LoadResult:
    """Load every seed, reporting all errors of all files in one pass; with `sources_dir`, a
    source file a record names and the directory lacks is an error.

    >>> from rdflib import Graph
    >>> from il2kg.paths import ONTOLOGY_FILE, SEEDS_DIR
    >>> from il2kg.records.vocabulary import vocabulary_from
    >>> vocabulary = vocabulary_from(Graph().parse(ONTOLOGY_FILE))
    >>> loaded = load_seeds(scan_seeds(SEEDS_DIR).seeds, vocabulary)
    >>> loaded.errors, loaded.records[0].id
    ((), 'atkins-1999')
    >>> import tempfile
    >>> seed = Path(tempfile.mkdtemp()) / "x-2024.yaml"
    >>> _ = seed.write_text("id: x-2024\\nlabel: X 2024\\n", encoding="utf-8")
    >>> broken = load_seeds([seed], vocabulary)
    >>> broken.records, broken.errors[0].path, broken.errors[0].message
    ((), 'source_file', 'required field is missing')
    """
    records: list[tuple[PublicationRecord, Path]] = []
    errors: list[RecordError] = []
    for path in paths:
        record, problems = load_record(path, vocabulary, sources_dir)
        errors.extend(problems)
        if record is not None and not problems:
            records.append((record, path))
    return load_result(records, errors)
