"""The example queries of queries/: each answers its question with the expected result.

The graph is built once per session from the seeds (the `built_dist` fixture the endpoint
tests share); every query is run on it and compared with the expected result beside it,
except queries whose header says `#+ requires: network` (they call a public endpoint). The
`il2kg query` command is tested against the same build, and against a real Oxigraph server
for `--endpoint`.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import (
    NamedNode,
    QueryResultsFormat,
    RdfFormat,
    Store,
    parse,
    parse_query_results,
)

from il2kg.cli import main
from il2kg.iris import prefixes
from il2kg.paths import ONTOLOGY_FILE, QUERIES_DIR
from il2kg.publish.store import open_store
from il2kg.query.examples import NAME, Example, load_examples
from il2kg.query.render import format_result
from il2kg.query.result import from_parsed
from il2kg.query.run import run_local

from . import golden
from .golden import Difference, compare, expected_path, has_order_by, read_expected
from .server_fixtures import free_port, oxigraph_binary, oxigraph_server

MINIMUM_QUERIES = 25
COMPETENCY_QUESTIONS = {f"Q{i}" for i in range(1, 12)}
IL2KG = "https://w3id.org/il2kg/ontology/"
OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
TERM_KINDS = {
    NamedNode(OWL + k)
    for k in ("Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty")
}
EXAMPLES = load_examples(QUERIES_DIR)
NEEDS_NETWORK = {e.name for e in EXAMPLES if e.header.get("requires") == "network"}
# Queries about the reasoner's conclusions (keyword `reasoning`) need a build with HermiT.
PARAMS = [
    pytest.param(e, id=e.name, marks=[pytest.mark.java] if "reasoning" in e.keywords else [])
    for e in EXAMPLES
]


@pytest.fixture(scope="module")
def dist(built_dist: Path) -> Path:
    """The graph built from the seeds, once per session (shared with the endpoint tests)."""
    return built_dist


@pytest.fixture(scope="module")
def store(dist: Path) -> Store:
    """The built graph in the embedded store."""
    return open_store(dist)


@pytest.fixture(scope="module")
def differences(store: Store) -> dict[str, Difference]:
    """Every example query run once against the build and compared with its expected result."""
    results = {}
    for example in EXAMPLES:
        if expected_path(example) is None or example.name in NEEDS_NETWORK:
            continue
        actual = run_local(store, example.text)
        expected = read_expected(expected_path(example))
        results[example.name] = compare(expected, actual, ordered=has_order_by(example.text))
    return results


@pytest.mark.parametrize("example", PARAMS)
def test_query_gives_expected_result(example: Example, differences: dict[str, Difference]) -> None:
    if example.name in NEEDS_NETWORK:
        pytest.skip("'#+ requires: network': it calls a public endpoint; tests are offline")
    assert expected_path(example) is not None, f"{example.path.name} has no expected .srj or .ttl"
    difference = differences[example.name]
    assert not difference, f"{example.name} ({example.summary}):\n{difference.report()}"


def test_every_query_was_run(differences: dict[str, Difference]) -> None:
    offline = [p for p in QUERIES_DIR.glob("*.rq") if p.stem not in NEEDS_NETWORK]
    assert len(differences) == len(offline) >= MINIMUM_QUERIES


def test_every_file_in_queries_follows_the_naming_rule() -> None:
    names = sorted(p.name for p in QUERIES_DIR.iterdir())
    broken = [
        n
        for n in names
        if Path(n).suffix not in {".rq", ".srj", ".ttl"} or not NAME.match(Path(n).stem)
    ]
    assert not broken, f"not <kebab-name>.rq/.srj/.ttl: {broken}"


def test_every_expected_result_has_a_query() -> None:
    expected = [p for p in QUERIES_DIR.iterdir() if p.suffix in {".srj", ".ttl"}]
    orphans = sorted(p.name for p in expected if not p.with_suffix(".rq").is_file())
    assert not orphans, f"expected results without a query: {orphans}"
    stems = [p.stem for p in expected]
    assert len(stems) == len(set(stems)), "a query has both an .srj and a .ttl"


def test_headers_state_question_description_and_keywords() -> None:
    incomplete = [e.name for e in EXAMPLES if not (e.summary and e.description and e.keywords)]
    assert not incomplete, f"missing summary, description or keywords: {incomplete}"
    unknown = {q for e in EXAMPLES for q in e.competency} - COMPETENCY_QUESTIONS
    assert not unknown, f"unknown competency questions: {unknown}"


def test_every_competency_question_is_answered() -> None:
    answered = {q for e in EXAMPLES for q in e.competency}
    assert answered == COMPETENCY_QUESTIONS


def ontology_terms() -> list[str]:
    """Local names of the classes and properties the ontology declares in the il2kg: namespace."""
    terms = set()
    for quad in parse(path=ONTOLOGY_FILE, format=RdfFormat.TURTLE):
        subject = quad.subject
        if (
            quad.predicate == RDF_TYPE
            and quad.object in TERM_KINDS
            and isinstance(subject, NamedNode)
            and subject.value.startswith(IL2KG)
        ):
            terms.add(subject.value.removeprefix(IL2KG))
    return sorted(terms)


def test_every_ontology_class_and_property_is_used_by_a_query() -> None:
    terms = ontology_terms()
    assert len(terms) > 50, "the ontology declares fewer terms than expected; parsing failed?"
    texts = "\n".join(re.sub(r"(?m)^\s*#.*$", "", e.text) for e in EXAMPLES)
    unused = [
        t
        for t in terms
        if not re.search(rf"(il2kg:|<{re.escape(IL2KG)}){re.escape(t)}(?![\w-])", texts)
    ]
    assert not unused, f"ontology terms no query uses: {unused}"


# --- the `il2kg query` command -----------------------------------------------------------


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run `il2kg` in this process; return its exit code, stdout and stderr."""
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


QUERY = "factors-associated-with-response"


def test_query_by_name_prints_a_table(dist: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "query", QUERY, "--dist", str(dist))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split(" | ")[0].strip() == "publication"
    assert set(lines[1]) <= {"-", "+"}
    expected_rows = len(read_expected(QUERIES_DIR / f"{QUERY}.srj").rows)
    assert lines[-1] == f"({expected_rows} rows)"
    assert len(lines) == expected_rows + 3


def test_name_and_file_give_the_same_answer(dist: Path, capsys: pytest.CaptureFixture[str]) -> None:
    by_name = run_cli(capsys, "query", QUERY, "--dist", str(dist), "--format", "json")
    by_file = run_cli(
        capsys, "query", str(QUERIES_DIR / f"{QUERY}.rq"), "--dist", str(dist), "--format", "json"
    )
    assert by_name[0] == by_file[0] == 0
    assert json.loads(by_name[1]) == json.loads(by_file[1])


def test_csv_and_json_output(dist: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = read_expected(QUERIES_DIR / f"{QUERY}.srj")
    code, out, _ = run_cli(capsys, "query", QUERY, "--dist", str(dist), "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert tuple(rows[0]) == expected.variables
    assert len(rows) == len(expected.rows) + 1
    code, out, _ = run_cli(capsys, "query", QUERY, "--dist", str(dist), "--format", "json")
    document = json.loads(out)
    assert tuple(document["head"]["vars"]) == expected.variables
    assert len(document["results"]["bindings"]) == len(expected.rows)


def test_tsv_output_and_stdin(
    dist: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = (
        "PREFIX il2kg: <https://w3id.org/il2kg/ontology/>\n"
        "SELECT ?size WHERE { ?c il2kg:size ?size } ORDER BY DESC(?size) LIMIT 1"
    )
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))
    code, out, _ = run_cli(capsys, "query", "-", "--dist", str(dist), "--format", "tsv")
    assert code == 0
    assert out.splitlines()[0] == "?size"
    assert out.splitlines()[1].startswith(("409", '"409"'))


def test_bless_rewrites_the_expected_result(
    tmp_path: Path, dist: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = "cohorts-by-publication"
    query = tmp_path / f"{name}.rq"
    shutil.copy(QUERIES_DIR / f"{name}.rq", query)
    expected = query.with_suffix(".srj")
    expected.write_text('{"head": {"vars": []}, "results": {"bindings": []}}')
    assert golden.main([str(query), "--dist", str(dist)]) == 0
    assert "variables differ" in capsys.readouterr().out
    assert golden.main([str(query), "--dist", str(dist), "--bless"]) == 0
    assert f"wrote {expected}" in capsys.readouterr().out
    assert expected.read_bytes() == (QUERIES_DIR / f"{name}.srj").read_bytes()
    assert golden.main([str(query), "--dist", str(dist)]) == 0
    assert capsys.readouterr().out == f"{name}: as expected\n"


def test_bless_of_a_changed_query_changes_the_expected_result(tmp_path: Path, dist: Path) -> None:
    query = tmp_path / "only-sizes.rq"
    query.write_text(
        "#+ summary: sizes\nPREFIX il2kg: <https://w3id.org/il2kg/ontology/>\n"
        "ASK { ?c il2kg:size 409 }\n"
    )
    assert golden.main([str(query), "--dist", str(dist), "--bless"]) == 0
    assert json.loads(query.with_suffix(".srj").read_text())["boolean"] is True


@pytest.mark.parametrize("text", ["SELEC ?x WHERE { ?x ?p ?o }", "SELECT ?x WHERE { ?x ?p }"])
def test_syntax_error_gives_the_parser_message_without_traceback(dist: Path, text: str) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "il2kg.cli", "query", "-", "--dist", str(dist)],
        input=text,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2
    assert "error at 1:" in completed.stderr
    assert "Traceback" not in completed.stderr


def test_unknown_query_name_is_an_error(dist: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "query", "no-such-query", "--dist", str(dist))
    assert code == 2
    assert "no-such-query" in err


@pytest.fixture(scope="module")
def oxigraph_endpoint(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real, read-only Oxigraph SPARQL server on loopback holding the build."""
    location = tmp_path_factory.mktemp("oxigraph")
    subprocess.run(
        [oxigraph_binary(), "load", "--location", str(location), "--file", str(dist / "il2kg.nq")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    with oxigraph_server(location, command="serve-read-only") as url:
        yield f"{url}/query"


@pytest.mark.parametrize(
    "name", ["durability-of-complete-responses", "no-reported-rate-contradicts-counts"]
)
def test_remote_endpoint_gives_the_expected_result(
    name: str, oxigraph_endpoint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    example = next(e for e in EXAMPLES if e.name == name)
    code, out, err = run_cli(
        capsys, "query", name, "--endpoint", oxigraph_endpoint, "--format", "json"
    )
    assert code == 0, err
    actual = from_parsed(parse_query_results(out, format=QueryResultsFormat.JSON))
    assert expected_path(example) is not None
    difference = compare(
        read_expected(expected_path(example)), actual, ordered=has_order_by(example.text)
    )
    assert not difference, difference.report()


UNDECLARED = (
    "SELECT ?cohort ?size WHERE { ?cohort a il2kg:Cohort ; il2kg:size ?size }\n"
    "ORDER BY DESC(?size) ?cohort LIMIT 3"
)


@pytest.mark.parametrize("where", ["local", "endpoint"])
def test_published_prefixes_need_no_declaration(
    where: str,
    dist: Path,
    oxigraph_endpoint: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As on `il2kg serve`: locally, and on an endpoint that knows no il2kg prefixes."""
    target = ["--dist", str(dist)] if where == "local" else ["--endpoint", oxigraph_endpoint]
    answers = []
    for text in (UNDECLARED, f"PREFIX il2kg: <{IL2KG}>\n{UNDECLARED}"):
        monkeypatch.setattr(sys, "stdin", io.StringIO(text))
        code, out, err = run_cli(capsys, "query", "-", *target, "--format", "json")
        assert code == 0, err
        answers.append(json.loads(out)["results"]["bindings"])
    assert len(answers[0]) == 3
    assert answers[0] == answers[1]


def test_unreachable_endpoint_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}/query"
    code, _, err = run_cli(capsys, "query", QUERY, "--endpoint", endpoint)
    assert code == 2
    assert "could not reach" in err


# --- the worked examples of docs/querying.md --------------------------------------------

GUIDE = QUERIES_DIR.parent / "docs" / "querying.md"
WORKED = re.findall(
    r"```sparql\n(.*?)```\n\n```\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S
)


def test_guide_has_worked_examples() -> None:
    assert len(WORKED) >= 4


@pytest.mark.parametrize("query, shown", WORKED, ids=[f"guide-{i + 1}" for i in range(len(WORKED))])
def test_guide_examples_show_what_they_return(query: str, shown: str, store: Store) -> None:
    assert format_result(run_local(store, query), "table", prefixes=prefixes()) == shown.rstrip(
        "\n"
    )


def test_a_reader_that_stops_early_is_a_normal_end(dist: Path) -> None:
    """`il2kg query ... | head -1`: the closed pipe ends the command quietly, exit 0."""
    process = subprocess.Popen(
        [sys.executable, "-m", "il2kg.cli", "query", "-", "--dist", str(dist), "--format", "tsv"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdin and process.stdout and process.stderr
    process.stdin.write(b"SELECT * WHERE { ?s ?p ?o }")  # far more than a pipe buffer holds
    process.stdin.close()
    assert process.stdout.readline()
    process.stdout.close()  # as `head -1` does
    assert process.wait(timeout=120) == 0
    assert process.stderr.read() == b""
