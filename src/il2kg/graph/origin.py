"""Which record, element and field a resource and property of the graph came from.

The inverse of the IRIs `convert` builds (`il2r:<record>/<kind>/<local-id>/<part>/<n>...`)
and of the properties it writes, read from IRIs alone, so it serves any engine and any
store holding the graph.
"""

from __future__ import annotations

import re

from il2kg.iris import resource_path
from il2kg.records.model import ELEMENT_KINDS, RECORD_MODELS, rdf_fields
from il2kg.records.source_map import Origin

KINDS = set(ELEMENT_KINDS.values())  # the IRI segments of elements: 'outcome', 'adverse-event'...
# The IRI segments of parts of an element whose field is named otherwise.
PARTS = {
    "note": "curation_notes",
    "dose": "doses",
    "step": "steps",
    "alternative-dose": "alternative_doses",
    "comparison": "comparison",
}
# A property's local name -> the fields that may hold its value, best first, where the field
# is not the property's name in snake_case (il2kg:infusionDuration -> infusion_duration):
# those the model's `Rdf` gives, and these, written otherwise (other vocabularies' properties,
# il2kg's from several fields or from none).
WRITTEN_OTHERWISE: dict[str, tuple[str, ...]] = {
    "creator": ("authors",),
    "authorList": ("authors",),
    "issued": ("date",),
    "seeAlso": ("doi",),
    "treatmentPeriodStart": ("treatment_period",),
    "treatmentPeriodEnd": ("treatment_period",),
    "timingNote": ("treatment_period", "data_cutoff"),
    "comment": ("description", "note", "text"),
    "hasCurationNote": ("curation_notes",),
    "stepOrder": (),
    "statementText": ("text",),
    "concernsProperty": ("about",),
    "curationBasis": ("basis",),
    "type": ("kind",),
    "hasDerivedValue": ("components", "among"),
    "derivedCount": ("components",),
    "derivedDenominator": ("among",),
    "curationSource": ("source_file",),
    "abstractSentenceCount": ("source_sentences",),
    "reportedIn": (),
    "sourceSentence": (),
}


def snake_case(local: str) -> str:
    """A property's local name as a field name: infusionDuration -> infusion_duration."""
    return re.sub(r"(?<!^)([A-Z])", r"_\1", local).lower()


def _from_the_model() -> dict[str, tuple[str, ...]]:
    """Property -> the fields the model's `Rdf` writes it from, where named otherwise."""
    found: dict[str, list[str]] = {}
    for model in RECORD_MODELS:
        for name, meta in rdf_fields(model).items():
            names = found.setdefault(meta.prop, [])
            if name != snake_case(meta.prop) and name not in names:
                names.append(name)
    return {prop: tuple(names) for prop, names in found.items() if names}


FIELDS = _from_the_model() | WRITTEN_OTHERWISE
TOP_LEVEL = {"label", "source_file", "source_sentences"}  # the publication's fields outside it


def fields_of(prop: str | None) -> tuple[str, ...]:
    """The record fields that may hold a property's value, best first."""
    if not prop:
        return ()
    local = re.split(r"[/#]", prop)[-1]
    return FIELDS.get(local, (snake_case(local),))


def _part(segments: list[str]) -> tuple[int | str, ...]:
    """The path inside an element of the IRI segments after its id ('ci', 'note', '2'...)."""
    node: tuple[int | str, ...] = ()
    for segment in segments:
        if segment == "derived":  # derived figures come from the element as a whole
            break
        if segment.isdigit():
            node += (int(segment) - 1,)
        else:
            node += (PARTS.get(segment, segment.replace("-", "_")),)
    return node


def origin(focus: str, prop: str | None = None) -> Origin | None:
    """Where the value of `prop` on resource `focus` came from; None outside the records.

    >>> origin(
    ...     "https://w3id.org/il2kg/resource/atkins-1999/outcome/orr/ci",
    ...     "https://w3id.org/il2kg/ontology/lowerBound",
    ... )
    Origin(record='atkins-1999', element='outcome/orr', node=('ci',), fields=('lower',))
    >>> origin("https://w3id.org/il2kg/ontology/Cohort") is None
    True
    """
    path = resource_path(focus)
    if not path:
        return None
    record, rest, fields = path[0], path[1:], fields_of(prop)
    if not rest:
        top = [f for f in fields if f in TOP_LEVEL]
        return Origin(record, "" if top else "publication", (), tuple(top) or fields)
    if rest[0] == "sentence":
        return Origin(record, "", ("source_sentences",))
    if rest[0] == "study":
        return Origin(record, "study", _part(rest[1:]), fields)
    if rest[0] in KINDS and len(rest) > 1:
        node = _part(rest[2:])
        return Origin(record, f"{rest[0]}/{rest[1]}", node, fields if "derived" not in rest else ())
    return Origin(record, "")
