"""A curator's files are safe (issue 20): nothing read from outside the project, no file text
echoed in an error, nothing lost on a failed write, output names never used as patterns, two
publishers never remove each other's builds, labels drawn as text."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, Store

from il2kg.evidence.fhir import bundle
from il2kg.evidence.forest import draw_forest
from il2kg.evidence.rows import ROWS_QUERY, EvidenceRow, rows_from_json
from il2kg.files import OutsideProject, read_inside, write_atomic
from il2kg.paths import SEEDS_DIR, SOURCES_DIR, Inputs, locate
from il2kg.pipeline import PipelineResult, run
from il2kg.publish.disk_store import publish_store, scratch_store_dir
from il2kg.publish.dist import publish
from il2kg.query.run import run_local
from il2kg.records.load import parse_seed

from .conftest import cli
from .reasoner import REASONING
from .server_fixtures import wait_until

SECRET = "il2kg-test-secret-6f1d2c"


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A project with one seed, beside a secret file outside it (valid YAML, as /etc files are)."""
    root = tmp_path / "project"
    (root / "seeds").mkdir(parents=True)
    shutil.copy(SEEDS_DIR / "atkins-1999.yaml", root / "seeds")
    (tmp_path / "secret.yaml").write_text(f"{SECRET}: root\nid: {SECRET}\n", encoding="utf-8")
    return root


@pytest.mark.parametrize("command", ["validate", "build"])
def test_a_seed_linking_outside_the_project_is_refused_naming_the_link(
    project: Path, command: str
) -> None:
    (project / "seeds" / "shadow.yaml").symlink_to(project.parent / "secret.yaml")
    done = cli(command, *REASONING, cwd=project)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert any(
        line.startswith("seeds/shadow.yaml: ") and "not read: it resolves outside" in line
        for line in output.splitlines()
    ), output
    assert SECRET not in output and "Traceback" not in output


def test_audit_fix_offsets_does_not_read_or_echo_a_seed_linking_outside(project: Path) -> None:
    """`audit --fix-offsets` rewrites seeds: it reads them as validate does."""
    shutil.copytree(SOURCES_DIR, project / "sources")
    (project.parent / "broken.yaml").write_text(f"x: [{SECRET}\n", encoding="utf-8")
    (project / "seeds" / "shadow.yaml").symlink_to(project.parent / "broken.yaml")
    done = cli("audit", "--fix-offsets", cwd=project)
    output = done.stdout + done.stderr
    assert done.returncode == 2 and "seeds/shadow.yaml: not read" in output, output
    assert SECRET not in output and "Traceback" not in output
    assert (project.parent / "broken.yaml").read_text(encoding="utf-8") == f"x: [{SECRET}\n"


def test_a_link_to_a_file_inside_the_seeds_is_read(project: Path) -> None:
    """Containment is by where a link resolves, not by its being a link."""
    (project / "seeds" / "copy.yaml").symlink_to("atkins-1999.yaml")
    with pytest.raises(OSError) as refused:
        read_inside(project / "seeds" / "copy.yaml", project / "other", 1000)
    assert isinstance(refused.value, OutsideProject)
    assert read_inside(project / "seeds" / "copy.yaml", project / "seeds", 10**6).startswith(b"#")


@pytest.mark.parametrize(
    "link",
    [
        "shapes/il2kg-shapes.ttl",
        "ontology/il2kg.ttl",
        "queries/secret.rq",
        "ontology/imports/secret.ttl",
        "sources/secret.txt",
    ],
)
def test_a_project_file_linking_outside_is_refused_naming_the_link(
    project: Path, link: str
) -> None:
    (project / link).parent.mkdir(parents=True, exist_ok=True)
    (project / link).symlink_to(project.parent / "secret.yaml")
    with pytest.raises(OutsideProject, match="not read: it resolves outside") as refused:
        locate(project)
    assert refused.value.filename == str(project / link)
    done = cli("validate", *REASONING, cwd=project)
    assert done.returncode == 2 and link in done.stderr, done.stderr
    assert SECRET not in done.stdout + done.stderr


def test_a_seeds_directory_linking_outside_the_project_is_refused(project: Path) -> None:
    shutil.move(project / "seeds", project.parent / "elsewhere")
    (project / "seeds").symlink_to(project.parent / "elsewhere")
    with pytest.raises(OutsideProject):
        locate(project)


def test_a_yaml_syntax_error_names_line_and_column_not_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(f"id: broken\nlabel: [{SECRET}\ntitle: {SECRET} x: y\n", encoding="utf-8")
    _, _, [error] = parse_seed(path)
    assert error.message.startswith("YAML syntax error:") and error.line is not None
    assert SECRET not in str(error)


# ---------------------------------------------------------------- outputs


def _fill_the_disk(limit: int) -> None:
    """In the child: any file written past `limit` bytes fails with EFBIG, as on a full disk
    (Python ignores SIGXFSZ, so the write raises instead of killing the process)."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


@pytest.mark.parametrize(
    "command, name", [(["export", "fhir"], "fhir.json"), (["plot", "forest"], "forest.png")]
)
def test_an_output_on_a_full_disk_leaves_the_previous_file(
    built_dist: Path, tmp_path: Path, command: list[str], name: str
) -> None:
    out = tmp_path / name
    done = cli(*command, "--dist", str(built_dist), "--out", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    good = out.read_bytes()
    assert len(good) > 8192
    done = cli(
        *command,
        "--dist",
        str(built_dist),
        "--out",
        str(out),
        cwd=tmp_path,
        preexec_fn=lambda: _fill_the_disk(4096),
    )
    assert done.returncode == 2 and "File too large" in done.stderr, done.stderr
    assert out.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # no temporary file left
    if name == "fhir.json":
        json.loads(good)


def test_write_atomic_replaces_whole_with_the_mode_of_a_plain_write(tmp_path: Path) -> None:
    out, plain = tmp_path / "a.txt", tmp_path / "plain.txt"
    out.write_text("old")
    plain.write_text("new")
    assert write_atomic(out, b"new") == out
    assert out.read_bytes() == b"new"
    assert out.stat().st_mode == plain.stat().st_mode & ~0o111


def test_an_output_named_like_a_pattern_removes_only_its_own_builds(tmp_path: Path) -> None:
    """`il2kg build; il2kg build --out '*'` once deleted dist's build through a glob."""
    dist = tmp_path / "dist"
    publish({"a.txt": b"dist"}, dist)
    for name in ("*", ".*", "?ist", "[d]ist", "dist-build-0123456789abcdef"):
        publish({"a.txt": name.encode()}, tmp_path / name)
        assert (dist / "a.txt").read_bytes() == b"dist", name
        assert (tmp_path / name / "a.txt").read_bytes() == name.encode()


def test_a_refused_output_leaves_no_staging(tmp_path: Path) -> None:
    precious = tmp_path / "docs"
    precious.mkdir()
    with pytest.raises(FileExistsError, match="not a link to an il2kg build"):
        publish({"a.txt": b"x"}, precious)
    assert [p.name for p in tmp_path.iterdir()] == ["docs"]


LOOP = """
import sys
from pathlib import Path
from il2kg.publish.disk_store import publish_store
from il2kg.publish.dist import publish
out, tag, rounds = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
for n in range(rounds):
    publish({"a.txt": f"{tag}{n}".encode(), "b.txt": b"b" * 1000}, out)
"""
STORE_LOOP = """
import sys
from pathlib import Path
from il2kg.publish.disk_store import publish_store
out, dist, rounds = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
for n in range(rounds):
    publish_store(out, dist)
"""


def _sample_while(loops: list[subprocess.Popen[bytes]], out: Path) -> tuple[int, int]:
    """Sample the link `out` until the loops end: (samples, times it named a missing build)."""
    samples = dangling = 0
    while any(loop.poll() is None for loop in loops):
        samples += 1
        before = os.readlink(out)
        # Missing while the link still names it: the link dangles. (A build replaced and
        # removed between reading the link and following it is a reader's race, not this.)
        dangling += not out.is_dir() and os.readlink(out) == before
    assert [loop.returncode for loop in loops] == [0, 0]
    return samples, dangling


def test_two_concurrent_publishers_never_leave_the_link_dangling(tmp_path: Path) -> None:
    """Two processes publish different builds of one output in loops while this one samples
    the link: it always names a build that exists (the swap and cleanup hold the lock)."""
    out = tmp_path / "dist"
    publish({"a.txt": b"first"}, out)
    loops = [
        subprocess.Popen([sys.executable, "-c", LOOP, str(out), tag, "150"]) for tag in ("x", "y")
    ]
    samples, dangling = _sample_while(loops, out)
    assert samples > 100 and dangling == 0, (samples, dangling)
    builds = [p for p in tmp_path.iterdir() if p.name.startswith(".dist-build-")]
    assert builds == [out.resolve()]


def test_two_concurrent_store_publishers_never_leave_the_link_dangling(
    built_dist: Path, tmp_path: Path
) -> None:
    """The same for on-disk stores (`build --store`, `serve --store`): publish_store too holds
    the lock through its swap and cleanup."""
    out = tmp_path / "store"
    publish_store(out, built_dist)
    loops = [
        subprocess.Popen([sys.executable, "-c", STORE_LOOP, str(out), str(built_dist), "4"])
        for _ in range(2)
    ]
    samples, dangling = _sample_while(loops, out)
    assert samples > 100 and dangling == 0, (samples, dangling)
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".store-")] == [out.resolve()]


def _building(folder: Path, out: Path) -> bool:
    """Whether a store build is under way beside `out`: a directory other than the published
    build holds files."""
    current = out.resolve() if out.is_symlink() else None
    return any(
        p.is_dir() and not p.is_symlink() and p != current and any(p.iterdir())
        for p in folder.iterdir()
    )


def _kill_midway(out: Path, dist: Path) -> None:
    """Start store builds of `out` in a loop and SIGKILL it while a build is under way."""
    loop = subprocess.Popen([sys.executable, "-c", STORE_LOOP, str(out), str(dist), "50"])
    wait_until(lambda: _building(out.parent, out) or loop.poll() is not None, "a store build")
    assert loop.poll() is None, "the loop ended before a build was seen under way"
    loop.kill()
    loop.wait()


def test_a_store_build_killed_midway_leaves_nothing_after_the_next(
    built_dist: Path, tmp_path: Path
) -> None:
    """SIGKILL a store build while it fills its store, three times; the next build removes
    what they left: beside the link only its lock and the one store remain."""
    out = tmp_path / "store"
    for _ in range(3):
        _kill_midway(out, built_dist)
    publish_store(out, built_dist)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["store", ".store.lock", out.resolve().name]
    )


HOLDER = """
import sys, time
from pathlib import Path
from il2kg.publish.disk_store import scratch_store_dir
with scratch_store_dir(Path(sys.argv[1])) as folder:
    (folder / "data").write_bytes(bytes(1000))
    print(folder.name, flush=True)
    time.sleep(600)
"""


def _holder(parent: Path) -> tuple[subprocess.Popen[str], str]:
    """A process holding a scratch store directory in `parent`, and the directory's name."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(parent)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def test_a_killed_servers_scratch_store_is_removed_by_the_next_and_a_live_one_kept(
    tmp_path: Path,
) -> None:
    """`il2kg serve` without --store builds its store in a scratch directory; one left by a
    SIGKILLed server is removed when the next starts, one a live server holds is kept."""
    live, kept = _holder(tmp_path)
    try:
        killed, gone = _holder(tmp_path)
        killed.kill()
        killed.wait()
        assert (tmp_path / gone / "data").is_file()  # what the killed one left
        with scratch_store_dir(tmp_path) as mine:
            names = sorted(p.name for p in tmp_path.iterdir())
            assert names == sorted([kept, f"{kept}.lock", mine.name, f"{mine.name}.lock"])
        assert sorted(p.name for p in tmp_path.iterdir()) == [kept, f"{kept}.lock"]
    finally:
        live.kill()
        live.wait()


# ---------------------------------------------------------------- labels


def _row(label: str) -> EvidenceRow:
    """A row whose publication label is `label`, the rest plain."""
    return EvidenceRow(
        outcome="https://w3id.org/il2kg/resource/x/outcome/orr",
        outcome_label="ORR",
        publication="https://w3id.org/il2kg/resource/x",
        publication_label=label,
        cohort="https://w3id.org/il2kg/resource/x/cohort/all",
        cohort_label="all",
        diseases="melanoma",
        category="https://w3id.org/il2kg/ontology/objective-response",
        category_label="objective response",
        treatment="https://w3id.org/il2kg/resource/x/t",
        treatment_label="IL-2",
        percent=Decimal(30),
        percent_derived=False,
        count=3,
        count_derived=False,
        denominator=10,
        denominator_derived=False,
        lower=Decimal("6.67"),
        upper=Decimal("65.25"),
        interval_derived=True,
        context="no prior therapy recorded",
        outcome_selected=False,
    )


@pytest.mark.parametrize(
    "label",
    ["Smith $\\undefinedmacro{x}$ 2020", "Pay $5 to $10 study", "$\\frac{1}{0}$", "a $ b", "$$"],
)
def test_labels_are_drawn_as_text_never_as_mathematics(label: str) -> None:
    svg = draw_forest([_row(label)], "svg").decode().replace("&lt;", "<").replace("&gt;", ">")
    assert f">{label[:25]}" in svg  # the study column shows up to 30 characters


# ---------------------------------------------------------------- reported figures

RECORD = """id: disagrees
label: Disagrees 2020
source_file: none.txt
publication: {title: A title, date: "2020"}
study: {label: A study, designs: [retrospective-study]}
cohorts:
  - {id: all, label: All patients, diseases: [metastatic-melanoma], size: 10}
regimens:
  - {id: hd-il2, label: HD IL-2, agents: [aldesleukin], modalities: [immunotherapy]}
outcomes:
  - id: orr
    kind: response
    label: ORR
    cohort: all
    treatment: hd-il2
    category: objective-response
    percent: 90
    count: 3
    denominator: 10
"""


def _pipeline(tmp_path: Path, text: str) -> PipelineResult:
    seeds = tmp_path / "seeds"
    seeds.mkdir(exist_ok=True)
    (seeds / "disagrees.yaml").write_text(text, encoding="utf-8")
    return run(Inputs(seeds_dir=seeds, sources_dir=None), reasoning=False)


def test_a_percent_its_counts_contradict_is_an_error(tmp_path: Path) -> None:
    result = _pipeline(tmp_path, RECORD)
    assert not result.ok and result.report is not None
    [finding] = [f for f in result.report.findings if "PercentMatchesCounts" in f.shape]
    assert "90% disagrees with 3/10 = 30" in finding.message and "curation note" in finding.message


def test_a_percent_explained_by_a_note_is_drawn_without_a_derived_interval(tmp_path: Path) -> None:
    """With a curation note it validates, and the plot does not put 90% beside an interval
    derived from 3/10 (6.67-65.25) as if they agreed."""
    noted = RECORD + "    curation_notes: [{about: percent, basis: The source reports both.}]\n"
    result = _pipeline(tmp_path, noted)
    assert result.ok and result.graph is not None, result.report
    store = Store()
    for graph in (result.graph, result.ontology):
        store.load(graph.serialize(format="nt", encoding="utf-8"), RdfFormat.N_TRIPLES)
    [row] = rows_from_json(run_local(store, ROWS_QUERY).payload)
    assert (row.percent, row.counts, row.differs) == (Decimal(90), "3/10", True)
    assert (row.lower, row.upper, row.interval) == (None, None, "no interval")
    svg = draw_forest([row], "svg").decode()
    assert "90%‡" in svg and "65.25" not in svg
    evidence = [
        r["resource"]
        for r in bundle(lambda q: run_local(store, q).payload)["entry"]
        if r["resource"]["resourceType"] == "Evidence"
    ]
    reported = [e for e in evidence if e["description"] == "As reported by the source."]
    assert [s["quantity"]["value"] for e in reported for s in e["statistic"]] == [90]
    assert not any("attributeEstimate" in s for e in reported for s in e["statistic"])
    for found in evidence:  # the derived 30% (6.67-65.25) says the two differ
        assert any("differs from its counts 3/10" in n["text"] for n in found["note"])
