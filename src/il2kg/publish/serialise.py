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
import multiprocessing
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from itertools import chain
from pathlib import Path

import pyhornedowl
import pyoxigraph as ox
from pyhornedowl.model import Class, DisjointClasses
from rdflib import OWL, RDF, Graph, URIRef
from rdflib.collection import Collection

from il2kg.graph.quads import graph_quads, ntriples_lines
from il2kg.iris import DATA_GRAPH, MAPPINGS_GRAPH, ONTOLOGY_GRAPH, VOID_GRAPH
from il2kg.publish.from_ntriples import write_jsonld, write_turtle
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


END = b" .\n"  # how every N-Triples line ends; no line holds a raw line feed
CHUNK = 1 << 20  # bytes of dumped lines read at a time
PARALLEL_FROM = 32 << 20  # bytes of N-Triples from which JSON-LD is written in a second process


def _graph_lines(store: ox.Store, graph: ox.NamedNode | ox.BlankNode) -> Iterator[bytes]:
    """The N-Quads lines of one named graph of the store, unsorted: pyoxigraph dumps its
    triples to a temporary file and each line gets the graph's name."""
    tag = f" {graph}{END.decode()}".encode()
    with tempfile.TemporaryFile() as spool:
        store.dump(spool, ox.RdfFormat.N_TRIPLES, from_graph=graph)
        spool.seek(0)
        while lines := spool.readlines(CHUNK):
            yield from (line[: -len(END)] + tag for line in lines)


def _void_lines(store: ox.Store, described: Future[Graph]) -> Iterator[bytes]:
    """The N-Quads lines of the VoID graph, added to the store once it is computed."""
    name = ox.NamedNode(VOID_GRAPH)
    store.bulk_extend(graph_quads(described.result(), name))
    yield from _graph_lines(store, name)


def _write_quads_and_triples(directory: Path, quads: Iterator[bytes]) -> None:
    """`il2kg.nq` (the N-Quads lines of named graphs, sorted) and `il2kg.nt` (the triples of
    the published graphs, sorted, each once) in one pass of one sort.

    Both orders agree: an N-Quads line is its triple followed by " <graph> .", and every term
    ends where its own text says, so two lines of different triples compare as their
    triples' N-Triples lines do, and the lines of one triple are adjacent."""
    published = tuple(f" {ox.NamedNode(g)}{END.decode()}".encode() for g in PUBLISHED)
    last = b""
    with (directory / "il2kg.nq").open("wb") as nq, (directory / "il2kg.nt").open("wb") as nt:
        for line in sorted_unique(quads):
            nq.write(line)
            if line.endswith(published):  # a triple of the published graphs
                triple = line[: line.rindex(b" <")] + END
                if triple != last:
                    nt.write(triple)
                    last = triple


def _write_text_formats(directory: Path, nt: Path, context: dict[str, str]) -> None:
    """`il2kg.ttl` and `il2kg.jsonld` from the sorted N-Triples: for a large build, JSON-LD
    in a spawned process while this one writes Turtle (two cores, the same bytes); for a small
    one, one after the other (starting a process takes longer than writing them)."""
    turtle, jsonld = directory / "il2kg.ttl", directory / "il2kg.jsonld"
    if nt.stat().st_size < PARALLEL_FROM:
        write_turtle(turtle, nt, context)
        write_jsonld(jsonld, nt, context)
        return
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        written = pool.submit(write_jsonld, jsonld, nt, context)
        write_turtle(turtle, nt, context)
        written.result()


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
    N-Quads (which hold the store's named graphs: the build writes nothing to the default
    graph) only, with the VoID/DCAT description of them all (from `dataset`'s metadata,
    il2kg's by default) as one more. From `PARALLEL_FROM` bytes of N-Triples, JSON-LD is
    written by a spawned process: a script calling this for a large build needs Python's
    `if __name__ == "__main__":` guard."""
    for name, graph in {ONTOLOGY_GRAPH: ontology, **(extra or {})}.items():
        store.bulk_extend(graph_quads(graph, ox.NamedNode(name)))
    with ThreadPoolExecutor(max_workers=1) as counting:
        # VoID's counts are SPARQL aggregates on a second thread (pyoxigraph lets go of the
        # GIL while it evaluates) while this one dumps and sorts; its graph is sorted last.
        described = counting.submit(description, store, dataset)
        graphs = [_graph_lines(store, g) for g in store.named_graphs()]
        _write_quads_and_triples(directory, chain(*graphs, _void_lines(store, described)))
    _write_text_formats(directory, directory / "il2kg.nt", context)
    void = described.result()
    files = {"void.ttl": void.serialize(format="turtle").encode(), **ontology_files(ontology)}
    for file_name, content in files.items():
        (directory / file_name).write_bytes(content)
