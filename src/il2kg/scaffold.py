"""`il2kg init DIR`: a new evidence project with one example record, a CI workflow and a README."""

from __future__ import annotations

from pathlib import Path

from il2kg import __version__
from il2kg.paths import (
    IMPORTS,
    MAPPINGS,
    ONTOLOGY,
    QUERIES,
    RECORD_SCHEMA,
    RECORD_SCHEMA_FILE,
    SEEDS,
    SEEDS_DIR,
    SHAPES,
    SOURCES,
    SOURCES_DIR,
)
from il2kg.records.load import parse_seed

EXAMPLE = "clark-2021.yaml"

WORKFLOW = f"""\
# Validate the records on every push and pull request: `il2kg validate` exits 1 on any error.
name: validate
on: [push, pull_request]
jobs:
  validate:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with: {{python-version: "3.11"}}
      - uses: actions/setup-java@v4  # the HermiT reasoner needs Java 17+
        with: {{distribution: temurin, java-version: "17"}}
      # The il2kg this project was made with; a wheel file or a git+https URL works too.
      - run: python -m pip install "il2kg=={__version__}"
      - run: il2kg validate
"""

README = f"""\
# An il2kg evidence project

Curated publication records for il2kg, which converts them into an
RDF knowledge graph, validates it with SHACL and the HermiT reasoner, and serves it over
SPARQL.

## Commands

Run them anywhere in this directory: il2kg reads the `{SEEDS}/` directory of the nearest
directory (this one or one above) that has one, and every report's first line names it.

```sh
il2kg validate        # exit 0 when every record conforms, 1 when one does not
il2kg build           # write the graph to dist/
il2kg serve           # SPARQL endpoint on http://127.0.0.1:8000/sparql
il2kg query NAME      # run one of il2kg's example queries
```

`.github/workflows/validate.yml` runs `il2kg validate` on every push and pull request.

## Records

`{SEEDS}/{EXAMPLE}` is one of the studies curated in il2kg, as an example: replace it with
your own. One file per publication, named `<id>.yaml` (only `*.yaml` files are read; a
directory without any is refused). `{SOURCES}/` holds the text each record was curated from,
named by the record's `source_file`; every curated element quotes its words there, and
`il2kg audit` checks the quotes against the text. A record's first line names the JSON Schema
of the record format, `{RECORD_SCHEMA}`, so an editor with a YAML language server completes
and checks fields; after upgrading il2kg refresh it with `il2kg schema > {RECORD_SCHEMA}`.

## Ontology, shapes and queries

They come from the installed il2kg package. To change one, put your own file at the same
path in this directory and it replaces the packaged one: `{ONTOLOGY}`, `{MAPPINGS}`,
`{IMPORTS}/`, `{SHAPES}` or `{QUERIES}/`. `il2kg init` printed where the packaged files are;
start from a copy of those.
"""


def scaffold(directory: Path) -> list[Path]:
    """Write the project into a new or empty directory; refuse to overwrite anything."""
    if directory.exists() and any(directory.iterdir()):
        raise FileExistsError(f"{directory} is not empty: il2kg init only writes a new project")
    example, _, _ = parse_seed(SEEDS_DIR / EXAMPLE)
    source = example["source_file"]
    files = {
        Path(SEEDS, EXAMPLE): (SEEDS_DIR / EXAMPLE).read_text(encoding="utf-8"),
        Path(SOURCES, source): (SOURCES_DIR / source).read_text(encoding="utf-8"),
        Path(RECORD_SCHEMA): RECORD_SCHEMA_FILE.read_text(encoding="utf-8"),
        Path(".github", "workflows", "validate.yml"): WORKFLOW,
        Path("README.md"): README,
    }
    for relative, text in files.items():
        target = directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return [directory / relative for relative in files]
