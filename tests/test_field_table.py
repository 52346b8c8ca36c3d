"""One table from record field to RDF: the `Rdf` and `Elements` metadata on the record models.

The converter, the cross-reference checks (`TERM_FIELDS`), the curation notes
(`NOTE_PROPERTIES`) and the origin of a finding (`graph.origin`) read it; these tests derive
each one's table from the model and check it against the ontology and the converted seeds.
`il2kg/terms.py`, the ontology's terms as a closed namespace, is checked current.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import OWL, RDF, Graph, URIRef
from tools.ontology_terms import TERMS_FILE, module_text

from il2kg.audit.numbers import stated_numbers
from il2kg.graph.origin import fields_of
from il2kg.iris import IL2KG, RES
from il2kg.paths import ONTOLOGY_FILE
from il2kg.pipeline import PipelineResult
from il2kg.records.crossrefs import TERM_FIELDS
from il2kg.records.model import (
    ELEMENT_KINDS,
    ELEMENT_MODELS,
    ELEMENTS,
    NOTE_PROPERTIES,
    RECORD_MODELS,
    Publication,
    PublicationRecord,
    Rdf,
    Regimen,
    Strict,
    rdf_fields,
)
from il2kg.terms import ONT

TABLE = [(model, name, meta) for model in RECORD_MODELS for name, meta in rdf_fields(model).items()]


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_FILE)


def declared(ontology: Graph, kind: URIRef) -> set[str]:
    """The local names of the ontology's own terms of an OWL kind."""
    return {str(s)[len(IL2KG) :] for s in ontology.subjects(RDF.type, kind) if s in IL2KG}


def test_the_closed_namespace_is_current(ontology: Graph) -> None:
    assert TERMS_FILE.read_text(encoding="utf-8") == module_text(ontology), (
        "src/il2kg/terms.py is stale: run `python tools/ontology_terms.py`"
    )


def test_the_generator_checks_from_the_command_line() -> None:
    script = Path(__file__).resolve().parents[1] / "tools" / "ontology_terms.py"
    done = subprocess.run([sys.executable, str(script), "--check"], capture_output=True)
    assert done.returncode == 0, done.stderr


def test_a_misspelt_term_is_an_error() -> None:
    assert ONT.hasCohort == IL2KG.hasCohort and ONT["complete-response"] in IL2KG
    with pytest.raises(AttributeError):
        _ = ONT.hasCohrt
    with pytest.raises(AttributeError):
        _ = ONT["complete-respons"]


def test_the_table_names_the_ontology_s_terms(ontology: Graph) -> None:
    """Every property is one the ontology declares, of the right kind: links to terms and
    elements are object properties, values datatype properties; classes are classes."""
    objects = declared(ontology, OWL.ObjectProperty)
    values = declared(ontology, OWL.DatatypeProperty) | declared(ontology, OWL.AnnotationProperty)
    classes = declared(ontology, OWL.Class)
    assert len(TABLE) > 90
    for model, name, meta in TABLE:
        linked = meta.term or meta.classes or meta.refers
        assert meta.prop in objects | values, f"{model.__name__}.{name}: {meta.prop}"
        if linked:
            assert meta.prop in objects, f"{model.__name__}.{name}: {meta.prop} links"
        assert set(meta.classes) <= classes, f"{model.__name__}.{name}: {meta.classes}"
        assert not meta.refers or meta.refers in {*ELEMENTS, "treatments"}
    for name, elements in ELEMENTS.items():
        assert elements.link in objects and (not elements.cls or elements.cls in classes), name


def test_the_cross_reference_checks_read_the_table() -> None:
    """Every field with checked classes is checked, against those classes."""
    listed = {(e, n, classes) for e, fields in TERM_FIELDS.items() for n, classes, _ in fields}
    tabled = {
        (e, n, m.classes)
        for e, model in ELEMENT_MODELS.items()
        for n, m in rdf_fields(model).items()
        if m.classes
    }
    assert listed == tabled and len(listed) >= 20
    assert all(called for fields in TERM_FIELDS.values() for _, _, called in fields)


def test_the_notes_read_the_table() -> None:
    """A noted field is written with the property its notes point at, on every model."""
    noted = [(name, meta.prop) for _, name, meta in TABLE if meta.noted]
    assert len(noted) >= 15
    assert all(NOTE_PROPERTIES[name] == prop for name, prop in noted)
    assert set(NOTE_PROPERTIES) == {name for name, _ in noted}


def test_the_origin_of_a_finding_reads_the_field_back() -> None:
    """graph.origin maps each property back to (at least) the field the table writes it from."""
    for model, name, meta in TABLE:
        assert name in fields_of(str(ONT[meta.prop])), f"{model.__name__}.{name}: {meta.prop}"


def expected_object(record_id: str, meta: Rdf, item: object, sequences: set[str]) -> URIRef | None:
    """The IRI a linked value becomes; None for a literal."""
    if meta.term or meta.classes:
        return IL2KG[str(item)]
    if meta.refers:
        refers = meta.refers
        if refers == "treatments":
            refers = "sequences" if item in sequences else "regimens"
        return RES[f"{record_id}/{ELEMENT_KINDS[refers]}/{item}"]
    return None


def written(record: PublicationRecord) -> Iterator[tuple[URIRef, Strict]]:
    """The publication, the study and every element of a record, with their IRIs."""
    yield RES[record.id], record.publication
    yield RES[f"{record.id}/study"], record.study
    for elements in ELEMENT_MODELS:
        for element in getattr(record, elements):
            yield RES[f"{record.id}/{ELEMENT_KINDS[elements]}/{element.id}"], element


def test_the_converter_writes_every_field_as_the_table_says(seed_result: PipelineResult) -> None:
    """For the publication, the study and every element of the seeds, each field it gives:
    its property, with the term or element IRI the table says (literals: some value)."""
    graph, checked = seed_result.graph, set()
    for record in seed_result.loaded.records:
        sequences = {s.id for s in record.sequences}
        for node, element in written(record):
            assert (node, RDF.type, None) in graph, node
            for name, meta in rdf_fields(type(element)).items():
                value = getattr(element, name)
                for item in (
                    i for i in (value if isinstance(value, list) else [value]) if i is not None
                ):
                    want = expected_object(record.id, meta, item, sequences)
                    assert (node, ONT[meta.prop], want) in graph, (node, name, item)
                    checked.add((type(element).__name__, name))
    assert len(checked) >= 60, sorted(checked)


def test_the_audit_still_reads_free_text_the_table_writes() -> None:
    """How a field is written (`Rdf`) is no constraint: the numbers in a regimen's condition
    or a publication's article number are still held against the quotes."""
    regimen = Regimen(id="r", label="r", modalities=["m"], condition="for 2 courses")
    publication = Publication(title="t", date="2019", article_number="49")
    stated = [*stated_numbers(regimen), *stated_numbers(publication)]
    assert {(s.field, s.value) for s in stated} >= {("condition", 2), ("article_number", 49)}
