"""The one-way flow: seeds -> records -> RDF graph -> SHACL report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from il2kg import project
from il2kg.convert import records_to_graph
from il2kg.loading import LoadResult, load_seeds, seed_files
from il2kg.mappings import mapping_graph, read_mapping_set
from il2kg.namespaces import bind_prefixes
from il2kg.validate import ShaclReport, validate_graph
from il2kg.vocabulary import vocabulary_from


@dataclass(frozen=True)
class Inputs:
    """Where the pipeline reads from; defaults are the project's own files."""

    seeds_dir: Path = project.SEEDS_DIR
    ontology_file: Path = project.ONTOLOGY_FILE
    mappings_file: Path = project.MAPPINGS_FILE
    shapes_file: Path = project.SHAPES_FILE


@dataclass(frozen=True)
class PipelineResult:
    """Everything one run produced; `graph` and `report` are None when records failed."""

    loaded: LoadResult
    ontology: Graph
    mappings: Graph
    graph: Graph | None
    report: ShaclReport | None

    @property
    def ok(self) -> bool:
        """True when every record loaded and the graph conforms to the shapes."""
        return not self.loaded.errors and self.report is not None and self.report.conforms


def read_graph(path: Path) -> Graph:
    """Parse one RDF file (format guessed from its extension)."""
    return bind_prefixes(Graph()).parse(path)


def run(inputs: Inputs | None = None) -> PipelineResult:
    """Load, convert and validate; stop before conversion if any record is broken."""
    inputs = inputs or Inputs()
    ontology = read_graph(inputs.ontology_file)
    mappings = mapping_graph(read_mapping_set(inputs.mappings_file))
    loaded = load_seeds(seed_files(inputs.seeds_dir), vocabulary_from(ontology))
    if loaded.errors:
        return PipelineResult(loaded, ontology, mappings, None, None)
    graph = records_to_graph(loaded.records)
    report = validate_graph(graph + mappings, read_graph(inputs.shapes_file), ontology)
    return PipelineResult(loaded, ontology, mappings, graph, report)
