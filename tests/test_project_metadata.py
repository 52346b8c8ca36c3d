"""A served `il2kg init` project describes itself from its own metadata (`dataset.yaml`): its
title, licence, publisher and download addresses in its VoID and on its home page, never
il2kg's five-study dataset's; what it does not give is not stated."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from pyoxigraph import RdfFormat, Store, parse
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, VOID

from il2kg.cli import main
from il2kg.iris import DATASET_IRI
from il2kg.publish.disk_store import build_store
from il2kg.publish.release import (
    DatasetInfo,
    dataset_from_void,
    description,
    il2kg_dataset,
    read_dataset,
)
from il2kg.server.app import create_app
from il2kg.server.pool import WorkerPool
from il2kg.server.settings import Settings

from .reasoner import REASONING
from .server_fixtures import live_server

OWN = """title: "Low-dose IL-2 evidence"
description: "Two studies of low-dose IL-2."
license: "https://creativecommons.org/publicdomain/zero/1.0/"
publisher: {name: "A small lab", url: "https://lab.example.org/"}
keywords: ["low-dose", "IL-2"]
downloads: "https://lab.example.org/releases/1/"
"""


@pytest.mark.parametrize("dataset", [il2kg_dataset(), DatasetInfo(title="Only a title")])
def test_what_the_void_says_reads_back(dataset: DatasetInfo) -> None:
    void = description(Store(), dataset).serialize(format="nt").encode()
    back = dataset_from_void(parse(void, format=RdfFormat.N_TRIPLES))
    assert back == DatasetInfo(**{**vars(dataset), "keywords": tuple(sorted(dataset.keywords))})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("licence: x\n", "unknown field 'licence'"),
        ("version: 1.10\n", "field 'version': expected text"),
        ("keywords: IL-2\n", "field 'keywords': expected a list"),
        ("- a\n", "expected a mapping"),
    ],
)
def test_a_bad_dataset_file_names_file_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "dataset.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(message)) as error:
        read_dataset(path, "p")
    assert str(path) in str(error.value)


def home_dataset(url: str) -> dict[str, object]:
    page = httpx.get(f"{url}/", headers={"Accept": "text/html"}, timeout=60).text
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert found is not None
    return json.loads(found.group(1))


def served_void(url: str) -> Graph:
    text = httpx.get(f"{url}/.well-known/void", headers={"Accept": "text/turtle"}).text
    return Graph().parse(data=text, format="turtle")


def build_and_serve(
    project: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> tuple[Graph, dict[str, object]]:
    monkeypatch.chdir(project)
    assert main(["build", "--out", str(project / "dist"), *REASONING]) == 0
    store = build_store(tmp_path / "store", project / "dist")
    with live_server(
        create_app(WorkerPool(str(store), size=1, timeout=30), Settings(timeout=30))
    ) as url:
        return served_void(url), home_dataset(url)


@pytest.mark.slow
@pytest.mark.server
def test_a_new_project_states_only_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "my-evidence"
    assert main(["init", str(project), "--source", "il2kg"]) == 0
    void, home = build_and_serve(project, monkeypatch, tmp_path)
    assert str(void.value(DATASET_IRI, DCTERMS.title)) == "my-evidence"
    for predicate in (
        DCTERMS.license,
        DCTERMS.publisher,
        VOID.dataDump,
        DCAT.distribution,
        DCTERMS.description,
    ):
        assert void.value(DATASET_IRI, predicate) is None, predicate
    assert home["name"] == "my-evidence" and il2kg_dataset().title not in json.dumps(home)
    assert not {"license", "publisher", "distribution", "version"} & home.keys()


@pytest.mark.slow
@pytest.mark.server
def test_a_project_describes_itself_from_its_dataset_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = tmp_path / "low-dose"
    assert main(["init", str(project), "--source", "il2kg"]) == 0
    (project / "dataset.yaml").write_text(OWN, encoding="utf-8")
    void, home = build_and_serve(project, monkeypatch, tmp_path)
    assert str(void.value(DATASET_IRI, DCTERMS.title)) == "Low-dose IL-2 evidence"
    assert void.value(DATASET_IRI, DCTERMS.license) == URIRef(
        "https://creativecommons.org/publicdomain/zero/1.0/"
    )
    assert void.value(DATASET_IRI, VOID.dataDump) == URIRef(
        "https://lab.example.org/releases/1/il2kg.nq"
    )
    assert home["name"] == "Low-dose IL-2 evidence"
    assert home["license"] == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert home["publisher"] == {
        "@type": "Organization",
        "name": "A small lab",
        "@id": "https://lab.example.org/",
    }
    urls = {d["contentUrl"] for d in home["distribution"]}  # type: ignore[attr-defined]
    assert urls and all(u.startswith("https://lab.example.org/releases/1/") for u in urls)
