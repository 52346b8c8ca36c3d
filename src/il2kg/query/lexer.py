"""Lexical checks of a query: its form, its own dataset, SERVICE refused, its size bounded.

SERVICE is refused from the query's tokens (`il2kg.query.tokens`), read the ways a parser may
read them: after SPARQL's codepoint escapes and before; as the W3C grammar lexes (longest
match) and as pyoxigraph's parser does, which takes a keyword without a boundary after it
(`SERVICESILENT`, `SERVICE:x`) and reads `<` in an expression as less-than even where an IRI
would match (`FILTER(?a<?b)SERVICE?v#>`). A query the check refuses is never run; the query
workers' sandbox (`il2kg.server.sandbox`) still keeps one it missed from reaching out.

The parser and the evaluator recurse on nesting and on chains (`||`, `/`, UNION, OPTIONAL,
BIND, triple patterns...): past some thousands they overflow the stack and the process dies.
So a query nested more than `MAX_NESTING` levels, or with more than `MAX_LINKS` operators,
patterns and clauses, is refused before it is parsed.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable

from il2kg.query.result import QueryError
from il2kg.query.tokens import COMMENT, IRI, STRING, Token, tokens

ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
MASKED = re.compile(f"(?P<iri>{IRI})|(?P<string>{STRING})|(?P<comment>{COMMENT})")
FORM = re.compile(r"(?<![\w:?$\-.])(SELECT|ASK|CONSTRUCT|DESCRIBE)(?![\w:\-])", re.IGNORECASE)
FROM = re.compile(r"(?<![\w:?$\-.])FROM(?![\w:\-])", re.IGNORECASE)
PREFIX_DECL = re.compile(r"(?<![\w:?$\-.])PREFIX\s+([A-Za-z][\w\-.]*)?:", re.IGNORECASE)
PREFIXED = re.compile(r"(?<![\w:?$\-.])([A-Za-z][\w\-.]*)?:")

SERVICE = re.compile("SERVICE", re.IGNORECASE)  # also inside a word: `SERVICESILENT` parses
WITH_COMMENTS = frozenset({"space"})

MAX_NESTING = 256  # the parser's stack overflows near 4,000 nested groups
MAX_LINKS = 2000  # a chain of 4,000 BINDs or MINUS clauses overflows a worker's 8 MiB stack
OPENERS = frozenset({"{", "(", "[", "<<", "{|"})
CLOSERS = frozenset({"}", ")", "]", ">>", "|}"})
LINK_OPS = frozenset(
    {
        "||",
        "&&",
        "=",
        "!=",
        "<",
        ">",
        "<=",
        ">=",
        "+",
        "-",
        "*",
        "/",
        "|",
        "^",
        "!",
        ".",
        ";",
        ",",
        *OPENERS,
    }
)
LINK_WORDS = frozenset(
    {"UNION", "OPTIONAL", "MINUS", "BIND", "FILTER", "GRAPH", "SERVICE", "EXISTS", "VALUES"}
)
LINK_CHARS = "|&=!<>+-*/^.;,{(["  # every LINK_OPS token holds one


class ServiceRefused(QueryError):
    """A query this endpoint will not run, with the reason to show the client (403)."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message, status)


def unescape(text: str) -> str:
    """Apply SPARQL codepoint escapes (\\uXXXX, \\UXXXXXXXX), as the parser does first; one
    past the last code point (\\U00110000 and up) is left for the parser to refuse."""
    return ESCAPE.sub(_codepoint, text)


def _codepoint(match: re.Match[str]) -> str:
    value = int(match.group(1) or match.group(2), 16)
    return chr(value) if value <= sys.maxunicode else match.group()


def _readings(query: str) -> list[str]:
    """The query as the parser reads it (escapes applied) and, if different, as written."""
    return [unescape(query), query] if "\\" in query else [query]


def mask(text: str, blank: Callable[[re.Match[str]], str] = lambda _: " ") -> str:
    """The query with comments, strings and IRIs replaced (by a space unless `blank` says)."""
    return MASKED.sub(blank, text)


def query_form(query: str) -> str | None:
    """The query form keyword (SELECT, ASK, CONSTRUCT, DESCRIBE), or None if none is found."""
    match = FORM.search(mask(unescape(query)))
    return match.group(1).upper() if match else None


def declares_dataset(query: str) -> bool:
    """True when the query has its own FROM or FROM NAMED clause."""
    if "\\" not in query and "from" not in query.lower():  # no FROM, even escaped
        return False
    return FROM.search(mask(unescape(query))) is not None


def with_prefixes(query: str, prefixes: dict[str, str]) -> str:
    """The query with a PREFIX declaration for each of `prefixes` it uses in a prefixed name
    but does not declare, so that it means on any endpoint what it means on this one's."""
    text = mask(unescape(query))
    declared = {m.group(1) or "" for m in PREFIX_DECL.finditer(text)}
    used = {m.group(1) or "" for m in PREFIXED.finditer(text)} - declared
    return "".join(f"PREFIX {p}: <{prefixes[p]}>\n" for p in sorted(used & prefixes.keys())) + query


def _keyword(token: Token) -> bool:
    """True when a parser may read SERVICE in this token: a bare word holding it, or the
    prefix of a prefixed name (pyoxigraph reads `SERVICE:x` as SERVICE and a target)."""
    if token.kind == "word":
        return SERVICE.search(token.text) is not None
    return token.kind == "pname" and SERVICE.search(token.text.split(":", 1)[0]) is not None


def _hides_service(iri: str) -> bool:
    """True when an IRI token, read as code (its `<` a less-than), holds a SERVICE keyword
    followed by a comment: where `FILTER(?a<?b)SERVICE?v#>` gives pyoxigraph a SERVICE."""
    seen = False
    for token in tokens(iri[1:-1], skip=WITH_COMMENTS):
        seen = seen or _keyword(token)
        if seen and token.kind == "comment":
            return True
    return False


def _target(keyword: Token, following: list[Token]) -> str:
    """What a SERVICE clause names: the next token but SILENT (an IRI without its brackets),
    or the rest of a prefixed name read as SERVICE and a target."""
    if keyword.kind == "pname":
        return keyword.text[keyword.text.index(":") :]
    for token in following:
        if token.kind != "comment" and token.text.upper() != "SILENT":
            return token.text[1:-1] if token.kind == "iri" else token.text
    return ""


def _services(text: str) -> list[str]:
    if SERVICE.search(text) is None:
        return []
    found, parens = [], 0
    read = list(tokens(text, skip=WITH_COMMENTS))
    for i, token in enumerate(read):
        parens += (token.text == "(") - (token.text == ")")
        if _keyword(token):
            found.append(_target(token, read[i + 1 : i + 6]))
        elif token.kind == "iri" and parens > 0 and _hides_service(token.text):
            found.append(token.text)
    return found


# A position in an endpoint's syntax error: Oxigraph's 'at 3:1', Jena's 'line 3, column 1'.
POSITION = re.compile(r"(?<=\bat )(\d+)(?=:\d+)|(?<=\bline )(\d+)")


def in_user_text(message: str, query: str, sent: str) -> str:
    """An endpoint's error `message` about `sent` (the query with PREFIX lines added before
    it) with its line numbers as in `query`, the text the user wrote."""
    added = sent.count("\n") - query.count("\n")
    return POSITION.sub(lambda m: str(max(int(m.group()) - added, 1)), message)


def services(query: str) -> list[str]:
    """The targets of every SERVICE clause a parser may read in the query (an IRI without its
    brackets, or the token that stands there)."""
    for text in _readings(query):
        if found := _services(text):
            return found
    return []


def check_services(query: str) -> None:
    """Refuse a query in which a parser may read a SERVICE clause."""
    for target in services(query):
        raise ServiceRefused(
            f"SERVICE {target or '(missing target)'} is not allowed on this "
            "endpoint: it makes no outbound requests"
        )


def shape(query: str) -> tuple[int, int]:
    """How deeply the query's groups, brackets, quoted triples and negations nest, and how many
    operators, patterns and clauses it chains (rows of VALUES and arguments lists not counted)."""
    deepest = level = negations = links = parens = 0
    values = 0  # 1: after VALUES, 2: in its data block
    for token in tokens(query):
        text = token.text
        negations = negations + 1 if text == "!" else 0
        deepest = max(deepest, level + negations)
        if text in OPENERS:
            level += 1
            parens += text == "("
            deepest = max(deepest, level)
        elif text in CLOSERS:
            level -= 1
            parens -= text == ")"
        if values == 2 or (values == 1 and text == "{"):  # VALUES rows: data, not a chain
            values = 0 if text == "}" else 2
            continue
        word = token.kind == "word" and text.upper()
        if word == "VALUES":
            values = 1
        if (token.kind == "op" and text in LINK_OPS and (text != "," or parens == 0)) or (
            word in LINK_WORDS
        ):
            links += 1
    return deepest, links


def check_bounds(query: str) -> None:
    """Refuse a query nested or chained past what the parser and evaluator can take (400)."""
    text = unescape(query)
    if (
        sum(map(text.count, "{([<!")) <= MAX_NESTING
        and sum(map(text.count, LINK_CHARS)) + len(text) // 4 <= MAX_LINKS
    ):
        return  # too few brackets, operators and keywords to pass either bound
    deepest, links = shape(text)
    if deepest > MAX_NESTING:
        raise QueryError(f"the query nests more than {MAX_NESTING} levels deep")
    if links > MAX_LINKS:
        raise QueryError(
            f"the query chains {links} operators, triple patterns and clauses "
            f"(||, &&, /, |, UNION, OPTIONAL, MINUS, BIND, FILTER, '.', ';', ...); "
            f"this endpoint takes at most {MAX_LINKS}: split the query, or list "
            "values in VALUES"
        )


def admit(query: str) -> None:
    """Refuse a query with a SERVICE clause (403) or past the bounds (400) before it runs.

    >>> admit("SELECT * WHERE { ?s ?p ?o }")
    >>> admit("SELECT * WHERE { SERVICE <http://x.example/sparql> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    il2kg.query.lexer.ServiceRefused: ...
    """
    check_services(query)
    check_bounds(query)
