"""HermiT's inferences per record are cached by content: an unchanged project's validation
starts no JVM, a changed record is reasoned again, and the inferences are the same."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from il2kg.checks.reasoning_cache import ReasoningCache
from il2kg.cli import main
from il2kg.paths import SEEDS_DIR, SOURCES_DIR, Inputs
from il2kg.pipeline import PipelineResult, run

pytestmark = [pytest.mark.java, pytest.mark.slow]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Inputs:
    """A copy of the seeds and their sources, with a reasoning cache of its own (the graph, so
    the cache key, holds the quotes' sentences only where the sources are at hand)."""
    monkeypatch.setenv("IL2KG_CACHE_DIR", str(tmp_path / "cache"))
    shutil.copytree(SEEDS_DIR, tmp_path / "seeds")
    shutil.copytree(SOURCES_DIR, tmp_path / "sources")
    return Inputs(seeds_dir=tmp_path / "seeds", sources_dir=tmp_path / "sources")


def _reasoned(inputs: Inputs, *, cache: bool = True) -> PipelineResult:
    result = run(inputs, cache=cache)
    assert result.ok and result.reasoning is not None
    return result


def test_an_unchanged_project_is_validated_without_starting_java(
    project: Inputs,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = _reasoned(project)
    assert first.reasoning is not None and first.reasoning.cached == 0
    # No java on PATH from here on: reasoning that started a JVM would fail.
    monkeypatch.setenv("PATH", str(tmp_path / "no-java"))
    second = _reasoned(project)
    assert second.reasoning is not None and second.reasoning.cached == 5
    assert isomorphic(first.reasoning.inferred, second.reasoning.inferred)
    assert main(["validate", "--seeds", str(project.seeds_dir)]) == 0
    assert "5 record(s) from the reasoning cache" in capsys.readouterr().out
    with pytest.raises(OSError, match="Java"):
        run(project, cache=False)


def test_a_changed_record_alone_is_reasoned_again(project: Inputs) -> None:
    _reasoned(project)
    seed = project.seeds_dir / "atkins-1999.yaml"
    seed.write_text(seed.read_text().replace("label: Atkins 1999", "label: Atkins (1999)"))
    again = _reasoned(project)
    assert again.reasoning is not None and again.reasoning.cached == 4
    uncached = _reasoned(project, cache=False)
    assert uncached.reasoning is not None
    assert isomorphic(again.reasoning.inferred, uncached.reasoning.inferred)


def test_the_key_is_the_content_of_module_ontology_and_reasoner(tmp_path: Path) -> None:
    ontology = tmp_path / "il2kg.ttl"
    shutil.copy(Inputs().ontology_file, ontology)

    def of() -> ReasoningCache:
        return ReasoningCache.of(Inputs(ontology_file=ontology), tmp_path)

    cache = of()
    module = Graph()
    module.add((URIRef("urn:a"), URIRef("urn:p"), Literal("x")))
    key = cache.key(module, "HermiT 1")
    assert key == of().key(module, "HermiT 1")
    assert key != cache.key(module, "HermiT 2")
    ontology.write_text(ontology.read_text() + "\n# edited\n")
    assert key != of().key(module, "HermiT 1")
    module.add((URIRef("urn:a"), URIRef("urn:p"), Literal("y")))
    assert key != cache.key(module, "HermiT 1")
    cache.put(key, module)
    stored = cache.get(key)
    assert stored is not None and isomorphic(stored, module)
