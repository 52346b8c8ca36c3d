"""The one-way flow: seeds -> records -> quads in a pyoxigraph store -> SHACL report and
HermiT reasoning, with the records audited against their sources when there are any.

Records go into the store as a stream of quads (`graph.quads`) and SHACL validates the store
(`checks.shacl.validate_store`), so no rdflib graph is built for the data unless something
needs one: HermiT (reasoning converts the records once more), pySHACL (asked for, or the
fast engine's fallback), and tests (`PipelineResult.graph`)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from il2kg.audit.check import AuditReport, combined
from il2kg.audit.wording import Lexicon
from il2kg.checks.reasoning import ReasoningReport, reason
from il2kg.checks.reasoning_cache import ReasoningCache
from il2kg.checks.shacl import ShaclEngine, ShaclReport, validate_store
from il2kg.checks.store_view import materialise
from il2kg.graph.convert import records_to_graph
from il2kg.graph.imports import import_graphs
from il2kg.graph.mappings import mapping_graph, read_mapping_set
from il2kg.graph.origin import origin
from il2kg.graph.quads import DATA, MAPPINGS, count, graph_quads, load
from il2kg.ingest import Checks, ingest
from il2kg.iris import INFERRED_GRAPH, bind_prefixes
from il2kg.paths import Inputs
from il2kg.records.load import LoadResult, SeedScan, load_result, scan_seeds
from il2kg.records.model import PublicationRecord
from il2kg.records.source_map import Location, SourceMap
from il2kg.records.sources import read_source
from il2kg.records.vocabulary import vocabulary_from

__all__ = ["Inputs", "PipelineResult", "read_graph", "run"]


@dataclass(frozen=True)
class PipelineResult:
    """Everything one run produced; `store` and `report` are None when records failed. The
    store holds the data and the mappings in their named graphs."""

    loaded: LoadResult
    ontology: Graph
    mappings: Graph
    store: ox.Store | None
    report: ShaclReport | None
    reasoning: ReasoningReport | None = None
    imports: dict[URIRef, Graph] = field(default_factory=dict)
    inputs: Inputs = field(default_factory=Inputs)
    audit: AuditReport | None = None  # None: no sources to audit against

    @property
    def ok(self) -> bool:
        """True when every record loaded, the graph conforms, HermiT (if run) finds no fault and
        the audit (if run) finds nothing."""
        conforms = self.report is not None and self.report.conforms
        reasoned = self.reasoning is None or self.reasoning.ok
        audited = self.audit is None or self.audit.ok
        return not self.loaded.errors and conforms and reasoned and audited

    @cached_property
    def graph(self) -> Graph | None:
        """The data graph as an rdflib graph, read from the store when first asked (tests)."""
        return None if self.store is None else bind_prefixes(materialise(self.store, [DATA]))

    @property
    def triples(self) -> int:
        """How many triples the data graph has (0 when records failed)."""
        return 0 if self.store is None else count(self.store, DATA)

    @property
    def extra_graphs(self) -> dict[URIRef, Graph]:
        """The named graphs published beside data, ontology and mappings: inferred and imports."""
        inferred = {INFERRED_GRAPH: self.reasoning.inferred} if self.reasoning else {}
        return {**inferred, **self.imports}


def read_graph(path: Path) -> Graph:
    """Parse one RDF file (format guessed from its extension)."""
    return bind_prefixes(Graph()).parse(path)


def locate(maps: Mapping[str, SourceMap], iri: str, prop: str | None = None) -> Location | None:
    """Where in the seeds the value of `prop` on resource `iri` was written; None if nowhere."""
    found = origin(iri, prop)
    if found is None or found.record not in maps:
        return None
    return maps[found.record].locate(found)


def _locate(report: ShaclReport, maps: Mapping[str, SourceMap]) -> ShaclReport:
    """Each finding at the seed file, field, line and column its focus node and path came from."""
    findings = tuple(
        replace(f, **vars(where)) if (where := locate(maps, f.focus_iri, f.path_iri)) else f
        for f in report.findings
    )
    return replace(report, findings=findings)


# Seed files up to this size in all (~1.3M triples of the synthetic records) build in an
# in-memory store: there, loading and SHACL take half the CPU they take on disk, and a 1M-triple
# build peaks under 1 GB (BENCHMARKS.md, "Issue 23, part 4").
IN_MEMORY_SEED_BYTES = 16_000_000


def _new_store(seeds: Sequence[Path], disk: Path | None) -> ox.Store:
    """An in-memory store for seeds totalling at most IN_MEMORY_SEED_BYTES, else one on disk."""
    if disk is None or sum(p.stat().st_size for p in seeds) <= IN_MEMORY_SEED_BYTES:
        return ox.Store()
    return ox.Store(str(disk))


def _read_seeds(
    scanned: SeedScan, checks: Checks, store: ox.Store
) -> tuple[LoadResult, AuditReport | None]:
    """Every seed file loaded, checked and audited (`ingest`, in worker processes for many);
    the records' quads go into `store` until a file has an error."""
    kept: list[tuple[PublicationRecord, Path]] = []
    errors = list(scanned.errors)
    audits: list[AuditReport] = []

    def quads() -> Iterator[bytes]:
        for item in ingest(scanned.seeds, checks):
            errors.extend(item.errors)
            if item.record is not None:
                kept.append((item.record, item.path))
                audits.extend([item.audit] if item.audit else [])
                if not errors:
                    yield item.quads

    load(store, quads())
    result = scanned.merge(load_result(kept, errors[len(scanned.errors) :]))
    return result, None if checks.sources_dir is None else combined(audits)


def run(
    inputs: Inputs | None = None,
    *,
    reasoning: bool = True,
    engine: ShaclEngine = "fast",
    cache: bool = True,
    store: ox.Store | None = None,
    disk: Path | None = None,
) -> PipelineResult:
    """Load, convert, validate and (unless told not to) reason; stop early on broken records.

    The records' quads and the mappings go into `store` (an empty one), else into a new store:
    on disk in the empty directory `disk` when one is given and the seed files total more than
    IN_MEMORY_SEED_BYTES, in memory otherwise. With `cache`, HermiT's inferences per record are
    read from and kept in the reasoning cache (`checks.reasoning_cache`), so unchanged records
    are not reasoned again.

    >>> result = run(reasoning=False)  # the bundled studies, SHACL only (HermiT needs Java)
    >>> result.ok, result.report.conforms, result.reasoning is None
    (True, True, True)
    >>> sorted(r.id for r in result.loaded.records)[:2]
    ['atkins-1999', 'buchbinder-2019']
    """
    inputs = inputs or Inputs()
    ontology = read_graph(inputs.ontology_file)
    mappings = mapping_graph(read_mapping_set(inputs.mappings_file))
    scanned = scan_seeds(inputs.seeds_dir)
    store = store if store is not None else _new_store(scanned.seeds, disk)
    checks = Checks(vocabulary_from(ontology), inputs.sources_dir, Lexicon.of(ontology))
    loaded, audited = _read_seeds(scanned, checks, store)
    if loaded.errors:
        return PipelineResult(loaded, ontology, mappings, None, None, inputs=inputs)
    store.bulk_extend(graph_quads(mappings, MAPPINGS))
    sources = partial(read_source, inputs.sources_dir) if inputs.sources_dir else None
    graph = records_to_graph(loaded.records, sources) if reasoning else None
    with ThreadPoolExecutor(max_workers=1) as background:
        # HermiT runs in a Java process, so SHACL proceeds meanwhile on this thread.
        kept = ReasoningCache.of(inputs) if cache else None
        reasoning_run = (
            background.submit(reason, ontology, graph, cache=kept) if graph is not None else None
        )
        report = validate_store(store, read_graph(inputs.shapes_file), ontology, engine)
        report = _locate(report, loaded.source_maps)
        reasoned = reasoning_run.result() if reasoning_run else None
    return PipelineResult(
        loaded,
        ontology,
        mappings,
        store,
        report,
        reasoned,
        import_graphs(inputs.imports_dir),
        inputs,
        audited,
    )
