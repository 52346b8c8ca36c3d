"""The SSSOM mapping set as RDF: one SKOS mapping triple per row."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import yaml
from rdflib import Graph, URIRef

from il2kg.namespaces import bind_prefixes


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
            raise ValueError(f"prefix '{prefix}' of '{curie}' is not in the curie_map")
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
    """The mapping triples (subject, SKOS predicate, object) of a mapping set."""
    graph = bind_prefixes(Graph())
    for row in mapping_set.rows:
        graph.add(
            (
                mapping_set.expand(row["subject_id"]),
                mapping_set.expand(row["predicate_id"]),
                mapping_set.expand(row["object_id"]),
            )
        )
    return graph
