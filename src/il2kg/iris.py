"""IRIs of the project: its two namespaces and the published prefix map."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

from rdflib import Graph, Namespace

from il2kg.paths import published_prefixes

IL2KG = Namespace("https://w3id.org/il2kg/ontology/")
RES = Namespace("https://w3id.org/il2kg/resource/")
BIBO = Namespace("http://purl.org/ontology/bibo/")
ONTOLOGY_IRI = "https://w3id.org/il2kg/ontology"
ANY_LOCAL = re.compile(r".+")


@cache
def prefixes() -> dict[str, str]:
    """The published prefix map (`ontology/context.jsonld`), read once."""
    return published_prefixes()


def bind_prefixes(graph: Graph) -> Graph:
    """Bind every published prefix on a graph, for readable serialisations."""
    for prefix, iri in prefixes().items():
        graph.bind(prefix, iri, override=True, replace=True)
    return graph


def compact(iri: str, prefix_map: Mapping[str, str] | None = None,
            local: re.Pattern[str] = ANY_LOCAL) -> str | None:
    """The CURIE of an IRI by the longest namespace whose local part fits `local`, or None."""
    for prefix, namespace in sorted((prefix_map or prefixes()).items(), key=lambda kv: -len(kv[1])):
        rest = iri[len(namespace) :]
        if iri.startswith(namespace) and local.fullmatch(rest):
            return f"{prefix}:{rest}"
    return None


def curie(iri: str) -> str:
    """An IRI as a CURIE of the published prefix map where one fits (rdf:type), else as is."""
    return compact(iri) or iri
