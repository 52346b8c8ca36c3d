"""Every external identifier has a registered prefix and an identifier of that prefix's form,
checked against the Bioregistry (its data ships in the `bioregistry` package: offline)."""

from __future__ import annotations

import re
from pathlib import Path

import bioregistry
import pytest
from rdflib import RDFS, Graph, URIRef
from rdflib.namespace import SKOS

from il2kg.graph.mappings import read_mapping_set
from il2kg.paths import IMPORTS_DIR, MAPPINGS_FILE, ONTOLOGY_FILE

OBO = "http://purl.obolibrary.org/obo/"
OWN = {"il2kg"}  # the project's own prefix, not a registry's


def _mapping_curies() -> set[str]:
    rows = read_mapping_set(MAPPINGS_FILE).rows
    fields = ("subject_id", "predicate_id", "object_id", "mapping_justification")
    return {row[field] for row in rows for field in fields}


def _obo_curies(path: Path) -> set[str]:
    """The OBO PURLs a Turtle file names, as CURIEs (obo:NCIT_C3224 -> NCIT:C3224)."""
    graph = Graph().parse(path)
    iris = {str(t) for triple in graph for t in triple if isinstance(t, URIRef)}
    return {
        iri[len(OBO) :].replace("_", ":", 1)
        for iri in iris
        if iri.startswith(OBO) and "_" in iri[len(OBO) :]
    }


CURIES = sorted(
    _mapping_curies()
    | _obo_curies(ONTOLOGY_FILE)
    | set().union(*(_obo_curies(p) for p in sorted(IMPORTS_DIR.glob("*.ttl"))))
)


def test_the_curies_are_found() -> None:
    assert len(CURIES) > 80 and "NCIT:C3224" in CURIES and "drugbank:DB00041" in CURIES


@pytest.mark.parametrize("curie", CURIES)
def test_prefix_is_registered_and_identifier_has_its_form(curie: str) -> None:
    prefix, _, local = curie.partition(":")
    if prefix in OWN:
        return
    registered = bioregistry.normalize_prefix(prefix)
    assert registered is not None, f"{curie}: prefix {prefix!r} is not in the Bioregistry"
    pattern = bioregistry.get_pattern(registered)
    if pattern is not None:  # a vocabulary such as skos has terms, not a pattern
        assert re.fullmatch(pattern.strip("^$"), local), f"{curie}: not of the form {pattern}"


def test_a_wrong_identifier_is_caught() -> None:
    """The check can fail: NCIt codes start with C, UO's are seven digits."""
    assert not re.fullmatch(bioregistry.get_pattern("ncit").strip("^$"), "3224")
    assert not re.fullmatch(bioregistry.get_pattern("uo").strip("^$"), "31")


def test_every_mapped_term_has_a_labelled_stub_in_the_imports() -> None:
    """Each external term of the mapping set, and each the ontology's own classes and
    properties match (skos:closeMatch...), is declared with a label in ontology/imports."""
    mapping_set = read_mapping_set(MAPPINGS_FILE)
    curie_map = mapping_set.metadata["curie_map"]
    mapped = set()
    for row in mapping_set.rows:
        prefix, _, local = row["object_id"].partition(":")
        mapped.add(URIRef(curie_map[prefix] + local))
    ontology = Graph().parse(ONTOLOGY_FILE)
    matches = (
        SKOS.exactMatch,
        SKOS.closeMatch,
        SKOS.broadMatch,
        SKOS.narrowMatch,
        SKOS.relatedMatch,
    )
    mapped |= {t for p in matches for t in ontology.objects(None, p) if isinstance(t, URIRef)}
    stubs = Graph()
    for path in sorted(IMPORTS_DIR.glob("*.ttl")):
        stubs.parse(path)
    missing = sorted(str(iri) for iri in mapped if stubs.value(iri, RDFS.label) is None)
    assert len(mapped) > 50 and missing == []
