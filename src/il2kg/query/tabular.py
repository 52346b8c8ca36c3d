"""CSV and TSV query results that a spreadsheet shows and never runs.

A spreadsheet opening a CSV or TSV file runs a cell starting with `=`, `+`, `-` or `@` as a
formula (`=HYPERLINK(...)` in a label is a link to anywhere, others run commands). So a cell
whose text starts with one of them, or with a tab or carriage return, gets a leading `'`
(OWASP's advice), unless the whole cell is a number (`-1`, `+2.5e3`). CSV is written here
from the solutions (a CSV cell does not say whether `-1` was a number or a string); TSV is
pyoxigraph's, with the quoted literals so marked (a TSV cell is a term in Turtle syntax, one
line per row, so cells are found without parsing).
"""

from __future__ import annotations

import csv
import io
import re
from typing import IO, cast

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
)

RISKY = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
TSV_RISKY = (b'"=', b'"+', b'"-', b'"@', b'"\\t', b'"\\r')  # TSV escapes tabs and CRs
ROWS_PER_WRITE = 256


def neutral(text: str) -> str:
    """The text of a cell, marked with a leading `'` when a spreadsheet would run it.

    >>> neutral("=1+1"), neutral("-1"), neutral("-a"), neutral("a-")
    ("'=1+1", '-1', "'-a", 'a-')
    """
    return "'" + text if text.startswith(RISKY) and not NUMBER.fullmatch(text) else text


def _csv_text(term: object) -> str:
    """A term as SPARQL's CSV results write it: IRIs and literals bare, blank nodes `_:`."""
    if isinstance(term, NamedNode | Literal):
        return term.value
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    return "" if term is None else str(term)


def write_csv(result: QuerySolutions | QueryBoolean, output: IO[bytes]) -> None:
    """SPARQL 1.1 CSV results (RFC 4180, CRLF) with risky cells marked."""
    if isinstance(result, QueryBoolean):
        result.serialize(output, QueryResultsFormat.CSV)
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    names = [v.value for v in result.variables]
    writer.writerow(names)
    for count, solution in enumerate(result, 1):
        writer.writerow([neutral(_csv_text(solution[name])) for name in names])
        if count % ROWS_PER_WRITE == 0:
            output.write(buffer.getvalue().encode())
            buffer.seek(0)
            buffer.truncate()
    output.write(buffer.getvalue().encode())


class NeutralTsv:
    """A binary sink taking pyoxigraph's TSV results, passing them on with risky literals
    marked (`"=x"` becomes `"'=x"`); `finish()` passes on the last line."""

    def __init__(self, output: IO[bytes]) -> None:
        self.output, self.rest = output, b""

    def write(self, data: bytes) -> int:
        """Pass on every complete line of what came so far."""
        *lines, self.rest = (self.rest + data).split(b"\n")
        if lines:
            self.output.write(b"".join(_tsv_line(line) + b"\n" for line in lines))
        return len(data)

    def flush(self) -> None:
        """Nothing: a line goes on when it is complete, the last one by `finish()`."""

    def finish(self) -> None:
        """Pass on what is left."""
        if self.rest:
            self.output.write(_tsv_line(self.rest))
            self.rest = b""


def _tsv_line(line: bytes) -> bytes:
    return b"\t".join(
        b"\"'" + cell[1:] if cell.startswith(TSV_RISKY) else cell for cell in line.split(b"\t")
    )


def write_tsv(result: QuerySolutions | QueryBoolean, output: IO[bytes]) -> None:
    """SPARQL 1.1 TSV results with risky literals marked."""
    sink = NeutralTsv(output)
    result.serialize(cast(IO[bytes], sink), QueryResultsFormat.TSV)  # any write() will do
    sink.finish()
