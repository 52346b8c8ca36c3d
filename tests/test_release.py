"""Complete, consistent release artifacts: every served graph in the dump, one VoID/DCAT
description for dump and endpoint, the ontology in three syntaxes, CITATION.cff, schema.org
on the home page, a dist/ others can read and no staging directory left behind."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import httpx
import pytest
import yaml
from rdflib import OWL, Dataset, Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, VOID

from il2kg import __released__, __version__
from il2kg.iris import DATASET_IRI, VOID_GRAPH
from il2kg.paths import QUERIES_DIR
from il2kg.publish.dist import publish
from il2kg.publish.release import DOWNLOADS, download_url
from il2kg.publish.store import open_store

from .test_owl import owl_profile

ROOT = Path(__file__).parents[1]
PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


def test_the_dump_holds_every_graph_the_endpoint_serves(built_dist: Path) -> None:
    dump = Dataset().parse(built_dist / "il2kg.nq", format="nquads")
    in_dump = {str(g.identifier): len(g) for g in dump.graphs() if len(g)}
    store = open_store(built_dist, queries_dir=QUERIES_DIR)
    served = {
        g.value: len(list(store.quads_for_pattern(None, None, None, g)))
        for g in store.named_graphs()
    }
    assert served == in_dump
    assert "https://w3id.org/il2kg/graph/examples" in served


def test_dump_and_endpoint_give_one_description(built_dist: Path, release_endpoint: str) -> None:
    void = Graph().parse(built_dist / "void.ttl")
    live = Graph().parse(
        data=httpx.get(
            f"{release_endpoint}/.well-known/void", headers={"Accept": "text/turtle"}
        ).text,
        format="turtle",
    )
    assert len(void) > 100 and live.isomorphic(void)
    rows = httpx.get(f"{release_endpoint}/sparql", params={"query": PER_GRAPH}).json()["results"]
    counts = {r["g"]["value"]: int(r["n"]["value"]) for r in rows["bindings"]}
    del counts[str(VOID_GRAPH)]
    described = {
        str(g): int(void.value(g, VOID.triples)) for g in void.objects(DATASET_IRI, VOID.subset)
    }
    assert described == counts
    assert int(void.value(DATASET_IRI, VOID.triples)) == sum(counts.values())


def test_the_description_says_where_what_and_whose(built_dist: Path) -> None:
    void = Graph().parse(built_dist / "void.ttl")
    d = DATASET_IRI
    assert void.value(d, VOID.sparqlEndpoint) is not None
    assert void.value(d, VOID.dataDump) == download_url("il2kg.nq")
    assert isinstance(void.value(d, DCTERMS.license), URIRef)
    assert isinstance(void.value(d, DCTERMS.publisher), URIRef)
    assert str(void.value(d, DCTERMS.description) or "").strip()
    assert str(void.value(d, URIRef(str(DCAT) + "version"))) == __version__
    assert str(void.value(d, DCTERMS.issued)) == __released__
    assert len(list(void.objects(d, DCAT.keyword))) >= 3
    urls = {}
    for dist in void.objects(d, DCAT.distribution):
        media = void.value(dist, DCAT.mediaType)
        assert isinstance(media, URIRef) and str(media).startswith("https://www.iana.org/")
        urls[str(void.value(dist, DCAT.downloadURL)).rsplit("/", 1)[-1]] = media
    assert set(urls) == set(DOWNLOADS) == {p.name for p in built_dist.iterdir()}


def test_the_ontology_turtle_and_rdfxml_agree_with_a_release_version_iri(built_dist: Path) -> None:
    turtle = Graph().parse(built_dist / "ontology.ttl")
    assert Graph().parse(built_dist / "ontology.owl", format="xml").isomorphic(turtle)
    version = turtle.value(URIRef("https://w3id.org/il2kg/ontology"), OWL.versionIRI)
    assert version == download_url("ontology.owl")


@pytest.mark.java
def test_the_ontology_syntaxes_pass_the_owl_api_profile_check_with_the_same_axioms(
    built_dist: Path,
) -> None:
    axioms = []
    for name in ("ontology.owl", "ontology.ofn"):
        result = owl_profile(built_dist / name)
        assert result.returncode == 0, result.stdout[-3000:]
        axioms.append(re.search(r"(\d+) axioms", result.stdout).group(1))
    assert axioms[0] == axioms[1]


def test_home_page_carries_schema_org_dataset(release_endpoint: str) -> None:
    page = httpx.get(f"{release_endpoint}/", headers={"Accept": "text/html"}).text
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert found is not None
    dataset = json.loads(found.group(1))
    assert dataset["@type"] == "Dataset" and dataset["version"] == __version__
    assert dataset["license"].startswith("https://creativecommons.org/")
    assert {d["contentUrl"] for d in dataset["distribution"]} == {
        str(download_url(name)) for name in DOWNLOADS
    }


def test_citation_cff_names_this_release() -> None:
    citation = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0"
    assert citation["version"] == __version__
    assert str(citation["date-released"]) == __released__
    assert citation["license"] == "CC-BY-4.0" and citation["authors"]


def test_dist_is_readable_by_other_users(built_dist: Path) -> None:
    target = built_dist.resolve()
    assert stat.S_IMODE(target.stat().st_mode) & 0o005 == 0o005
    for path in target.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) & 0o004


def staging_left(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if "-tmp-" in p.name]


def test_a_failed_build_leaves_no_staging(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        publish({"a.txt": b"one", "missing/b.txt": b"two"}, tmp_path / "dist")
    assert staging_left(tmp_path) == [] and not (tmp_path / "dist").exists()


def test_a_killed_builds_staging_is_removed_by_the_next(tmp_path: Path) -> None:
    (tmp_path / ".dist-tmp-k1lled_x").mkdir()
    (tmp_path / ".dist-tmp-k1lled_x" / "half.nq").write_bytes(b"x" * 1000)
    publish({"a.txt": b"one"}, tmp_path / "dist")
    assert staging_left(tmp_path) == []
