"""The audit's rule 6: a record's account of its abstract's sentences, checked against the text.

Sentences are numbered as il2kg splits the source (`records.sources.sentence_starts`: at a
line break, or at . ! ? before a space and a capital letter, digit or parenthesis), from the
one holding the account's `first_sentence` (1) to the one holding its `last_sentence`. The
count must be that many; a sentence accounted as curated as an element must hold one of its
quotes; and a sentence of the abstract holding an element's quote must be accounted as
curated as that element. So a changed sentence number or count is a finding, not a reader's
catch.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from il2kg.records.model import SourceAccount

SPLIT = (
    "as il2kg splits the source: at a line break, or at . ! ? before a space and a capital "
    "letter, digit or parenthesis"
)


@dataclass(frozen=True)
class AccountFinding:
    """One disagreement between the account and the text: the element it is about (or None
    for the account itself), the field (of the record, or of that element), what is wrong
    and where in the source."""

    ref: str | None
    field: str
    message: str
    at: int


class Numbering:
    """The abstract's sentences, numbered from the one holding `first` (sentence 1)."""

    def __init__(self, starts: list[int], first: int) -> None:
        self.starts = starts
        self.origin = self._index(first)

    def _index(self, position: int) -> int:
        return bisect_right(self.starts, position) - 1

    def number(self, position: int) -> int:
        """The number of the sentence holding `position` (below 1 before the abstract)."""
        return self._index(position) - self.origin + 1

    def numbers(self, start: int, end: int) -> range:
        """The numbers of the sentences a span start..end touches."""
        return range(self.number(start), self.number(max(start, end - 1)) + 1)

    def start(self, number: int) -> int:
        """Where sentence `number` begins (clamped to the source)."""
        index = min(max(number - 1 + self.origin, 0), len(self.starts) - 1)
        return self.starts[index]


def account_findings(
    account: SourceAccount,
    starts: list[int],
    quoted: Mapping[str, list[tuple[int, int]]],
    unplaced: frozenset[str] = frozenset(),
) -> Iterator[AccountFinding]:
    """Where `account` disagrees with the source whose sentences begin at `starts`, given
    the spans (start, end) of each element's quotes in that source (element ref -> spans);
    the elements in `unplaced` have a quote that is not where it says (a finding already),
    so a sentence may be theirs without a span to show it.

    >>> from il2kg.records.model import SourceAccount
    >>> text = "Title. Methods said. 17 CRs were seen."
    >>> account = SourceAccount.model_validate({
    ...     "sentences": 2,
    ...     "first_sentence": {"start": 7, "text": "Methods"},
    ...     "last_sentence": {"start": 21, "text": "17 CRs"},
    ...     "accounts": [{"sentence": 1, "curated_as": ["outcome/cr"]},
    ...                  {"sentence": 2, "not_curated": "nothing to curate"}]})
    >>> from il2kg.records.sources import sentence_starts
    >>> for f in account_findings(account, sentence_starts(text), {"outcome/cr": [(21, 27)]}):
    ...     print(f.ref, f.field, "-", f.message[:44])
    None source_sentences.accounts[0].curated_as[0] - sentence 1 is accounted as curated as outcom
    outcome/cr quotes - outcome/cr quotes sentence 2 of the abstract
    """
    numbering = Numbering(starts, account.first_sentence.start)
    count = numbering.number(account.last_sentence.start)
    if count < 1:
        yield AccountFinding(
            None,
            "source_sentences.last_sentence",
            f"is in a sentence before the one holding first_sentence ({SPLIT}): the two are "
            "swapped or one is off its place, so no sentence can be numbered",
            account.last_sentence.start,
        )
        return
    if count != account.sentences:
        yield AccountFinding(
            None,
            "source_sentences.sentences",
            f"the abstract has {count} sentence(s) from the one holding first_sentence to the "
            f"one holding last_sentence ({SPLIT}), not {account.sentences}",
            account.last_sentence.start,
        )
    touched = {
        ref: {n for start, end in spans for n in numbering.numbers(start, end) if 1 <= n <= count}
        for ref, spans in quoted.items()
    }
    listed: dict[str, set[int]] = {}
    for i, entry in enumerate(account.accounts):
        for j, ref in enumerate(entry.curated_as):
            listed.setdefault(ref, set()).add(entry.sentence)
            if ref not in unplaced and entry.sentence not in touched.get(ref, set()):
                yield AccountFinding(
                    None,
                    f"source_sentences.accounts[{i}].curated_as[{j}]",
                    f"sentence {entry.sentence} is accounted as curated as {ref}, but none of "
                    "its quotes is in that sentence",
                    numbering.start(entry.sentence),
                )
    for ref, numbers in touched.items():
        for number in sorted(numbers - listed.get(ref, set())):
            yield AccountFinding(
                ref,
                "quotes",
                f"{ref} quotes sentence {number} of the abstract, but "
                "source_sentences.accounts does not list it there",
                numbering.start(number),
            )
