"""HermiT's inferences kept on disk by content, so an unchanged record is not reasoned again.

An entry holds the inferred triples of one record module (the record's triples and the
triples about no record), or of the ontology with those shared triples alone, as N-Triples.
Its name is the SHA-256 of everything that decides them: the cache format, il2kg's version,
the reasoner (HermiT and owlready2 versions), the bytes of the ontology and import files,
and the module's sorted N-Triples. An entry is never stale, only unused: deleting the
directory is always safe. The directory is `$IL2KG_CACHE_DIR`, else `$XDG_CACHE_HOME/il2kg`,
else `~/.cache/il2kg`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph

from il2kg import __version__
from il2kg.paths import Inputs, cache_root

FORMAT = "1"
log = logging.getLogger(__name__)


def default_dir() -> Path:
    """Where the cache lives unless told otherwise (see the module's docstring)."""
    own = os.environ.get("IL2KG_CACHE_DIR")
    return Path(own) if own else cache_root()


def digest(*parts: bytes) -> str:
    """The SHA-256 of the parts, each prefixed by its length (so no two lists collide)."""
    sha = hashlib.sha256()
    for part in parts:
        sha.update(len(part).to_bytes(8, "big") + part)
    return sha.hexdigest()


@dataclass(frozen=True)
class ReasoningCache:
    """Inferred triples by the digest of what they were inferred from."""

    directory: Path
    context: str  # the digest of the ontology and import files, il2kg's version, the format

    @classmethod
    def of(cls, inputs: Inputs, directory: Path | None = None) -> ReasoningCache:
        """The cache for a run over these inputs' ontology and imports."""
        files = [inputs.ontology_file, *sorted(inputs.imports_dir.glob("*.ttl"))]
        context = digest(
            FORMAT.encode(),
            __version__.encode(),
            *(p.name.encode() + b"\0" + p.read_bytes() for p in files),
        )
        return cls((directory or default_dir()) / "hermit", context)

    def key(self, module: Graph, reasoner: str) -> str | None:
        """The entry name of a module's inferences; None for a module with blank nodes."""
        if any(isinstance(term, BNode) for triple in module for term in triple):
            return None
        lines = sorted(module.serialize(format="nt", encoding="utf-8").splitlines())
        return digest(self.context.encode(), reasoner.encode(), b"\n".join(lines))

    def get(self, key: str | None) -> Graph | None:
        """The triples stored under a key, or None when there are none."""
        path = self.directory / f"{key}.nt"
        if key is None or not path.is_file():
            return None
        return Graph().parse(path, format="nt")

    def put(self, key: str | None, triples: Graph) -> None:
        """Store triples under a key, atomically; a cache that cannot be written is skipped."""
        if key is None:
            return
        write_entry(self.directory / f"{key}.nt", triples.serialize(format="nt", encoding="utf-8"))


def write_entry(path: Path, data: bytes) -> None:
    """Write a cache entry atomically; a cache that cannot be written is skipped (logged)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as out:
            out.write(data)
        os.replace(out.name, path)
    except OSError as exc:
        log.warning("cache %s not written: %s", path.parent, exc)
