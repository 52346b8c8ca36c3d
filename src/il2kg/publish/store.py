"""The hand-off from building to serving: the built named graphs in a pyoxigraph store.

Besides the build (`dist/il2kg.nq`) and any extra files, a store holds the example queries
as data, SIB sparql-examples style, in the named graph `.../graph/examples`.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import tempfile
import traceback
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store, serialize
from rdflib import Graph

from il2kg.iris import EXAMPLE_BASE, EXAMPLES_GRAPH
from il2kg.publish.artifacts import build_dir, point, staging
from il2kg.query.examples import Example, load_examples
from il2kg.query.lexer import query_form

QUAD_FORMATS = {RdfFormat.N_QUADS, RdfFormat.TRIG}
EXAMPLES = NamedNode(str(EXAMPLES_GRAPH))
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SH = "http://www.w3.org/ns/shacl#"
SCHEMA = "https://schema.org/"
TEXT_PROPERTY = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "construct", "DESCRIBE": "describe"}
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
            raise ValueError(f"{path}: entity '{name.decode(errors='replace')}' is external "
                             "or a parameter entity; external entities are never loaded: "
                             "write its text into the file instead")
        values[name] = value[1:-1]
    sizes: dict[bytes, int] = {}

    def size(name: bytes, depth: int) -> int:
        if name not in values:  # predefined (&amp;) or undeclared: the parser says so
            return 0
        if depth > MAX_ENTITY_DEPTH:
            raise ValueError(f"{path}: entities nest deeper than {MAX_ENTITY_DEPTH} levels "
                             "or refer to themselves")
        if name not in sizes:
            sizes[name] = len(values[name]) + sum(
                size(ref, depth + 1) for ref in ENTITY_REFERENCE.findall(values[name]))
        return sizes[name]

    if values and sum(size(ref, 0) for ref in ENTITY_REFERENCE.findall(text)) > limit:
        raise ValueError(f"{path}: its entities expand to more than {limit} characters "
                         "(an entity bomb?); write the text out instead")


def load_file(store: Store, path: Path) -> None:
    """Load one RDF file; a triple format goes into a graph named after the file.

    Nothing outside the file is read: XML entities are checked first (`check_entities`) and
    JSON-LD remote contexts are refused by the parser."""
    fmt = RdfFormat.from_extension(path.suffix.lstrip("."))
    if fmt is None:
        raise ValueError(f"{path}: unknown RDF format for extension '{path.suffix}'")
    if fmt == RdfFormat.RDF_XML:
        check_entities(path)
    to_graph = None if fmt in QUAD_FORMATS else extra_graph_name(path)
    try:
        store.bulk_load(path=path, format=fmt, to_graph=to_graph)
    except SyntaxError as exc:
        hint = "; remote contexts are never fetched: inline the context" if (
            "remote context" in str(exc)) else ""
        raise ValueError(f"{path}: not valid {fmt.name}: {exc}{hint}") from exc


def example_quads(examples: Iterable[Example]) -> list[Quad]:
    """The example queries as SHACL SPARQL executables in the examples graph."""
    quads = []
    for example in examples:
        form = query_form(example.text)
        if form is None:
            raise ValueError(f"{example.path}: no SELECT, ASK, CONSTRUCT or DESCRIBE found")
        node = NamedNode(EXAMPLE_BASE + example.name)
        triples = [
            (RDF_TYPE, NamedNode(SH + "SPARQLExecutable")),
            (RDF_TYPE, NamedNode(f"{SH}SPARQL{form.capitalize()}Executable")),
            (NamedNode(RDFS + "label"), Literal(example.summary, language="en")),
            (NamedNode(RDFS + "comment"),
             Literal(example.description or example.summary, language="en")),
            (NamedNode(SH + TEXT_PROPERTY[form]), Literal(example.text)),
        ]
        triples += [(NamedNode(SCHEMA + "keywords"), Literal(k)) for k in example.keywords]
        quads += [Quad(node, p, o, EXAMPLES) for p, o in triples]
    return quads


def fill(store: Store, dist: Path, *, extra: Sequence[Path] = (),
         queries_dir: Path | None = None) -> Store:
    """Load the build in `dist` (its N-Quads), any extra files and the example queries."""
    quads = dist / "il2kg.nq"
    if not quads.is_file():
        raise FileNotFoundError(f"{quads} not found; run `il2kg build` first")
    store.bulk_load(path=quads, format=RdfFormat.N_QUADS)
    for path in extra:
        load_file(store, path)
    if queries_dir is not None:  # these examples replace the build's
        store.clear_graph(EXAMPLES)
        store.bulk_extend(example_quads(load_examples(queries_dir)))
    return store


def examples_graph(queries_dir: Path) -> Graph:
    """The examples graph of a queries directory, as the build publishes it in il2kg.nq."""
    triples = [q.triple for q in example_quads(load_examples(queries_dir))]
    return Graph().parse(data=serialize(triples, format=RdfFormat.N_TRIPLES), format="nt")


def open_store(dist: Path, *, extra: Sequence[Path] = (), queries_dir: Path | None = None) -> Store:
    """An in-memory store with the build in `dist`, any extra files and example queries."""
    return fill(Store(), dist, extra=extra, queries_dir=queries_dir)


@contextmanager
def interrupts_deferred() -> Iterator[Callable[[], None]]:
    """Hold SIGINT and SIGTERM until `resume()` or the end of the block, so that a temporary
    directory never exists without the code that removes it."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})

    def resume() -> None:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)

    try:
        yield resume
    finally:
        resume()


def build_store(path: Path, dist: Path, *, extra: Sequence[Path] = (),
                queries_dir: Path | None = None) -> Path:
    """Write an on-disk store at `path` (which must not exist yet or be empty), all or
    nothing: it is built in a directory beside `path` and renamed into place when complete."""
    if path.exists() and any(path.iterdir()):
        raise FileExistsError(f"{path} is not empty; give a new directory for the store")
    path.parent.mkdir(parents=True, exist_ok=True)
    with interrupts_deferred() as resume:
        work = Path(tempfile.mkdtemp(prefix=f".{path.name}-", dir=path.parent))
        store = None
        try:
            resume()
            store = fill(Store(str(work)), dist, extra=extra, queries_dir=queries_dir)
            store.flush()
            store.optimize()
            store = None
            os.replace(work, path)
        except BaseException as exc:  # an interrupt too: close the half-built store, remove it
            store = None
            traceback.clear_frames(exc.__traceback__)
            shutil.rmtree(work, ignore_errors=True)
            raise
    return path


def publish_store(out: Path, dist: Path, *, queries_dir: Path | None = None) -> Path:
    """Build an on-disk store beside `out`, then point `out` at it atomically."""
    target = build_dir(out, uuid.uuid4().hex[:16])
    with staging(out) as work:
        build_store(work, dist, queries_dir=queries_dir)
        work.rename(target)
    return point(out, target)
