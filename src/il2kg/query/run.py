"""Run SPARQL queries on the embedded store or a remote endpoint; show, bless and compare results.

A `Result` is held as its canonical serialisation, made by pyoxigraph: SPARQL 1.1 JSON for
SELECT and ASK, N-Triples for CONSTRUCT and DESCRIBE. Every other form (a table, CSV, TSV, an
expected-result file, rows to compare) is read back from it with pyoxigraph's parsers.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from pyoxigraph import (
    BlankNode,
    CanonicalizationAlgorithm,
    Dataset,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Store,
    Triple,
    parse,
    parse_query_results,
    serialize,
)

from il2kg.iris import compact

Term = NamedNode | BlankNode | Literal | Triple
Row = tuple[Term | None, ...]
OUTPUT_FORMATS = ("table", "csv", "tsv", "json")
ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"
ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)
COMMENT = re.compile(r"^\s*#.*$", re.MULTILINE)
READABLE_LOCAL = re.compile(r"[\w./-]*")  # a CURIE that reads well in a table
XSD = "http://www.w3.org/2001/XMLSchema#"


class QueryError(ValueError):
    """A query that could not be run or answered; the message says why."""


class Form(Enum):
    """What a query returns: solutions (SELECT), a boolean (ASK) or a graph (CONSTRUCT/DESCRIBE)."""

    SELECT = "select"
    ASK = "ask"
    GRAPH = "graph"


@dataclass(frozen=True)
class Result:
    """A query result as its canonical serialisation (SPARQL JSON, or N-Triples for a graph)."""

    form: Form
    payload: bytes

    @property
    def variables(self) -> tuple[str, ...]:
        """The projected variables of a SELECT result, in order."""
        return tuple(json.loads(self.payload)["head"].get("vars", ()))

    @property
    def rows(self) -> list[Row]:
        """The solutions of a SELECT result, each a tuple of terms in variable order."""
        names = self.variables
        return [tuple(s[n] for n in names) for s in _solutions(self.payload)]

    @property
    def boolean(self) -> bool:
        """The answer of an ASK result."""
        return bool(json.loads(self.payload)["boolean"])

    @property
    def triples(self) -> list[Triple]:
        """The triples of a graph result."""
        return list(parse(self.payload, format=RdfFormat.N_TRIPLES))


def _solutions(payload: bytes) -> QuerySolutions:
    parsed = parse_query_results(payload, format=QueryResultsFormat.JSON)
    if not isinstance(parsed, QuerySolutions):
        raise QueryError("expected solutions, got a boolean result")
    return parsed


def from_answer(answer: QuerySolutions | QueryBoolean | QueryTriples) -> Result:
    """Capture what pyoxigraph returned, carrying the query form explicitly."""
    if isinstance(answer, QueryTriples):
        return Result(Form.GRAPH, answer.serialize(format=RdfFormat.N_TRIPLES) or b"")
    form = Form.ASK if isinstance(answer, QueryBoolean) else Form.SELECT
    return Result(form, answer.serialize(format=QueryResultsFormat.JSON) or b"")


def run_local(store: Store, text: str) -> Result:
    """Run a query on a store whose default graph is the union of its named graphs."""
    return from_answer(store.query(text, use_default_graph_as_union=True))


def run_remote(endpoint: str, text: str, *, timeout: float = 60.0) -> Result:
    """Run a query on a SPARQL 1.1 Protocol endpoint (HTTP POST of a form)."""
    body = urllib.parse.urlencode({"query": text}).encode()
    request = urllib.request.Request(endpoint, data=body, method="POST", headers={
        "Accept": ACCEPT, "Content-Type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            media_type = response.headers.get_content_type()
            content = response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace").strip()
        raise QueryError(f"{endpoint} answered {exc.code} {exc.reason}: {detail}") from exc
    except urllib.error.URLError as exc:
        raise QueryError(f"could not reach {endpoint}: {exc.reason}") from exc
    return _from_response(media_type, content)


def _from_response(media_type: str, content: bytes) -> Result:
    """A result from an HTTP response body, by its media type."""
    results_format = QueryResultsFormat.from_media_type(media_type)
    if results_format is not None:
        return from_parsed(parse_query_results(content, format=results_format))
    rdf_format = RdfFormat.from_media_type(media_type)
    if rdf_format is None:
        raise QueryError(f"the endpoint answered with an unsupported media type: {media_type}")
    return graph_result(parse(content, format=rdf_format))


def from_parsed(parsed: QuerySolutions | QueryBoolean) -> Result:
    """A SELECT or ASK result from parsed SPARQL results."""
    form = Form.ASK if isinstance(parsed, QueryBoolean) else Form.SELECT
    return Result(form, parsed.serialize(format=QueryResultsFormat.JSON) or b"")


def graph_result(triples: object) -> Result:
    """A graph result from parsed triples (or quads, whose graph names are dropped)."""
    plain = [t.triple if isinstance(t, Quad) else t for t in triples]  # type: ignore[attr-defined]
    return Result(Form.GRAPH, serialize(plain, format=RdfFormat.N_TRIPLES) or b"")


def read_expected(path: Path) -> Result:
    """An expected result: `.srj` (SPARQL JSON) or `.ttl` (a graph, in Turtle)."""
    if path.suffix == ".ttl":
        return graph_result(parse(path=path, format=RdfFormat.TURTLE))
    return from_parsed(parse_query_results(path=path, format=QueryResultsFormat.JSON))


def has_order_by(text: str) -> bool:
    """True when a query (comments aside) orders its solutions."""
    return bool(ORDER_BY.search(COMMENT.sub("", text)))


def expected_suffix(result: Result) -> str:
    """The file suffix of an expected result of this form."""
    return ".ttl" if result.form is Form.GRAPH else ".srj"


def blessed(result: Result, *, ordered: bool, prefixes: dict[str, str]) -> bytes:
    """A result as a reviewable expected-result file: indented JSON or prefixed Turtle.

    Rows of an unordered SELECT are sorted, so that re-blessing gives a stable diff.
    """
    if result.form is Form.GRAPH:
        triples = sorted(result.triples, key=str)
        used = used_prefixes(triples, prefixes)
        return serialize(triples, format=RdfFormat.TURTLE, prefixes=used) or b""
    document = json.loads(result.payload)
    if result.form is Form.SELECT and not ordered:
        document["results"]["bindings"].sort(key=lambda b: json.dumps(b, sort_keys=True))
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()


def used_prefixes(triples: list[Triple], prefixes: dict[str, str]) -> dict[str, str]:
    """The prefixes whose namespace starts an IRI (or a datatype) of the triples."""
    terms = [term for t in triples for term in (t.subject, t.predicate, t.object)]
    terms += [term.datatype for term in terms if isinstance(term, Literal)]
    iris = {term.value for term in terms if isinstance(term, NamedNode)}
    return {p: ns for p, ns in sorted(prefixes.items()) if any(i.startswith(ns) for i in iris)}


@dataclass(frozen=True)
class Difference:
    """How an actual result differs from the expected one; empty when they agree."""

    problems: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    unexpected: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.problems or self.missing or self.unexpected)

    def report(self) -> str:
        """The differences as text, one problem, missing row or unexpected row a line."""
        lines = list(self.problems)
        lines += [f"missing:    {row}" for row in self.missing]
        lines += [f"unexpected: {row}" for row in self.unexpected]
        return "\n".join(lines)


def compare(expected: Result, actual: Result, *, ordered: bool) -> Difference:
    """Compare: solutions as multisets (lists when ordered), booleans, graphs by isomorphism."""
    if expected.form is not actual.form:
        return Difference((f"expected a {expected.form.value} result, got {actual.form.value}",))
    if expected.form is Form.ASK:
        if expected.boolean == actual.boolean:
            return Difference()
        return Difference((f"expected {expected.boolean}, got {actual.boolean}",))
    if expected.form is Form.GRAPH:
        return _multiset_difference(_canonical(expected), _canonical(actual))
    if set(expected.variables) != set(actual.variables):
        problem = f"variables differ: expected {expected.variables}, got {actual.variables}"
        return Difference((problem,))
    names = expected.variables
    want = [_row_text(row, names) for row in _named_rows(expected)]
    got = [_row_text(row, names) for row in _named_rows(actual)]
    difference = _multiset_difference(want, got)
    if not difference and ordered and want != got:
        return Difference(("the same rows in a different order (the query has ORDER BY)",))
    return difference


def _named_rows(result: Result) -> list[dict[str, Term | None]]:
    """The solutions of a SELECT result as variable-to-term mappings."""
    return [dict(zip(result.variables, row, strict=True)) for row in result.rows]


def _row_text(row: dict[str, Term | None], names: tuple[str, ...]) -> str:
    """One solution as `var=term` pairs in the given variable order."""
    return " ".join(f"{n}={'UNBOUND' if row.get(n) is None else row[n]}" for n in names)


def _canonical(result: Result) -> list[str]:
    """The triples of a graph result with blank nodes renamed canonically, as N-Triples lines."""
    graph = DefaultGraph()
    dataset = Dataset(Quad(t.subject, t.predicate, t.object, graph) for t in result.triples)
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(str(q.triple) for q in dataset)


def _multiset_difference(want: list[str], got: list[str]) -> Difference:
    """Rows in `want` but not `got` (missing) and the reverse (unexpected), with multiplicity."""
    missing, unexpected = list(want), []
    for row in got:
        if row in missing:
            missing.remove(row)
        else:
            unexpected.append(row)
    return Difference((), tuple(missing), tuple(unexpected))


def render(result: Result, output: str, *, prefixes: dict[str, str]) -> str:
    """A result for people (`table`) or programs (`csv`, `tsv`, `json`)."""
    if output not in OUTPUT_FORMATS:
        choices = ", ".join(OUTPUT_FORMATS)
        raise QueryError(f"unknown output format '{output}'; choose one of {choices}")
    if result.form is Form.GRAPH:
        if output == "json":
            return _text(serialize(result.triples, format=RdfFormat.JSON_LD))
        if output == "table":
            return _text(blessed(result, ordered=False, prefixes=prefixes))
        return _text(result.payload)
    if output == "json":
        return _text(result.payload)
    if output in ("csv", "tsv"):
        results_format = QueryResultsFormat.CSV if output == "csv" else QueryResultsFormat.TSV
        parsed = parse_query_results(result.payload, format=QueryResultsFormat.JSON)
        return _text(parsed.serialize(format=results_format))
    if result.form is Form.ASK:
        return "true" if result.boolean else "false"
    return table(result.variables, result.rows, prefixes=prefixes)


def _text(data: bytes | None) -> str:
    return (data or b"").decode("utf-8").rstrip("\n")


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


def query_file(source: str, queries_dir: Path) -> Path:
    """The file of a query given as a path to a `.rq` file or as the name of an example query."""
    path = Path(source)
    if path.is_file():
        return path
    named = queries_dir / f"{source}.rq"
    if path.suffix != ".rq" and named.is_file():
        return named
    raise QueryError(f"no query file '{source}' and no example query of that name in {queries_dir}")


def bless(path: Path, result: Result, *, prefixes: dict[str, str]) -> Path:
    """Write `result` as the expected result beside the query file; remove a stale one."""
    target = path.with_suffix(expected_suffix(result))
    for suffix in (".srj", ".ttl"):
        if path.with_suffix(suffix) != target:
            path.with_suffix(suffix).unlink(missing_ok=True)
    ordered = has_order_by(path.read_text(encoding="utf-8"))
    target.write_bytes(blessed(result, ordered=ordered, prefixes=prefixes))
    return target
