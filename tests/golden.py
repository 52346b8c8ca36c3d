"""Expected results of the example queries: read, compare with an actual result, bless.

Each query in queries/ has its expected result beside it: `.srj` (SPARQL JSON) or `.ttl` (a
graph, in Turtle). `tests/test_queries.py` compares every query's result with it. To write
or rewrite one, after checking the answer against the source abstracts by hand:

    python -m tests.golden NAME...            # show how the results differ from the files
    python -m tests.golden NAME... --bless    # write the actual results as the expected ones

Both run the queries on the build in `--dist` (default dist/, built first when missing).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import (
    CanonicalizationAlgorithm,
    Dataset,
    DefaultGraph,
    Quad,
    QueryResultsFormat,
    RdfFormat,
    parse,
    parse_query_results,
)

from il2kg.iris import prefixes
from il2kg.paths import QUERIES_DIR
from il2kg.query.examples import Example
from il2kg.query.render import turtle
from il2kg.query.result import Form, Result, Term, from_parsed, graph_result

ORDER_BY = re.compile(r"\bORDER\s+BY\b", re.IGNORECASE)
COMMENT = re.compile(r"^\s*#.*$", re.MULTILINE)


def read_expected(path: Path) -> Result:
    """An expected result: `.srj` (SPARQL JSON) or `.ttl` (a graph, in Turtle)."""
    if path.suffix == ".ttl":
        return graph_result(parse(path=path, format=RdfFormat.TURTLE))
    return from_parsed(parse_query_results(path=path, format=QueryResultsFormat.JSON))


def expected_path(example: Example) -> Path | None:
    """The expected-result file beside an example query, if there is one."""
    for suffix in (".srj", ".ttl"):
        candidate = example.path.with_suffix(suffix)
        if candidate.is_file():
            return candidate
    return None


def has_order_by(text: str) -> bool:
    """True when a query (comments aside) orders its solutions."""
    return bool(ORDER_BY.search(COMMENT.sub("", text)))


def expected_suffix(result: Result) -> str:
    """The file suffix of an expected result of this form."""
    return ".ttl" if result.form is Form.TRIPLES else ".srj"


def expected_file(result: Result, *, ordered: bool, prefixes: dict[str, str]) -> bytes:
    """A result as a reviewable expected-result file: indented JSON or prefixed Turtle.

    Rows of an unordered SELECT are sorted, so that re-blessing gives a stable diff.
    """
    if result.form is Form.TRIPLES:
        return turtle(result, prefixes=prefixes)
    document = json.loads(result.payload)
    if result.form is Form.SOLUTIONS and not ordered:
        document["results"]["bindings"].sort(key=lambda b: json.dumps(b, sort_keys=True))
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode()


@dataclass(frozen=True)
class Difference:
    """How an actual result differs from the expected one; empty when they agree."""

    problems: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    unexpected: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.problems or self.missing or self.unexpected)

    def report(self) -> str:
        """The differences as text, one problem, missing row or unexpected row a line."""
        lines = list(self.problems)
        lines += [f"missing:    {row}" for row in self.missing]
        lines += [f"unexpected: {row}" for row in self.unexpected]
        return "\n".join(lines)


def compare(expected: Result, actual: Result, *, ordered: bool) -> Difference:
    """Compare: solutions as multisets (lists when ordered), booleans, graphs by isomorphism."""
    if expected.form is not actual.form:
        return Difference((f"expected a {expected.form.value} result, got {actual.form.value}",))
    if expected.form is Form.BOOLEAN:
        if expected.boolean == actual.boolean:
            return Difference()
        return Difference((f"expected {expected.boolean}, got {actual.boolean}",))
    if expected.form is Form.TRIPLES:
        return _multiset_difference(_canonical(expected), _canonical(actual))
    if set(expected.variables) != set(actual.variables):
        problem = f"variables differ: expected {expected.variables}, got {actual.variables}"
        return Difference((problem,))
    names = expected.variables
    want = [_row_text(row, names) for row in _named_rows(expected)]
    got = [_row_text(row, names) for row in _named_rows(actual)]
    difference = _multiset_difference(want, got)
    if not difference and ordered and want != got:
        return Difference(("the same rows in a different order (the query has ORDER BY)",))
    return difference


def _named_rows(result: Result) -> list[dict[str, Term | None]]:
    """The solutions of a SELECT result as variable-to-term mappings."""
    return [dict(zip(result.variables, row, strict=True)) for row in result.rows]


def _row_text(row: dict[str, Term | None], names: tuple[str, ...]) -> str:
    """One solution as `var=term` pairs in the given variable order."""
    return " ".join(f"{n}={'UNBOUND' if row.get(n) is None else row[n]}" for n in names)


def _canonical(result: Result) -> list[str]:
    """The triples of a graph result with blank nodes renamed canonically, as N-Triples lines."""
    graph = DefaultGraph()
    dataset = Dataset(Quad(t.subject, t.predicate, t.object, graph) for t in result.triples)
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(str(q.triple) for q in dataset)


def _multiset_difference(want: list[str], got: list[str]) -> Difference:
    """Rows in `want` but not `got` (missing) and the reverse (unexpected), with multiplicity."""
    missing, unexpected = list(want), []
    for row in got:
        if row in missing:
            missing.remove(row)
        else:
            unexpected.append(row)
    return Difference((), tuple(missing), tuple(unexpected))


def bless(path: Path, result: Result, *, prefixes: dict[str, str]) -> Path:
    """Write `result` as the expected result beside the query file; remove a stale one."""
    target = path.with_suffix(expected_suffix(result))
    for suffix in (".srj", ".ttl"):
        if path.with_suffix(suffix) != target:
            path.with_suffix(suffix).unlink(missing_ok=True)
    ordered = has_order_by(path.read_text(encoding="utf-8"))
    target.write_bytes(expected_file(result, ordered=ordered, prefixes=prefixes))
    return target


def check_or_bless(path: Path, result: Result, *, write: bool) -> str:
    """Bless `result` for the query at `path`, or say how it differs from the expected one."""
    if write:
        return f"wrote {bless(path, result, prefixes=prefixes())}"
    expected = path.with_suffix(expected_suffix(result))
    if not expected.is_file():
        return f"{path.stem}: no expected result {expected.name} yet"
    ordered = has_order_by(path.read_text(encoding="utf-8"))
    difference = compare(read_expected(expected), result, ordered=ordered)
    return f"{path.stem}: " + (difference.report() if difference else "as expected")


def main(argv: Sequence[str] | None = None) -> int:
    """Show how example queries' results differ from their expected ones, or bless them."""
    from il2kg.cli import main as il2kg
    from il2kg.publish.store import open_store
    from il2kg.query.run import query_file, run_local

    parser = argparse.ArgumentParser(prog="python -m tests.golden", description=main.__doc__)
    parser.add_argument("queries", nargs="+", metavar="NAME", help="a query name or .rq file")
    parser.add_argument("--dist", type=Path, default=Path("dist"), help="built graph (dist)")
    parser.add_argument("--bless", action="store_true", help="rewrite the expected results")
    args = parser.parse_args(argv)
    if not (args.dist / "il2kg.nq").is_file() and il2kg(["build", "--out", str(args.dist)]):
        return 2
    store = open_store(args.dist)
    for source in args.queries:
        path = query_file(source, QUERIES_DIR)
        print(
            check_or_bless(
                path, run_local(store, path.read_text(encoding="utf-8")), write=args.bless
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
