"""Extra RDF files a store loads beside the build (`il2kg serve --extra`, `il2kg query
--extra`): each into a graph named after it, nothing outside the file ever read."""

from __future__ import annotations

import re
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Store

from il2kg.errors import UsageError

QUAD_FORMATS = {RdfFormat.N_QUADS, RdfFormat.TRIG}
ENTITY_DECLARATION = re.compile(rb"<!ENTITY\s+(%\s*)?([^\s%>]+)\s+(\"[^\"]*\"|'[^']*'|[^\s>]+)")
ENTITY_REFERENCE = re.compile(rb"&([^\s&;#]+);")
MAX_ENTITY_TEXT = 64_000_000  # characters entity references may add to an RDF/XML file
MAX_ENTITY_DEPTH = 32


def extra_graph_name(path: Path) -> NamedNode:
    """The named graph an extra data file is loaded into: its file IRI."""
    return NamedNode(path.absolute().as_uri())


def check_entities(path: Path, limit: int = MAX_ENTITY_TEXT) -> None:
    """Refuse XML declaring external or parameter entities, or whose entities expand past
    `limit` characters (an entity bomb): nothing outside the file is ever read."""
    text = path.read_bytes()
    values: dict[bytes, bytes] = {}
    for parameter, name, value in ENTITY_DECLARATION.findall(text):
        if parameter or value[:1] not in (b'"', b"'"):
            raise UsageError(
                f"{path}: entity '{name.decode(errors='replace')}' is external "
                "or a parameter entity; external entities are never loaded: "
                "write its text into the file instead"
            )
        values[name] = value[1:-1]
    sizes: dict[bytes, int] = {}

    def size(name: bytes, depth: int) -> int:
        if name not in values:  # predefined (&amp;) or undeclared: the parser says so
            return 0
        if depth > MAX_ENTITY_DEPTH:
            raise UsageError(
                f"{path}: entities nest deeper than {MAX_ENTITY_DEPTH} levels "
                "or refer to themselves"
            )
        if name not in sizes:
            sizes[name] = len(values[name]) + sum(
                size(ref, depth + 1) for ref in ENTITY_REFERENCE.findall(values[name])
            )
        return sizes[name]

    if values and sum(size(ref, 0) for ref in ENTITY_REFERENCE.findall(text)) > limit:
        raise UsageError(
            f"{path}: its entities expand to more than {limit} characters "
            "(an entity bomb?); write the text out instead"
        )


def load_file(store: Store, path: Path) -> None:
    """Load one RDF file; a triple format goes into a graph named after the file.

    Nothing outside the file is read: XML entities are checked first (`check_entities`) and
    JSON-LD remote contexts are refused by the parser."""
    fmt = RdfFormat.from_extension(path.suffix.lstrip("."))
    if fmt is None:
        raise UsageError(f"{path}: unknown RDF format for extension '{path.suffix}'")
    if fmt == RdfFormat.RDF_XML:
        check_entities(path)
    to_graph = None if fmt in QUAD_FORMATS else extra_graph_name(path)
    try:
        store.bulk_load(path=path, format=fmt, to_graph=to_graph)
    except SyntaxError as exc:
        hint = (
            "; remote contexts are never fetched: inline the context"
            if ("remote context" in str(exc))
            else ""
        )
        raise UsageError(f"{path}: not valid {fmt.name}: {exc}{hint}") from exc
