"""IRIs of the project, in one place: namespaces, named graphs, the dataset, the prefix map.

Every IRI under `https://w3id.org/il2kg/` that code names is defined here (data files, e.g.
`ontology/il2kg.ttl`, spell theirs out), as is the one reading of a resource IRI: which
record it belongs to.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, Literal, Namespace, URIRef

from il2kg.paths import published_prefixes

if TYPE_CHECKING:
    from curies import Converter

BASE = "https://w3id.org/il2kg/"
IL2KG = Namespace(BASE + "ontology/")  # the ontology's terms (prefix il2kg:)
RES = Namespace(BASE + "resource/")  # the curated resources (prefix il2r:)
BIBO = Namespace("http://purl.org/ontology/bibo/")
CITO = Namespace("http://purl.org/spar/cito/")
OA = Namespace("http://www.w3.org/ns/oa#")  # W3C Web Annotation: quotes of the sources
SOURCE = Namespace(BASE + "source/")  # + a source file's name: the text records quote
ONTOLOGY_IRI = BASE + "ontology"

GRAPH_BASE = BASE + "graph/"  # the named graphs of a build
DATA_GRAPH = URIRef(GRAPH_BASE + "data")
ONTOLOGY_GRAPH = URIRef(GRAPH_BASE + "ontology")
MAPPINGS_GRAPH = URIRef(GRAPH_BASE + "mappings")
INFERRED_GRAPH = URIRef(GRAPH_BASE + "inferred")
VOID_GRAPH = URIRef(GRAPH_BASE + "void")
EXAMPLES_GRAPH = URIRef(GRAPH_BASE + "examples")
IMPORTS_GRAPH_BASE = GRAPH_BASE + "imports/"

DATASET_IRI = URIRef(BASE + "dataset")
PUBLIC_ENDPOINT = URIRef(BASE + "sparql")
PUBLISHER = URIRef(BASE)
RELEASE_BASE = BASE + "release/"  # + version + "/" + file name
EXAMPLE_BASE = BASE + "queries/"  # + example query name
FHIR_BASE = BASE + "fhir/"  # + FHIR resource type and id

ANY_LOCAL = re.compile(r".+")


def prefixes() -> dict[str, str]:
    """The published prefix map: a fresh copy, so a caller's change stays its own.

    >>> p = prefixes(); p["il2kg"] = "http://x.example/"; prefixes()["il2kg"]
    'https://w3id.org/il2kg/ontology/'
    """
    return published_prefixes()


def bind_prefixes(graph: Graph) -> Graph:
    """Bind every published prefix on a graph, for readable serialisations."""
    for prefix, iri in prefixes().items():
        graph.bind(prefix, iri, override=True, replace=True)
    return graph


@cache
def _converter(prefix_map: tuple[tuple[str, str], ...]) -> Converter:
    """A `curies` converter of a prefix map (built once per map)."""
    from curies import Converter  # imported when first needed: `il2kg --help` stays quick

    return Converter.from_prefix_map(dict(prefix_map))


def compact(
    iri: str, prefix_map: Mapping[str, str] | None = None, local: re.Pattern[str] = ANY_LOCAL
) -> str | None:
    """The CURIE of an IRI by the longest namespace of `prefix_map` (the published one by
    default), if its local part fits `local`; None otherwise.

    >>> compact("https://w3id.org/il2kg/resource/atkins-1999/cohort/all")
    'il2r:atkins-1999/cohort/all'
    >>> compact("https://w3id.org/il2kg/resource/a/b", local=re.compile(r"[\\w-]+")) is None
    True
    """
    items = tuple(sorted((prefix_map or prefixes()).items()))
    found = _converter(items).compress(iri)
    if found is None or not local.fullmatch(found.split(":", 1)[1]):
        return None
    return found


def curie(iri: str) -> str:
    """An IRI as a CURIE of the published prefix map where one fits (rdf:type), else as is.

    >>> curie("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), curie("https://example.org/x")
    ('rdf:type', 'https://example.org/x')
    """
    return compact(iri) or iri


def resource_path(node: object) -> list[str] | None:
    """The path segments of a resource IRI after `il2r:` (the record id first); None for
    anything else: vocabulary, literals, blank nodes. A plain string counts as an IRI."""
    if not isinstance(node, str) or isinstance(node, (Literal, BNode)):
        return None
    if not node.startswith(str(RES)):
        return None
    return node[len(str(RES)) :].split("/")


def record_of(node: object) -> str | None:
    """The id of the record a resource IRI belongs to, None for anything else.

    >>> record_of("https://w3id.org/il2kg/resource/atkins-1999/cohort/all")
    'atkins-1999'
    >>> record_of("https://w3id.org/il2kg/ontology/Cohort") is None
    True
    """
    path = resource_path(node)
    return None if path is None else path[0]


def seed_file_of(node: object) -> str:
    """The seed file a resource IRI was built from, for reports; `(graph)` for anything else."""
    record = record_of(node)
    return "(graph)" if record is None else f"seeds/{record}.yaml"
