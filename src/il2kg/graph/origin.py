"""Which record, element and field a resource and property of the graph came from.

The inverse of the IRIs `convert` builds (`il2r:<record>/<kind>/<local-id>/<part>/<n>...`)
and of the properties it writes, read from IRIs alone, so it serves any engine and any
store holding the graph.
"""

from __future__ import annotations

import re

from il2kg.iris import resource_path
from il2kg.records.model import ELEMENT_KINDS
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
# is not the property's name in snake_case (il2kg:infusionDuration -> infusion_duration).
FIELDS: dict[str, tuple[str, ...]] = {
    "creator": ("authors",),
    "authorList": ("authors",),
    "journalTitle": ("journal",),
    "journalTitleExpansion": ("journal_expansion",),
    "issued": ("date",),
    "seeAlso": ("doi",),
    "publicationType": ("publication_types",),
    "hasStudyDesign": ("designs",),
    "numberOfCentres": ("centres",),
    "numberOfTrials": ("trials",),
    "registryName": ("registry",),
    "selectionCriteria": ("selection",),
    "treatmentPeriodStart": ("treatment_period",),
    "treatmentPeriodEnd": ("treatment_period",),
    "timingNote": ("treatment_period", "data_cutoff"),
    "hasDisease": ("diseases",),
    "subCohortOf": ("parent",),
    "hadPriorTherapy": ("prior_therapies",),
    "selectedBy": ("selection",),
    "comment": ("description", "note", "text"),
    "hasCurationNote": ("curation_notes",),
    "usesAgent": ("agents",),
    "hasModality": ("modalities",),
    "hasRoute": ("route",),
    "hasDose": ("doses",),
    "administrationCondition": ("condition",),
    "allowsSupportiveCare": ("supportive_care",),
    "productName": ("product",),
    "numericValue": ("value",),
    "lowerValue": ("lower",),
    "upperValue": ("upper",),
    "inCohort": ("cohort",),
    "hasStep": ("steps",),
    "stepRegimen": ("regimen",),
    "stepOrder": (),
    "afterTreatment": ("treatment",),
    "hasCategory": ("category",),
    "reportedPercent": ("percent",),
    "amongOutcome": ("among",),
    "hasComponent": ("components",),
    "hasTime": ("time",),
    "measuredFrom": ("time_origin",),
    "hasConfidenceInterval": ("ci",),
    "confidenceLevel": ("level",),
    "lowerBound": ("lower",),
    "upperBound": ("upper",),
    "eventCondition": ("event",),
    "managedWith": ("management",),
    "factorLevel": ("level",),
    "associationKind": ("association",),
    "statementText": ("text",),
    "isAbout": ("about",),
    "anatomicalSite": ("sites",),
    "recommendsLineOfTherapy": ("recommended_line",),
    "concernsProperty": ("about",),
    "curationBasis": ("basis",),
    "selectionBasis": ("criterion",),
    "type": ("kind",),
    "hasDerivedValue": ("components", "among"),
    "derivedCount": ("components",),
    "derivedDenominator": ("among",),
    "curationSource": ("source_file",),
    "abstractSentenceCount": ("source_sentences",),
    "reportedIn": (),
    "sourceSentence": (),
    "alternativeAgent": ("alternative_agents",),
    "alternativeDose": ("alternative_doses",),
    "hedgedAs": ("hedges",),
    "inPatientsWith": ("patient_characteristics",),
    "toxicityCharacteristic": ("toxicity",),
    "identifiedAntigenClass": ("antigen_classes",),
    "observedEvent": ("event",),
    "eventInNoPatient": ("event_in_none",),
    "approvalDecade": ("approved_in_decade",),
    "hasComparison": ("comparison",),
    "comparisonResult": ("result",),
    "comparedAspect": ("aspect",),
    "comparedCohort": ("cohort",),
    "referenceWithoutPriorTherapy": ("reference_without_prior",),
    "includesAgeGroup": ("age_groups",),
}
TOP_LEVEL = {"label", "source_file", "source_sentences"}  # the publication's fields outside it


def fields_of(prop: str | None) -> tuple[str, ...]:
    """The record fields that may hold a property's value, best first."""
    if not prop:
        return ()
    local = re.split(r"[/#]", prop)[-1]
    return FIELDS.get(local, (re.sub(r"(?<!^)([A-Z])", r"_\1", local).lower(),))


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
    """Where the value of `prop` on resource `focus` came from; None outside the records."""
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
