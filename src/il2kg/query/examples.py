"""The example queries of `queries/`: their headers, and the queries as RDF (SIB style).

Each `queries/<name>.rq` starts with header lines `#+ key: value` (summary, description,
keywords, competency), then the SPARQL text. `<name>.srj` (SELECT/ASK) or `<name>.ttl`
(CONSTRUCT/DESCRIBE) beside it holds the expected result.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, serialize
from rdflib import Graph

from il2kg.errors import UsageError
from il2kg.iris import EXAMPLE_BASE, EXAMPLES_GRAPH
from il2kg.query.lexer import query_form

NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
HEADER = re.compile(r"^#\+\s*([a-z_-]+)\s*:\s*(.*)$")
EXAMPLES = NamedNode(str(EXAMPLES_GRAPH))
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SH = "http://www.w3.org/ns/shacl#"
SCHEMA = "https://schema.org/"
TEXT_PROPERTY = {"SELECT": "select", "ASK": "ask", "CONSTRUCT": "construct", "DESCRIBE": "describe"}


@dataclass(frozen=True)
class Example:
    """One example query with its header."""

    name: str
    path: Path
    text: str
    summary: str
    description: str = ""
    keywords: tuple[str, ...] = ()
    competency: tuple[str, ...] = ()
    header: dict[str, str] = field(default_factory=dict)


def parse_example(path: Path) -> Example:
    """Read one .rq file; its name must be kebab-case and its header must have a summary."""
    if not NAME.match(path.stem):
        raise UsageError(f"{path}: query names are lower-case words joined by '-'")
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    for line in text.splitlines():
        match = HEADER.match(line)
        if match:
            key, value = match.groups()
            header[key] = f"{header[key]} {value}".strip() if key in header else value.strip()
        elif line.strip() and not line.startswith("#"):
            break
    if not header.get("summary"):
        raise UsageError(f"{path}: the header needs a '#+ summary:' line stating the question")
    split = lambda key: tuple(v.strip() for v in header.get(key, "").split(",") if v.strip())  # noqa: E731
    return Example(
        name=path.stem,
        path=path,
        text=text,
        summary=header["summary"],
        description=header.get("description", ""),
        keywords=split("keywords"),
        competency=split("competency"),
        header=header,
    )


def load_examples(queries_dir: Path) -> list[Example]:
    """Every example query of a directory, sorted by name."""
    return [parse_example(p) for p in sorted(queries_dir.glob("*.rq"))]


def example_quads(examples: Iterable[Example]) -> list[Quad]:
    """The example queries as SHACL SPARQL executables in the examples graph."""
    quads = []
    for example in examples:
        form = query_form(example.text)
        if form is None:
            raise UsageError(f"{example.path}: no SELECT, ASK, CONSTRUCT or DESCRIBE found")
        node = NamedNode(EXAMPLE_BASE + example.name)
        triples: list[tuple[NamedNode, NamedNode | Literal]] = [
            (RDF_TYPE, NamedNode(SH + "SPARQLExecutable")),
            (RDF_TYPE, NamedNode(f"{SH}SPARQL{form.capitalize()}Executable")),
            (NamedNode(RDFS + "label"), Literal(example.summary, language="en")),
            (
                NamedNode(RDFS + "comment"),
                Literal(example.description or example.summary, language="en"),
            ),
            (NamedNode(SH + TEXT_PROPERTY[form]), Literal(example.text)),
        ]
        triples += [(NamedNode(SCHEMA + "keywords"), Literal(k)) for k in example.keywords]
        quads += [Quad(node, p, o, EXAMPLES) for p, o in triples]
    return quads


def examples_graph(queries_dir: Path) -> Graph:
    """The examples graph of a queries directory, as the build publishes it in il2kg.nq."""
    triples = [q.triple for q in example_quads(load_examples(queries_dir))]
    return Graph().parse(data=serialize(triples, format=RdfFormat.N_TRIPLES), format="nt")
