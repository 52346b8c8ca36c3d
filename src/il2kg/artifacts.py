"""Write the build's files so that the output directory is always one complete build.

Serialisation is pyoxigraph's (Rust): rdflib writes each graph once as N-Triples, the
lines are sorted, and pyoxigraph writes Turtle and JSON-LD from the sorted triples, so two
builds of the same graphs give the same bytes. Blank nodes (the ontology's) are labelled
from their descriptions (`rdflib.compare.to_canonical_graph`).

The output path (default `dist/`) is a symbolic link to a content-addressed sibling
directory. A build writes a new directory aside, then swaps the link with one atomic
rename: a reader, or a build killed at any point, sees the old build or the new one whole.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
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


def ntriples_lines(graph: Graph) -> list[str]:
    """The graph's N-Triples lines; blank nodes labelled from their descriptions."""
    text = graph.serialize(format="nt")
    if "_:" in text:
        text = to_canonical_graph(graph).serialize(format="nt")
    # Split at line feeds only: literals may hold other characters str.splitlines() breaks at.
    return [line + "\n" for line in text.split("\n") if line.strip()]


def as_quads(lines: Sequence[str], name: URIRef) -> list[str]:
    """N-Triples lines as N-Quads lines in the named graph."""
    return [f"{line[: line.rindex('.')]}<{name}> .\n" for line in lines]


def description(triples: Sequence[ox.Triple]) -> Graph:
    """A VoID and DCAT description of the published triples, with their counts."""
    d = bind_prefixes(Graph())
    d.add((DATASET_IRI, RDF.type, VOID.Dataset))
    d.add((DATASET_IRI, RDF.type, DCAT.Dataset))
    d.add((DATASET_IRI, DCTERMS.title, Literal("il2kg: clinical evidence on high-dose IL-2")))
    d.add((DATASET_IRI, RDFS.label, Literal("il2kg knowledge graph")))
    d.add((DATASET_IRI, DCTERMS.license, LICENSE))
    d.add((DATASET_IRI, VOID.vocabulary, URIRef(ONTOLOGY_IRI)))
    d.add((DATASET_IRI, VOID.uriSpace, Literal("https://w3id.org/il2kg/resource/")))
    rdf_type = ox.NamedNode(str(RDF.type))
    typed = {(t.subject, t.object) for t in triples if t.predicate == rdf_type}
    entities = Counter(cls.value for _, cls in typed)
    counts = {
        VOID.triples: len(triples),
        VOID.distinctSubjects: len({t.subject for t in triples}),
        VOID.properties: len({t.predicate for t in triples}),
        VOID.distinctObjects: len({t.object for t in triples}),
        VOID.classes: len(entities),
    }
    for predicate, value in counts.items():
        d.add((DATASET_IRI, predicate, Literal(value, datatype=XSD.integer)))
    for cls in sorted(entities):
        partition = URIRef(f"{DATASET_IRI}/class/{cls.rsplit('/', 1)[-1]}")
        d.add((DATASET_IRI, VOID.classPartition, partition))
        d.add((partition, VOID["class"], URIRef(cls)))
        d.add((partition, VOID.entities, Literal(entities[cls], datatype=XSD.integer)))
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


def jsonld(triples: Sequence[ox.Triple], context: dict[str, str]) -> bytes:
    """JSON-LD: the published context and pyoxigraph's node objects (full IRIs) as @graph."""
    nodes = ox.serialize(triples, format=ox.RdfFormat.JSON_LD)
    head = json.dumps({"@context": context}, indent=1)[:-2]
    return f'{head},\n "@graph": '.encode() + nodes + b"\n}\n"


def render(
    data: Graph,
    ontology: Graph,
    mappings: Graph,
    context: dict[str, str],
    extra: Mapping[URIRef, Graph] | None = None,
) -> dict[str, bytes]:
    """Every artifact of a build, by file name; extra named graphs go into the N-Quads only."""
    named = {
        DATA_GRAPH: data,
        ONTOLOGY_GRAPH: ontology,
        MAPPINGS_GRAPH: mappings,
        **(extra or {}),
    }
    lines = {name: ntriples_lines(graph) for name, graph in named.items()}
    published = "".join(sorted(set(lines[DATA_GRAPH] + lines[MAPPINGS_GRAPH])))
    triples = [q.triple for q in ox.parse(published, format=ox.RdfFormat.N_TRIPLES)]
    quads = sorted(q for name, graph_lines in lines.items() for q in as_quads(graph_lines, name))
    return {
        "il2kg.ttl": ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=context),
        "il2kg.nt": published.encode(),
        "il2kg.jsonld": jsonld(triples, context),
        "il2kg.nq": "".join(quads).encode(),
        "void.ttl": description(triples).serialize(format="turtle").encode(),
        "ontology.ttl": ontology.serialize(format="turtle").encode(),
    }


def _digest(files: dict[str, bytes]) -> str:
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return h.hexdigest()[:16]


def staging_dir(out: Path) -> Path:
    """A fresh, empty directory beside `out` to build into."""
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out.name}-tmp-", dir=out.parent))


def build_dir(out: Path, token: str) -> Path:
    """Where a complete build for `out` lives: a hidden sibling named by a token."""
    out = out.absolute()
    return out.parent / f".{out.name}-build-{token}"


def point(out: Path, target: Path) -> Path:
    """Make `out` a link to `target`, a complete build beside it, in one atomic rename."""
    out = out.absolute()
    if out.exists() and not out.is_symlink():
        raise FileExistsError(f"{out} exists and is not a link to an il2kg build; "
                              "move it away or choose another output")
    link = out.parent / f".{out.name}-link-{os.getpid()}"
    link.unlink(missing_ok=True)
    link.symlink_to(target.name)
    os.replace(link, out)
    _remove_old(out, keep=target)
    return target


def publish(files: dict[str, bytes], out: Path) -> Path:
    """Write files into a fresh directory beside `out`, then point `out` at it atomically."""
    target = build_dir(out, _digest(files))
    if not target.is_dir():
        staging = staging_dir(out)
        for name, content in files.items():
            (staging / name).write_bytes(content)
        for path in staging.iterdir():
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
        staging.rename(target)
    return point(out, target)


def _remove_old(out: Path, keep: Path) -> None:
    """Delete earlier complete builds beside `out` (never another build's staging)."""
    for old in out.parent.glob(f".{out.name}-build-*"):
        if old != keep and old.is_dir() and not old.is_symlink():
            shutil.rmtree(old, ignore_errors=True)
