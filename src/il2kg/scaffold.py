"""`il2kg init DIR`: a new evidence project with one example record, a CI workflow and a README."""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

from il2kg import __version__
from il2kg.errors import UsageError
from il2kg.paths import (
    DATASET,
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

WHEELS = "wheels"  # where `il2kg init --source FILE.whl` puts the wheel, for CI to install

WORKFLOW = """\
# Validate the records on every push and pull request: `il2kg validate` exits 1 on any error,
# and each finding shows as an annotation on the seed file's line.
name: validate
on: [push, pull_request]
jobs:
  validate:
    runs-on: ubuntu-latest
    env:
      # Where pip gets il2kg (written by `il2kg init --source`; no release is on PyPI yet).
      IL2KG: "{source}"
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with: {{python-version: "3.11"}}
      - uses: actions/setup-java@v4  # the HermiT reasoner needs Java 17+
        with: {{distribution: temurin, java-version: "17"}}
      - run: python -m pip install "$IL2KG"
      - run: il2kg validate --format github
"""

DATASET_TEMPLATE = """\
# What this project's graph says about itself: in its VoID/DCAT description (void.ttl, the
# endpoint's /.well-known/void) and on the endpoint's home page (schema.org). Only what is
# given here is stated: fill in what is true of your dataset.
title: {title}
# description: "What the graph holds, from which publications."
# license: "https://creativecommons.org/licenses/by/4.0/"
# publisher: {{name: "Your group", url: "https://example.org/"}}
# keywords: ["interleukin-2", "melanoma"]
# version: "0.1.0"
# issued: "2026-01-31"
# downloads: "https://example.org/releases/0.1.0/"   # where the build's files are published
# endpoint: "https://example.org/sparql"
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

`.github/workflows/validate.yml` runs `il2kg validate --format github` on every push and
pull request: each finding is an annotation at its seed file's line. It installs il2kg from
the source `il2kg init --source` named (its `IL2KG` variable). For pre-commit, add il2kg's
`il2kg-validate` hook (`.pre-commit-hooks.yaml` in il2kg's repository) to
`.pre-commit-config.yaml`.

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


def installed_source() -> str | None:
    """A pip requirement for the il2kg running now that CI can install too: the git URL and
    commit it came from, or this release from a package index; None when it came from a path
    on this machine (PEP 610's direct_url.json says which)."""
    known = metadata.distribution("il2kg").read_text("direct_url.json")
    if known is None:
        return f"il2kg=={__version__}"
    origin = json.loads(known)
    url, vcs = origin.get("url", ""), origin.get("vcs_info", {})
    if vcs.get("vcs") == "git" and not url.startswith("file:"):
        return f"il2kg @ git+{url}@{vcs['commit_id']}"
    return None


def _workflow_source(source: str | None) -> tuple[str, dict[Path, bytes]]:
    """The requirement the workflow installs, and the files it needs in the project (a wheel)."""
    if source is None:
        source = installed_source()
    if source is None:
        raise UsageError(
            "this il2kg was installed from a path on this machine, which CI cannot reach: give "
            "--source, a pip requirement CI can install (a git URL such as 'il2kg @ "
            "git+https://host/owner/il2kg@<tag>', or a wheel file, which is copied into the "
            f"project's {WHEELS}/)"
        )
    wheel = Path(source)
    if wheel.suffix == ".whl" and wheel.is_file():
        return f"./{WHEELS}/{wheel.name}", {Path(WHEELS, wheel.name): wheel.read_bytes()}
    return source, {}


def scaffold(directory: Path, source: str | None = None) -> list[Path]:
    """Write the project into a new or empty directory; refuse to overwrite anything.

    The CI workflow installs il2kg from `source` (a pip requirement, or a wheel file copied
    into the project), by default from where the running il2kg came from.

    >>> import tempfile
    >>> project = Path(tempfile.mkdtemp()) / "my-evidence"
    >>> sorted(str(p.relative_to(project)) for p in scaffold(project, source="il2kg==1.0"))
    ... # doctest: +NORMALIZE_WHITESPACE
    ['.github/workflows/validate.yml', 'README.md', 'dataset.yaml', 'seeds/clark-2021.yaml',
     'shapes/record.schema.json', 'sources/001_4480bedd9f41dbcc.txt']
    >>> import shutil; shutil.rmtree(project.parent)
    """
    if directory.exists() and any(directory.iterdir()):
        raise FileExistsError(f"{directory} is not empty: il2kg init only writes a new project")
    requirement, extra = _workflow_source(source)
    example, _, _ = parse_seed(SEEDS_DIR / EXAMPLE)
    source_file = example["source_file"]
    files: dict[Path, bytes] = {
        Path(SEEDS, EXAMPLE): (SEEDS_DIR / EXAMPLE).read_bytes(),
        Path(SOURCES, source_file): (SOURCES_DIR / source_file).read_bytes(),
        Path(RECORD_SCHEMA): RECORD_SCHEMA_FILE.read_bytes(),
        Path(".github", "workflows", "validate.yml"): WORKFLOW.format(
            source=requirement.replace('"', '\\"')
        ).encode(),
        Path("README.md"): README.encode(),
        Path(DATASET): DATASET_TEMPLATE.format(
            title=json.dumps(directory.absolute().name)
        ).encode(),
        **extra,
    }
    for relative, content in files.items():
        target = directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return [directory / relative for relative in files]
