"""Data that survives any store: the build read back from the embedded store, a real
`oxigraph serve` and a real Virtuoso equals the dump and conforms to the shapes under
plain pySHACL (not the fast engine)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pyoxigraph import RdfFormat, serialize
from pyshacl import validate
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from il2kg.cli import main
from il2kg.iris import DATA_GRAPH, MAPPINGS_GRAPH, ONTOLOGY_GRAPH
from il2kg.paths import SHAPES_FILE
from il2kg.publish import upload
from il2kg.publish.store import open_store
from il2kg.server.app import create_app
from il2kg.server.remote import RemoteEngine
from il2kg.server.settings import Settings

from .server_fixtures import live_server, oxigraph_server, virtuoso_server

GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
ONE_GRAPH = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH <%s> { ?s ?p ?o } }"


def dump_graphs(dist: Path) -> dict[str, Graph]:
    """Every named graph of the dump (`il2kg.nq`)."""
    dataset = Dataset().parse(dist / "il2kg.nq", format="nquads")
    graphs = {}
    for graph in dataset.graphs():
        if len(graph):
            graphs[str(graph.identifier)] = Graph() + graph
    return graphs


def read_back(query_url: str) -> dict[str, Graph]:
    """Every named graph a SPARQL endpoint holds, each fetched with a CONSTRUCT."""
    with httpx.Client(timeout=120) as client:
        listed = client.post(
            query_url, data={"query": GRAPHS}, headers={"Accept": "application/sparql-results+json"}
        )
        listed.raise_for_status()
        names = [b["g"]["value"] for b in listed.json()["results"]["bindings"]]
        graphs = {}
        for name in names:
            answer = client.post(
                query_url,
                data={"query": ONE_GRAPH % name},
                headers={"Accept": "application/n-triples"},
            )
            answer.raise_for_status()
            graphs[name] = Graph().parse(data=answer.text, format="nt")
    return graphs


def assert_same_and_conforming(back: dict[str, Graph], dump: dict[str, Graph]) -> None:
    """Each dump graph comes back unchanged, and the data conforms under plain pySHACL."""
    for name, graph in dump.items():
        assert name in back, f"{name} did not come back"
        if not isomorphic(graph, back[name]):
            _, lost, gained = graph_diff(to_isomorphic(graph), to_isomorphic(back[name]))
            raise AssertionError(
                f"{name} changed: lost {sorted(lost)[:3]}, gained {sorted(gained)[:3]}"
            )
    data = back[str(DATA_GRAPH)] + back[str(MAPPINGS_GRAPH)]
    conforms, _, text = validate(
        data,
        shacl_graph=Graph().parse(SHAPES_FILE),
        ont_graph=back[str(ONTOLOGY_GRAPH)],
        inference="none",
        advanced=True,
        allow_warnings=True,
    )
    assert conforms, text


@pytest.fixture(scope="module")
def dump(built_dist: Path) -> dict[str, Graph]:
    return dump_graphs(built_dist)


def test_embedded_store_gives_back_the_dump(built_dist: Path, dump: dict[str, Graph]) -> None:
    store = open_store(built_dist)
    back = {}
    for name in store.named_graphs():
        triples = [q.triple for q in store.quads_for_pattern(None, None, None, name)]
        back[name.value] = Graph().parse(
            data=serialize(triples, format=RdfFormat.N_TRIPLES), format="nt"
        )
    assert_same_and_conforming(back, dump)


def test_oxigraph_server_gives_back_the_dump(
    tmp_path: Path, built_dist: Path, dump: dict[str, Graph]
) -> None:
    with oxigraph_server(tmp_path / "oxigraph") as url:
        assert main(["load", "--to", f"{url}/store", "--dist", str(built_dist)]) == 0
        assert_same_and_conforming(read_back(f"{url}/query"), dump)


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory, built_dist: Path) -> Iterator[str]:
    """A real Virtuoso holding the build, loaded with `il2kg load --to`."""
    if shutil.which("virtuoso-t") is None:
        pytest.skip("Virtuoso is optional here (Debian virtuoso-opensource; .ci/run installs it)")
    with (
        virtuoso_server(tmp_path_factory.mktemp("virtuoso")) as url,
        pytest.MonkeyPatch.context() as patch,
    ):
        patch.setattr(upload, "CHUNK_TRIPLES", 97)  # every graph sent in several chunks
        patch.setattr(upload, "REQUEST_TRIPLES", 250)  # and large ones in a PUT, then POSTs
        assert main(["load", "--to", f"{url}/sparql-graph-crud", "--dist", str(built_dist)]) == 0
        yield url


def test_virtuoso_gives_back_the_dump(virtuoso: str, dump: dict[str, Graph]) -> None:
    assert_same_and_conforming(read_back(f"{virtuoso}/sparql"), dump)


def test_il2kg_endpoint_over_virtuoso_gives_back_the_dump(
    virtuoso: str, dump: dict[str, Graph]
) -> None:
    """`il2kg serve --endpoint` with Virtuoso as the store."""
    app = create_app(RemoteEngine(f"{virtuoso}/sparql", timeout=60), Settings(timeout=60))
    with live_server(app) as url:
        assert_same_and_conforming(read_back(f"{url}/sparql"), dump)


def test_a_changed_literal_is_noticed(dump: dict[str, Graph]) -> None:
    """The comparison sees a lexical change a store could make (`12` read back as `12.0`)."""
    data = dump[str(DATA_GRAPH)]
    s, p, o = next(t for t in data if str(getattr(t[2], "datatype", "")).endswith("#decimal"))
    changed = {
        **dump,
        str(DATA_GRAPH): (data - Graph().add((s, p, o))).add(
            (s, p, type(o)(f"{o}.0" if "." not in o else f"{o}0", datatype=o.datatype))
        ),
    }
    with pytest.raises(AssertionError, match="changed"):
        assert_same_and_conforming(changed, dump)
    assert isinstance(s, URIRef)
