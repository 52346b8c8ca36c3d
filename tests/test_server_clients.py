"""Real SPARQL clients against a running endpoint: SPARQLWrapper in every format, SPARQLStore."""

from __future__ import annotations

import csv
import io

import pytest
from pyoxigraph import RdfFormat, Store
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from .server_fixtures import EXAMPLES

SELECT = EXAMPLES["publications"]
CONSTRUCT = """PREFIX il2kg: <https://w3id.org/il2kg/ontology/>
PREFIX dcterms: <http://purl.org/dc/terms/>
CONSTRUCT { ?p dcterms:title ?t } WHERE { ?p a il2kg:Publication ; dcterms:title ?t }"""


def wrapper(endpoint: str, query: str, fmt: str, method: str = "GET") -> SPARQLWrapper:
    """A SPARQLWrapper client for one query and return format."""
    client = SPARQLWrapper(f"{endpoint}/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    client.setMethod(method)
    client.setTimeout(30)
    return client


def titles(store: Store) -> set[tuple[str, str]]:
    """The (publication, title) pairs the store holds."""
    return {
        (s["publication"].value, s["title"].value)
        for s in store.query(SELECT, use_default_graph_as_union=True)
    }


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_json(endpoint: str, direct: Store, method: str) -> None:
    result = wrapper(endpoint, SELECT, JSON, method).queryAndConvert()
    got = {(b["publication"]["value"], b["title"]["value"]) for b in result["results"]["bindings"]}
    assert got and got == titles(direct)


def test_sparqlwrapper_xml(endpoint: str, direct: Store) -> None:
    document = wrapper(endpoint, SELECT, XML).queryAndConvert()
    results = document.getElementsByTagName("result")
    assert len(results) == len(titles(direct))


@pytest.mark.parametrize(("fmt", "delimiter"), [(CSV, ","), (TSV, "\t")])
def test_sparqlwrapper_csv_tsv(endpoint: str, direct: Store, fmt: str, delimiter: str) -> None:
    text = wrapper(endpoint, SELECT, fmt).queryAndConvert().decode()
    header, *lines = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    assert [h.lstrip("?") for h in header] == ["publication", "title"]
    assert len(lines) == len(titles(direct))


@pytest.mark.parametrize("fmt", [TURTLE, N3, JSONLD, RDFXML])
def test_sparqlwrapper_graph_formats(endpoint: str, direct: Store, fmt: str) -> None:
    got = wrapper(endpoint, CONSTRUCT, fmt).queryAndConvert()
    if not isinstance(got, Graph):
        got = Graph().parse(data=got, format={TURTLE: "turtle", N3: "n3"}.get(fmt, fmt))
    nt = direct.query(CONSTRUCT, use_default_graph_as_union=True).serialize(
        format=RdfFormat.N_TRIPLES
    )
    assert len(got) > 0 and isomorphic(got, Graph().parse(data=nt, format="nt"))


def test_sparqlwrapper_ntriples(endpoint: str, direct: Store) -> None:
    client = wrapper(endpoint, CONSTRUCT, N3)
    client.setOnlyConneg(True)
    client.addParameter("format", "application/n-triples")
    response = client.query().response
    assert response.headers["Content-Type"].startswith("application/n-triples")
    assert len(Graph().parse(data=response.read(), format="nt")) == len(titles(direct))


def test_sparqlwrapper_ask(endpoint: str) -> None:
    ask = "ASK { ?s a <https://w3id.org/il2kg/ontology/Publication> }"
    assert wrapper(endpoint, ask, JSON).queryAndConvert()["boolean"] is True


def test_rdflib_sparqlstore(endpoint: str, direct: Store) -> None:
    graph = Graph(SPARQLStore(f"{endpoint}/sparql", returnFormat="json"))
    got = {(str(r.publication), str(r.title)) for r in graph.query(SELECT)}
    assert got == titles(direct)
    publication, title = sorted(got)[0]
    assert (URIRef(publication), URIRef("http://purl.org/dc/terms/title"), Literal(title)) in graph
    assert len(graph) == int(
        next(
            iter(
                direct.query(
                    "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", use_default_graph_as_union=True
                )
            )
        )["n"].value
    )
