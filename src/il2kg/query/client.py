"""The SPARQL 1.1 Protocol client: a query sent to an endpoint as a URL-encoded form POST.

The form is the one POST every store accepts (Virtuoso 7 does not answer a direct
`application/sparql-query` POST). Redirects are not followed: the query goes to the address
given and nowhere else. Failures are `QueryError`s carrying the endpoint's own text.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

import httpx

from il2kg.query.result import QueryError

FORM = "application/x-www-form-urlencoded"
DETAIL = 2000  # characters of an endpoint's error text kept in a message


def query_request(
    client: httpx.Client | httpx.AsyncClient,
    endpoint: str,
    text: str,
    *,
    accept: str,
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
) -> httpx.Request:
    """The POST of a query (and its dataset) as a form."""
    form = [("query", text)]
    form += [("default-graph-uri", g) for g in default_graphs]
    form += [("named-graph-uri", g) for g in named_graphs]
    return client.build_request(
        "POST",
        endpoint,
        content=urlencode(form).encode(),
        headers={"Content-Type": FORM, "Accept": accept},
    )


def unreachable(name: str, exc: httpx.HTTPError, timeout: float) -> QueryError:
    """The error for a request to the endpoint `name` (its URL, or what it is to the
    client) that got no answer: 503 when it timed out, else 502."""
    if isinstance(exc, httpx.TimeoutException):
        return QueryError(f"{name} did not answer within {timeout:g} s", 503)
    return QueryError(f"could not reach {name}: {exc}", 502)


def refused(name: str, response: httpx.Response, text: bytes) -> QueryError:
    """The error for an answer that is not a result, with the endpoint's text; a client
    error keeps its status, anything else is a bad gateway."""
    code = response.status_code
    detail = text.decode("utf-8", "replace").strip()[:DETAIL]
    status = code if 400 <= code < 500 else 502
    return QueryError(f"{name} answered {code} {response.reason_phrase}: {detail}", status)


def media_type(response: httpx.Response) -> str:
    """The media type of a response, without parameters."""
    return response.headers.get("content-type", "application/octet-stream").split(";")[0].strip()


def post_query(
    endpoint: str, text: str, *, accept: str, timeout: float = 60.0
) -> tuple[str, bytes]:
    """Send a query and wait for the whole answer: its media type and body."""
    with httpx.Client(timeout=timeout) as client:
        try:
            response = client.send(query_request(client, endpoint, text, accept=accept))
        except httpx.HTTPError as exc:
            raise unreachable(endpoint, exc, timeout) from exc
    if not response.is_success:
        raise refused(endpoint, response, response.content)
    return media_type(response), response.content
