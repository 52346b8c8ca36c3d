"""The one description of the released dataset: VoID and DCAT (with counts), and schema.org.

The build computes it from every named graph it publishes and from the dataset's metadata
(`DatasetInfo`: il2kg's own, or a project's `dataset.yaml`), and writes it as `void.ttl` and
as the named graph `.../graph/void` of `il2kg.nq`; the endpoint serves that graph as its
VoID, and its home page's schema.org description is read back from it (`dataset_from_void`),
so the dump, the live description and the page say the same. A project states only what it
gives: no licence, publisher or download is invented for it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
import yaml
from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, VOID

from il2kg.errors import UsageError
from il2kg.iris import (
    DATASET_IRI,
    ONTOLOGY_IRI,
    RES,
    bind_prefixes,
)
from il2kg.paths import DATASET_FILE

DCAT3 = Namespace(str(DCAT))  # DCAT 3 terms rdflib does not list (dcat:version)
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
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


@dataclass(frozen=True)
class DatasetInfo:
    """What a dataset says about itself; None (or empty) where it says nothing."""

    title: str
    description: str | None = None
    license: str | None = None  # an IRI
    publisher: str | None = None  # a name
    publisher_url: str | None = None
    keywords: tuple[str, ...] = ()
    version: str | None = None
    issued: str | None = None  # YYYY-MM-DD
    downloads: str | None = None  # the URL the build's files are published under, ending in /
    endpoint: str | None = None  # its public SPARQL endpoint


TEXT_FIELDS = ("title", "description", "license", "version", "issued", "downloads", "endpoint")


def download_url(name: str, dataset: DatasetInfo | None = None) -> URIRef:
    """Where a release file of `dataset` (il2kg's by default) is published."""
    return URIRef(f"{(dataset or il2kg_dataset()).downloads}{name}")


@cache
def il2kg_dataset() -> DatasetInfo:
    """il2kg's own metadata (the packaged `dataset.yaml`)."""
    return dataset_of(DATASET_FILE)


def dataset_of(path: Path) -> DatasetInfo:
    """What a build says about itself: its project's `dataset.yaml` (il2kg's own is one)."""
    return read_dataset(path, path.parent.absolute().name)


def read_dataset(path: Path, project: str) -> DatasetInfo:
    """A project's `dataset.yaml`; without one, a dataset titled after the project only."""
    if not path.is_file():
        return DatasetInfo(title=project)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise UsageError(f"{path}: not YAML: {exc}") from None
    if not isinstance(data, dict):
        raise UsageError(
            f"{path}: expected a mapping of fields ({', '.join(TEXT_FIELDS)}, publisher, keywords)"
        )
    unknown = set(data) - {*TEXT_FIELDS, "publisher", "keywords"}
    if unknown:
        raise UsageError(
            f"{path}: unknown field {sorted(unknown)[0]!r}; the fields are "
            f"{', '.join(TEXT_FIELDS)}, publisher (name, url) and keywords"
        )
    publisher = data.get("publisher") or {}
    fields: dict[str, Any] = {
        **{k: data.get(k) for k in TEXT_FIELDS},
        "publisher": publisher.get("name") if isinstance(publisher, dict) else publisher,
        "publisher_url": publisher.get("url") if isinstance(publisher, dict) else None,
    }
    for name, value in fields.items():
        if value is not None and not isinstance(value, str):
            raise UsageError(f"{path}: field {name!r}: expected text, found {value!r} (quote it)")
    keywords = data.get("keywords") or []
    if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
        raise UsageError(f"{path}: field 'keywords': expected a list of words")
    title = fields.pop("title") or project
    return DatasetInfo(title=title, keywords=tuple(keywords), **fields)


def partition(cls: str) -> URIRef:
    """The class partition of a class (its IRI percent-encoded, as SPARQL ENCODE_FOR_URI)."""
    return URIRef(f"{DATASET_IRI}/class/{quote(cls, safe='')}")


COUNTS = (VOID.triples, VOID.distinctSubjects, VOID.properties, VOID.distinctObjects)
COUNT_NAMES = ("triples", "subjects", "properties", "objects")
COUNTED = """SELECT ?g (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
  (COUNT(DISTINCT ?p) AS ?properties) (COUNT(DISTINCT ?o) AS ?objects)
WHERE { GRAPH ?g { ?s ?p ?o } }"""
CLASSES = """SELECT ?class (COUNT(DISTINCT ?s) AS ?entities)
WHERE { GRAPH ?g { ?s a ?class } FILTER(isIRI(?class)) } GROUP BY ?class"""


def _counted(store: ox.Store, by_graph: bool) -> dict[str, list[int]]:
    """Triples, distinct subjects, properties and objects: of each named graph, or of all
    of them (under "")."""
    query = COUNTED + " GROUP BY ?g" if by_graph else COUNTED.replace("?g (", "(", 1)
    rows = store.query(query)
    assert isinstance(rows, ox.QuerySolutions)
    return {
        row["g"].value if by_graph else "": [int(row[name].value) for name in COUNT_NAMES]
        for row in rows
        if not by_graph or isinstance(row["g"], ox.NamedNode)
    }


def _counts(d: Graph, node: URIRef, counts: list[int]) -> None:
    for predicate, value in zip(COUNTS, counts, strict=True):
        d.add((node, predicate, Literal(value, datatype=XSD.integer)))


def _metadata(d: Graph, dataset: DatasetInfo) -> None:
    d.add((DATASET_IRI, RDF.type, VOID.Dataset))
    d.add((DATASET_IRI, RDF.type, DCAT.Dataset))
    d.add((DATASET_IRI, DCTERMS.title, Literal(dataset.title)))
    d.add((DATASET_IRI, RDFS.label, Literal(dataset.title)))
    texts = ((DCTERMS.description, dataset.description), (DCAT3.version, dataset.version))
    d.addN((DATASET_IRI, p, Literal(v), d) for p, v in texts if v)
    if dataset.issued:
        d.add((DATASET_IRI, DCTERMS.issued, Literal(dataset.issued, datatype=XSD.date)))
    if dataset.license:
        d.add((DATASET_IRI, DCTERMS.license, URIRef(dataset.license)))
    if dataset.publisher:
        publisher = URIRef(dataset.publisher_url or f"{DATASET_IRI}/publisher")
        d.add((DATASET_IRI, DCTERMS.publisher, publisher))
        d.add((publisher, RDF.type, FOAF.Organization))
        d.add((publisher, FOAF.name, Literal(dataset.publisher)))
    for keyword in dataset.keywords:
        d.add((DATASET_IRI, DCAT.keyword, Literal(keyword)))
    d.add((DATASET_IRI, VOID.vocabulary, URIRef(ONTOLOGY_IRI)))
    d.add((DATASET_IRI, VOID.uriSpace, Literal(str(RES))))
    if dataset.endpoint:
        d.add((DATASET_IRI, VOID.sparqlEndpoint, URIRef(dataset.endpoint)))
    if not dataset.downloads:
        return
    d.add((DATASET_IRI, VOID.dataDump, download_url("il2kg.nq", dataset)))
    for name, (media, holds) in DOWNLOADS.items():
        dist = URIRef(f"{DATASET_IRI}/distribution/{name}")
        d.add((DATASET_IRI, DCAT.distribution, dist))
        d.add((dist, RDF.type, DCAT.Distribution))
        d.add((dist, DCTERMS.title, Literal(f"{name}: {holds}")))
        d.add((dist, DCAT.downloadURL, download_url(name, dataset)))
        d.add((dist, DCAT.mediaType, URIRef(MEDIA_TYPES + media)))
        if dataset.license:
            d.add((dist, DCTERMS.license, URIRef(dataset.license)))


def description(store: ox.Store, dataset: DatasetInfo | None = None) -> Graph:
    """The VoID and DCAT description of the store's named graphs, with their counts (by SPARQL
    on the store) and `dataset`'s metadata (il2kg's by default)."""
    dataset = dataset or il2kg_dataset()
    d = bind_prefixes(Graph())
    d.bind("sd", SD)
    _metadata(d, dataset)
    _counts(d, DATASET_IRI, _counted(store, by_graph=False).get("", [0, 0, 0, 0]))
    for name, counts in sorted(_counted(store, by_graph=True).items()):
        subset = URIRef(name)
        d.add((DATASET_IRI, VOID.subset, subset))
        d.add((subset, RDF.type, VOID.Dataset))
        d.add((subset, SD.name, subset))
        _counts(d, subset, counts)
    solutions = store.query(CLASSES)
    assert isinstance(solutions, ox.QuerySolutions)
    entities = {row["class"].value: int(row["entities"].value) for row in solutions}
    d.add((DATASET_IRI, VOID.classes, Literal(len(entities), datatype=XSD.integer)))
    for cls in sorted(entities):
        d.add((DATASET_IRI, VOID.classPartition, partition(cls)))
        d.add((partition(cls), VOID["class"], URIRef(cls)))
        d.add((partition(cls), VOID.entities, Literal(entities[cls], datatype=XSD.integer)))
    return d


def dataset_from_void(triples: Iterable[ox.Triple | ox.Quad]) -> DatasetInfo:
    """The metadata a VoID description (as `description` writes it) gives of the dataset."""
    by_subject: dict[str, dict[str, list[str]]] = {}
    for t in triples:
        if isinstance(t.subject, ox.NamedNode) and not isinstance(t.object, ox.Triple):
            by_subject.setdefault(t.subject.value, {}).setdefault(t.predicate.value, []).append(
                t.object.value
            )
    own = by_subject.get(str(DATASET_IRI), {})

    def first(predicate: URIRef, subject: dict[str, list[str]] = own) -> str | None:
        return next(iter(subject.get(str(predicate), [])), None)

    publisher_url = first(DCTERMS.publisher)
    publisher = by_subject.get(publisher_url or "", {})
    dump = first(VOID.dataDump)
    values = {
        "description": first(DCTERMS.description),
        "license": first(DCTERMS.license),
        "version": first(DCAT3.version),
        "issued": first(DCTERMS.issued),
        "endpoint": first(VOID.sparqlEndpoint),
        "downloads": dump.rsplit("/", 1)[0] + "/" if dump else None,
        "publisher": first(FOAF.name, publisher),
        "publisher_url": publisher_url
        if publisher_url and not publisher_url.startswith(f"{DATASET_IRI}/")
        else None,
    }
    return DatasetInfo(
        title=first(DCTERMS.title) or "",
        keywords=tuple(sorted(own.get(str(DCAT.keyword), []))),
        **values,
    )


def schema_org(dataset: DatasetInfo) -> dict[str, Any]:
    """The dataset as a schema.org `Dataset` (JSON-LD), for search engines and home pages;
    only what its metadata gives."""
    found: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": str(DATASET_IRI),
        "name": dataset.title,
        "url": str(DATASET_IRI),
        "description": dataset.description,
        "license": dataset.license,
        "version": dataset.version,
        "datePublished": dataset.issued,
        "keywords": list(dataset.keywords) or None,
    }
    if dataset.publisher:
        found["publisher"] = {
            "@type": "Organization",
            "name": dataset.publisher,
            **({"@id": dataset.publisher_url} if dataset.publisher_url else {}),
        }
    if dataset.downloads:
        found["distribution"] = [
            {
                "@type": "DataDownload",
                "contentUrl": str(download_url(name, dataset)),
                "encodingFormat": media,
                "description": holds,
            }
            for name, (media, holds) in DOWNLOADS.items()
        ]
    return {key: value for key, value in found.items() if value is not None}
