"""SSSOM that tools accept: sssom-py validates and converts the mapping set; labels, comments
and metadata are right and reach the RDF."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal
from rdflib.namespace import DCTERMS

from il2kg.graph.mappings import SSSOM, mapping_graph, read_mapping_set
from il2kg.paths import MAPPINGS_FILE, ONTOLOGY_FILE

CITATION = re.compile(r"[\w.-]+/[\w.-]+@[0-9a-f]{7,}:\S+|https?://\S+|ontology/\S+")


def sssom(*args: str) -> subprocess.CompletedProcess[str]:
    """The sssom-py command line (test extra), beside this Python."""
    command = shutil.which("sssom", path=str(Path(sys.executable).parent)) or "sssom"
    return subprocess.run([command, *args], capture_output=True, text=True, timeout=600)


@pytest.mark.slow  # each starts sssom-py, seconds of imports
def test_sssom_py_validates_the_mapping_set() -> None:
    result = sssom("validate", str(MAPPINGS_FILE))
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.mark.slow
@pytest.mark.parametrize("output", ["fhir_json", "json", "owl"])
def test_sssom_py_converts_the_mapping_set(tmp_path: Path, output: str) -> None:
    out = tmp_path / f"mappings.{output}"
    result = sssom("convert", str(MAPPINGS_FILE), "-O", output, "-o", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    text = out.read_text(encoding="utf-8")
    if output.endswith("json"):
        assert json.loads(text)
    assert "il2kg" in text


def test_version_is_a_string() -> None:
    assert isinstance(read_mapping_set(MAPPINGS_FILE).metadata["mapping_set_version"], str)


def test_subject_labels_are_the_ontology_labels() -> None:
    mapping_set = read_mapping_set(MAPPINGS_FILE)
    ontology = Graph().parse(ONTOLOGY_FILE)
    for row in mapping_set.rows:
        label = ontology.value(mapping_set.expand(row["subject_id"]), RDFS.label)
        assert str(label) == row["subject_label"], row["subject_id"]


def test_every_comment_cites_a_source() -> None:
    for row in read_mapping_set(MAPPINGS_FILE).rows:
        assert CITATION.search(row["comment"]), row


def test_justifications_and_set_metadata_reach_the_rdf() -> None:
    mapping_set = read_mapping_set(MAPPINGS_FILE)
    graph = mapping_graph(mapping_set)
    axioms = list(graph.subjects(RDF.type, OWL.Axiom))
    assert len(axioms) == len(mapping_set.rows)
    for axiom in axioms:
        assert graph.value(axiom, SSSOM.mapping_justification) is not None
        source, prop, target = (
            graph.value(axiom, p)
            for p in (OWL.annotatedSource, OWL.annotatedProperty, OWL.annotatedTarget)
        )
        assert (source, prop, target) in graph
    (mapping_set_node,) = graph.subjects(RDF.type, SSSOM.MappingSet)
    version = mapping_set.metadata["mapping_set_version"]
    assert graph.value(mapping_set_node, OWL.versionInfo) == Literal(version)
    assert graph.value(mapping_set_node, DCTERMS.license) is not None
