"""OWL 2 DL reasoning with HermiT (through owlready2): consistency, culprits, what it infers.

The ontology and the data go into a fresh owlready2 World without annotations (they carry
no axioms); every other triple, each literal included, reaches HermiT. HermiT reports
the direct types and the property values it infers; `checks.inferred` makes the published
named graph of them.

A graph larger than one batch is reasoned module by module: records share only the
ontology and the vocabulary (each record's triples are about its own IRIs), so HermiT runs
over the ontology plus a batch of whole records at a time, batches in parallel processes,
and the union of their inferences is the whole graph's. Batches of about ten records keep
each run short (HermiT's time grows faster than its input) while paying few JVM starts.
"""

from __future__ import annotations

import io
import logging
import multiprocessing
import os
import zipfile
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import owlready2
from rdflib import OWL, RDF, RDFS, Graph

from il2kg.checks.inferred import inferred_graph, provenance
from il2kg.checks.reasoning_cache import ReasoningCache
from il2kg.iris import (
    INFERRED_GRAPH,
    ONTOLOGY_IRI,
    RES,
    bind_prefixes,
    record_of,
    resource_path,
    seed_file_of,
)

BUILTIN_ANNOTATIONS = {
    RDFS.label,
    RDFS.comment,
    RDFS.seeAlso,
    RDFS.isDefinedBy,
    OWL.versionInfo,
    OWL.deprecated,
}
OWLREADY_INFERENCES = "http://inferrences/"
log = logging.getLogger(__name__)


class ReasonerUnavailable(OSError):
    """HermiT could not run (no Java, or a Java error); nothing was decided about the data."""


@dataclass(frozen=True)
class ReasoningReport:
    """What HermiT decided: consistency, unsatisfiable classes and the inferred facts."""

    consistent: bool
    unsatisfiable: tuple[str, ...]
    culprits: tuple[str, ...]
    inferred: Graph
    reasoner: str
    cached: int = 0  # records whose inferences came from the reasoning cache

    @property
    def ok(self) -> bool:
        """True when the ontology with the data is consistent and every class satisfiable."""
        return self.consistent and not self.unsatisfiable

    @property
    def problems(self) -> tuple[str, ...]:
        """One line per problem, naming the class or resource and where to look."""
        lines = [
            f"ontology/il2kg.ttl: {iri}: unsatisfiable class (equivalent to owl:Nothing)"
            for iri in self.unsatisfiable
        ]
        lines += [
            "ontology/il2kg.ttl: the ontology alone is inconsistent"
            if iri == ONTOLOGY_IRI
            else f"{seed_file_of(iri)}: {iri}: inconsistent with the ontology "
            "(HermiT finds no model with this resource's description)"
            for iri in self.culprits
        ]
        return tuple(lines)

    def summary(self) -> str:
        """One line: the verdict and what was inferred."""
        if not self.consistent:
            return f"{self.reasoner}: inconsistent ontology and data"
        cached = f" ({self.cached} record(s) from the reasoning cache)" if self.cached else ""
        return (
            f"{self.reasoner}: consistent, {len(self.unsatisfiable)} unsatisfiable class(es), "
            f"{len(self.inferred)} triple(s) in <{INFERRED_GRAPH}>{cached}"
        )


JVM_FAST_START = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
BATCH_TRIPLES = 3_500


def hermit_version() -> str:
    """The HermiT version bundled with owlready2, from its jar's manifest."""
    jar = Path(owlready2.__file__).parent / "hermit" / "HermiT.jar"
    with zipfile.ZipFile(jar) as archive:
        manifest = archive.read("META-INF/MANIFEST.MF").decode()
    found = [
        line.split(":", 1)[1].strip()
        for line in manifest.splitlines()
        if line.startswith("Implementation-Version:")
    ]
    return found[0] if found else "unknown"


def reasoner_name() -> str:
    """The reasoner as the report and the provenance name it."""
    return f"HermiT {hermit_version()} via owlready2 {version('owlready2')}"


def axioms(graph: Graph, ontology: Graph) -> Graph:
    """The triples of a graph HermiT needs: all but annotations (they carry no semantics).

    Every other literal reaches HermiT, which refuses a datatype OWL 2 lacks: dates are
    on annotation properties, by the ontology's design, not dropped here."""
    annotations = BUILTIN_ANNOTATIONS | set(ontology.subjects(RDF.type, OWL.AnnotationProperty))
    kept = Graph()
    for triple in graph:
        if triple[1] not in annotations:
            kept.add(triple)
    return kept


def _classify(triples: Graph) -> owlready2.World:
    """A fresh World holding the triples, classified by HermiT; raises on inconsistency."""
    # HermiT runs once and briefly: a JVM tuned for start-up halves its wall time here,
    # unless the user chose JVM options of their own.
    os.environ.setdefault("JAVA_TOOL_OPTIONS", JVM_FAST_START)
    world = owlready2.World()
    data = io.BytesIO(triples.serialize(format="nt", encoding="utf-8"))
    world.get_ontology(ONTOLOGY_IRI).load(fileobj=data, format="ntriples")
    try:
        owlready2.sync_reasoner_hermit(world, infer_property_values=True, debug=0)
    except BaseException as exc:
        world.close()
        if isinstance(exc, FileNotFoundError):
            message = f"HermiT needs Java on PATH (e.g. apt install default-jre-headless): {exc}"
            raise ReasonerUnavailable(message) from exc
        if isinstance(exc, owlready2.OwlReadyJavaError):
            raise ReasonerUnavailable(f"HermiT failed: {str(exc).strip()[:2000]}") from exc
        raise
    return world


def _consistent(triples: Graph) -> bool:
    """True when HermiT finds the triples consistent."""
    try:
        _classify(triples).close()
    except owlready2.OwlReadyInconsistentOntologyError:
        return False
    return True


def _element(subject: object) -> str:
    """The curated element a data subject belongs to: its IRI up to `<record>/<kind>/<id>`."""
    path = resource_path(subject)
    return str(subject) if path is None else str(RES) + "/".join(path[:3])


def culprits(ontology: Graph, data: Graph) -> tuple[str, ...]:
    """The fewest elements (found by halving) whose descriptions clash with the ontology."""
    if not _consistent(ontology):
        return (ONTOLOGY_IRI,)
    groups: dict[str, Graph] = {}
    for triple in data:
        groups.setdefault(_element(triple[0]), Graph()).add(triple)
    keys = sorted(groups)
    while len(keys) > 1:
        half = len(keys) // 2
        for part in (keys[:half], keys[half:]):
            if not _consistent(_union([ontology, *(groups[k] for k in part)])):
                keys = part
                break
        else:
            break
    return tuple(keys)


def _union(graphs: Iterable[Graph]) -> Graph:
    union = Graph()
    for graph in graphs:
        union += graph
    return union


def _reason_whole(ontology: Graph, data: Graph) -> ReasoningReport:
    """One HermiT run over the ontology and all of data."""
    name = reasoner_name()
    tbox, abox = axioms(ontology, ontology), axioms(data, ontology)
    asserted = tbox + abox
    try:
        world = _classify(asserted)
    except owlready2.OwlReadyInconsistentOntologyError:
        return ReasoningReport(False, (), culprits(tbox, abox), Graph(), name)
    try:
        reported = Graph()
        reported += world.as_rdflib_graph().get_context(world.get_ontology(OWLREADY_INFERENCES))
    finally:
        world.close()
    reported.remove((None, RDF.type, OWL.Ontology))
    reported.remove((None, RDF.type, OWL.Thing))
    nothing = reported.subjects(OWL.equivalentClass, OWL.Nothing)
    unsatisfiable = tuple(sorted(str(c) for c in nothing))
    reported.remove((None, OWL.equivalentClass, OWL.Nothing))
    inferred = inferred_graph(asserted, reported, ontology, name)
    return ReasoningReport(True, unsatisfiable, (), inferred, name)


def record_parts(data: Graph) -> tuple[dict[str, Graph], Graph] | None:
    """Each record's triples, and the triples about non-record subjects (shared by all).

    None when a record's triple points at another record's IRI: modules would not be
    independent then, and the graph must be reasoned whole.
    """
    shared, parts = Graph(), dict[str, Graph]()
    for triple in data:
        record = record_of(triple[0])
        target = record_of(triple[2])
        if target is not None and target != record:
            return None
        if record is None:
            shared.add(triple)
        else:
            parts.setdefault(record, Graph()).add(triple)
    return parts, shared


def modules(data: Graph) -> list[Graph] | None:
    """One graph per record, each with the shared triples; None as `record_parts` says."""
    split = record_parts(data)
    if split is None:
        return None
    parts, shared = split
    return [parts[r] + shared for r in sorted(parts)]


def batches(parts: list[Graph], limit: int) -> list[Graph]:
    """Consecutive modules joined into graphs of at most about `limit` triples."""
    groups: list[list[Graph]] = []
    for part in parts:
        if groups and sum(map(len, groups[-1])) + len(part) <= limit:
            groups[-1].append(part)
        else:
            groups.append([part])
    return [_union(group) for group in groups]


Answer = tuple[bool, tuple[str, ...], tuple[str, ...], bytes]  # a report, inferences as bytes


def _answer(report: ReasoningReport) -> Answer:
    inferred = report.inferred.serialize(format="nt", encoding="utf-8")
    return report.consistent, report.unsatisfiable, report.culprits, inferred


def _reason_batch(ontology_nt: bytes, data_nt: bytes) -> Answer:
    """A worker's run: one batch, given and answered as N-Triples."""
    ontology = bind_prefixes(Graph()).parse(data=ontology_nt, format="nt")
    return _answer(_reason_whole(ontology, Graph().parse(data=data_nt, format="nt")))


def _run_batches(ontology: Graph, graphs: list[Graph], workers: int | None) -> list[Answer]:
    """Each graph reasoned with the ontology by HermiT, in `workers` spawned processes (one
    graph in this process: no interpreter to start)."""
    if len(graphs) == 1:
        return [_answer(_reason_whole(ontology, graphs[0]))]
    ontology_nt = ontology.serialize(format="nt", encoding="utf-8")
    jobs = [g.serialize(format="nt", encoding="utf-8") for g in graphs]
    # Spawned, not forked: reason() may run in a thread beside SHACL validation.
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers or os.cpu_count(), mp_context=spawn) as pool:
        return list(pool.map(_reason_batch, [ontology_nt] * len(jobs), jobs))


def _joined(answers: list[Answer]) -> ReasoningReport:
    """One report of several batches: consistent if all are, their inferences unioned."""
    consistent = all(a[0] for a in answers)
    inferred = bind_prefixes(Graph())
    if consistent:
        for answer in answers:
            inferred.parse(data=answer[3], format="nt")
    return ReasoningReport(
        consistent,
        tuple(sorted({c for a in answers for c in a[1]})),
        tuple(sorted({c for a in answers for c in a[2]})),
        inferred,
        reasoner_name(),
    )


def reason(
    ontology: Graph,
    data: Graph,
    *,
    batch_triples: int = BATCH_TRIPLES,
    workers: int | None = None,
    cache: ReasoningCache | None = None,
) -> ReasoningReport:
    """Run HermiT on the ontology and data; name what is wrong, or return what it infers.

    Data of more than `batch_triples` triples is reasoned in batches of whole records, in
    `workers` processes (default: one per core); a smaller graph in one run. With a cache,
    records whose inferences it holds are not reasoned again (`_reason_cached`).
    """
    split = record_parts(data) if cache is not None else None
    if cache is not None and split is not None and split[0]:
        return _reason_cached(ontology, *split, cache, batch_triples, workers)
    parts = modules(data) if len(data) > batch_triples else None
    if parts is None or len(parts) < 2:
        return _reason_whole(ontology, data)
    return _joined(_run_batches(ontology, batches(parts, batch_triples), workers))


def _reason_cached(
    ontology: Graph,
    parts: dict[str, Graph],
    shared: Graph,
    cache: ReasoningCache,
    batch_triples: int,
    workers: int | None,
) -> ReasoningReport:
    """Inferences per record from the cache; HermiT only for the records it lacks.

    A record's entry holds the inferred triples about its IRIs; the entry of the ontology
    (with the shared triples) those about no record. A run's inferences are stored only
    when they divide exactly so: every inferred triple about no record is one the ontology
    alone gives. The published graph is the union, with its provenance.
    """
    name = reasoner_name()
    keys = {r: cache.key(parts[r] + shared, name) for r in sorted(parts)}
    base_key = cache.key(shared, f"{name} (ontology alone)")
    known = {r: g for r, k in keys.items() if (g := cache.get(k)) is not None}
    base = cache.get(base_key)
    missing = [r for r in keys if r not in known]
    graphs = list(known.values())
    if missing or base is None:
        jobs = batches([parts[r] + shared for r in missing], batch_triples)
        answers = _run_batches(ontology, [*jobs, shared] if base is None else jobs, workers)
        report = _joined(answers)
        if not report.ok:
            return report
        fresh = report.inferred - provenance(ontology, name)
        if base is None:
            base = Graph().parse(data=answers[-1][3], format="nt") - provenance(ontology, name)
            cache.put(base_key, base)
        graphs.append(fresh)
        for record, triples in _by_record(fresh, missing, base).items():
            cache.put(keys[record], triples)
    inferred = bind_prefixes(Graph())
    for graph in (base, *graphs, provenance(ontology, name)):
        inferred += graph
    return ReasoningReport(True, (), (), inferred, name, len(known))


def _by_record(inferred: Graph, records: list[str], base: Graph) -> dict[str, Graph]:
    """The inferred triples about each record's IRIs; empty unless every other triple is
    in `base` (the ontology's own), so that each record's share is exactly its own."""
    shares: dict[str, Graph] = {r: Graph() for r in records}
    for triple in inferred:
        owners = {record_of(triple[0]), record_of(triple[2])} - {None}
        if len(owners) == 1 and (owner := owners.pop()) in shares:
            shares[owner].add(triple)
        elif owners or triple not in base:
            log.info("reasoning cache: %s is not one record's own; nothing cached", triple)
            return {}
    return shares
