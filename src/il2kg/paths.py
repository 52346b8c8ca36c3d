"""Where il2kg's files are: the data it ships with, and the project a command runs in.

A wheel carries `ontology/`, `shapes/`, `queries/`, `seeds/` and `sources/` as package data under
`il2kg/data/`; a source checkout (the package imported from `src/`) reads the same
directories at the root of the repository. A project is a directory with a `seeds/`
directory: the one a command runs in or the nearest one above it. A file the project has
at the same relative path (e.g. `shapes/il2kg-shapes.ttl`) replaces the packaged one;
outside any project il2kg reads the five bundled studies. Nothing a project overrides is
read from outside it: a file (or a file in an overriding directory) that resolves outside the
project, e.g. through a link, is refused (`il2kg.files.inside`). The source texts of the
seeds are the `sources/` directory beside the seeds directory; without one, records are not
checked against sources (and `il2kg validate` says so).
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from il2kg import __version__
from il2kg.files import inside


def _data_root() -> Path:
    """`il2kg/data` of an installed wheel, else the repository root of a source checkout."""
    packaged = resources.files("il2kg") / "data"
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2]


ROOT = _data_root()
SEEDS = "seeds"
SOURCES = "sources"
ONTOLOGY = "ontology/il2kg.ttl"
MAPPINGS = "ontology/mappings.sssom.tsv"
IMPORTS = "ontology/imports"
CONTEXT = "ontology/context.jsonld"
SHAPES = "shapes/il2kg-shapes.ttl"
QUERIES = "queries"
DATASET = "dataset.yaml"  # a project's own metadata: title, licence, publisher, downloads
RECORD_SCHEMA = "shapes/record.schema.json"

ONTOLOGY_FILE = ROOT / ONTOLOGY
MAPPINGS_FILE = ROOT / MAPPINGS
IMPORTS_DIR = ROOT / IMPORTS
CONTEXT_FILE = ROOT / CONTEXT
SEEDS_DIR = ROOT / SEEDS
DATASET_FILE = ROOT / DATASET
SOURCES_DIR = ROOT / SOURCES
SHAPES_FILE = ROOT / SHAPES
QUERIES_DIR = ROOT / QUERIES
RECORD_SCHEMA_FILE = ROOT / RECORD_SCHEMA


@dataclass(frozen=True)
class Inputs:
    """The files one run reads; the defaults are the packaged ones."""

    seeds_dir: Path = SEEDS_DIR
    ontology_file: Path = ONTOLOGY_FILE
    mappings_file: Path = MAPPINGS_FILE
    shapes_file: Path = SHAPES_FILE
    imports_dir: Path = IMPORTS_DIR
    queries_dir: Path = QUERIES_DIR
    sources_dir: Path | None = SOURCES_DIR  # None: records whose sources are not at hand
    dataset_file: Path = DATASET_FILE  # what the graph says of itself (a project's may be missing)
    origin: str = "the studies bundled with il2kg"

    def seeds_line(self) -> str:
        """The first line of every report: which seeds directory was read, and why that one."""
        return f"seeds: {self.seeds_dir.absolute()} ({self.origin})"


def find_project(start: Path) -> Path | None:
    """The nearest directory, from `start` upwards, that has a `seeds/` directory."""
    start = start.absolute()
    return next((d for d in (start, *start.parents) if (d / SEEDS).is_dir()), None)


def locate(start: Path, seeds: Path | None = None) -> Inputs:
    """The inputs of a run in `start`: its project's files where it has them, else packaged."""
    project = find_project(start)

    def pick(relative: str) -> Path:
        if project is None or not (project / relative).exists():
            return ROOT / relative
        own = project / relative
        inside(own, project)
        if own.is_dir() and relative != SEEDS:  # each seed is checked as it is read
            for entry in sorted(own.iterdir()):
                inside(entry, project)
        return own

    if seeds is not None:
        origin = "given by --seeds"
    elif project is not None:
        origin = f"the project {project}"
    else:
        origin = f"the studies bundled with il2kg: no {SEEDS}/ in {start.absolute()} or above"
    seeds_dir = seeds or pick(SEEDS)
    dataset_file = DATASET_FILE if project is None else project / DATASET
    if project is not None and (project / DATASET).exists():
        inside(project / DATASET, project)
    beside = seeds_dir.parent / SOURCES
    if project is not None and beside == project / SOURCES and beside.is_dir():
        beside = pick(SOURCES)  # checked to lie inside the project, entry by entry
    return Inputs(
        seeds_dir=seeds_dir,
        ontology_file=pick(ONTOLOGY),
        mappings_file=pick(MAPPINGS),
        shapes_file=pick(SHAPES),
        imports_dir=pick(IMPORTS),
        queries_dir=pick(QUERIES),
        sources_dir=beside if beside.is_dir() else None,
        origin=origin,
        dataset_file=dataset_file,
    )


def cache_root() -> Path:
    """il2kg's directory in the user's cache ($XDG_CACHE_HOME, else ~/.cache)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "il2kg"


def build_cache(seeds_dir: Path) -> Path:
    """Where a command keeps the build it needs when it runs outside any project: in the
    user's cache, per il2kg version and seeds directory."""
    digest = hashlib.sha256(str(seeds_dir.absolute()).encode()).hexdigest()[:12]
    return cache_root() / f"{__version__}-{digest}" / "dist"


@cache
def _context() -> tuple[tuple[str, str], ...]:
    """The published prefix map, read once, immutable."""
    return tuple(json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"].items())


def published_prefixes() -> dict[str, str]:
    """The published prefix map (`ontology/context.jsonld`), prefix to namespace IRI: the
    one reading of it (the query workers use it without rdflib), a fresh copy each call."""
    return dict(_context())
