"""The FHIR side of the export: code systems, EBM-on-FHIR profiles and extensions, and the
small builders (ids, references, codings, quantities) every FHIR resource module shares.

Every external code here is one the guide or HL7 Terminology uses; docs/fhir.md cites where.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from il2kg.iris import BASE, IL2KG, RES

Json = dict[str, Any]

IRI_SYSTEM = "urn:ietf:rfc:3986"
UCUM = "http://unitsofmeasure.org"
SEVCO = "https://fevir.net/sevco"  # replaces statistic-type and attribute-estimate-type
VARIABLE_ROLE = "http://terminology.hl7.org/CodeSystem/variable-role"
SYNTHESIS_TYPE = "http://terminology.hl7.org/CodeSystem/synthesis-type"
EXTERNAL_SYSTEMS = {  # SSSOM object namespace -> HL7 Terminology code system, code form
    "http://purl.obolibrary.org/obo/NCIT_": (
        "http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl",
        "",
    ),
    "http://purl.obolibrary.org/obo/MONDO_": ("http://purl.obolibrary.org/obo/mondo.owl", "MONDO:"),
}
EBM = "http://hl7.org/fhir/uv/ebm/StructureDefinition/"
PROFILES = {
    name: EBM + name
    for name in (
        "non-comparative-evidence",
        "single-study-evidence",
        "baseline-measure-evidence",
        "study-group",
        "cohort-definition",
        "variable-definition",
    )
}
EXTENSIONS = {
    name: EBM + name
    for name in (
        "variable-definition-variable-role-code",
        "combination-method",
        "combination-threshold",
        "characteristic-description",
        "characteristic-timing",
        "evidence-variable-definition",
    )
}
IL2KG_EXTENSION = BASE + "fhir/StructureDefinition/"
VALUE_ORIGIN = IL2KG_EXTENSION + "value-origin"  # reported | derived, defined in docs/fhir.md
CURATION_NOTE = IL2KG_EXTENSION + "curation-note"
SOURCE_QUOTE = IL2KG_EXTENSION + "source-quote"  # the exact source words, docs/fhir.md
STATISTICS = {  # SEVCO (STATO-based) codes as the EBM-on-FHIR guide's examples use them
    "percentage": ("STATO:0000639", "percentage"),
    "count": ("STATO:0000047", "count"),
    "median": ("STATO:0000574", "median"),
    "mean": ("STATO:0000573", "mean"),
    "confidence interval": ("STATO:0000196", "confidence interval"),
    "range": ("STATO:0000035", "range"),
    "observed range": ("STATO:0000035", "range"),
}
# The lower and upper values of a typical value bound it loosely ("typically within one or two
# cycles"); they are not the least and greatest observed, which SEVCO's range means.
TYPICAL_BOUNDS = {
    "text": "bounds of a typical value, as loose as the source gives them: not the least and "
    "greatest values observed (no SEVCO code)"
}
UCUM_UNITS = {"year": "a", "month": "mo", "week": "wk", "day": "d", "hour": "h", "minute": "min"}


def resource_id(iri: str) -> str:
    """A FHIR id for a graph IRI: its path under the resource or ontology namespace.

    >>> resource_id("https://w3id.org/il2kg/resource/atkins-1999/outcome/cr")
    'atkins-1999.outcome.cr'
    """
    for namespace, prefix in ((str(RES), ""), (str(IL2KG), "il2kg.")):
        if iri.startswith(namespace):
            return prefix + iri[len(namespace) :].replace("/", ".")
    raise ValueError(f"{iri} is not an il2kg IRI")


def reference(kind: str, iri: str, display: str | None = None, suffix: str = "") -> Json:
    """A relative reference to a resource of the bundle (`suffix`: one made for `iri`)."""
    return {
        "reference": f"{kind}/{resource_id(iri)}{suffix}",
        **({"display": display} if display else {}),
    }


def base(kind: str, iri: str, *profiles: str, suffix: str = "") -> Json:
    """The id and the profiles claimed; the graph IRI as identifier, unless the resource is
    one the export makes for that IRI's resource (`suffix`, e.g. '.diseases')."""
    meta = {"meta": {"profile": [PROFILES[p] for p in profiles]}} if profiles else {}
    identifier = {} if suffix else {"identifier": [{"system": IRI_SYSTEM, "value": iri}]}
    return {"resourceType": kind, "id": resource_id(iri) + suffix, **meta, **identifier}


def number(text: str) -> int | float:
    """A JSON number for a decimal literal: an int when whole (FHIR decimals keep their value)."""
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() else float(value)


def coding(system: str, code: str, display: str) -> Json:
    return {"system": system, "code": code, "display": display}


def concept(system: str, code: str, display: str) -> Json:
    """A CodeableConcept of one coding."""
    return {"coding": [coding(system, code, display)], "text": display}


def term(iri: str, label: str, mapped: dict[str, list[Json]] | None = None) -> Json:
    """An il2kg term as a CodeableConcept, with the NCIt/MONDO codings it maps to exactly."""
    codings = [
        coding(str(IL2KG), iri.removeprefix(str(IL2KG)), label),
        *(mapped or {}).get(iri, []),
    ]
    return {"coding": codings, "text": label}


def external_coding(iri: str, label: str | None) -> Json | None:
    """The FHIR coding of an external ontology term, if its code system is one we know."""
    for namespace, system in EXTERNAL_SYSTEMS.items():
        if iri.startswith(namespace):
            url, prefix = system
            found = {"system": url, "code": prefix + iri[len(namespace) :]}
            return {**found, "display": label} if label else found
    return None


def statistic_type(kind: str) -> Json:
    """A statistic's type as its SEVCO code, or as text where SEVCO has none (e.g. typical).

    >>> statistic_type("median")["coding"][0]["code"]
    'STATO:0000574'
    >>> statistic_type("typical value")["text"]
    'typical value (as the source words it; no SEVCO code)'
    """
    if kind in STATISTICS:
        return concept(SEVCO, *STATISTICS[kind])
    return {"text": f"{kind} (as the source words it; no SEVCO code)"}


def percent(text: str) -> Json:
    return {"value": number(text), "unit": "%", "system": UCUM, "code": "%"}


def quantity(value: str, unit: str | None, comparator: str | None = None) -> Json:
    """A quantity in a unit (UCUM where one fits), with a comparator other than '='."""
    found: Json = {"value": number(value)}
    if comparator not in (None, "="):
        found["comparator"] = comparator
    if unit:
        found["unit"] = unit
        if unit in UCUM_UNITS:
            found |= {"system": UCUM, "code": UCUM_UNITS[unit]}
    return found


def extension(url: str, **value: Any) -> Json:
    """An extension with one value (e.g. valueCode='population')."""
    return {"url": url, **value}


def origin(reported: bool) -> Json:
    """The il2kg value-origin extension: whether a value was reported or derived by il2kg."""
    return extension(VALUE_ORIGIN, valueCode="reported" if reported else "derived")
