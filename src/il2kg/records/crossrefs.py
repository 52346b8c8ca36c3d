"""Cross-reference checks of one record: local ids exist and are unique, terms are known."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from il2kg.records.model import (
    ELEMENT_KINDS,
    ELEMENT_MODELS,
    ELEMENTS,
    NOTE_PROPERTIES,
    PublicationRecord,
    Strict,
    element_refs,
    rdf_fields,
)
from il2kg.records.outcome_kinds import OUTCOME_KINDS
from il2kg.records.vocabulary import Vocabulary

Problem = tuple[str, str]

TermField = tuple[str, tuple[str, ...], str]  # field, the classes of its terms, a term's name


def term_fields(model: type[Strict]) -> tuple[TermField, ...]:
    """The fields of a model holding vocabulary terms of checked classes (their `Rdf`)."""
    return tuple((n, m.classes, m.called) for n, m in rdf_fields(model).items() if m.classes)


# The term fields of each element list; each term of a list field is checked.
TERM_FIELDS = {
    elements: fields for elements, model in ELEMENT_MODELS.items() if (fields := term_fields(model))
}


@dataclass(frozen=True)
class LocalIds:
    """The ids a record defines, by what they name."""

    cohorts: frozenset[str]
    regimens: frozenset[str]
    treatments: frozenset[str]
    outcomes: frozenset[str]
    statements: frozenset[str]

    @classmethod
    def of(cls, record: PublicationRecord) -> LocalIds:
        regimens = frozenset(r.id for r in record.regimens)
        return cls(
            cohorts=frozenset(c.id for c in record.cohorts),
            regimens=regimens,
            treatments=regimens | {s.id for s in record.sequences},
            outcomes=frozenset(o.id for o in record.outcomes),
            statements=frozenset(s.id for s in record.statements),
        )

    def named(self, refers: str) -> frozenset[str]:
        """The ids of an element list an `Rdf.refers` names ('treatments': both kinds)."""
        return frozenset(getattr(self, refers))


def _unique(field: str, ids: list[str], what: str = "id", suffix: str = ".id") -> Iterator[Problem]:
    """A problem at each item of a list that repeats an earlier one (`suffix`: where in the
    item the value is)."""
    seen: set[str] = set()
    for index, local_id in enumerate(ids):
        if local_id in seen:
            yield (
                f"{field}[{index}]{suffix}",
                f"expected a unique {what}; '{local_id}' is used twice",
            )
        seen.add(local_id)


def _known(path: str, value: str | None, allowed: Iterable[str], what: str) -> Iterator[Problem]:
    choices = sorted(allowed)
    if value is not None and value not in choices:
        shown = ", ".join(choices) if len(choices) <= 12 else f"{len(choices)} known ids"
        yield path, f"expected a known {what} ({shown}); found '{value}'"


def _known_all(
    path: str, values: list[str], allowed: Iterable[str], what: str
) -> Iterator[Problem]:
    allowed = frozenset(allowed)
    for index, value in enumerate(values):
        yield from _known(f"{path}[{index}]", value, allowed, what)


def _walk(path: str, element: Strict) -> Iterator[tuple[str, Strict]]:
    """An element and every part it holds (quantities, doses, steps, a comparison...), with
    their paths."""
    yield path, element
    for field in type(element).model_fields:
        value = getattr(element, field)
        if isinstance(value, Strict):
            yield from _walk(f"{path}.{field}", value)
        elif isinstance(value, list):
            for j, part in enumerate(value):
                if isinstance(part, Strict):
                    yield from _walk(f"{path}.{field}[{j}]", part)


def _terms(path: str, element: Strict, vocab: Vocabulary) -> Iterator[Problem]:
    """Every term of a field with checked classes is a known term of its classes."""
    for field, classes, what in term_fields(type(element)):
        value, allowed = getattr(element, field), vocab.of(*classes)
        if isinstance(value, list):
            yield from _known_all(f"{path}.{field}", value, allowed, what)
        else:
            yield from _known(f"{path}.{field}", value, allowed, what)


def _refs(path: str, element: Strict, ids: LocalIds, own: tuple[str, str]) -> Iterator[Problem]:
    """Every local id a field names (its `Rdf.refers`) is an element of that list, other
    than the element itself (`own`: its list and id)."""
    for field, meta in rdf_fields(type(element)).items():
        if not meta.refers:
            continue
        allowed = ids.named(meta.refers) - ({own[1]} if meta.refers == own[0] else set())
        what = ELEMENTS[meta.refers].kind if meta.refers in ELEMENTS else "regimen or sequence"
        value = getattr(element, field)
        if isinstance(value, list):
            yield from _known_all(f"{path}.{field}", value, allowed, what)
        else:
            yield from _known(f"{path}.{field}", value, allowed, what)


def _fields(record: PublicationRecord, ids: LocalIds, vocab: Vocabulary) -> Iterator[Problem]:
    """The terms and local ids of the study, the publication and every element, and of every
    part they hold, as the model's `Rdf` says."""
    roots: list[tuple[str, Strict, tuple[str, str]]] = [
        ("study", record.study, ("", "")),
        ("publication", record.publication, ("", "")),
    ]
    for elements in ELEMENT_MODELS:
        for i, element in enumerate(getattr(record, elements)):
            roots.append((f"{elements}[{i}]", element, (elements, element.id)))
    for root, element, own in roots:
        for path, part in _walk(root, element):
            yield from _terms(path, part, vocab)
            yield from _refs(path, part, ids, own)
    if (doi := record.publication.doi) in record.publication.cites:
        yield "publication.cites", f"expected the works it cites; {doi} is its own DOI"


def _regimens_of(record: PublicationRecord, treatment: str) -> set[str]:
    """The regimens a treatment gives: itself, or the steps of a sequence."""
    steps = {s.id: {step.regimen for step in s.steps} for s in record.sequences}
    return steps.get(treatment, {treatment})


def _outcomes(record: PublicationRecord, ids: LocalIds, vocab: Vocabulary) -> Iterator[Problem]:
    """An outcome's category is of its kind's class; the regimen its time counts from is
    one its treatment gives."""
    for i, outcome in enumerate(record.outcomes):
        where = f"outcomes[{i}]"
        category_class = OUTCOME_KINDS[outcome.kind].category_class
        yield from _known(
            f"{where}.category",
            outcome.category,
            vocab.of(category_class),
            f"{category_class} for kind '{outcome.kind}'",
        )
        if outcome.origin_regimen in ids.regimens:  # else reported as an unknown regimen
            yield from _known(
                f"{where}.origin_regimen",
                outcome.origin_regimen,
                _regimens_of(record, outcome.treatment),
                f"regimen of treatment '{outcome.treatment}'",
            )


def _components(record: PublicationRecord, ids: LocalIds, vocab: Vocabulary) -> Iterator[Problem]:
    """A total's components are distinct outcomes of its cohort and kind whose categories are
    disjoint parts of its category (narrower in the ontology's `skos:broader` hierarchy), so
    that their counts add up to it."""
    by_id = {o.id: o for o in record.outcomes}
    for i, total in enumerate(record.outcomes):
        whole = vocab.parts(total.category)
        counted: dict[str, str] = {}  # a part category -> the component that counts it
        for j, part_id in enumerate(total.components):
            part = by_id.get(part_id)
            if part is None or part_id == total.id:
                continue  # reported by _outcomes and _acyclic
            where, named = f"outcomes[{i}].components[{j}]", f"'{part_id}' of '{total.id}'"
            parts = vocab.parts(part.category)
            overlap = sorted({counted[c] for c in parts if c in counted})
            if part.cohort != total.cohort:
                yield (
                    where,
                    (
                        f"expected an outcome of cohort '{total.cohort}'; component "
                        f"{named} is of cohort '{part.cohort}'"
                    ),
                )
            elif part.kind != total.kind:
                yield (
                    where,
                    (
                        f"expected a {total.kind} outcome; component {named} is a "
                        f"{part.kind} outcome"
                    ),
                )
            elif not parts < whole:
                yield (
                    where,
                    (
                        f"expected a category that is part of {total.category} "
                        f"({', '.join(sorted(whole)) if len(whole) > 1 else 'not a sum'})"
                        f"; component {named} is {part.category}"
                    ),
                )
            elif overlap:  # a component listed twice is refused by its type (DistinctIds)
                yield (
                    where,
                    f"expected components that do not overlap; {named} counts patients "
                    f"'{overlap[0]}' already counts",
                )
            counted.update(dict.fromkeys(parts, part_id))


def _statements(record: PublicationRecord, ids: LocalIds, vocab: Vocabulary) -> Iterator[Problem]:
    """What a statement is about may be any term of the vocabulary."""
    for i, statement in enumerate(record.statements):
        yield from _known_all(f"statements[{i}].about", statement.about, vocab.all_terms(), "term")


def _notes(record: PublicationRecord, ids: LocalIds, vocab: Vocabulary) -> Iterator[Problem]:
    """A curation note explains a field its element has and the graph can point to."""
    for field in ELEMENT_KINDS:
        for i, element in enumerate(getattr(record, field)):  # each element type has notes
            allowed = sorted(set(type(element).model_fields) & set(NOTE_PROPERTIES))
            for j, note in enumerate(element.curation_notes):
                yield from _known(
                    f"{field}[{i}].curation_notes[{j}].about", note.about, allowed, "field"
                )


def _sentences(record: PublicationRecord, ids: LocalIds, vocab: Vocabulary) -> Iterator[Problem]:
    """Every sentence of the abstract is accounted for once, by elements the record defines."""
    account = record.source_sentences
    if account is None:
        return
    refs = element_refs(record)
    numbers = [a.sentence for a in account.accounts]
    for i, entry in enumerate(account.accounts):
        where = f"source_sentences.accounts[{i}]"
        if entry.sentence > account.sentences or numbers.count(entry.sentence) > 1:
            yield (
                f"{where}.sentence",
                (
                    f"expected a sentence number from 1 to {account.sentences}, each once; "
                    f"found {entry.sentence}"
                ),
            )
        yield from _known_all(f"{where}.curated_as", entry.curated_as, refs, "element")
        yield from _unique(f"{where}.curated_as", entry.curated_as, "element", "")
    missing = sorted(set(range(1, account.sentences + 1)) - set(numbers))
    if missing:
        yield (
            "source_sentences.accounts",
            (f"expected every sentence accounted for; missing {', '.join(map(str, missing))}"),
        )


def _uniqueness(record: PublicationRecord) -> Iterator[Problem]:
    for field in ELEMENT_KINDS:
        yield from _unique(field, [item.id for item in getattr(record, field)])
    treatment_ids = [r.id for r in record.regimens] + [s.id for s in record.sequences]
    clash = sorted({t for t in treatment_ids if treatment_ids.count(t) > 1})
    for local_id in clash:
        yield "sequences", f"expected sequence ids distinct from regimen ids; '{local_id}' is both"


def _in_cycle(edges: dict[str, list[str]]) -> list[str]:
    """The ids that can reach themselves along the edges (id -> ids it refers to)."""

    def reaches(start: str) -> bool:
        seen, todo = set(), list(edges.get(start, []))
        while todo:
            node = todo.pop()
            if node == start:
                return True
            if node not in seen:
                seen.add(node)
                todo.extend(edges.get(node, []))
        return False

    return [node for node in edges if reaches(node)]


def _acyclic(record: PublicationRecord) -> Iterator[Problem]:
    """Sub-cohorts, components and 'among' links must not loop back on themselves."""
    links = (
        ("cohorts", "parent", {c.id: [c.parent] if c.parent else [] for c in record.cohorts}),
        ("outcomes", "components", {o.id: list(o.components) for o in record.outcomes}),
        ("outcomes", "among", {o.id: [o.among] if o.among else [] for o in record.outcomes}),
    )
    for field, link, edges in links:
        index = {local_id: i for i, local_id in enumerate(edges)}
        for local_id in _in_cycle(edges):
            yield (
                f"{field}[{index[local_id]}].{link}",
                f"expected no cycle; '{local_id}' leads back to itself",
            )


def check_references(record: PublicationRecord, vocab: Vocabulary) -> Iterator[Problem]:
    """Every (path, message) problem of the record's ids and vocabulary terms."""
    ids = LocalIds.of(record)
    for check in (
        _fields,
        _outcomes,
        _components,
        _statements,
        _notes,
        _sentences,
    ):
        yield from check(record, ids, vocab)
    yield from _uniqueness(record)
    yield from _acyclic(record)
