"""The audit's rule 7: the words that give a number its meaning are in the element's quotes.

A count of 17 stays 17 when its category changes from complete to partial response, and 5.9
stays 5.9 when its unit changes from months to weeks: the numbers rules cannot see that. So
each value that says what a number means (an outcome's `category`, a cohort's `diseases`, a
regimen's `agents`, and each quantity's `unit`, `statistic` and `comparator`) must be
attested by its words in the element's quotes;
a unit must be the first unit named after the quantity's last number (its upper bound, else
its value; within `UNIT_REACH` characters: "over 5 days", "6 to 9 days", "600,000 or
720,000 IU/kg"; a unit hyphened to another number, "2 1-week cycles", is that number's), so
"every 8 hours for up to 5 days" attests 8 hours and 5 days, never 8 days; and a comparator's
words must come just before one of its numbers (within `COMPARATOR_REACH` characters: "up
to 14", "≥5 years"), so "over 5 days" elsewhere does not attest "more than 14 doses"; and a
quantity with no comparator (or `=`) must have a mention of its numbers that no comparator
bounds (words right before it, "up to 14", or "or more" right after it; "over" is not
read as bounding here, since "doses over 5 days" spans them), so a comparator dropped from
"up to 14 doses" is found too; likewise a statistic the element's quotes name ("median")
must be some quantity's of the element when one of its quantities states none, and a
quantity with no unit must have none named after its number in the quotes.
A term's words are its labels in the ontology (`rdfs:label`, `skos:altLabel`, and
`skos:hiddenLabel` for word forms a source uses, e.g. "progressed"); the words of the
statistics and comparators, which records write as fixed values, are `STATISTIC_WORDS` and
`COMPARATOR_WORDS`. Words match case-insensitively, hyphens read as spaces, in order with at
most `GAP` other words between them ("alive and completely disease free" attests "alive and
disease-free"), and a word of the text may be a label word with up to two more letters
("cycles", "typically").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache, cached_property

from pydantic import BaseModel
from rdflib import RDF, RDFS, SKOS, Graph, URIRef

from il2kg.audit.numbers import mentions
from il2kg.iris import IL2KG
from il2kg.paths import ONTOLOGY_FILE

GAP = 2
UNIT_REACH = 60  # characters after a number in which its unit must be named
COMPARATOR_REACH = 25  # characters before a number in which its comparator's words must be
COMPOUND = re.compile(r"\d[\d.,]*-[^\W\d_]+")  # '1-week': a unit hyphened to another number
SUFFIX = 2
TOKEN = re.compile(r"\w+|[^\w\s]")
STATISTIC_WORDS: dict[str, tuple[str, ...]] = {
    "mean": ("mean", "average"),
    "median": ("median",),
    "range": ("range", "from to"),
    "typical": ("typical", "usually", "generally"),
}
COMPARATOR_WORDS: dict[str, tuple[str, ...]] = {
    "<=": ("≤", "<=", "up to", "within", "at most", "no more than", "or less", "or fewer"),
    "<": ("<", "less than", "fewer than", "under", "below", "shorter than"),
    ">=": ("≥", ">=", "at least", "or more", "or longer"),
    ">": (">", "more than", "greater than", "over", "above", "longer than", "beyond"),
}
TERM_FIELDS = ("category", "unit", "diseases", "agents")  # whose values are ontology terms
LITERAL_FIELDS: dict[str, Mapping[str, tuple[str, ...]]] = {
    "statistic": STATISTIC_WORDS,
    "comparator": COMPARATOR_WORDS,
}
SKIPPED = ("quotes", "curation_notes")
SPANNING = ("over",)  # comparator words that also mean "during" ("doses over 5 days")


@dataclass(frozen=True)
class Meaning:
    """One value giving a number its meaning: the field path within the element, the value,
    the words any of which attests it and, for a unit or comparator, the numbers it must be
    next to and on which side ("after" them for a unit, "before" for a comparator)."""

    field: str
    value: str
    words: tuple[str, ...]
    numbers: tuple[Decimal, ...] = ()
    side: str = ""


@dataclass(frozen=True)
class Lexicon:
    """The ontology's words for its terms (local name -> labels: preferred, alternative,
    hidden), and which terms are units."""

    words: Mapping[str, tuple[str, ...]]
    units: frozenset[str]

    @classmethod
    def of(cls, ontology: Graph) -> Lexicon:
        """The lexicon of an ontology.

        >>> lexicon = Lexicon.of(Graph().parse(ONTOLOGY_FILE))
        >>> lexicon.words["complete-response"], "day" in lexicon.units
        (('complete response', 'CR', 'complete regression'), True)
        """
        found: dict[str, list[str]] = {}
        for prop in (RDFS.label, SKOS.altLabel, SKOS.hiddenLabel):
            for term, label in ontology.subject_objects(prop):
                if isinstance(term, URIRef) and str(term).startswith(IL2KG):
                    found.setdefault(str(term)[len(IL2KG) :], []).append(str(label))
        units = {str(u)[len(IL2KG) :] for u in ontology.subjects(RDF.type, IL2KG["Unit"])}
        return cls({t: tuple(labels) for t, labels in found.items()}, frozenset(units))

    def first_unit(self, text: str) -> frozenset[str]:
        """The unit(s) named first in `text`, the words after a number.

        >>> lexicon = bundled_lexicon()
        >>> sorted(lexicon.first_unit(" hours for up to 5 days"))
        ['hour']
        >>> sorted(lexicon.first_unit(" 1-week cycles of HD IL-2"))  # 1-week is 1's
        ['treatment-cycle']
        """
        tokens = _tokens(COMPOUND.sub(" ", text))
        for at in range(len(tokens)):
            named = self._units_at(tokens, at)
            if named:
                return named
        return frozenset()

    def unit_right_after(self, text: str) -> frozenset[str]:
        """The unit(s) named at the start of `text`, the words right after a number: free
        text's "every 8 hours" names one, "(n = 33) alive at 30 months" none for 33.

        >>> lexicon = bundled_lexicon()
        >>> sorted(lexicon.unit_right_after("-year survival"))
        ['year']
        >>> lexicon.unit_right_after(") alive at 30 months")
        frozenset()
        """
        tokens = _tokens(text)
        return self._units_at(tokens, 0) if tokens else frozenset()

    def _units_at(self, tokens: list[str], at: int) -> frozenset[str]:
        return frozenset(u for u, w in self.unit_words if _occurs_at(w, tokens, at))

    @cached_property
    def unit_words(self) -> tuple[tuple[str, list[str]], ...]:
        """(unit, the tokens of one of its words) for every word of every unit."""
        return tuple((u, _tokens(w)) for u in sorted(self.units) for w in self.words.get(u, ()))


@cache
def bundled_lexicon() -> Lexicon:
    """The lexicon of the ontology il2kg ships."""
    return Lexicon.of(Graph().parse(ONTOLOGY_FILE))


def _tokens(text: str) -> list[str]:
    return TOKEN.findall(text.lower().replace("-", " "))


@cache
def _word_tokens(word: str) -> list[str]:
    """The tokens of a label or listed word (few, so all are kept)."""
    return _tokens(word)


def _matches(word: str, token: str) -> bool:
    return token == word or (
        word.isalpha() and token.startswith(word) and len(token) - len(word) <= SUFFIX
    )


def attested(words: Sequence[str], text: str) -> bool:
    """Whether any of `words` occurs in `text` (in order, at most GAP words apart).

    >>> attested(["alive and disease-free"], "Three remain alive and completely disease free")
    True
    >>> attested(["complete response", "CR"], "26 partial responses (PRs)")
    False
    """
    tokens = _tokens(text)
    return any(_occurs(_word_tokens(w), tokens) for w in words)


def _occurs(wanted: list[str], tokens: list[str]) -> bool:
    """Whether the words of `wanted` occur in `tokens` in order, at most GAP apart."""
    return any(_occurs_at(wanted, tokens, at) for at in range(len(tokens)))


def _occurs_at(wanted: list[str], tokens: list[str], at: int) -> bool:
    """Whether the words of `wanted` occur in `tokens` from `at` on, at most GAP apart."""
    return bool(wanted) and _matches(wanted[0], tokens[at]) and _rest(wanted[1:], tokens, at + 1)


def _rest(wanted: list[str], tokens: list[str], at: int) -> bool:
    if not wanted:
        return True
    return any(
        _matches(wanted[0], tokens[i]) and _rest(wanted[1:], tokens, i + 1)
        for i in range(at, min(at + GAP + 1, len(tokens)))
    )


def meanings(model: BaseModel, lexicon: Lexicon, path: str = "") -> Iterator[Meaning]:
    """The values of `model` (and the models inside it) that give its numbers their meaning."""
    for name in type(model).model_fields:
        if name in SKIPPED:
            continue
        value = getattr(model, name)
        for index, item in enumerate(value if isinstance(value, list) else [value]):
            where = f"{path}{name}[{index}]" if isinstance(value, list) else f"{path}{name}"
            if isinstance(item, BaseModel):
                yield from meanings(item, lexicon, f"{where}.")
            elif isinstance(item, str) and name in TERM_FIELDS:
                said = lexicon.words.get(item, (item.replace("-", " "),))
                if name == "unit":
                    yield Meaning(where, item, said, _numbers(model)[-1:], "after")
                else:
                    yield Meaning(where, item, said)
            elif name == "comparator" and item in (None, "="):
                yield Meaning(where, "=", (), _numbers(model), "bare")
            elif name == "unit" and item is None and _numbers(model):
                yield Meaning(where, "unit", (), _numbers(model)[-1:], "unitless")
            elif name == "statistic" and item is None:
                yield Meaning(where, "statistic", (), _numbers(model), "unstated")
            elif isinstance(item, str) and item in LITERAL_FIELDS.get(name, {}):
                numbers, side = (_numbers(model), "before") if name == "comparator" else ((), "")
                yield Meaning(where, item, LITERAL_FIELDS[name][item], numbers, side)


def pairing(quote: str, terms: Sequence[str], lexicon: Lexicon) -> dict[Decimal, str]:
    """The terms among `terms` that a quote pairing lists by "respectively" gives its numbers
    ("6.6% and 9.3% of patients with metastatic melanoma and renal cancer, respectively": 9.3
    is renal cancer's); empty when the quote pairs no such lists. A number said twice before
    "respectively" is paired with neither term.

    >>> quote = ("seen in 6.6% and 9.3% of patients with metastatic melanoma and renal "
    ...          "cancer, respectively")
    >>> terms = ["metastatic-renal-cell-carcinoma", "metastatic-melanoma"]
    >>> pairing(quote, terms, bundled_lexicon())[Decimal("9.3")]
    'metastatic-renal-cell-carcinoma'
    """
    cut = quote.lower().rfind("respectively")
    found = mentions(quote[:cut]) if cut >= 0 else []
    if not found:
        return {}
    tokens = _tokens(quote[found[-1].end : cut])
    named = sorted(
        (at, term)
        for term in terms
        if (at := _first_at(lexicon.words.get(term, ()), tokens)) is not None
    )
    numbers = [m.value for m in found]
    if len(named) != len(numbers):
        return {}
    return {n: term for n, (_, term) in zip(numbers, named, strict=True) if numbers.count(n) == 1}


def _first_at(words: Sequence[str], tokens: list[str]) -> int | None:
    """Where any of `words` first occurs in `tokens`."""
    return next(
        (
            at
            for at in range(len(tokens))
            if any(_occurs_at(_word_tokens(w), tokens, at) for w in words)
        ),
        None,
    )


def bounded(before: str, after: str) -> bool:
    """Whether comparator words bound a number: right before it (`before` is the text before
    the number) or, for "or more" and its kind, right after it (`after`).

    >>> bounded("for up to ", " doses"), bounded("patients received ", " doses or more")
    (True, False)
    >>> bounded("in ", " or more patients"), bounded("doses over ", " days")
    (True, False)
    """
    ahead, behind = _tokens(before), _tokens(after)
    for words in COMPARATOR_WORDS.values():
        for word in (_word_tokens(w) for w in words if w not in SPANNING):
            trailing = word[0] == "or"
            if (behind[: len(word)] if trailing else ahead[len(ahead) - len(word) :]) == word:
                return True
    return False


def _numbers(quantity: BaseModel) -> tuple[Decimal, ...]:
    """A quantity's numbers in the order text gives them (lower, value, upper): its unit
    follows the last one."""
    found = (getattr(quantity, name, None) for name in ("lower", "value", "upper"))
    return tuple(Decimal(n) for n in found if n is not None)
