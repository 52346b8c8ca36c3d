"""The release files written from a store: `il2kg.nq` and `il2kg.nt` are pyoxigraph's own
lines sorted and made unique, whatever the sort's run size, for terms whose texts are
prefixes of one another and triples held by several graphs."""

from __future__ import annotations

import random
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from il2kg.iris import DATA_GRAPH, MAPPINGS_GRAPH, prefixes
from il2kg.publish import serialise
from il2kg.publish.sorted_lines import sorted_unique

SUBJECTS = [ox.NamedNode("http://e/s"), ox.NamedNode("http://e/s2"), ox.BlankNode("b1")]
PREDICATES = [ox.NamedNode("http://e/p"), ox.NamedNode("http://e/p2")]
OBJECTS = [
    ox.Literal("a"),
    ox.Literal("a", language="en"),
    ox.Literal("a", language="en-us"),
    ox.Literal("a b"),
    ox.Literal('a" <http://e/s> .'),
    ox.Literal("line\nbreak \u2028 é"),
    ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
    ox.NamedNode("http://e/o"),
    ox.NamedNode("http://e/o/"),
    ox.NamedNode(DATA_GRAPH),
]
GRAPHS = [ox.NamedNode(DATA_GRAPH), ox.NamedNode(MAPPINGS_GRAPH), ox.NamedNode("http://e/other")]


def test_sorted_unique_merges_runs_into_one_sorted_sequence() -> None:
    rng = random.Random(7)
    lines = [f"{rng.choice('ab<>_ ')}{rng.randrange(50)}\n".encode() for _ in range(500)]
    for run in (1, 7, 100, 1000):
        assert list(sorted_unique(lines, run)) == sorted(set(lines))
    assert list(sorted_unique([])) == []


@pytest.mark.parametrize("run", [3, 1000])
def test_nq_and_nt_are_the_stores_lines_sorted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run: int
) -> None:
    monkeypatch.setattr(serialise, "sorted_unique", lambda lines: sorted_unique(lines, run))
    rng = random.Random(run)
    store = ox.Store()
    store.extend(
        ox.Quad(
            rng.choice(SUBJECTS), rng.choice(PREDICATES), rng.choice(OBJECTS), rng.choice(GRAPHS)
        )
        for _ in range(200)
    )
    store.add(
        ox.Quad(SUBJECTS[0], PREDICATES[0], OBJECTS[0], GRAPHS[0])
    )  # one triple in all three graphs
    store.add(ox.Quad(SUBJECTS[0], PREDICATES[0], OBJECTS[0], GRAPHS[1]))
    store.add(ox.Quad(SUBJECTS[0], PREDICATES[0], OBJECTS[0], GRAPHS[2]))
    published = [
        line
        for g in GRAPHS[:2]
        for line in store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=g).splitlines(True)
    ]
    serialise.write_release(tmp_path, store, Graph(), prefixes())
    everything = store.dump(format=ox.RdfFormat.N_QUADS).splitlines(True)  # VoID added
    assert (tmp_path / "il2kg.nq").read_bytes() == b"".join(sorted(everything))
    assert (tmp_path / "il2kg.nt").read_bytes() == b"".join(sorted(set(published)))


def test_json_ld_in_a_second_process_gives_the_same_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = {}
    for parallel_from in (0, 1 << 40):
        monkeypatch.setattr(serialise, "PARALLEL_FROM", parallel_from)
        store = ox.Store()
        store.extend(ox.Quad(s, PREDICATES[0], o, GRAPHS[0]) for s in SUBJECTS for o in OBJECTS)
        directory = tmp_path / str(parallel_from)
        directory.mkdir()
        serialise.write_release(directory, store, Graph(), prefixes())
        written[parallel_from] = {p.name: p.read_bytes() for p in directory.iterdir()}
    assert written[0] == written[1 << 40]
    assert len(written[0]["il2kg.jsonld"]) > 1000
