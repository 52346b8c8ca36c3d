"""Where the project's data files are: ontology, seeds, shapes and queries."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ONTOLOGY_DIR = ROOT / "ontology"
ONTOLOGY_FILE = ONTOLOGY_DIR / "il2kg.ttl"
MAPPINGS_FILE = ONTOLOGY_DIR / "mappings.sssom.tsv"
IMPORTS_DIR = ONTOLOGY_DIR / "imports"
CONTEXT_FILE = ONTOLOGY_DIR / "context.jsonld"
SEEDS_DIR = ROOT / "seeds"
SHAPES_FILE = ROOT / "shapes" / "il2kg-shapes.ttl"
QUERIES_DIR = ROOT / "queries"
