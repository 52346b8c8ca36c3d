"""Lexical checks of a query: its form, its own dataset, and SERVICE refused as a courtesy.

A query with a SERVICE clause gets a plain 403 before it runs. That is a courtesy, not the
guarantee: a query the engine parses differently can pass a text check, and what keeps it
from reaching out is the query workers' sandbox (`il2kg.server.sandbox`). The check applies
SPARQL's codepoint escapes, blanks comments, strings and IRIs, then any SERVICE keyword counts.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable

ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
TOKENS = re.compile(
    r"(?P<iri><[^<>\"{}|^`\\\x00-\x20]*>)"
    r"|(?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\""
    r"|'(?:[^'\\\n\r]|\\.)*'|\"(?:[^\"\\\n\r]|\\.)*\")"
    r"|(?P<comment>#[^\n\r]*)",
)
SERVICE = re.compile(r"(?<![\w:?$\-.])SERVICE(?![\w:\-])\s*(?:SILENT\s*)?(\S*)", re.IGNORECASE)


FORM = re.compile(r"(?<![\w:?$\-.])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:\-])", re.IGNORECASE)


NESTING = re.compile(r"[{(\[]|<<|!+|[})\]]|>>")
MAX_DEPTH = 256  # the parser's stack overflows near 4,000 nested groups


FROM = re.compile(r"(?<![\w:?$\-.])FROM(?![\w:\-])", re.IGNORECASE)
PREFIX_DECL = re.compile(r"(?<![\w:?$\-.])PREFIX\s+([A-Za-z][\w\-.]*)?:", re.IGNORECASE)
PREFIXED = re.compile(r"(?<![\w:?$\-.])([A-Za-z][\w\-.]*)?:")


class Refused(Exception):
    """A query this endpoint will not run, with the reason to show the client."""


def unescape(text: str) -> str:
    """Apply SPARQL codepoint escapes (\\uXXXX, \\UXXXXXXXX), as the parser does first; one
    past the last code point (\\U00110000 and up) is left for the parser to refuse."""
    return ESCAPE.sub(_codepoint, text)


def _codepoint(match: re.Match[str]) -> str:
    value = int(match.group(1) or match.group(2), 16)
    return chr(value) if value <= sys.maxunicode else match.group()


def mask(text: str, blank: Callable[[re.Match[str]], str] = lambda _: " ") -> str:
    """The query with comments, strings and IRIs replaced (by a space unless `blank` says)."""
    return TOKENS.sub(blank, text)


def query_form(query: str) -> str | None:
    """The query form keyword (SELECT, ASK, CONSTRUCT, DESCRIBE), or None if none is found."""
    match = FORM.search(mask(unescape(query)))
    return match.group(1).upper() if match else None


def declares_dataset(query: str) -> bool:
    """True when the query has its own FROM or FROM NAMED clause."""
    return FROM.search(mask(unescape(query))) is not None


def with_prefixes(query: str, prefixes: dict[str, str]) -> str:
    """The query with a PREFIX declaration for each of `prefixes` it uses in a prefixed name
    but does not declare, so that it means on any endpoint what it means on this one's."""
    text = mask(unescape(query))
    declared = {m.group(1) or "" for m in PREFIX_DECL.finditer(text)}
    used = {m.group(1) or "" for m in PREFIXED.finditer(text)} - declared
    return "".join(f"PREFIX {p}: <{prefixes[p]}>\n" for p in sorted(used & prefixes.keys())) + query


def services(query: str) -> list[str]:
    """The targets of every SERVICE clause (an IRI in <>, or the token that stands there)."""
    text = unescape(query)
    iris: list[str] = []

    def blank(match: re.Match[str]) -> str:
        if match.lastgroup == "iri":
            iris.append(match.group())
            return f"<{len(iris) - 1}>"
        return " "

    masked = mask(text, blank)
    targets = []
    for match in SERVICE.finditer(masked):
        token = match.group(1)
        ref = re.match(r"<(\d+)>", token)
        targets.append(iris[int(ref.group(1))][1:-1] if ref else token)
    return targets


def check_services(query: str) -> None:
    """Refuse a query with a SERVICE clause that this check sees (the sandbox stops the rest)."""
    for target in services(query):
        raise Refused(f"SERVICE {target or '(missing target)'} is not allowed on this endpoint: "
                      "its query workers cannot make outbound requests")



def depth(query: str) -> int:
    """How deeply the query's groups, brackets, quoted triples and negations nest."""
    deepest = level = 0
    for match in NESTING.finditer(mask(query)):
        token = match.group()
        if token[0] in "{([<":
            level += 1
        elif token[0] == "!":
            deepest = max(deepest, level + len(token))
            continue
        else:
            level -= 1
        deepest = max(deepest, level)
    return deepest


def check_depth(query: str) -> None:
    """Refuse, as a syntax error, a query nested deeper than the parser can take."""
    text = unescape(query)
    openers = sum(text.count(c) for c in ("{", "(", "[", "<<", "!"))
    if openers > MAX_DEPTH and depth(text) > MAX_DEPTH:
        raise SyntaxError(f"the query nests more than {MAX_DEPTH} levels deep")
