"""Form and query-string reading: the same pairs as the standard library's, and the same
refusals."""

from __future__ import annotations

from urllib.parse import parse_qsl

from hypothesis import given, settings
from hypothesis import strategies as st

from il2kg.server.protocol import form_pairs

PIECES = st.sampled_from(
    [
        "&",
        "=",
        "+",
        "%",
        "%2",
        "%20",
        "%3D",
        "%26",
        "%2B",
        "%C3%A9",
        "%FF",
        "%e9",
        "query",
        "é",
        " ",
    ]
)
TEXT = st.lists(st.one_of(PIECES, st.text(max_size=3)), max_size=12).map("".join)


def stdlib(text: str) -> list[tuple[str, str]] | str:
    try:
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        return "refused"


def ours(text: str) -> list[tuple[str, str]] | str:
    try:
        return form_pairs(text)
    except UnicodeDecodeError:
        return "refused"


@settings(deadline=None)  # no wall-clock limit: the machine may be loaded
@given(TEXT)
def test_form_pairs_are_parse_qsl(text: str) -> None:
    assert ours(text) == stdlib(text)


def test_form_pairs_examples() -> None:
    assert form_pairs("query=ASK+%7B%7D&format=json&x&=y&&") == [
        ("query", "ASK {}"),
        ("format", "json"),
        ("x", ""),
        ("", "y"),
    ]
    assert ours("query=%FF") == "refused"
