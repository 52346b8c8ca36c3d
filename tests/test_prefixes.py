"""The prefix maps agree: the published one (`ontology/context.jsonld`, read by `iris.prefixes`),
the SSSOM `curie_map`, the reference docs and the namespaces `iris.py` names.

Each map is loaded with the `curies` package, which refuses a prefix or a namespace given
twice; a map agrees with the published one when every prefix it has is published with the
same namespace and the two together are still a bijection (no namespace under two prefixes)."""

from __future__ import annotations

import re
from collections.abc import Mapping

import curies
import pytest

from il2kg.graph.mappings import read_mapping_set
from il2kg.iris import BIBO, IL2KG, RES, prefixes
from il2kg.paths import CONTEXT_FILE, MAPPINGS_FILE, ROOT

REFERENCE_FILE = ROOT / "docs" / "ontology-reference.md"
DOCS_PREFIX = re.compile(r"`(\w+):` <([^>\s]+)>")  # the header's "`il2kg:` <namespace>"
DOCS_CURIE = re.compile(r"`([A-Za-z][\w.-]*):[\w.-]+`")  # a CURIE of its own in backticks
MAPPING_COLUMNS = ("subject_id", "predicate_id", "object_id", "mapping_justification")


def published() -> curies.Converter:
    """The published prefix map as a converter (which checks it is a bijection)."""
    return curies.Converter.from_prefix_map(prefixes())


def disagreements(other: Mapping[str, str]) -> list[str]:
    """What keeps `other` from agreeing with the published map; empty when it agrees."""
    found = [
        f"{p}: <{ns}> here, <{prefixes().get(p)}> published"
        for p, ns in sorted(other.items())
        if prefixes().get(p) != ns
    ]
    try:
        curies.Converter.from_prefix_map({**prefixes(), **other})
    except curies.DuplicateValueError as exc:
        found.append(str(exc))
    return found


def test_the_published_map_is_a_bijection_of_delimited_namespaces() -> None:
    converter = published()
    assert converter.prefix_map == curies.load_jsonld_context(CONTEXT_FILE).prefix_map
    undelimited = [ns for ns in converter.prefix_map.values() if ns[-1] not in "/#_"]
    assert not undelimited, "a namespace must end in '/', '#' or '_'"


def test_a_conflicting_map_is_found() -> None:
    assert disagreements({"il2kg": str(RES)})  # a published prefix, another namespace
    assert disagreements({"resource": str(RES)})  # a published namespace, another prefix
    assert disagreements({"ex": "http://example.org/"})  # a prefix not published
    assert not disagreements({"il2kg": str(IL2KG), "skos": "http://www.w3.org/2004/02/skos/core#"})


def test_the_namespaces_of_iris_py_are_published() -> None:
    assert not disagreements({"il2kg": str(IL2KG), "il2r": str(RES), "bibo": str(BIBO)})
    converter = published()
    assert converter.compress(f"{RES}atkins-1999/study") == "il2r:atkins-1999/study"
    assert converter.expand("il2kg:Cohort") == str(IL2KG.Cohort)


def test_the_sssom_curie_map_agrees() -> None:
    mapping_set = read_mapping_set(MAPPINGS_FILE)
    curie_map = mapping_set.metadata["curie_map"]
    assert isinstance(curie_map, dict) and curie_map
    assert not disagreements(curie_map)
    converter = published()
    for row in mapping_set.rows:  # every CURIE of the table means the same in the dumps
        for column in MAPPING_COLUMNS:
            assert converter.expand(row[column]) == str(mapping_set.expand(row[column])), row


@pytest.fixture(scope="module")
def reference_text() -> str:
    return REFERENCE_FILE.read_text(encoding="utf-8")


def test_the_reference_docs_prefixes_agree(reference_text: str) -> None:
    declared = dict(DOCS_PREFIX.findall(reference_text))
    assert {"il2kg", "il2r"} <= set(declared)
    assert not disagreements(declared)


def test_the_reference_docs_use_published_prefixes_only(reference_text: str) -> None:
    used = {m.group(1) for m in DOCS_CURIE.finditer(reference_text)}
    assert "il2kg" in used
    assert used <= set(prefixes()), sorted(used - set(prefixes()))


def test_the_mapping_prefixes_expand_as_sssom_py_expands_them() -> None:
    """A merged mapping set holds DB00041 under one IRI: each prefix of the SSSOM table is
    the Bioregistry's preferred URI prefix, as sssom-py's converter has it."""
    from sssom.context import get_converter

    theirs = get_converter().prefix_map
    curie_map = read_mapping_set(MAPPINGS_FILE).metadata["curie_map"]
    assert isinstance(curie_map, dict)
    differ = {p: (ns, theirs[p]) for p, ns in curie_map.items() if p in theirs and theirs[p] != ns}
    assert not differ
    assert theirs["drugbank"] == prefixes()["drugbank"] == "https://go.drugbank.com/drugs/"
