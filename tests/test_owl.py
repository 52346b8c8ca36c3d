"""OWL 2 DL with the data: ontology, data, mappings, inferences and imports together pass the
OWL API's OWL 2 DL profile check (Debian libowlapi-java) and standalone HermiT, with no flag."""

from __future__ import annotations

import subprocess
from pathlib import Path

import owlready2
import pytest
from rdflib import XSD, Dataset, Graph, Literal

from il2kg.checks.reasoning import ReasonerUnavailable, reason
from il2kg.iris import EXAMPLES_GRAPH, IL2KG, RES, VOID_GRAPH
from il2kg.pipeline import PipelineResult

pytestmark = [pytest.mark.java, pytest.mark.slow]

PROFILE = Path(__file__).parent / "java" / "OwlProfile.java"
OWLAPI = Path("/usr/share/java/owlapi-distribution.jar")
HERMIT = Path(owlready2.__file__).parent / "hermit" / "HermiT.jar"


def owl_profile(path: Path) -> subprocess.CompletedProcess[str]:
    """The OWL API's DL profile check of one file (tests/java/OwlProfile.java)."""
    assert OWLAPI.is_file(), "the OWL API is missing: apt install libowlapi-java (.ci/run does)"
    return subprocess.run(
        ["java", "-cp", f"{OWLAPI.parent}/*", str(PROFILE), str(path)],
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def merged(built_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every graph of the dump but the example queries and the dataset description (SPARQL
    text and VoID, not OWL), in one file."""
    dataset = Dataset().parse(built_dist / "il2kg.nq", format="nquads")
    graph = Graph()
    for named in dataset.graphs():
        if str(named.identifier) not in (str(EXAMPLES_GRAPH), str(VOID_GRAPH)):
            graph += named
    path = tmp_path_factory.mktemp("owl") / "il2kg-merged.ttl"
    graph.serialize(path, format="turtle")
    return path


def test_ontology_and_data_are_owl2_dl(merged: Path) -> None:
    result = owl_profile(merged)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    assert " 0 problem(s)" in result.stdout


def test_the_data_file_loaded_with_the_ontology_file_is_owl2_dl(
    built_dist: Path, tmp_path: Path
) -> None:
    """What the README says to load together: `il2kg.ttl` (data and mappings, no ontology
    header of its own) with `ontology.ttl`."""
    pair = Graph().parse(built_dist / "il2kg.ttl").parse(built_dist / "ontology.ttl")
    path = tmp_path / "data-and-ontology.ttl"
    pair.serialize(path, format="turtle")
    result = owl_profile(path)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    assert " 0 problem(s)" in result.stdout


def test_the_profile_check_finds_a_date_and_an_undeclared_property(tmp_path: Path) -> None:
    """What the build avoids: a year on a data property, an undeclared mapping property."""
    path = tmp_path / "bad.ttl"
    path.write_text(
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "<http://example.org/o> a owl:Ontology .\n"
        "<http://example.org/p> a owl:DatatypeProperty .\n"
        '<http://example.org/x> <http://example.org/p> "1999"^^xsd:gYear ;\n'
        "  <http://www.w3.org/2004/02/skos/core#relatedMatch> <http://example.org/y> .\n"
    )
    result = owl_profile(path)
    assert result.returncode == 1
    assert "xsd:gYear" in result.stdout and "relatedMatch" in result.stdout


def test_standalone_hermit_finds_the_merged_file_consistent(merged: Path) -> None:
    result = subprocess.run(
        [
            "java",
            "-cp",
            str(HERMIT),
            "org.semanticweb.HermiT.cli.CommandLine",
            "-k",
            merged.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "owl#Thing is satisfiable" in result.stdout


def test_no_literal_is_dropped_before_reasoning(seed_result: PipelineResult) -> None:
    """A literal HermiT cannot read (a year on a data property) stops reasoning, loudly."""
    data = Graph() + seed_result.graph
    data.add((RES["atkins-1999/study"], IL2KG.numberOfTrials, Literal("1999", datatype=XSD.gYear)))
    with pytest.raises(ReasonerUnavailable, match="gYear"):
        reason(seed_result.ontology, data)
