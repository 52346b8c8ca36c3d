"""A query result for people (an aligned table, prefixed Turtle) or programs (CSV, TSV, JSON)."""

from __future__ import annotations

import io
import re

from pyoxigraph import (
    Literal,
    NamedNode,
    QueryResultsFormat,
    RdfFormat,
    Triple,
    parse_query_results,
    serialize,
)

from il2kg.iris import compact
from il2kg.query.result import Form, QueryError, Result, Row, Term
from il2kg.query.tabular import write_csv, write_tsv

OUTPUT_FORMATS = ("table", "csv", "tsv", "json")
READABLE_LOCAL = re.compile(r"[\w./-]*")  # a CURIE that reads well in a table


def format_result(result: Result, output: str, *, prefixes: dict[str, str]) -> str:
    """A result for people (`table`) or programs (`csv`, `tsv`, `json`).

    >>> from pyoxigraph import Store
    >>> from il2kg.query.run import run_local
    >>> result = run_local(Store(), "SELECT ?n ?w WHERE { VALUES (?n ?w) { (2 '=1+1') } }")
    >>> print(format_result(result, "table", prefixes={}))
    n | w
    --+-----
    2 | =1+1
    (1 row)
    >>> format_result(result, "csv", prefixes={}).splitlines()  # shown, never run
    ['n,w', "2,'=1+1"]
    """
    if output not in OUTPUT_FORMATS:
        choices = ", ".join(OUTPUT_FORMATS)
        raise QueryError(f"unknown output format '{output}'; choose one of {choices}")
    if result.form is Form.TRIPLES:
        if output == "json":
            return _text(serialize(result.triples, format=RdfFormat.JSON_LD))
        if output == "table":
            return _text(turtle(result, prefixes=prefixes))
        return _text(result.payload)
    if output == "json":
        return _text(result.payload)
    if output in ("csv", "tsv"):  # cells a spreadsheet would run are marked (query.tabular)
        parsed = parse_query_results(result.payload, format=QueryResultsFormat.JSON)
        buffer = io.BytesIO()
        (write_csv if output == "csv" else write_tsv)(parsed, buffer)
        return _text(buffer.getvalue())
    if result.form is Form.BOOLEAN:
        return "true" if result.boolean else "false"
    return table(result.variables, result.rows, prefixes=prefixes)


def _text(data: bytes | None) -> str:
    return (data or b"").decode("utf-8").rstrip("\n")


def turtle(result: Result, *, prefixes: dict[str, str]) -> bytes:
    """A graph result as Turtle, its triples sorted, with the prefixes its IRIs use."""
    triples = sorted(result.triples, key=str)
    used = used_prefixes(triples, prefixes)
    return serialize(triples, format=RdfFormat.TURTLE, prefixes=used) or b""


def used_prefixes(triples: list[Triple], prefixes: dict[str, str]) -> dict[str, str]:
    """The prefixes whose namespace starts an IRI (or a datatype) of the triples."""
    terms = [term for t in triples for term in (t.subject, t.predicate, t.object)]
    terms += [term.datatype for term in terms if isinstance(term, Literal)]
    iris = {term.value for term in terms if isinstance(term, NamedNode)}
    return {p: ns for p, ns in sorted(prefixes.items()) if any(i.startswith(ns) for i in iris)}


def table(variables: tuple[str, ...], rows: list[Row], *, prefixes: dict[str, str]) -> str:
    """Solutions as an aligned text table, IRIs shortened with the published prefixes."""
    cells = [[short(v, prefixes) for v in row] for row in rows]
    widths = [max([len(name)] + [len(r[i]) for r in cells]) for i, name in enumerate(variables)]

    def line(values: list[str] | tuple[str, ...]) -> str:
        return " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    rule = "-+-".join("-" * w for w in widths)
    count = f"({len(rows)} row{'' if len(rows) == 1 else 's'})"
    return "\n".join([line(variables), rule, *(line(r) for r in cells), count])


def short(term: Term | None, prefixes: dict[str, str]) -> str:
    """A term as people read it: a CURIE or <IRI>, a literal's text (with a language tag)."""
    if term is None:
        return ""
    if isinstance(term, NamedNode):
        return compact(term.value, prefixes, READABLE_LOCAL) or f"<{term.value}>"
    if isinstance(term, Literal):
        return f"{term.value}@{term.language}" if term.language else term.value
    return str(term)
