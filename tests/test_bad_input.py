"""The bad-input sweep of issue 12: no record crashes, hangs or is published changed.

The per-file findings (YAML 1.1 forms, .nan, huge numbers, deep lists, impossible dates,
control characters) are in the broken-records corpus; here the commands are run on them,
and on what cannot be a file in the corpus (FIFOs, devices, huge denominators, duplicates).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pyoxigraph import Literal as OxLiteral
from pyoxigraph import NamedNode, RdfFormat, parse
from rdflib import Graph, Literal, URIRef

from il2kg.graph.convert import records_to_graph
from il2kg.graph.derive import clopper_pearson
from il2kg.iris import BIBO
from il2kg.paths import ONTOLOGY_FILE, SEEDS_DIR
from il2kg.pipeline import read_graph
from il2kg.publish.serialise import ntriples_lines
from il2kg.records.load import load_seeds
from il2kg.records.vocabulary import vocabulary_from

from .conftest import DATA
from .reasoner import REASONING

VOCABULARY = vocabulary_from(read_graph(ONTOLOGY_FILE))
SWEEP = [
    DATA / "broken-records" / f"{name}.yaml"
    for name in (
        "yaml11-octal",
        "yaml11-hex",
        "yaml11-underscore",
        "yaml11-on",
        "yaml11-quoted-yes",
        "yaml11-sexagesimal",
        "not-a-number",
        "infinity",
        "huge-exponent",
        "twenty-digit-integer",
        "five-thousand-digit-integer",
        "ten-thousand-deep-list",
        "not-in-calendar",
        "control-vertical-tab",
        "control-form-feed",
        "control-line-separator",
        "control-next-line",
    )
]
SMALL = (DATA / "broken-records" / "wrong-type.yaml").read_text().replace("size: ten", "size: 10")


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run il2kg; a hang fails the test instead of blocking it."""
    return subprocess.run(
        [sys.executable, "-m", "il2kg.cli", *args, *REASONING],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
    )


def seeds_with(tmp_path: Path, *extra: Path) -> Path:
    """A copy of the project's seeds plus the given files."""
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS_DIR, seeds)
    for path in extra:
        shutil.copy(path, seeds)
    return seeds


@pytest.mark.slow
@pytest.mark.parametrize("command", ["validate", "build"])
def test_every_sweep_finding_exits_1_naming_file_and_field(tmp_path: Path, command: str) -> None:
    seeds = seeds_with(tmp_path, *SWEEP)
    done = cli(command, "--seeds", str(seeds), cwd=tmp_path)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output and "could not run" not in output
    for path in SWEEP:
        where = path.read_text(encoding="utf-8").split("\n", 1)[0].split()[2]
        field = "" if where == "(file)" else re.escape(where) + ": "
        line = rf"seeds/{re.escape(path.name)}:\d+:\d+: error: {field}"  # file:line:column
        assert re.search(line, output), (path.name, output)


@pytest.mark.slow
def test_a_fifo_and_a_device_in_seeds_are_refused_without_reading(tmp_path: Path) -> None:
    seeds = seeds_with(tmp_path)
    os.mkfifo(seeds / "fifo.yaml")
    (seeds / "zero.yaml").symlink_to("/dev/zero")
    for command in ("validate", "build"):
        done = cli(command, "--seeds", str(seeds), cwd=tmp_path)
        assert done.returncode == 1, done.stderr
        output = done.stdout + done.stderr
        assert "seeds/fifo.yaml: error: expected a regular file" in output, output
        # a link out of the project is not even opened (a device inside it would be refused
        # as the FIFO is)
        assert "seeds/zero.yaml: error: not read: it resolves outside" in output, output


def test_a_file_growing_past_the_bound_is_read_no_further(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# x\n" * 400_000)
    [error] = load_seeds([path], VOCABULARY).errors
    assert "larger than" in error.message


def _record(tmp_path: Path, name: str, text: str):
    path = tmp_path / f"{name}.yaml"
    path.write_text(text.replace("id: wrong-type", f"id: {name}"), encoding="utf-8")
    return path


def test_a_doi_with_iri_unsafe_characters_is_published_exactly(tmp_path: Path) -> None:
    doi = '10.1002/(SICI)1097-0142(19990101)85:1<1::AID>3.0.CO;2-{"x"}'
    text = SMALL.replace('date: "2020"}', f"date: \"2020\", doi: '{doi}'}}")
    result = load_seeds([_record(tmp_path, "doi", text)], VOCABULARY)
    assert result.errors == ()
    lines = ntriples_lines(records_to_graph(result.records))
    published = list(parse("".join(lines).encode(), format=RdfFormat.N_TRIPLES))
    dois = [t.object for t in published if t.predicate == NamedNode(str(BIBO.doi))]
    assert dois == [OxLiteral(doi)]
    see_also = [t.object.value for t in published if t.predicate.value.endswith("#seeAlso")]
    assert see_also == [
        "https://doi.org/10.1002/(SICI)1097-0142(19990101)85:1%3C1::AID%3E3.0.CO;2-%7B%22x%22%7D"
    ]


def test_ntriples_lines_keep_literals_with_line_breaking_characters() -> None:
    """Characters str.splitlines() splits at are legal in N-Triples literals."""
    texts = ["a\vb", "a\fb", "a\u2028b", "a\x85b", "a\u2029b", "a\x1cb", "a\nb\rc"]
    graph = Graph()
    for index, text in enumerate(texts):
        graph.add((URIRef(f"urn:x:{index}"), URIRef("urn:p"), Literal(text)))
    lines = ntriples_lines(graph)
    assert len(lines) == len(texts)
    back = {t.object.value for t in parse("".join(lines).encode(), format=RdfFormat.N_TRIPLES)}
    assert back == set(texts)


def test_duplicate_dois_and_source_files_warn(tmp_path: Path) -> None:
    doi = SMALL.replace('date: "2020"}', 'date: "2020", doi: 10.1000/ABC}')
    first = _record(tmp_path, "first", doi)
    second = _record(tmp_path, "second", doi.replace("10.1000/ABC", "10.1000/abc"))
    result = load_seeds([first, second], VOCABULARY)
    assert result.errors == () and len(result.records) == 2
    assert sorted((Path(w.file).name, w.path) for w in result.warnings) == [
        ("second.yaml", "publication.doi"),
        ("second.yaml", "source_file"),
    ]
    assert all("first.yaml" in w.message for w in result.warnings)
    assert load_seeds([first], VOCABULARY).warnings == ()


@pytest.mark.slow
def test_validate_and_build_show_duplicate_warnings(tmp_path: Path) -> None:
    seeds = seeds_with(tmp_path)
    clark = (seeds / "clark-2021.yaml").read_text(encoding="utf-8")
    (seeds / "clark-again.yaml").write_text(clark.replace("id: clark-2021", "id: clark-again"))
    validate = cli("validate", "--seeds", str(seeds), cwd=tmp_path)
    assert validate.returncode == 0, validate.stdout
    for field in ("publication.doi", "source_file"):
        line = rf"seeds/clark-again\.yaml:\d+:\d+: warning: {field}: .* is also in "
        assert re.search(line, validate.stdout), validate.stdout
    build = cli("build", "--seeds", str(seeds), "--out", "dist", cwd=tmp_path)
    assert build.returncode == 0, build.stderr
    assert re.search(r"seeds/clark-again\.yaml:\d+:\d+: publication\.doi: Warning:", build.stderr)
    wrote = re.search(
        r"il2kg build: wrote (\S+) \(-> (\S+)\): (.+); the data graph has (\d+) "
        r"triples from 6 record\(s\)",
        build.stderr,
    )  # what, where, how much
    assert wrote, build.stderr
    assert Path(wrote[1]) == (tmp_path / "dist").absolute()
    assert sorted(wrote[3].split(", ")) == sorted(p.name for p in (tmp_path / "dist").iterdir())
    assert int(wrote[4]) > 1000


def test_clopper_pearson_matches_published_tables() -> None:
    """Exact intervals as tabulated (e.g. Clopper & Pearson 1934; any statistics package)."""
    tabulated = {
        (0, 10): "0.00 30.85",
        (1, 10): "0.25 44.50",
        (5, 10): "18.71 81.29",
        (10, 10): "69.15 100.00",
    }
    for (count, total), interval in tabulated.items():
        assert " ".join(map(str, clopper_pearson(count, total))) == interval


LARGE = """
import resource
resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
from il2kg.graph.derive import clopper_pearson
print(*clopper_pearson(123_456_789, 1_000_000_000), *clopper_pearson(7, 1_000_000_000))
"""


def test_a_billion_patients_need_no_more_memory_than_ten() -> None:
    """The interval's cost does not grow with the denominator (run under a 3 GiB limit)."""
    done = subprocess.run(
        [sys.executable, "-c", LARGE],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "OPENBLAS_NUM_THREADS": "1"},
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["12.34", "12.35", "0.00", "0.00"]


def _many_outcomes(tmp_path: Path, count: int) -> Path:
    line = SMALL.rstrip("\n").rsplit("\n", 1)[1]
    outcomes = "\n".join(line.replace("id: cr,", f"id: o{i},") for i in range(count))
    return _record(tmp_path, f"many-{count}", SMALL.replace(line, outcomes))


@pytest.mark.slow
def test_a_record_too_big_to_reason_over_is_refused(tmp_path: Path) -> None:
    """5,000 outcomes would keep HermiT busy for many minutes; the bound is 100 elements."""
    [error] = load_seeds([_many_outcomes(tmp_path, 5000)], VOCABULARY).errors
    assert error.path == "outcomes" and "at most 100 elements" in error.message
    assert "found 5002" in error.message
    assert load_seeds([_many_outcomes(tmp_path, 98)], VOCABULARY).errors == ()
    assert load_seeds([_many_outcomes(tmp_path, 99)], VOCABULARY).errors != ()
