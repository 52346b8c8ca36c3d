"""SPARQL 1.1 Protocol against a running endpoint, with httpx: one test per case."""

from __future__ import annotations

import csv
import io
import json

import httpx
import pytest
from pyoxigraph import NamedNode, RdfFormat, Store
from rdflib import Graph, Namespace, URIRef
from rdflib.compare import isomorphic

from .server_fixtures import EXAMPLES, listener

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
DATA = "https://w3id.org/il2kg/graph/data"
ONTOLOGY = "https://w3id.org/il2kg/graph/ontology"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
CONSTRUCT = (
    "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <https://w3id.org/il2kg/graph/data> "
    "{ ?s a <https://w3id.org/il2kg/ontology/Publication> ; ?p ?o } }"
)
PUBLICATIONS = EXAMPLES["publications"]


@pytest.fixture(scope="module")
def client(endpoint: str) -> httpx.Client:
    """An HTTP client for the endpoint."""
    with httpx.Client(base_url=endpoint, timeout=30) as c:
        yield c


def rows(response: httpx.Response) -> list[dict[str, str]]:
    """SPARQL JSON results as a list of {variable: value}."""
    assert response.status_code == 200, response.text
    data = response.json()
    return [{k: v["value"] for k, v in b.items()} for b in data["results"]["bindings"]]


def expected(store: Store, query: str, **dataset: object) -> list[dict[str, str]]:
    """What the store answers directly (default graph = union unless a dataset is given)."""
    solutions = store.query(query, **(dataset or {"use_default_graph_as_union": True}))
    names = [v.value for v in solutions.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]


def count(store: Store, **dataset: object) -> int:
    """The number of triples the store sees in a dataset."""
    return int(expected(store, COUNT, **dataset)[0]["n"])


def sort(items: list[dict[str, str]]) -> list[tuple]:
    return sorted(tuple(sorted(r.items())) for r in items)


def test_get_query_answers_json(client: httpx.Client, direct: Store) -> None:
    response = client.get("/sparql", params={"query": PUBLICATIONS})
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    got = rows(response)
    assert got and got == expected(direct, PUBLICATIONS)


def test_post_form(client: httpx.Client, direct: Store) -> None:
    response = client.post("/sparql", data={"query": PUBLICATIONS})
    assert rows(response) == expected(direct, PUBLICATIONS)


def test_post_sparql_query_body(client: httpx.Client, direct: Store) -> None:
    response = client.post(
        "/sparql",
        content=PUBLICATIONS.encode(),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert rows(response) == expected(direct, PUBLICATIONS)


def test_default_graph_is_union_of_named_graphs(client: httpx.Client, direct: Store) -> None:
    per_graph = sum(count(direct, default_graph=g) for g in direct.named_graphs())
    assert int(rows(client.get("/sparql", params={"query": COUNT}))[0]["n"]) == per_graph


def test_default_graph_uri(client: httpx.Client, direct: Store) -> None:
    response = client.get("/sparql", params={"query": COUNT, "default-graph-uri": ONTOLOGY})
    n = int(rows(response)[0]["n"])
    assert n == count(direct, default_graph=NamedNode(ONTOLOGY))
    assert 0 < n < count(direct, use_default_graph_as_union=True)


def test_named_graph_uri(client: httpx.Client) -> None:
    response = client.post(
        "/sparql",
        content=GRAPHS.encode(),
        params={"named-graph-uri": DATA},
        headers={"Content-Type": "application/sparql-query"},
    )
    assert rows(response) == [{"g": DATA}]


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv;q=0.5, text/tab-separated-values;q=0.9", "text/tab-separated-values"),
        ("text/*", "text/csv"),
        ("*/*", "application/sparql-results+json"),
        ("application/sparql-results+json;q=0, */*;q=0.1", "application/sparql-results+xml"),
    ],
)
def test_select_accept_negotiation(client: httpx.Client, accept: str, media: str) -> None:
    response = client.get("/sparql", params={"query": PUBLICATIONS}, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media
    assert "Accept" in response.headers["vary"]


def test_csv_and_tsv_rows_match_json(client: httpx.Client, direct: Store) -> None:
    want = sort(expected(direct, PUBLICATIONS))
    text = client.get("/sparql", params={"query": PUBLICATIONS, "format": "csv"}).text
    assert sort(list(csv.DictReader(io.StringIO(text)))) == want
    tsv = client.get("/sparql", params={"query": PUBLICATIONS, "format": "tsv"}).text
    header, *lines = tsv.splitlines()
    assert header.split("\t") == ["?publication", "?title"]
    assert len(lines) == len(want)


def test_ask_in_each_results_format(client: httpx.Client) -> None:
    ask = "ASK { ?s a <https://w3id.org/il2kg/ontology/Publication> }"
    assert client.get("/sparql", params={"query": ask}).json() == {"head": {}, "boolean": True}
    for fmt, marker in (("xml", "<boolean>true</boolean>"), ("csv", "true"), ("tsv", "true")):
        response = client.get("/sparql", params={"query": ask, "format": fmt})
        assert response.status_code == 200 and marker in response.text


@pytest.mark.parametrize(
    ("accept", "parser"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        ("application/n-quads", "nquads"),
        ("application/trig", "trig"),
    ],
)
def test_construct_in_each_rdf_format(
    client: httpx.Client, direct: Store, accept: str, parser: str
) -> None:
    response = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == accept
    got = Graph().parse(data=response.content, format=parser)
    nt = direct.query(CONSTRUCT).serialize(format=RdfFormat.N_TRIPLES)
    want = Graph().parse(data=nt, format="nt")
    assert len(got) > 0 and isomorphic(got, want)


@pytest.mark.parametrize(("name", "parser"), [("nq", "nquads"), ("trig", "trig")])
def test_describe_as_a_dataset_format(client: httpx.Client, name: str, parser: str) -> None:
    """The same answer as in N-Triples, its triples in the default graph."""
    describe = "DESCRIBE <https://w3id.org/il2kg/resource/atkins-1999>"
    response = client.get("/sparql", params={"query": describe, "format": name})
    assert response.status_code == 200, response.text
    got = Graph().parse(data=response.content, format=parser)
    nt = client.get("/sparql", params={"query": describe, "format": "nt"})
    want = Graph().parse(data=nt.content, format="nt")
    assert len(got) > 0 and isomorphic(got, want)


def test_406_when_no_format_fits(client: httpx.Client) -> None:
    response = client.get(
        "/sparql", params={"query": PUBLICATIONS}, headers={"Accept": "image/png"}
    )
    assert response.status_code == 406
    response = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": "text/csv"})
    assert response.status_code == 406


def test_format_parameter_overrides_accept(client: httpx.Client) -> None:
    response = client.get(
        "/sparql",
        params={"query": CONSTRUCT, "format": "jsonld"},
        headers={"Accept": "text/turtle"},
    )
    assert response.headers["content-type"].split(";")[0] == "application/ld+json"


def test_large_result_is_streamed(client: httpx.Client) -> None:
    with client.stream("GET", "/sparql", params={"query": "SELECT * { ?s ?p ?o }"}) as r:
        assert r.status_code == 200
        assert r.headers.get("transfer-encoding") == "chunked"
        assert sum(len(c) for c in r.iter_bytes()) > 0


def test_service_description(client: httpx.Client, direct: Store) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    service = URIRef(str(client.base_url.join("/sparql")))
    assert (service, SD.endpoint, service) in graph
    names = {str(n) for n in graph.objects(None, SD.name)}
    assert names == {g.value for g in direct.named_graphs()}


def test_page_for_a_browser(client: httpx.Client) -> None:
    response = client.get("/sparql", headers={"Accept": "text/html,application/xml;q=0.9"})
    assert response.status_code == 200 and "<textarea" in response.text


def test_void_counts(client: httpx.Client, direct: Store) -> None:
    response = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.text, format="turtle")
    dataset = URIRef("https://w3id.org/il2kg/dataset")
    assert graph.value(dataset, VOID.sparqlEndpoint) is not None  # the build's description
    subset = URIRef(DATA)
    assert int(graph.value(subset, VOID.triples)) == count(direct, default_graph=NamedNode(DATA))


def test_cors_preflight_and_simple_request(client: httpx.Client) -> None:
    origin = {"Origin": "https://example.org"}
    preflight = client.options(
        "/sparql",
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in preflight.headers
    simple = client.get("/sparql", params={"query": COUNT}, headers=origin)
    assert simple.headers["access-control-allow-origin"] == "*"


def test_example_queries_listed(client: httpx.Client) -> None:
    listed = client.get("/queries", headers={"Accept": "application/json"}).json()
    assert sorted(e["name"] for e in listed) == sorted(EXAMPLES)
    html = client.get("/queries", headers={"Accept": "text/html"}).text
    assert all(f"?example={name}" in html for name in EXAMPLES)


def test_examples_graph_is_sib_style(client: httpx.Client) -> None:
    query = """PREFIX sh: <http://www.w3.org/ns/shacl#>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    SELECT ?q ?text ?comment WHERE { GRAPH <https://w3id.org/il2kg/graph/examples> {
      ?q a sh:SPARQLExecutable, sh:SPARQLSelectExecutable ; sh:select ?text ;
         rdfs:comment ?comment } }"""
    got = rows(client.get("/sparql", params={"query": query}))
    assert sorted(r["text"] for r in got) == sorted(EXAMPLES.values())


def _a_resource(client: httpx.Client) -> str:
    return rows(client.get("/sparql", params={"query": PUBLICATIONS}))[0]["publication"]


def test_resource_html(client: httpx.Client) -> None:
    iri = _a_resource(client)
    path = iri.removeprefix("https://w3id.org/il2kg/resource/")
    response = client.get(f"/resource/{path}", headers={"Accept": "text/html"})
    assert response.status_code == 200 and iri in response.text


@pytest.mark.parametrize(
    ("accept", "parser"), [("text/turtle", "turtle"), ("application/ld+json", "json-ld")]
)
def test_resource_rdf(client: httpx.Client, accept: str, parser: str) -> None:
    iri = _a_resource(client)
    path = iri.removeprefix("https://w3id.org/il2kg/resource/")
    response = client.get(f"/resource/{path}", headers={"Accept": accept})
    assert response.headers["content-type"].split(";")[0] == accept
    graph = Graph().parse(data=response.text, format=parser)
    assert len(list(graph.predicate_objects(URIRef(iri)))) > 0


def test_unknown_resource_is_404(client: httpx.Client) -> None:
    assert client.get("/resource/no-such/thing").status_code == 404


# Error cases: each gets its 4xx and a message saying why.


def test_syntax_error_is_400_with_position(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert response.status_code == 400
    assert "syntax error" in response.text and "1:" in response.text
    assert "Traceback" not in response.text


def test_several_queries_is_400(client: httpx.Client) -> None:
    response = client.get("/sparql", params=[("query", COUNT), ("query", COUNT)])
    assert response.status_code == 400 and "one query" in response.text


def test_empty_query_is_400(client: httpx.Client) -> None:
    assert client.get("/sparql", params={"query": " "}).status_code == 400


def test_form_without_query_is_400(client: httpx.Client) -> None:
    assert client.post("/sparql", data={"default-graph-uri": DATA}).status_code == 400


def test_wrong_media_type_is_415(client: httpx.Client) -> None:
    response = client.post(
        "/sparql", content=COUNT.encode(), headers={"Content-Type": "text/plain"}
    )
    assert response.status_code == 415


def test_non_utf8_body_is_400(client: httpx.Client) -> None:
    response = client.post(
        "/sparql",
        content=b"SELECT * { ?s ?p \xff }",
        headers={"Content-Type": "application/sparql-query"},
    )
    assert response.status_code == 400 and "UTF-8" in response.text


def test_body_too_large_is_413(client: httpx.Client) -> None:
    big = "# " + "x" * 30_000 + "\n" + COUNT
    response = client.post(
        "/sparql", content=big.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 413


@pytest.mark.parametrize("how", ["post-update", "form-update", "get-update"])
def test_updates_are_refused(client: httpx.Client, direct: Store, how: str) -> None:
    update = "INSERT DATA { GRAPH <urn:x> { <urn:a> <urn:b> <urn:c> } }"
    before = count(direct, use_default_graph_as_union=True)
    if how == "post-update":
        response = client.post(
            "/sparql",
            content=update.encode(),
            headers={"Content-Type": "application/sparql-update"},
        )
    elif how == "form-update":
        response = client.post("/sparql", data={"update": update})
    else:
        response = client.get("/sparql", params={"update": update})
    assert response.status_code == 403 and "read-only" in response.text
    after = int(rows(client.get("/sparql", params={"query": COUNT}))[0]["n"])
    assert after == before


def test_update_as_query_is_400(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "form",
    [
        "SERVICE <{url}> {{ ?s ?p ?o }}",
        "SERVICE SILENT <{url}> {{ ?s ?p ?o }}",
        "\\u0053ERVICE <{url}> {{ ?s ?p ?o }}",
    ],
)
def test_service_is_refused_without_outbound_request(client: httpx.Client, form: str) -> None:
    with listener() as (url, received):
        query = "SELECT * WHERE { " + form.format(url=url) + " }"
        response = client.get("/sparql", params={"query": query})
    assert response.status_code == 403 and "SERVICE" in response.text
    assert received == []


def test_from_url_never_fetches(client: httpx.Client) -> None:
    with listener() as (url, received):
        query = f"SELECT * FROM <{url}> FROM NAMED <{url}/n> WHERE {{ ?s ?p ?o }}"
        response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200 and rows(response) == []
    assert received == []


def test_result_past_the_limit_is_cut_off(client: httpx.Client) -> None:
    query = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
    with (
        pytest.raises(httpx.RemoteProtocolError),
        client.stream("GET", "/sparql", params={"query": query}) as response,
    ):
        assert response.status_code == 200
        for _ in response.iter_bytes():
            pass


def test_json_errors_are_plain_text(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": "SELEC"})
    assert response.headers["content-type"].startswith("text/plain")
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)
