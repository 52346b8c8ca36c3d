"""The build's files, written from its store: sorted N-Quads and N-Triples, Turtle, JSON-LD,
VoID, and the ontology.

The store holds the data and mappings (filled by the pipeline); the ontology and the extra
named graphs (inferred, imports, examples) are added here with canonical blank node labels
(`graph.quads.graph_quads`), the VoID description is computed from the store, and every
file is written from it in a stream: pyoxigraph dumps the graphs, the lines are sorted in
bounded memory (`publish.sorted_lines`), and pyoxigraph writes Turtle and JSON-LD from the
sorted triples, so two builds of the same graphs give the same bytes. `publish.dist` puts
the directory in place.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO

import pyhornedowl
import pyoxigraph as ox
from pyhornedowl.model import Class, DisjointClasses
from rdflib import OWL, RDF, Graph, URIRef
from rdflib.collection import Collection

from il2kg.graph.quads import graph_quads, ntriples_lines
from il2kg.iris import DATA_GRAPH, MAPPINGS_GRAPH, ONTOLOGY_GRAPH, VOID_GRAPH
from il2kg.publish.release import DatasetInfo, description
from il2kg.publish.sorted_lines import sorted_unique

PUBLISHED = (DATA_GRAPH, MAPPINGS_GRAPH)  # the graphs of il2kg.nt, .ttl and .jsonld


def serialized(
    triples: Sequence[ox.Triple], fmt: ox.RdfFormat, prefixes: dict[str, str] | None = None
) -> bytes:
    """pyoxigraph's serialisation of triples, as bytes."""
    out = io.BytesIO()
    ox.serialize(triples, out, fmt, prefixes=prefixes)
    return out.getvalue()


def ontology_files(ontology: Graph) -> dict[str, bytes]:
    """The ontology as Turtle, RDF/XML and OWL functional syntax (by the horned-owl library).

    horned-owl's RDF reader skips `owl:AllDisjointClasses`; those axioms are added to what it
    read (a test compares the axioms of both files in the OWL API)."""
    canonical = ox.parse("".join(sorted(ntriples_lines(ontology))), format=ox.RdfFormat.N_TRIPLES)
    rdfxml = serialized([q.triple for q in canonical], ox.RdfFormat.RDF_XML)
    parsed = pyhornedowl.open_ontology_from_string(rdfxml.decode(), "rdf")
    for node in ontology.subjects(RDF.type, OWL.AllDisjointClasses):
        for head in ontology.objects(node, OWL.members):
            members = Collection(ontology, head)
            parsed.add_axiom(DisjointClasses([Class(parsed.iri(str(c))) for c in members]))
    return {
        "ontology.ttl": ontology.serialize(format="turtle").encode(),
        "ontology.owl": rdfxml,
        "ontology.ofn": parsed.save_to_string("ofn").encode(),
    }


def _dumped(store: ox.Store, fmt: ox.RdfFormat, graphs: Sequence[URIRef] | None) -> IO[bytes]:
    """A temporary file holding the store's graphs (all named graphs when None), unsorted."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (returned; the caller closes it)
    if graphs is None:
        store.dump(spool, fmt)
    for name in graphs or ():
        store.dump(spool, fmt, from_graph=ox.NamedNode(name))
    spool.seek(0)
    return spool


def _write_sorted(
    path: Path, store: ox.Store, fmt: ox.RdfFormat, graphs: Sequence[URIRef] | None
) -> None:
    with _dumped(store, fmt, graphs) as lines, path.open("wb") as out:
        out.writelines(sorted_unique(lines))


def _triples(nt: Path) -> Iterator[ox.Triple]:
    """The triples of an N-Triples file, in its order."""
    for quad in ox.parse(path=nt, format=ox.RdfFormat.N_TRIPLES):
        yield quad.triple


def _write_jsonld(path: Path, nt: Path, context: dict[str, str]) -> None:
    """JSON-LD: the published context and pyoxigraph's node objects (full IRIs) as @graph."""
    head = json.dumps({"@context": context}, indent=1)[:-2]
    with path.open("wb") as out:
        out.write(f'{head},\n "@graph": '.encode())
        ox.serialize(_triples(nt), out, ox.RdfFormat.JSON_LD)
        out.write(b"\n}\n")


def write_release(
    directory: Path,
    store: ox.Store,
    ontology: Graph,
    context: dict[str, str],
    extra: Mapping[URIRef, Graph] | None = None,
    dataset: DatasetInfo | None = None,
) -> None:
    """Every file of the build in `store` (its data and mappings graphs) into `directory`.

    The ontology and `extra` named graphs are added to the store first; they go into the
    N-Quads only, with the VoID/DCAT description of them all (from `dataset`'s metadata,
    il2kg's by default) as one more."""
    for name, graph in {ONTOLOGY_GRAPH: ontology, **(extra or {})}.items():
        store.bulk_extend(graph_quads(graph, ox.NamedNode(name)))
    void = description(store, dataset)
    store.bulk_extend(graph_quads(void, ox.NamedNode(VOID_GRAPH)))
    _write_sorted(directory / "il2kg.nq", store, ox.RdfFormat.N_QUADS, None)
    nt = directory / "il2kg.nt"
    _write_sorted(nt, store, ox.RdfFormat.N_TRIPLES, PUBLISHED)
    with (directory / "il2kg.ttl").open("wb") as out:
        ox.serialize(_triples(nt), out, ox.RdfFormat.TURTLE, prefixes=context)
    _write_jsonld(directory / "il2kg.jsonld", nt, context)
    files = {"void.ttl": void.serialize(format="turtle").encode(), **ontology_files(ontology)}
    for file_name, content in files.items():
        (directory / file_name).write_bytes(content)
