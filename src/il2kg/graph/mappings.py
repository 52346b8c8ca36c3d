"""The SSSOM mapping set as RDF: one SKOS mapping triple per row, with its axiom annotation."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import yaml
from rdflib import OWL, RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS

from il2kg.errors import UsageError
from il2kg.iris import bind_prefixes

SSSOM = Namespace("https://w3id.org/sssom/")
SET_LITERALS = {
    "mapping_set_version": OWL.versionInfo,
    "mapping_set_title": DCTERMS.title,
    "mapping_date": SSSOM.mapping_date,
    "comment": RDFS.comment,
}
SET_IRIS = {"license": DCTERMS.license}
ROW_LITERALS = {
    "subject_label": SSSOM.subject_label,
    "object_label": SSSOM.object_label,
    "comment": RDFS.comment,
}


@dataclass(frozen=True)
class MappingSet:
    """An SSSOM TSV file: its YAML metadata and its rows."""

    metadata: dict[str, object]
    rows: list[dict[str, str]]

    def expand(self, curie: str) -> URIRef:
        """A CURIE of this mapping set as a full IRI, by its curie_map."""
        prefix, _, local = curie.partition(":")
        curie_map = self.metadata.get("curie_map", {})
        if not isinstance(curie_map, dict) or prefix not in curie_map:
            raise UsageError(f"prefix '{prefix}' of '{curie}' is not in the curie_map")
        return URIRef(f"{curie_map[prefix]}{local}")


def read_mapping_set(path: Path) -> MappingSet:
    """Split an SSSOM TSV into its '#'-prefixed YAML header and its table."""
    text = path.read_text(encoding="utf-8")
    header = "\n".join(line[1:] for line in text.splitlines() if line.startswith("#"))
    table = "\n".join(line for line in text.splitlines() if line and not line.startswith("#"))
    metadata = yaml.safe_load(header) or {}
    rows = list(csv.DictReader(io.StringIO(table), delimiter="\t"))
    return MappingSet(metadata, rows)


def mapping_graph(mapping_set: MappingSet) -> Graph:
    """The mapping triples (subject, SKOS predicate, object) of a mapping set, each with an
    OWL axiom annotation carrying its justification, labels and comment (as sssom-py writes
    them), and the mapping set's own metadata."""
    graph = bind_prefixes(Graph())
    meta = mapping_set.metadata
    mapping_set_iri = URIRef(str(meta["mapping_set_id"]))
    graph.add((mapping_set_iri, RDF.type, SSSOM.MappingSet))
    for slot, value in meta.items():
        if slot in SET_LITERALS:
            graph.add((mapping_set_iri, SET_LITERALS[slot], Literal(str(value))))
        elif slot in SET_IRIS:
            graph.add((mapping_set_iri, SET_IRIS[slot], URIRef(str(value))))
    for row in mapping_set.rows:
        subject, predicate, obj = (
            mapping_set.expand(row[k]) for k in ("subject_id", "predicate_id", "object_id")
        )
        triple = (subject, predicate, obj)
        graph.add(triple)
        axiom = BNode()
        graph.add((axiom, RDF.type, OWL.Axiom))
        for slot, term in zip(
            (OWL.annotatedSource, OWL.annotatedProperty, OWL.annotatedTarget), triple, strict=True
        ):
            graph.add((axiom, slot, term))
        graph.add(
            (axiom, SSSOM.mapping_justification, mapping_set.expand(row["mapping_justification"]))
        )
        for slot, prop in ROW_LITERALS.items():
            if row.get(slot):
                graph.add((axiom, prop, Literal(row[slot])))
    return graph
