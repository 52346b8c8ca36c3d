"""The one description of the released dataset: VoID and DCAT (with counts), and schema.org.

The build computes it from every named graph it publishes and writes it as `void.ttl` and as
the named graph `.../graph/void` of `il2kg.nq`; the endpoint serves that graph as its VoID,
so the dump and the live description are the same triples.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, VOID

from il2kg import __released__, __version__
from il2kg.iris import (
    DATASET_IRI,
    ONTOLOGY_IRI,
    PUBLIC_ENDPOINT,
    PUBLISHER,
    RELEASE_BASE,
    RES,
    bind_prefixes,
)

LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
DCAT3 = Namespace(str(DCAT))  # DCAT 3 terms rdflib does not list (dcat:version)
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
TITLE = "il2kg: clinical evidence on high-dose IL-2"
DESCRIPTION = ("The published clinical evidence on high-dose interleukin-2 (aldesleukin) in "
               "metastatic melanoma and renal cell carcinoma, curated from five studies into an "
               "OWL 2 DL knowledge graph: cohorts, regimens, outcomes with reported and derived "
               "figures, adverse events, factors and statements, each linked to its source.")
KEYWORDS = ("interleukin-2", "aldesleukin", "melanoma", "renal cell carcinoma",
            "immunotherapy", "clinical evidence", "knowledge graph")
DOWNLOADS = {  # file name: (media type, what it holds)
    "il2kg.nq": ("application/n-quads", "every named graph the endpoint serves"),
    "il2kg.ttl": ("text/turtle", "the data and the mappings"),
    "il2kg.nt": ("application/n-triples", "the data and the mappings, sorted"),
    "il2kg.jsonld": ("application/ld+json", "the data and the mappings"),
    "ontology.ttl": ("text/turtle", "the ontology"),
    "ontology.owl": ("application/rdf+xml", "the ontology"),
    "ontology.ofn": ("text/owl-functional", "the ontology, OWL functional syntax"),
    "void.ttl": ("text/turtle", "this description"),
}


def download_url(name: str) -> URIRef:
    """Where a release file is published."""
    return URIRef(f"{RELEASE_BASE}{__version__}/{name}")


def partition(cls: str) -> URIRef:
    """The class partition of a class (its IRI percent-encoded, as SPARQL ENCODE_FOR_URI)."""
    return URIRef(f"{DATASET_IRI}/class/{quote(cls, safe='')}")


def _counts(d: Graph, node: URIRef, quads: Sequence[ox.Quad]) -> None:
    counts = {
        VOID.triples: len(quads),
        VOID.distinctSubjects: len({q.subject for q in quads}),
        VOID.properties: len({q.predicate for q in quads}),
        VOID.distinctObjects: len({q.object for q in quads}),
    }
    for predicate, value in counts.items():
        d.add((node, predicate, Literal(value, datatype=XSD.integer)))


def _metadata(d: Graph) -> None:
    d.add((DATASET_IRI, RDF.type, VOID.Dataset))
    d.add((DATASET_IRI, RDF.type, DCAT.Dataset))
    d.add((DATASET_IRI, DCTERMS.title, Literal(TITLE)))
    d.add((DATASET_IRI, RDFS.label, Literal("il2kg knowledge graph")))
    d.add((DATASET_IRI, DCTERMS.description, Literal(DESCRIPTION)))
    d.add((DATASET_IRI, DCTERMS.license, LICENSE))
    d.add((DATASET_IRI, DCAT3.version, Literal(__version__)))
    d.add((DATASET_IRI, DCTERMS.issued, Literal(__released__, datatype=XSD.date)))
    d.add((DATASET_IRI, DCTERMS.publisher, PUBLISHER))
    d.add((PUBLISHER, RDF.type, FOAF.Organization))
    d.add((PUBLISHER, FOAF.name, Literal("The il2kg project")))
    for keyword in KEYWORDS:
        d.add((DATASET_IRI, DCAT.keyword, Literal(keyword)))
    d.add((DATASET_IRI, VOID.vocabulary, URIRef(ONTOLOGY_IRI)))
    d.add((DATASET_IRI, VOID.uriSpace, Literal(str(RES))))
    d.add((DATASET_IRI, VOID.sparqlEndpoint, PUBLIC_ENDPOINT))
    d.add((DATASET_IRI, VOID.dataDump, download_url("il2kg.nq")))
    for name, (media, holds) in DOWNLOADS.items():
        dist = URIRef(f"{DATASET_IRI}/distribution/{name}")
        d.add((DATASET_IRI, DCAT.distribution, dist))
        d.add((dist, RDF.type, DCAT.Distribution))
        d.add((dist, DCTERMS.title, Literal(f"{name}: {holds}")))
        d.add((dist, DCAT.downloadURL, download_url(name)))
        d.add((dist, DCAT.mediaType, URIRef(MEDIA_TYPES + media)))
        d.add((dist, DCTERMS.license, LICENSE))


def description(quads: Sequence[ox.Quad]) -> Graph:
    """The VoID and DCAT description of the published named graphs, with their counts."""
    d = bind_prefixes(Graph())
    d.bind("sd", SD)
    _metadata(d)
    _counts(d, DATASET_IRI, quads)
    by_graph: dict[str, list[ox.Quad]] = {}
    for quad in quads:
        if isinstance(quad.graph_name, ox.NamedNode):  # every published triple is in one
            by_graph.setdefault(quad.graph_name.value, []).append(quad)
    for name, graph_quads in sorted(by_graph.items()):
        subset = URIRef(name)
        d.add((DATASET_IRI, VOID.subset, subset))
        d.add((subset, RDF.type, VOID.Dataset))
        d.add((subset, SD.name, subset))
        _counts(d, subset, graph_quads)
    rdf_type = ox.NamedNode(str(RDF.type))
    typed = {(q.subject, q.object.value) for q in quads
             if q.predicate == rdf_type and isinstance(q.object, ox.NamedNode)}
    entities = Counter(cls for _, cls in typed)
    d.add((DATASET_IRI, VOID.classes, Literal(len(entities), datatype=XSD.integer)))
    for cls in sorted(entities):
        d.add((DATASET_IRI, VOID.classPartition, partition(cls)))
        d.add((partition(cls), VOID["class"], URIRef(cls)))
        d.add((partition(cls), VOID.entities, Literal(entities[cls], datatype=XSD.integer)))
    return d


def schema_org() -> dict[str, object]:
    """The dataset as a schema.org `Dataset` (JSON-LD), for search engines and home pages."""
    return {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": str(DATASET_IRI),
        "name": TITLE,
        "description": DESCRIPTION,
        "url": str(DATASET_IRI),
        "license": str(LICENSE),
        "version": __version__,
        "datePublished": __released__,
        "keywords": list(KEYWORDS),
        "publisher": {"@type": "Organization", "@id": str(PUBLISHER), "name": "The il2kg project"},
        "distribution": [{"@type": "DataDownload", "contentUrl": str(download_url(name)),
                          "encodingFormat": media, "description": holds}
                         for name, (media, holds) in DOWNLOADS.items()],
    }
