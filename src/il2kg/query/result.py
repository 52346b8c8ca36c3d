"""A query's result and its form, shared by the command line, the tests and the endpoint.

A `Result` is held as its canonical serialisation, made by pyoxigraph: SPARQL 1.1 JSON for
SELECT and ASK, N-Triples for CONSTRUCT and DESCRIBE. Every other form (a table, CSV, TSV, an
expected-result file, rows to compare) is read back from it with pyoxigraph's parsers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    QueryTriples,
    RdfFormat,
    Triple,
    parse,
    parse_query_results,
    serialize,
)

from il2kg.errors import UsageError

Term = NamedNode | BlankNode | Literal | Triple
Row = tuple[Term | None, ...]


class QueryError(UsageError):
    """A query that could not be run or answered: a message saying why, and the HTTP status
    an endpoint answers it with (and, for 503, the seconds after which to try again)."""

    def __init__(self, message: str, status: int = 400, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message, self.status, self.retry_after = message, status, retry_after

    def __str__(self) -> str:
        return self.message


class Form(Enum):
    """What a query returns: solutions (SELECT), a boolean (ASK) or triples (CONSTRUCT,
    DESCRIBE)."""

    SOLUTIONS = "solutions"
    BOOLEAN = "boolean"
    TRIPLES = "triples"


def text_rows(payload: bytes) -> list[dict[str, str]]:
    """The solutions of a SPARQL 1.1 JSON result, each variable's value as text (unbound:
    absent), read by the same parser as every other result.

    >>> text_rows(b'{"head": {"vars": ["g", "n"]}, "results": {"bindings": ['
    ...           b'{"g": {"type": "uri", "value": "https://w3id.org/il2kg/graph/data"}}]}}')
    [{'g': 'https://w3id.org/il2kg/graph/data'}]
    """
    solutions = _solutions(payload)
    names = [v.value for v in solutions.variables]
    return [{n: term.value for n in names if (term := row[n]) is not None} for row in solutions]


def form_of(answer: object) -> Form:
    """The form of a pyoxigraph answer (its type differs per form)."""
    if isinstance(answer, QuerySolutions):
        return Form.SOLUTIONS
    return Form.BOOLEAN if isinstance(answer, QueryBoolean) else Form.TRIPLES


@dataclass(frozen=True)
class Result:
    """A query result as its canonical serialisation (SPARQL JSON, or N-Triples for triples)."""

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
        return Result(Form.TRIPLES, answer.serialize(format=RdfFormat.N_TRIPLES) or b"")
    return from_parsed(answer)


def from_parsed(parsed: QuerySolutions | QueryBoolean) -> Result:
    """A SELECT or ASK result from parsed SPARQL results."""
    return Result(form_of(parsed), parsed.serialize(format=QueryResultsFormat.JSON) or b"")


def graph_result(triples: Iterable[Triple | Quad]) -> Result:
    """A graph result from parsed triples (or quads, whose graph names are dropped)."""
    plain = [t.triple if isinstance(t, Quad) else t for t in triples]
    return Result(Form.TRIPLES, serialize(plain, format=RdfFormat.N_TRIPLES) or b"")


def from_response(media_type: str, content: bytes) -> Result:
    """A result from an HTTP response body, by its media type."""
    results_format = QueryResultsFormat.from_media_type(media_type)
    if results_format is not None:
        return from_parsed(parse_query_results(content, format=results_format))
    rdf_format = RdfFormat.from_media_type(media_type)
    if rdf_format is None:
        raise QueryError(f"the endpoint answered with an unsupported media type: {media_type}")
    return graph_result(parse(content, format=rdf_format))
