"""`il2kg build`: deterministic artifacts in standard formats, published atomically."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.namespace import VOID

from il2kg import pipeline
from il2kg.cli import main
from il2kg.iris import DATASET_IRI, VOID_GRAPH
from il2kg.paths import SEEDS_DIR
from il2kg.publish.dist import publish
from tests.reasoner import REASONING


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("build") / "dist"
    assert main(["build", "--out", str(out), *REASONING]) == 0
    return out


@pytest.mark.slow
def test_artifacts_parse_in_their_formats(dist: Path) -> None:
    turtle = Graph().parse(dist / "il2kg.ttl")
    ntriples = Graph().parse(dist / "il2kg.nt", format="nt")
    jsonld = Graph().parse(dist / "il2kg.jsonld", format="json-ld")
    assert len(turtle) > 1000
    assert turtle.isomorphic(ntriples) and turtle.isomorphic(jsonld)
    quads = Dataset().parse(dist / "il2kg.nq", format="nquads")
    names = {str(g.identifier) for g in quads.graphs() if len(g)}
    assert {
        "https://w3id.org/il2kg/graph/data",
        "https://w3id.org/il2kg/graph/ontology",
        "https://w3id.org/il2kg/graph/mappings",
    } <= names


@pytest.mark.slow
def test_jsonld_uses_the_published_context(dist: Path) -> None:
    document = json.loads((dist / "il2kg.jsonld").read_text())
    assert document["@context"]["il2kg"] == "https://w3id.org/il2kg/ontology/"


@pytest.mark.slow
def test_void_counts_match_the_graph(dist: Path) -> None:
    void = Graph().parse(dist / "void.ttl")
    quads = [
        line
        for line in (dist / "il2kg.nq").read_text().splitlines()
        if not line.endswith(f"<{VOID_GRAPH}> .")
    ]
    assert int(void.value(DATASET_IRI, VOID.triples)) == len(quads)


@pytest.mark.slow
def test_two_builds_are_byte_identical(dist: Path, tmp_path: Path) -> None:
    """A second build in another process (another hash seed) writes the same bytes."""
    again = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "il2kg.cli", "build", "--out", str(again), *REASONING],
        check=True,
        timeout=300,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )
    for name in (
        "il2kg.nt",
        "il2kg.nq",
        "il2kg.ttl",
        "il2kg.jsonld",
        "void.ttl",
        "ontology.ttl",
        "ontology.owl",
        "ontology.ofn",
    ):
        assert (again / name).read_bytes() == (dist / name).read_bytes(), name
    lines = (dist / "il2kg.nt").read_text().splitlines()
    assert lines == sorted(lines)


def test_a_large_build_stores_on_disk_a_small_one_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeds = sorted(SEEDS_DIR.glob("*.yaml"))
    pipeline._new_store(seeds, tmp_path)
    assert not any(tmp_path.iterdir())  # the seeds are small: in memory
    monkeypatch.setattr(pipeline, "IN_MEMORY_SEED_BYTES", 0)
    pipeline._new_store(seeds, tmp_path)
    assert any(tmp_path.iterdir())  # RocksDB's files


@pytest.mark.slow
def test_a_build_on_disk_writes_the_bytes_of_one_in_memory(
    dist: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pipeline, "IN_MEMORY_SEED_BYTES", 0)
    again = tmp_path / "dist"
    assert main(["build", "--out", str(again), *REASONING]) == 0
    assert sorted(again.iterdir()) and all(
        (dist / p.name).read_bytes() == p.read_bytes() for p in again.iterdir()
    )


def test_publish_swaps_whole_builds(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    publish({"a.txt": b"one", "b.txt": b"one"}, out)
    publish({"a.txt": b"two", "b.txt": b"two"}, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {"a.txt": b"two", "b.txt": b"two"}
    assert len([p for p in tmp_path.iterdir() if p.is_dir() and not p.is_symlink()]) == 1


KILLER = """
import sys
from pathlib import Path
from il2kg.publish.dist import publish
out, n = Path(sys.argv[1]), 0
while True:
    n += 1
    payload = str(n).encode() * 50_000
    publish({f"part{i}.bin": payload for i in range(8)}, out)
"""


def test_a_killed_build_leaves_a_complete_version(tmp_path: Path) -> None:
    """SIGKILL a process that publishes builds in a loop; every version seen is whole."""
    out = tmp_path / "dist"
    for delay in (0.05, 0.13, 0.21, 0.34, 0.55):
        process = subprocess.Popen([sys.executable, "-c", KILLER, str(out)])
        deadline = time.monotonic() + 60
        while not out.exists():  # the first build is out: kill at `delay` into the later ones
            assert process.poll() is None and time.monotonic() < deadline, "no build published"
            time.sleep(0.01)
        time.sleep(delay)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        contents = {p.read_bytes() for p in out.iterdir()}
        assert len({p.name for p in out.iterdir()}) == 8
        assert len(contents) == 1, "a killed build left a mix of two versions"


def test_help_is_instant() -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "il2kg.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert "rdflib" not in result.stderr and "pyshacl" not in result.stderr


@pytest.mark.slow
def test_the_output_is_a_link_to_a_content_addressed_directory(dist: Path, tmp_path: Path) -> None:
    """The build directory is named by its content: same files, same name; other, other."""
    assert dist.is_symlink()
    files = {p.name: p.read_bytes() for p in dist.iterdir()}
    assert publish(files, tmp_path / "dist").name == dist.resolve().name
    assert publish({**files, "void.ttl": b""}, tmp_path / "dist").name != dist.resolve().name


@pytest.mark.slow
def test_build_writes_an_on_disk_store_and_replaces_it_whole(tmp_path: Path) -> None:
    from pyoxigraph import Store

    out, store = tmp_path / "dist", tmp_path / "store"
    for _ in range(2):
        assert main(["build", "--out", str(out), "--store", str(store), *REASONING]) == 0
    assert store.is_symlink()
    builds = [p for p in tmp_path.iterdir() if p.name.startswith(".store-build-") and p.is_dir()]
    assert builds == [store.resolve()]
    quads = Dataset().parse(out / "il2kg.nq", format="nquads")
    opened = Store.read_only(str(store))
    answer = opened.query(
        "ASK { GRAPH <https://w3id.org/il2kg/graph/data> "
        "{ <https://w3id.org/il2kg/resource/atkins-1999> ?p ?o } }"
    )
    assert bool(answer)
    assert len(opened) == len(list(quads.quads((None, None, None, None))))  # examples in both


@pytest.mark.parametrize(
    "command", [["query", "cohorts-by-publication"], ["load", "--to", "http://127.0.0.1:9/store"]]
)
@pytest.mark.slow
def test_commands_build_a_missing_dist_first(tmp_path: Path, command: list[str]) -> None:
    """`query` and `load` build dist/ when it is missing instead of failing."""
    result = subprocess.run(
        [sys.executable, "-m", "il2kg.cli", *command, "--dist", str(tmp_path / "dist"), *REASONING],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert (tmp_path / "dist" / "il2kg.nq").is_file(), result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_build_never_replaces_a_directory_it_did_not_make(tmp_path: Path) -> None:
    precious = tmp_path / "docs"
    precious.mkdir()
    (precious / "notes.md").write_text("keep me")
    result = subprocess.run(
        [sys.executable, "-m", "il2kg.cli", "build", "--out", str(precious), *REASONING],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2
    assert "not a link to an il2kg build" in result.stderr
    assert (precious / "notes.md").read_text() == "keep me"
