"""CSV and TSV results a spreadsheet shows and never runs: cells starting with = + - @ (or a tab
or CR) are marked with a leading apostrophe, numbers are left alone."""

from __future__ import annotations

import csv
import io

import pytest
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, Store

from il2kg.query.tabular import neutral, write_csv, write_tsv

XSD_INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
RISKY = [
    '=HYPERLINK("https://x.example","a, b")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1)",
    "\tx",
    "\r=1",
]


@pytest.mark.parametrize("text", RISKY)
def test_a_risky_cell_is_marked(text: str) -> None:
    assert neutral(text) == "'" + text


@pytest.mark.parametrize("text", ["-1", "+2.5e3", ".5", "plain", "", "a=b", "'=x"])
def test_numbers_and_plain_text_are_left_alone(text: str) -> None:
    assert neutral(text) == text


def store() -> Store:
    s = Store()
    for i, text in enumerate(RISKY):
        s.add(
            Quad(
                NamedNode(f"http://x.example/{i}"),
                NamedNode("http://x.example/p"),
                Literal(text),
                DefaultGraph(),
            )
        )
    s.add(
        Quad(
            NamedNode("http://x.example/n"),
            NamedNode("http://x.example/p"),
            Literal("-1", datatype=XSD_INTEGER),
            DefaultGraph(),
        )
    )
    return s


QUERY = "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s"


def test_csv_cells_are_marked_and_the_file_reads_back() -> None:
    out = io.BytesIO()
    write_csv(store().query(QUERY), out)
    rows = list(csv.reader(io.StringIO(out.getvalue().decode(), newline="")))
    assert rows[0] == ["s", "o"]
    assert [o for _, o in rows[1:]] == ["'" + t for t in RISKY] + ["-1"]


def test_tsv_literals_are_marked_and_numbers_stay_bare() -> None:
    out = io.BytesIO()
    write_tsv(store().query(QUERY), out)
    lines = out.getvalue().decode().splitlines()
    assert lines[0] == "?s\t?o" and len(lines) == len(RISKY) + 2
    assert all(line.split("\t")[1].startswith("\"'") for line in lines[1:-1])
    assert lines[-1].split("\t")[1] == "-1"
