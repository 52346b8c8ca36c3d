"""Write the build's files so that the output directory is always one complete build.

The output path (default `dist/`) is a symbolic link to a content-addressed sibling
directory. A build writes a new directory aside, then swaps the link with one atomic
rename: a reader, or a build killed at any point, sees the old build or the new one whole.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Dataset, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCAT, DCTERMS, VOID

from il2kg.namespaces import ONTOLOGY_IRI, bind_prefixes

GRAPH_BASE = "https://w3id.org/il2kg/graph/"
DATA_GRAPH = URIRef(GRAPH_BASE + "data")
ONTOLOGY_GRAPH = URIRef(GRAPH_BASE + "ontology")
MAPPINGS_GRAPH = URIRef(GRAPH_BASE + "mappings")
INFERRED_GRAPH = URIRef(GRAPH_BASE + "inferred")
IMPORTS_GRAPH_BASE = GRAPH_BASE + "imports/"
DATASET_IRI = URIRef("https://w3id.org/il2kg/dataset")
LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")


def sorted_ntriples(graph: Graph) -> str:
    """N-Triples with lines sorted, so identical graphs give identical bytes."""
    text = graph.serialize(format="nt")
    return "".join(sorted(line + "\n" for line in text.splitlines() if line.strip()))


def description(graph: Graph) -> Graph:
    """A VoID and DCAT description of the published graph, with its counts."""
    d = bind_prefixes(Graph())
    d.add((DATASET_IRI, RDF.type, VOID.Dataset))
    d.add((DATASET_IRI, RDF.type, DCAT.Dataset))
    d.add((DATASET_IRI, DCTERMS.title, Literal("il2kg: clinical evidence on high-dose IL-2")))
    d.add((DATASET_IRI, RDFS.label, Literal("il2kg knowledge graph")))
    d.add((DATASET_IRI, DCTERMS.license, LICENSE))
    d.add((DATASET_IRI, VOID.vocabulary, URIRef(ONTOLOGY_IRI)))
    d.add((DATASET_IRI, VOID.uriSpace, Literal("https://w3id.org/il2kg/resource/")))
    counts = {
        VOID.triples: len(graph),
        VOID.distinctSubjects: len(set(graph.subjects())),
        VOID.properties: len(set(graph.predicates())),
        VOID.distinctObjects: len(set(graph.objects())),
        VOID.classes: len(set(graph.objects(None, RDF.type))),
    }
    for predicate, value in counts.items():
        d.add((DATASET_IRI, predicate, Literal(value, datatype=XSD.integer)))
    for cls in sorted(set(graph.objects(None, RDF.type))):
        partition = URIRef(f"{DATASET_IRI}/class/{str(cls).rsplit('/', 1)[-1]}")
        d.add((DATASET_IRI, VOID.classPartition, partition))
        d.add((partition, VOID["class"], cls))
        entities = len(set(graph.subjects(RDF.type, cls)))
        d.add((partition, VOID.entities, Literal(entities, datatype=XSD.integer)))
    for name, media in (
        ("il2kg.ttl", "text/turtle"),
        ("il2kg.nt", "application/n-triples"),
        ("il2kg.jsonld", "application/ld+json"),
        ("il2kg.nq", "application/n-quads"),
    ):
        dist = URIRef(f"{DATASET_IRI}/distribution/{name}")
        d.add((DATASET_IRI, DCAT.distribution, dist))
        d.add((dist, RDF.type, DCAT.Distribution))
        d.add((dist, DCAT.mediaType, Literal(media)))
        d.add((dist, DCTERMS.title, Literal(name)))
    return d


def dataset(
    data: Graph, ontology: Graph, mappings: Graph, extra: Mapping[URIRef, Graph] | None = None
) -> Dataset:
    """The named graphs a store serves: data, ontology, mappings and any extra named graphs."""
    ds = Dataset()
    named = (
        (DATA_GRAPH, data),
        (ONTOLOGY_GRAPH, ontology),
        (MAPPINGS_GRAPH, mappings),
        *(extra or {}).items(),
    )
    for name, graph in named:
        target = ds.graph(name)
        for triple in to_canonical_graph(graph):
            target.add(triple)
    return ds


def render(
    data: Graph,
    ontology: Graph,
    mappings: Graph,
    context: dict[str, str],
    extra: Mapping[URIRef, Graph] | None = None,
) -> dict[str, bytes]:
    """Every artifact of a build, by file name; extra named graphs go into the N-Quads only."""
    published = bind_prefixes(data + mappings)
    quads = dataset(data, ontology, mappings, extra).serialize(format="nquads")
    return {
        "il2kg.ttl": published.serialize(format="turtle").encode(),
        "il2kg.nt": sorted_ntriples(published).encode(),
        "il2kg.jsonld": published.serialize(format="json-ld", context=context, indent=1).encode(),
        "il2kg.nq": "".join(sorted(f"{q}\n" for q in quads.splitlines() if q.strip())).encode(),
        "void.ttl": description(published).serialize(format="turtle").encode(),
        "ontology.ttl": ontology.serialize(format="turtle").encode(),
    }


def _digest(files: dict[str, bytes]) -> str:
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return h.hexdigest()[:16]


def publish(files: dict[str, bytes], out: Path) -> Path:
    """Write files into a fresh directory beside `out`, then point `out` at it atomically."""
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    target = out.parent / f".{out.name}-{_digest(files)}"
    if not target.is_dir():
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-tmp-", dir=out.parent))
        for name, content in files.items():
            (staging / name).write_bytes(content)
        for path in staging.iterdir():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
        staging.rename(target)
    if out.exists() and not out.is_symlink():
        out.rename(out.parent / f".{out.name}-previous-{os.getpid()}")
    link = out.parent / f".{out.name}-link-{os.getpid()}"
    link.unlink(missing_ok=True)
    link.symlink_to(target.name)
    os.replace(link, out)
    _remove_old(out, keep=target)
    return target


def _remove_old(out: Path, keep: Path) -> None:
    """Delete earlier build directories beside `out`; only the one it points at stays."""
    for old in out.parent.glob(f".{out.name}-*"):
        if old != keep and old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
