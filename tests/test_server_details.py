"""Protocol details users hit: base IRI, published prefixes, HEAD, escapes, nesting, CORS,
Link headers and ontology terms, against a running endpoint."""

from __future__ import annotations

import httpx
import pytest
from pyoxigraph import NamedNode, RdfFormat, Store, parse

from il2kg.iris import IL2KG, RES, prefixes

QUERY = {"Content-Type": "application/sparql-query"}
TURTLE = {"Accept": "text/turtle"}


@pytest.fixture(scope="module")
def client(endpoint: str) -> httpx.Client:
    """An HTTP client for the endpoint."""
    with httpx.Client(base_url=endpoint, timeout=30) as c:
        yield c


@pytest.fixture(scope="module")
def resource_path(direct: Store) -> str:
    """The path of a cohort resource of the graph."""
    cohort = NamedNode(str(IL2KG) + "Cohort")
    rdf_type = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    subject = next(direct.quads_for_pattern(None, rdf_type, cohort)).subject
    return "/resource/" + subject.value[len(RES) :]


def ask_is_answered(client: httpx.Client) -> bool:
    """The endpoint still answers a trivial query (no worker was lost)."""
    return client.get("/sparql", params={"query": "ASK {}"}).json()["boolean"] is True


def test_relative_iris_resolve_against_the_resource_base(client: httpx.Client) -> None:
    response = client.post(
        "/sparql",
        content=b"CONSTRUCT { <s> <p> 1 } WHERE {}",
        headers={**QUERY, "Accept": "application/n-triples"},
    )
    assert response.status_code == 200, response.text
    (triple,) = parse(response.content, format=RdfFormat.N_TRIPLES)
    assert triple.subject == NamedNode(str(RES) + "s")


def test_a_base_in_the_query_wins(client: httpx.Client) -> None:
    query = b"BASE <http://example.org/> CONSTRUCT { <s> <p> 1 } WHERE {}"
    response = client.post(
        "/sparql", content=query, headers={**QUERY, "Accept": "application/n-triples"}
    )
    (triple,) = parse(response.content, format=RdfFormat.N_TRIPLES)
    assert triple.subject == NamedNode("http://example.org/s")


def test_published_prefixes_need_no_prefix_lines(client: httpx.Client) -> None:
    body = "SELECT ?c WHERE { ?c a il2kg:Cohort ; rdfs:label ?l } ORDER BY ?c"
    declared = f"PREFIX il2kg: <{prefixes()['il2kg']}>\nPREFIX rdfs: <{prefixes()['rdfs']}>\n{body}"
    bare = client.post("/sparql", content=body.encode(), headers=QUERY)
    full = client.post("/sparql", content=declared.encode(), headers=QUERY)
    assert bare.status_code == 200, bare.text
    assert bare.json()["results"]["bindings"] == full.json()["results"]["bindings"]
    assert bare.json()["results"]["bindings"]


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { ?s nope:thing ?o }",
        "SELECT * WHERE {\n  ?s a il2kg:Cohort .\n  ?s nope:thing ?o\n}",
    ],
)
def test_an_unknown_prefix_is_named_in_one_line(client: httpx.Client, query: str) -> None:
    response = client.post("/sparql", content=query.encode(), headers=QUERY)
    assert response.status_code == 400
    message = response.text.strip()
    assert "\n" not in message and "'nope:'" in message
    assert all(name in message for name in ("il2kg", "rdfs", "dcterms"))
    assert "\\u{" not in message  # no token dump


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/sparql",
        "/sparql?query=ASK%7B%7D",
        "/.well-known/void",
        "/queries",
        "/evidence",
        "/ontology/Cohort",
        "/resource/does-not-exist",
        "/static/index.html",
        "/no-such-route",
    ],
)
def test_head_answers_like_get_without_a_body(client: httpx.Client, path: str) -> None:
    get, head = client.get(path), client.head(path)
    assert head.status_code == get.status_code
    assert head.headers.get("content-type") == get.headers.get("content-type")
    assert head.content == b""


def test_head_on_a_resource(client: httpx.Client, resource_path: str) -> None:
    head = client.head(resource_path, headers=TURTLE)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"].startswith("text/turtle")


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ("\\U00110000" AS ?x) {}',
        "SELECT * WHERE { ?s <\\U00110000> ?o }",
        "SELECT * WHERE { ?s \\U00110000 ?o }",
        "\\UFFFFFFFF",
        'ASK { FILTER("\\uD800" = "a") }',
        'SELECT * WHERE { ?s ?p "\\u12" }',
        "SELECT ?\\U0010FFFF WHERE {}",
    ],
)
@pytest.mark.parametrize("how", ["get", "post"])
def test_bad_escapes_are_400(client: httpx.Client, query: str, how: str) -> None:
    if how == "get":
        response = client.get("/sparql", params={"query": query})
    else:
        response = client.post("/sparql", content=query.encode(), headers=QUERY)
    assert response.status_code == 400, response.text


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE " + "{" * 5_000 + "}" * 5_000,
        "ASK { FILTER(" + "(" * 5_000 + "1" + ")" * 5_000 + ") }",
        "ASK { FILTER(" + "!" * 10_000 + "true) }",
        "ASK { " + "<<( " * 1_500 + "<a> <b> <c>" + " )>>" * 1_500 + " <p> ?o }",
        "SELECT * WHERE " + "\\u007B" * 1_000 + "\\u007D" * 1_000,
    ],
)
def test_deep_nesting_is_400_and_loses_no_worker(client: httpx.Client, query: str) -> None:
    """Unchecked, 4,000 nested groups overflow the parser's stack and kill the worker."""
    response = client.post("/sparql", content=query.encode(), headers=QUERY)
    assert response.status_code == 400, response.text
    assert "levels deep" in response.text
    assert ask_is_answered(client)


def test_moderate_nesting_is_answered(client: httpx.Client) -> None:
    query = "SELECT * WHERE " + "{" * 100 + "}" * 100
    assert client.post("/sparql", content=query.encode(), headers=QUERY).status_code == 200


@pytest.mark.parametrize(
    "requested",
    [
        "content-type",
        "accept, content-type",
        "x-requested-with, content-type, accept",
        "authorization, content-type",
        "cache-control, pragma, if-none-match",
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_cors_preflights_of_common_clients(
    client: httpx.Client, requested: str, method: str
) -> None:
    response = client.options(
        "/sparql",
        headers={
            "Origin": "https://yasgui.triply.cc",
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": requested,
        },
    )
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == "*"
    allowed = response.headers["access-control-allow-headers"].lower()
    assert all(h.strip() in allowed for h in requested.split(","))
    assert method in response.headers["access-control-allow-methods"]


def test_cors_on_query_answers_and_errors(client: httpx.Client) -> None:
    origin = {"Origin": "https://example.org"}
    ok = client.post("/sparql", data={"query": "ASK {}"}, headers=origin)
    bad = client.post("/sparql", data={"query": "ASK {"}, headers=origin)
    assert ok.status_code == 200 and bad.status_code == 400
    assert ok.headers["access-control-allow-origin"] == "*"
    assert bad.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize("accept", ["text/html", "text/turtle"])
def test_resource_pages_link_their_rdf(
    client: httpx.Client, resource_path: str, accept: str
) -> None:
    response = client.get(resource_path, headers={"Accept": accept})
    assert response.status_code == 200
    assert 'rel="alternate"; type="text/turtle"' in response.headers["link"]
    for link in response.headers["link"].split(", "):
        url = link.split(">")[0].lstrip("<")
        media = link.split('type="')[1].rstrip('"')
        alternate = client.get(url)
        assert alternate.status_code == 200
        assert alternate.headers["content-type"].startswith(media)


def test_ontology_terms_dereference(client: httpx.Client, direct: Store) -> None:
    response = client.get("/ontology/Cohort", headers=TURTLE)
    assert response.status_code == 200, response.text
    triples = list(parse(response.content, format=RdfFormat.TURTLE))
    cohort = NamedNode(str(IL2KG) + "Cohort")
    label = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    assert any(t.subject == cohort and t.predicate == label for t in triples)
    html = client.get("/ontology/Cohort", headers={"Accept": "text/html"})
    assert html.status_code == 200 and "Cohort" in html.text
    assert client.get("/ontology/NoSuchTerm", headers=TURTLE).status_code == 404
