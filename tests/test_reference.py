"""The generated ontology reference (docs/ontology-reference.md) matches the ontology and build."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from tools.reference_docs import (
    KINDS,
    LOCAL_NAME,
    REFERENCE_FILE,
    main,
    reference_store,
    render_reference,
    terms,
)

from il2kg.iris import IL2KG, compact, prefixes
from il2kg.publish.store import open_store


@pytest.fixture(scope="module")
def dist(built_dist: Path) -> Path:
    """The graph built from the seeds, once per session (shared with the endpoint tests)."""
    return built_dist


@pytest.fixture(scope="module")
def generated(dist: Path) -> str:
    """The reference as generated from the ontology and the fresh build."""
    return render_reference(reference_store(dist))


@pytest.mark.java  # the reference's examples include what HermiT infers
def test_committed_reference_is_up_to_date(generated: str) -> None:
    assert REFERENCE_FILE.read_text(encoding="utf-8") == generated, (
        "docs/ontology-reference.md is out of date: run `python tools/reference_docs.py`"
    )


def test_every_class_and_property_has_a_section_with_definition_and_example(
    dist: Path, generated: str
) -> None:
    store = reference_store(dist)
    declared = [t for kind, _ in KINDS for t in terms(store, kind)]
    assert len(declared) > 50
    sections = dict(re.findall(r"^### il2kg:(\S+)\n\n(.*?)(?=^### |\Z)", generated, re.M | re.S))
    names = [t.value.rsplit("/", 1)[-1] for t in declared]
    assert sorted(sections) == sorted(names)
    for name, body in sections.items():
        assert "(no definition)" not in body, name
        assert "- Example" in body, name


def test_every_property_the_build_uses_has_a_section(dist: Path, generated: str) -> None:
    """Each predicate in any named graph of the build, il2kg's or another vocabulary's."""
    used = {quad.predicate.value for quad in open_store(dist)}
    assert {
        "http://purl.org/ontology/bibo/doi",
        "http://purl.org/dc/terms/issued",
        "http://www.w3.org/ns/prov#wasDerivedFrom",
    } <= used
    headings = set(re.findall(r"^### (\S+)$", generated, re.M))
    for iri in used:
        prefixed = compact(iri, prefixes(), LOCAL_NAME)
        assert (prefixed or f"<{iri}>") in headings, f"no section for {iri}"
    external = re.findall(r"^### (?!il2kg:)\S+\n\n(.*?)(?=^### |\Z)", generated, re.M | re.S)
    assert len(external) == len({i for i in used if not i.startswith(str(IL2KG))})
    for body in external:
        assert "- Defined by: " in body and "- Example (graph " in body, body


def test_check_flag_reports_a_stale_file(dist: Path, tmp_path: Path) -> None:
    stale = tmp_path / "reference.md"
    stale.write_text("# stale\n", encoding="utf-8")
    assert main(["--dist", str(dist), "--out", str(stale), "--check"]) == 1
    assert main(["--dist", str(dist), "--out", str(stale)]) == 0
    assert main(["--dist", str(dist), "--out", str(stale), "--check"]) == 0
    stale.write_text("# stale again\n", encoding="utf-8")
    script = Path(__file__).resolve().parents[1] / "tools" / "reference_docs.py"
    checked = subprocess.run(
        [sys.executable, str(script), "--dist", str(dist), "--out", str(stale), "--check"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert checked.returncode == 1 and "is out of date" in checked.stderr, checked.stderr
