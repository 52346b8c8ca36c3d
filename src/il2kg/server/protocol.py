"""SPARQL 1.1 Protocol requests: read the query and its dataset from GET or POST."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.requests import Request

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


def _media_type(request: Request) -> tuple[str, str | None]:
    """The Content-Type's media type and charset parameter."""
    value = request.headers.get("content-type", "")
    media, *params = (p.strip() for p in value.split(";"))
    charset = next((p.split("=", 1)[1].strip('"').lower() for p in params
                    if p.lower().startswith("charset=")), None)
    return media.lower(), charset


async def _body(request: Request, limit: int) -> bytes:
    """The request body, refused past `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ProtocolError(413, f"request body larger than {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ProtocolError(413, f"request body larger than {limit} bytes")
    return bytes(body)


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
        query=queries[0] if queries else None,
        default_graphs=tuple(v for n, v in pairs if n == "default-graph-uri"),
        named_graphs=tuple(v for n, v in pairs if n == "named-graph-uri"),
        format=formats[0] if formats else None,
    )


def _url_params(request: Request) -> list[tuple[str, str]]:
    try:
        return parse_qsl(request.url.query, keep_blank_values=True, strict_parsing=False,
                         encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"the query string is not valid UTF-8: {exc}") from exc


async def read_request(request: Request, max_body: int) -> QueryRequest:
    """Read a protocol request; raise ProtocolError with the status the protocol asks for."""
    url_params = _url_params(request)
    if request.method == "GET":
        return _params(url_params)
    media, charset = _media_type(request)
    if media == UPDATE:
        raise ProtocolError(403, READ_ONLY)
    if media not in (FORM, QUERY):
        raise ProtocolError(415, f"POST a query as {FORM} or {QUERY}, not '{media or 'nothing'}'")
    text = _decode(await _body(request, max_body), charset)
    if media == QUERY:
        if any(name == "query" for name, _ in url_params):
            raise ProtocolError(400, "give the query either in the body or in the URL, not both")
        return _params(url_params, query=text)
    try:
        form = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"the form is not valid UTF-8: {exc}") from exc
    result = _params(form + [(n, v) for n, v in url_params if n == "format"])
    if result.query is None:
        raise ProtocolError(400, "the form has no 'query' field")
    return result
