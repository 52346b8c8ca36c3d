"""Content negotiation: the Accept header parsed once, bounded, with q=0 refusals."""

from __future__ import annotations

import pytest

from il2kg.query.result import Form
from il2kg.server.negotiation import (
    GRAPH_FORMATS,
    MAX_RANGES,
    RESULT_FORMATS,
    best,
    choose,
    parse_accept,
)

RESULTS = list(RESULT_FORMATS)
GRAPHS = list(GRAPH_FORMATS)


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        (None, "application/sparql-results+json"),
        ("", "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("text/csv", "text/csv"),
        ("text/*", "text/csv"),
        ("application/sparql-results+xml;q=0.9, text/csv;q=0.5", "application/sparql-results+xml"),
        ("TEXT/TAB-SEPARATED-VALUES", "text/tab-separated-values"),
        ("text/csv;q=0.2, */*;q=0.9", "application/sparql-results+json"),
        ("application/sparql-results+json;charset=utf-8", "application/sparql-results+json"),
    ],
)
def test_best_result_format(accept: str | None, media: str) -> None:
    assert best(accept, RESULTS) == media


def test_a_specific_range_overrides_a_wildcard() -> None:
    # */* would allow Turtle first, but text/turtle's own q is lower than JSON-LD's.
    accept = "*/*;q=0.8, text/turtle;q=0.1"
    assert best(accept, GRAPHS) == "application/n-triples"
    assert parse_accept(accept).quality("text/turtle") == pytest.approx(0.1)


@pytest.mark.parametrize(
    "accept",
    [
        "application/sparql-results+json;q=0, */*",
        "application/sparql-results+json;q=0.0, application/*;q=0.5",
    ],
)
def test_q0_refuses_a_type_a_wildcard_allows(accept: str) -> None:
    assert best(accept, RESULTS) == "application/sparql-results+xml"


@pytest.mark.parametrize(
    "accept",
    [
        "*/*;q=0",
        "image/png",
        "text/*;q=0, application/*;q=0",
        ", ;q=1, ,",
        "text/csv;q=banana",
    ],
)
def test_nothing_acceptable(accept: str) -> None:
    assert best(accept, ["text/csv", "text/tab-separated-values"]) is None


def test_every_offer_refused_then_many_wildcards() -> None:
    """The issue's header: the offers refused, then ~1,300 wildcards: bounded, still refused."""
    header = ", ".join(f"{m};q=0" for m in RESULTS) + ", */*;q=0.5" * 1300
    assert len(parse_accept(header).ranges) == MAX_RANGES
    assert best(header, RESULTS) is None
    assert choose(Form.SOLUTIONS, header) is None


def test_only_the_first_ranges_count() -> None:
    header = ", ".join(["image/png"] * MAX_RANGES + ["text/csv"])
    assert best(header, RESULTS) is None


def test_a_huge_header_keeps_only_the_capped_ranges() -> None:
    header = "text/x-nothing;q=0.1, " * 100_000
    assert parse_accept(header).ranges == (("text/x-nothing", 0.1),) * MAX_RANGES
    assert best(header, RESULTS) is None


def test_parsing_is_cached() -> None:
    header = "text/csv;q=0.5, application/sparql-results+xml"
    assert parse_accept(header) is parse_accept(header)


def test_format_parameter_wins_over_accept() -> None:
    chosen = choose(Form.TRIPLES, "text/turtle", "jsonld")
    assert chosen is not None and chosen.media_type == "application/ld+json"
    assert choose(Form.SOLUTIONS, "text/turtle") is None
