"""SPARQL's terminals: a query read as tokens, the way the W3C grammar lexes it.

One pass of one expression over the text, longest match first as in the grammar's terminals
(SPARQL 1.1 section 19.8): IRIs, the four string forms, comments, variables, blank node
labels, prefixed names (with PN_LOCAL's escapes and inner dots), numbers (a `1.` is an integer
and a dot, `1e0` a double), language tags, bare words (keywords, `a`, `true`), the two-character
operators, then any other character alone. Codepoint escapes are the caller's (`unescape`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
CHARS_U = BASE + "_"
CHARS = CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
PREFIX = f"[{BASE}](?:[{CHARS}.]*[{CHARS}])?"
LOCAL = f"(?:[{CHARS_U}:0-9]|{PLX})(?:(?:[{CHARS}.:]|{PLX})*(?:[{CHARS}:]|{PLX}))?"
VARNAME = f"[{CHARS_U}0-9][{CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"
IRI = r"<[^<>\"{}|^`\\\x00-\x20]*>"
STRING = (
    r"'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\""
    r"|'(?:[^'\\\n\r]|\\.)*'|\"(?:[^\"\\\n\r]|\\.)*\""
)
COMMENT = r"#[^\r\n]*"
TERMINALS = re.compile(
    r"(?P<space>[\x20\t\r\n]+)"
    f"|(?P<comment>{COMMENT})|(?P<iri>{IRI})|(?P<string>{STRING})"
    f"|(?P<var>[?$]{VARNAME})"
    f"|(?P<blank>_:[{CHARS_U}0-9](?:[{CHARS}.]*[{CHARS}])?)"
    f"|(?P<pname>(?:{PREFIX})?:(?:{LOCAL})?)"
    r"|(?P<number>[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.?[0-9]+[eE][+-]?[0-9]+|[0-9]*\.[0-9]+|[0-9]+)"
    r"|(?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)"
    r"|(?P<word>[^\W\d]\w*)"
    r"|(?P<op>\|\||&&|!=|<=|>=|\^\^|<<|>>|\{\||\|\}|.)",
    re.DOTALL,
)
SKIPPED = frozenset({"space", "comment"})


class Token(NamedTuple):
    """One terminal: its kind (a group name of TERMINALS) and its text."""

    kind: str
    text: str


def tokens(text: str, *, skip: frozenset[str] = SKIPPED) -> Iterator[Token]:
    """The query's tokens in order, white space and comments left out unless `skip` says."""
    for match in TERMINALS.finditer(text):
        kind = match.lastgroup or "op"
        if kind not in skip:
            yield Token(kind, match.group())
