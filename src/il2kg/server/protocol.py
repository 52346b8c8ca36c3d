"""SPARQL 1.1 Protocol requests: read the query and its dataset from GET or POST."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
READ_ONLY = "this endpoint is read-only: SPARQL updates are refused"


class ProtocolError(Exception):
    """A request that breaks the protocol: an HTTP status and a message for the client."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status, self.message = status, message


@dataclass(frozen=True)
class QueryRequest:
    """A query request: the query (None when absent) and its RDF dataset."""

    query: str | None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    format: str | None = None


def parse_content_type(content_type: str) -> tuple[str, str | None]:
    """A Content-Type's media type and charset parameter.

    >>> parse_content_type('application/x-www-form-urlencoded; charset="UTF-8"')
    ('application/x-www-form-urlencoded', 'utf-8')
    """
    media, *params = (p.strip() for p in content_type.split(";"))
    charset = next(
        (p.split("=", 1)[1].strip('"').lower() for p in params if p.lower().startswith("charset=")),
        None,
    )
    return media.lower(), charset


def _decode(body: bytes, charset: str | None) -> str:
    if charset not in (None, "utf-8", "utf8"):
        raise ProtocolError(415, f"charset {charset} is not supported; send UTF-8")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"the body is not valid UTF-8: {exc}") from exc


def _params(pairs: list[tuple[str, str]], query: str | None = None) -> QueryRequest:
    """Build the request from parameters; a query given in the body comes as `query`."""
    names = [name for name, _ in pairs]
    if "update" in names:
        raise ProtocolError(403, READ_ONLY)
    queries = [value for name, value in pairs if name == "query"]
    if query is not None:
        queries.append(query)
    if len(queries) > 1:
        raise ProtocolError(400, "give exactly one query (several were sent)")
    if queries and not queries[0].strip():
        raise ProtocolError(400, "the query is empty")
    formats = [value for name, value in pairs if name == "format"]
    return QueryRequest(
        query=queries[0].removeprefix("\ufeff") if queries else None,  # a BOM is no syntax
        default_graphs=tuple(v for n, v in pairs if n == "default-graph-uri"),
        named_graphs=tuple(v for n, v in pairs if n == "named-graph-uri"),
        format=formats[0] if formats else None,
    )


def form_pairs(text: str) -> list[tuple[str, str]]:
    """The name-value pairs of `application/x-www-form-urlencoded` text (or a URL's query
    string): what `parse_qsl(text, keep_blank_values=True, errors="strict")` gives, faster
    (a part without `%` or `+` is taken as it is); UnicodeDecodeError when an escape is not
    UTF-8.

    >>> form_pairs("query=ASK%20%7B%7D&format=json&x")
    [('query', 'ASK {}'), ('format', 'json'), ('x', '')]
    """
    pairs = []
    for part in text.split("&"):
        if part:
            name, _, value = part.partition("=")
            pairs.append((_unquote(name), _unquote(value)))
    return pairs


def _unquote(text: str) -> str:
    if "%" not in text and "+" not in text:
        return text
    return unquote_to_bytes(text.replace("+", " ")).decode("utf-8")


def url_params(query_string: str) -> list[tuple[str, str]]:
    """The parameters of a URL's query string; 400 when they are not UTF-8."""
    try:
        return form_pairs(query_string)
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"the query string is not valid UTF-8: {exc}") from exc


def read_request(
    method: str, params: list[tuple[str, str]], content_type: str, body: bytes
) -> QueryRequest:
    """Read a protocol request from its parts; raise ProtocolError with the status the
    protocol asks for."""
    if method in ("GET", "HEAD"):
        return _params(params)
    media, charset = parse_content_type(content_type)
    if media == UPDATE:
        raise ProtocolError(403, READ_ONLY)
    if media not in (FORM, QUERY):
        raise ProtocolError(415, f"POST a query as {FORM} or {QUERY}, not '{media or 'nothing'}'")
    text = _decode(body, charset)
    if media == QUERY:
        if any(name == "query" for name, _ in params):
            raise ProtocolError(400, "give the query either in the body or in the URL, not both")
        return _params(params, query=text)
    try:
        form = form_pairs(text)
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"the form is not valid UTF-8: {exc}") from exc
    result = _params(form + [(n, v) for n, v in params if n == "format"])
    if result.query is None:
        raise ProtocolError(400, "the form has no 'query' field")
    return result


PREFIX_NOT_FOUND = re.compile(r"^syntax error: error at (\d+):(\d+): .*Prefix not found", re.DOTALL)
PREFIXED = re.compile(r"([A-Za-z][\w.-]*)?:[^\s:]*$")


def explain(message: str, query: str, known: Mapping[str, str]) -> str:
    """The parser's message, or for an unknown prefix one line naming it and the known ones."""
    where = PREFIX_NOT_FOUND.match(message)
    if where is None:
        return message
    line, column = int(where.group(1)), int(where.group(2))
    lines = query.splitlines() or [""]
    before = lines[min(line, len(lines)) - 1][: column - 1]
    name = PREFIXED.search(before)
    prefix = f"'{name.group(1) or ''}:'" if name else "a prefix"
    return (
        f"unknown prefix {prefix} at line {line}, column {column}: declare it with PREFIX "
        f"or use a known one ({', '.join(sorted(known))})"
    )
