"""The example queries of `queries/`: their headers, and the queries as RDF (SIB style).

Each `queries/<name>.rq` starts with header lines `#+ key: value` (summary, description,
keywords, competency), then the SPARQL text. `<name>.srj` (SELECT/ASK) or `<name>.ttl`
(CONSTRUCT/DESCRIBE) beside it holds the expected result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
HEADER = re.compile(r"^#\+\s*([a-z_-]+)\s*:\s*(.*)$")


@dataclass(frozen=True)
class Example:
    """One example query with its header."""

    name: str
    path: Path
    text: str
    summary: str
    description: str = ""
    keywords: tuple[str, ...] = ()
    competency: tuple[str, ...] = ()
    header: dict[str, str] = field(default_factory=dict)

    @property
    def expected_path(self) -> Path | None:
        """The expected-result file beside the query, if there is one."""
        for suffix in (".srj", ".ttl"):
            candidate = self.path.with_suffix(suffix)
            if candidate.is_file():
                return candidate
        return None


def parse_example(path: Path) -> Example:
    """Read one .rq file; its name must be kebab-case and its header must have a summary."""
    if not NAME.match(path.stem):
        raise ValueError(f"{path}: query names are lower-case words joined by '-'")
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    for line in text.splitlines():
        match = HEADER.match(line)
        if match:
            key, value = match.groups()
            header[key] = f"{header[key]} {value}".strip() if key in header else value.strip()
        elif line.strip() and not line.startswith("#"):
            break
    if not header.get("summary"):
        raise ValueError(f"{path}: the header needs a '#+ summary:' line stating the question")
    split = lambda key: tuple(v.strip() for v in header.get(key, "").split(",") if v.strip())  # noqa: E731
    return Example(
        name=path.stem,
        path=path,
        text=text,
        summary=header["summary"],
        description=header.get("description", ""),
        keywords=split("keywords"),
        competency=split("competency"),
        header=header,
    )


def load_examples(queries_dir: Path) -> list[Example]:
    """Every example query of a directory, sorted by name."""
    return [parse_example(p) for p in sorted(queries_dir.glob("*.rq"))]
