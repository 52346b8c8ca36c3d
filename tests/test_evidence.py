"""Response estimates read from the graph, and the forest plots drawn from them."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Store

from il2kg.cli import main
from il2kg.evidence.forest import draw_forest
from il2kg.evidence.rows import ROWS_QUERY, EvidenceRow, rows_from_json, select
from il2kg.graph.derive import clopper_pearson, rate_percent
from il2kg.publish.store import open_store
from il2kg.query.run import run_local
from il2kg.records.model import PublicationRecord

RESPONSE_OUTCOMES = """PREFIX il2kg: <https://w3id.org/il2kg/ontology/>
SELECT DISTINCT ?o WHERE { ?o a il2kg:ResponseOutcome .
  { ?o il2kg:reportedPercent ?p } UNION { ?o il2kg:hasDerivedValue/il2kg:derivedPercent ?p } }"""


@pytest.fixture(scope="module")
def store(built_dist: Path) -> Store:
    return open_store(built_dist)


@pytest.fixture(scope="module")
def rows(store: Store) -> list[EvidenceRow]:
    return rows_from_json(run_local(store, ROWS_QUERY).payload)


def _record(seed_result: object, record_id: str) -> PublicationRecord:
    return next(r for r in seed_result.loaded.records if r.id == record_id)


def test_one_row_per_response_outcome_with_an_estimate(
    store: Store, rows: list[EvidenceRow]
) -> None:
    want = {
        str(s["o"].value) for s in store.query(RESPONSE_OUTCOMES, use_default_graph_as_union=True)
    }
    assert want and sorted(r.outcome for r in rows) == sorted(want)


def test_rows_carry_the_seed_figures(seed_result: object, rows: list[EvidenceRow]) -> None:
    """Each row's reported figures are the seed's; an interval is the reported one if any."""
    by_iri = {r.outcome: r for r in rows}
    checked = 0
    for record in seed_result.loaded.records:
        for outcome in record.outcomes:
            row = by_iri.get(f"https://w3id.org/il2kg/resource/{record.id}/outcome/{outcome.id}")
            if row is None:
                continue
            checked += 1
            if outcome.percent is not None:
                assert (row.percent, row.percent_derived) == (outcome.percent, False)
            if outcome.count is not None:
                assert (row.count, row.count_derived) == (outcome.count, False)
            if outcome.ci is not None:
                assert (row.lower, row.upper, row.interval_derived) == (
                    outcome.ci.lower,
                    outcome.ci.upper,
                    False,
                )
            elif row.count is not None and row.denominator is not None:
                assert (row.lower, row.upper) == clopper_pearson(row.count, row.denominator)
                assert row.interval_derived
    assert checked == len(by_iri) > 0  # every row is an outcome of a seed


def test_atkins_objective_response(seed_result: object, rows: list[EvidenceRow]) -> None:
    """Reported 16% with its reported 95% CI; the count 17 + 26 is derived."""
    atkins = _record(seed_result, "atkins-1999")
    orr = next(o for o in atkins.outcomes if o.id == "orr")
    parts = [o.count for o in atkins.outcomes if o.id in orr.components]
    row = next(r for r in rows if r.outcome.endswith("atkins-1999/outcome/orr"))
    assert row.counts == f"{sum(parts)}*/{orr.denominator}"
    assert row.interval == f"{orr.ci.lower}-{orr.ci.upper}% (reported)"


def test_derived_percent_is_marked(rows: list[EvidenceRow]) -> None:
    derived = [r for r in rows if r.percent_derived]
    assert derived
    for row in derived:
        assert row.percent == rate_percent(row.count, row.denominator)


def test_treatment_context_and_selection(rows: list[EvidenceRow]) -> None:
    """Contexts come from the cohorts' prior therapies, other than the outcome's own."""
    contexts = {r.context for r in rows}
    assert {"after checkpoint inhibition", "after failed IL-2"} <= contexts
    for row in rows:
        if "buchbinder-2019" in row.outcome:
            assert row.context == "after checkpoint inhibition"
    selected = {r.outcome.rsplit("/", 1)[-1] for r in rows if r.outcome_selected}
    assert selected == {"il2-no-response", "il2-progression"}


def test_svg_shows_every_row(rows: list[EvidenceRow]) -> None:
    svg = draw_forest(rows, "svg").decode()
    assert svg.startswith("<?xml") and "<svg" in svg
    for row in rows:
        assert row.counts in svg
    assert draw_forest(rows, "svg") == draw_forest(rows, "svg")


def _plot(dist: Path, out: Path, *options: str) -> int:
    """`il2kg plot forest --dist DIST --out OUT [options]`, its exit status."""
    return main(["plot", "forest", "--dist", str(dist), "--out", str(out), *options])


def test_cli_writes_png_and_filters_categories(
    built_dist: Path, tmp_path: Path, rows: list[EvidenceRow]
) -> None:
    png, svg = tmp_path / "f.png", tmp_path / "f.svg"
    assert _plot(built_dist, png) == 0
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert _plot(built_dist, svg, "--category", "objective-response") == 0
    text = svg.read_text()
    for row in rows:
        assert (row.counts in text) == row.category.endswith("/objective-response")
    pdf = tmp_path / "f.pdf"
    assert _plot(built_dist, pdf) == 2
    assert _plot(built_dist, png, "--category", "no-such-category") == 1


def test_rows_select_by_disease_context_study_and_category(rows: list[EvidenceRow]) -> None:
    melanoma = select(rows, disease=["metastatic-melanoma"])
    assert melanoma and set(melanoma) == {
        r for r in rows if "metastatic melanoma" in r.diseases.split(", ")
    }
    atkins = select(rows, study=["atkins-1999"])
    assert atkins and {r.publication_label for r in atkins} == {"Atkins 1999"}
    assert select(rows, study=["Atkins 1999"]) == atkins
    contexts = {r.context for r in rows}
    assert len(contexts) > 1
    for context in contexts:
        chosen = select(rows, context=[context.replace(" ", "-").upper()])
        assert chosen == [r for r in rows if r.context == context]
    both = select(rows, disease=["metastatic-melanoma"], category=["objective-response"])
    assert both == [r for r in melanoma if r.category.endswith("/objective-response")]
    assert select(rows) == rows


def test_cli_plot_selects_and_says_what_it_could_select(
    built_dist: Path, tmp_path: Path, rows: list[EvidenceRow], capsys: pytest.CaptureFixture[str]
) -> None:
    svg = tmp_path / "f.svg"
    capsys.readouterr()
    assert (
        _plot(built_dist, svg, "--disease", "metastatic-melanoma", "--study", "buchbinder-2019")
        == 0
    )
    wanted = [
        r
        for r in rows
        if "metastatic melanoma" in r.diseases and r.publication_label.startswith("Buch")
    ]
    assert wanted and f"({len(wanted)} rows)" in capsys.readouterr().err
    assert _plot(built_dist, svg, "--disease", "glioma") == 1
    said = capsys.readouterr().err
    assert "--disease glioma" in said and "metastatic melanoma" in said


def test_cli_plot_draws_within_its_time(
    built_dist: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Drawing runs in a child killed past `--timeout`, as the server's: nothing is written."""
    svg = tmp_path / "f.svg"
    capsys.readouterr()
    assert _plot(built_dist, svg, "--timeout", "0.001") == 2
    assert not svg.exists()
    assert "took longer than 0.001 s (--timeout)" in capsys.readouterr().err
    assert _plot(built_dist, svg, "--study", "atkins-1999") == 0
    assert "Atkins 1999" in svg.read_text()
