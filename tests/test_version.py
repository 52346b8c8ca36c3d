"""One version: pyproject.toml, il2kg.__version__, the ontology's versionInfo and IRI, and
what dataset.yaml says of the release."""

from __future__ import annotations

import tomllib
from pathlib import Path

from rdflib import OWL, Graph, URIRef

from il2kg import __released__, __version__
from il2kg.publish.release import dataset_of

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_IRI = URIRef("https://w3id.org/il2kg/ontology")


def _ontology() -> Graph:
    return Graph().parse(ROOT / "ontology" / "il2kg.ttl")


def test_package_version_is_pyprojects() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["version"] == __version__


def test_ontology_version_info_is_the_package_version() -> None:
    assert str(_ontology().value(ONTOLOGY_IRI, OWL.versionInfo)) == __version__


def test_ontology_version_iri_names_the_package_version() -> None:
    version_iri = _ontology().value(ONTOLOGY_IRI, OWL.versionIRI)
    assert version_iri == URIRef(f"https://w3id.org/il2kg/release/{__version__}/ontology.owl")


def test_dataset_file_names_this_release() -> None:
    dataset = dataset_of(ROOT / "dataset.yaml")
    assert (dataset.version, dataset.issued) == (__version__, __released__)
    assert dataset.downloads == f"https://w3id.org/il2kg/release/{__version__}/"
