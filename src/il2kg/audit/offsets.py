"""`il2kg audit --fix-offsets`: fill in each quote's `start` so curators need not count.

The seed file is edited as text (comments and layout kept): a quote whose words are not at
its `start` (or have none) gets the offset of their one occurrence in the source; a quote
whose words occur nowhere, or more than once away from its `start`, is left for the curator
to lengthen or correct, and named.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from il2kg.files import write_atomic
from il2kg.records.load import read_seed
from il2kg.records.sources import file_problem, occurrences, quote_end, read_source

QUOTE_LISTS = ("quotes", "not_curated")
QUOTE_KEYS = ("first_sentence", "last_sentence")  # one quote each (source_sentences)


@dataclass(frozen=True)
class Edit:
    """Replace text[begin:end] of the seed file with `text`."""

    begin: int
    end: int
    text: str


def _scalar(mapping: yaml.MappingNode, key: str) -> yaml.ScalarNode | None:
    return next(
        (v for k, v in mapping.value if k.value == key and isinstance(v, yaml.ScalarNode)), None
    )


def _quote_nodes(node: yaml.Node) -> Iterator[yaml.MappingNode]:
    """Every mapping inside a `quotes` or `not_curated` list, and every `first_sentence` or
    `last_sentence`, anywhere in the document."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value in QUOTE_LISTS and isinstance(value, yaml.SequenceNode):
                yield from (item for item in value.value if isinstance(item, yaml.MappingNode))
            elif key.value in QUOTE_KEYS and isinstance(value, yaml.MappingNode):
                yield value
            else:
                yield from _quote_nodes(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _quote_nodes(item)


def _edit(quote: yaml.MappingNode, start: int) -> Edit:
    """The edit setting a quote's `start`, replacing its value or adding the key before `text`."""
    if (old := _scalar(quote, "start")) is not None:
        return Edit(old.start_mark.index, old.end_mark.index, str(start))
    key = next(k for k, _ in quote.value if k.value == "text")
    spacing = ", " if quote.flow_style else "\n" + " " * key.start_mark.column
    return Edit(key.start_mark.index, key.start_mark.index, f"start: {start}{spacing}")


def fix_offsets(seed: Path, sources_dir: Path) -> tuple[int, list[str]]:
    """Rewrite `seed` with every quote's offset filled in: (quotes fixed, problems left)."""
    try:  # as validate reads it: inside its directory, bounded; never its text in an error
        text = read_seed(seed).decode("utf-8")
        document = yaml.compose(text, Loader=yaml.SafeLoader)
    except (OSError, ValueError, yaml.YAMLError):
        return 0, [f"{seed}: not read (`il2kg validate` says why)"]
    if not isinstance(document, yaml.MappingNode) or not (own := _scalar(document, "source_file")):
        return 0, [f"{seed}: no source_file"]
    edits: list[Edit] = []
    problems: list[str] = []
    for quote in _quote_nodes(document):
        words, start, other = (_scalar(quote, k) for k in ("text", "start", "source"))
        if words is None:
            continue
        name = (other or own).value
        if (problem := file_problem(sources_dir, name)) is not None:
            problems.append(f"{seed}:{quote.start_mark.line + 1}: {problem}")
            continue
        source = read_source(sources_dir, name)
        old = int(start.value) if start is not None and start.value.isdigit() else None
        if old is not None and quote_end(source, words.value, old) is not None:
            continue
        found = occurrences(source, words.value)
        if len(found) == 1:
            edits.append(_edit(quote, found[0]))
        else:
            where = f"at {found}; quote more words" if found else "nowhere in " + name
            problems.append(f"{seed}:{quote.start_mark.line + 1}: {words.value!r} occurs {where}")
    for edit in sorted(edits, key=lambda e: e.begin, reverse=True):
        text = text[: edit.begin] + edit.text + text[edit.end :]
    if edits:
        write_atomic(seed, text.encode("utf-8"))  # the curator's seed: whole or as it was
    return len(edits), problems
