"""The ontology and the mapping set are data reviewed like code: labelled, defined, published."""

from __future__ import annotations

from rdflib import OWL, RDF, RDFS, Graph, URIRef
from rdflib.namespace import DCTERMS, SKOS

from il2kg.graph.mappings import read_mapping_set
from il2kg.iris import IL2KG, ONTOLOGY_IRI
from il2kg.paths import MAPPINGS_FILE, ONTOLOGY_FILE
from il2kg.pipeline import PipelineResult, read_graph

DEFINITION = URIRef("http://purl.obolibrary.org/obo/IAO_0000115")
ONTOLOGY = read_graph(ONTOLOGY_FILE)
TERM_TYPES = (
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.NamedIndividual,
)


def _terms(graph: Graph) -> set[URIRef]:
    return {s for t in TERM_TYPES for s in graph.subjects(RDF.type, t) if isinstance(s, URIRef)}


def test_ontology_header() -> None:
    iri = URIRef(ONTOLOGY_IRI)
    assert (iri, RDF.type, OWL.Ontology) in ONTOLOGY
    assert ONTOLOGY.value(iri, OWL.versionIRI) is not None
    assert ONTOLOGY.value(iri, DCTERMS.license) is not None


def test_every_term_has_one_label_and_a_definition() -> None:
    terms = _terms(ONTOLOGY)
    assert len([t for t in terms if str(t).startswith(str(IL2KG))]) > 150
    for term in terms:
        labels = list(ONTOLOGY.objects(term, RDFS.label))
        assert len(labels) == 1, f"{term} needs exactly one rdfs:label; has {labels}"
        if str(term).startswith(str(IL2KG)):
            assert ONTOLOGY.value(term, DEFINITION) or ONTOLOGY.value(term, SKOS.definition), term


def test_no_term_is_both_an_object_and_a_data_property() -> None:
    objects = set(ONTOLOGY.subjects(RDF.type, OWL.ObjectProperty))
    data = set(ONTOLOGY.subjects(RDF.type, OWL.DatatypeProperty))
    annotations = set(ONTOLOGY.subjects(RDF.type, OWL.AnnotationProperty))
    assert not (objects & data) and not (objects & annotations) and not (data & annotations)


def test_every_predicate_and_class_the_graph_uses_is_declared(seed_result: PipelineResult) -> None:
    declared = _terms(ONTOLOGY) | {RDF.type, RDFS.label, RDFS.comment, RDFS.seeAlso}
    used = set(seed_result.graph.predicates()) | set(seed_result.graph.objects(None, RDF.type))
    assert used - declared == set()


def test_mapping_set_is_sssom() -> None:
    mapping_set = read_mapping_set(MAPPINGS_FILE)
    for key in ("curie_map", "mapping_set_id", "license"):
        assert mapping_set.metadata.get(key), f"SSSOM header lacks {key}"
    assert len(mapping_set.rows) >= 40
    individuals = set(ONTOLOGY.subjects(RDF.type, OWL.NamedIndividual))
    for row in mapping_set.rows:
        assert row["mapping_justification"].startswith("semapv:"), row
        assert row["predicate_id"] in {
            "skos:exactMatch",
            "skos:closeMatch",
            "skos:broadMatch",
            "skos:narrowMatch",
            "skos:relatedMatch",
        }, row
        assert mapping_set.expand(row["subject_id"]) in individuals, row["subject_id"]
        mapping_set.expand(row["object_id"])


def test_mappings_are_in_the_graph(seed_result: PipelineResult) -> None:
    melanoma = URIRef("http://purl.obolibrary.org/obo/MONDO_0005105")
    assert (IL2KG.melanoma, SKOS.exactMatch, melanoma) in seed_result.mappings
