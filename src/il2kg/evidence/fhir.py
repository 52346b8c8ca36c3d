"""The graph as a FHIR R5 Bundle (Evidence-Based Medicine on FHIR), read by SPARQL.

One Citation per publication, a Group per cohort, an EvidenceVariable per treatment
(exposure) and per outcome category (measured variable), and one Evidence per reported or
derived statistic. The mapping is documented in docs/fhir.md.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from il2kg.evidence.rows import solutions
from il2kg.iris import FHIR_BASE, IL2KG, RES
from il2kg.records.outcome_kinds import OUTCOME_KINDS

Json = dict[str, Any]
Run = Callable[[str], bytes]
"""Runs a SELECT query and returns its SPARQL JSON result."""

IRI_SYSTEM = "urn:ietf:rfc:3986"
UCUM = "http://unitsofmeasure.org"
STATISTIC_TYPE = "http://terminology.hl7.org/CodeSystem/statistic-type"
ESTIMATE_TYPE = "http://terminology.hl7.org/CodeSystem/attribute-estimate-type"
VARIABLE_ROLE = "http://terminology.hl7.org/CodeSystem/variable-role"
STATISTICS = {"proportion": ("C44256", "Proportion"), "count": ("C25463", "Count"),
              "median": ("C28007", "Median"), "mean": ("C53319", "Mean")}
UCUM_UNITS = {"year": "a", "month": "mo", "week": "wk", "day": "d", "hour": "h",
              "minute": "min"}
PREFIXES = f"""PREFIX il2kg: <{IL2KG}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX bibo: <http://purl.org/ontology/bibo/>
"""
PUBLICATIONS = PREFIXES + """SELECT DISTINCT ?publication ?label ?title ?journal ?issued ?volume
       ?issue ?pages ?articleNumber ?doi ?authors ?authorsComplete WHERE {
  ?publication a il2kg:Publication ; rdfs:label ?label ; dcterms:title ?title .
  OPTIONAL { ?publication il2kg:journalTitle ?journal }
  OPTIONAL { ?publication dcterms:issued ?issued }
  OPTIONAL { ?publication bibo:volume ?volume }
  OPTIONAL { ?publication bibo:issue ?issue }
  OPTIONAL { ?publication bibo:pages ?pages }
  OPTIONAL { ?publication il2kg:articleNumber ?articleNumber }
  OPTIONAL { ?publication bibo:doi ?doi }
  OPTIONAL { ?publication il2kg:authorList ?authors }
  OPTIONAL { ?publication il2kg:authorListComplete ?authorsComplete }
} ORDER BY ?publication"""
COHORTS = PREFIXES + """SELECT DISTINCT ?cohort ?label ?size ?disease ?diseaseLabel WHERE {
  ?cohort a il2kg:Cohort ; rdfs:label ?label ; il2kg:hasDisease ?disease .
  ?disease rdfs:label ?diseaseLabel .
  OPTIONAL { ?cohort il2kg:size ?size }
} ORDER BY ?cohort ?disease"""
VARIABLES = PREFIXES + """SELECT DISTINCT ?variable ?label ?role WHERE {
  ?outcome il2kg:afterTreatment|il2kg:hasCategory ?variable ;
           a/rdfs:subClassOf* il2kg:Outcome .
  ?variable rdfs:label ?label .
  BIND (IF(EXISTS { ?outcome il2kg:afterTreatment ?variable }, "exposure", "outcome") AS ?role)
} ORDER BY ?variable"""
KINDS = " ".join(f'(il2kg:{k.outcome_class} "{k.name}")' for k in OUTCOME_KINDS.values())
OUTCOMES = PREFIXES + """SELECT DISTINCT ?outcome ?label ?kind ?publication ?cohort ?treatment
       ?category ?count ?denominator ?percent ?ciLevel ?ciLower ?ciUpper
       ?derived ?derivedCount ?derivedDenominator ?derivedPercent ?dLevel ?dLower ?dUpper ?methods
       ?value ?lower ?upper ?unit ?unitLabel ?statistic ?comparator ?notReached
       ?lowerOpen ?upperOpen WHERE {
  VALUES (?class ?kind) { """ + KINDS + """ }
  ?outcome a ?class ; rdfs:label ?label ; il2kg:reportedIn ?publication ;
           il2kg:inCohort ?cohort ; il2kg:afterTreatment ?treatment ;
           il2kg:hasCategory ?category .
  OPTIONAL { ?outcome il2kg:count ?count }
  OPTIONAL { ?outcome il2kg:denominator ?denominator }
  OPTIONAL { ?outcome il2kg:reportedPercent ?percent }
  OPTIONAL { ?outcome il2kg:hasConfidenceInterval ?ci . ?ci il2kg:confidenceLevel ?ciLevel ;
             il2kg:lowerBound ?ciLower ; il2kg:upperBound ?ciUpper }
  OPTIONAL { ?outcome il2kg:hasDerivedValue ?derived .
    OPTIONAL { ?derived il2kg:derivedCount ?derivedCount }
    OPTIONAL { ?derived il2kg:derivedDenominator ?derivedDenominator }
    OPTIONAL { ?derived il2kg:derivedPercent ?derivedPercent }
    OPTIONAL { ?derived il2kg:hasConfidenceInterval ?dci . ?dci il2kg:confidenceLevel ?dLevel ;
               il2kg:lowerBound ?dLower ; il2kg:upperBound ?dUpper }
    { SELECT ?derived (GROUP_CONCAT(DISTINCT ?method; separator="; ") AS ?methods)
      WHERE { ?derived il2kg:derivationMethod ?method } GROUP BY ?derived } }
  OPTIONAL { ?outcome il2kg:hasTime ?time .
    OPTIONAL { ?time il2kg:numericValue ?value }
    OPTIONAL { ?time il2kg:lowerValue ?lower }
    OPTIONAL { ?time il2kg:upperValue ?upper }
    OPTIONAL { ?time il2kg:unit ?unit . ?unit rdfs:label ?unitLabel }
    OPTIONAL { ?time il2kg:statistic ?statistic }
    OPTIONAL { ?time il2kg:comparator ?comparator }
    OPTIONAL { ?time il2kg:notReached ?notReached }
    OPTIONAL { ?time il2kg:lowerOpenEnded ?lowerOpen }
    OPTIONAL { ?time il2kg:upperOpenEnded ?upperOpen } }
} ORDER BY ?outcome"""


def resource_id(iri: str) -> str:
    """A FHIR id for a graph IRI: its path under the resource or ontology namespace."""
    for namespace, prefix in ((str(RES), ""), (str(IL2KG), "il2kg.")):
        if iri.startswith(namespace):
            return prefix + iri[len(namespace):].replace("/", ".")
    raise ValueError(f"{iri} is not an il2kg IRI")


def reference(kind: str, iri: str, display: str | None = None) -> Json:
    """A relative reference to a resource of the bundle."""
    return {"reference": f"{kind}/{resource_id(iri)}", **({"display": display} if display else {})}


def _number(text: str) -> int | float:
    """A JSON number for a decimal literal: an int when whole (FHIR decimals keep their value)."""
    value = Decimal(text)
    return int(value) if value == value.to_integral_value() else float(value)


def _sorted(listed: str) -> str:
    """A '; '-separated GROUP_CONCAT in a fixed order (SPARQL leaves its order open)."""
    return "; ".join(sorted(listed.split("; ")))


def _coding(system: str, code: str, display: str) -> Json:
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


def _percent(text: str) -> Json:
    return {"value": _number(text), "unit": "%", "system": UCUM, "code": "%"}


def _base(kind: str, iri: str) -> Json:
    """The id and the graph IRI (as identifier) every resource carries."""
    return {"resourceType": kind, "id": resource_id(iri),
            "identifier": [{"system": IRI_SYSTEM, "value": iri}]}


def citation(row: dict[str, str]) -> Json:
    """A Citation of one publication, with only what the graph records."""
    form: Json = {"publishedIn": {"title": row["journal"]}} if "journal" in row else {}
    for field, var in (("volume", "volume"), ("issue", "issue"), ("pageString", "pages"),
                       ("publicationDateText", "issued")):
        if var in row:
            form[field] = row[var]
    artifact: Json = {"title": [{"text": row["title"]}]}
    identifiers: list[Json] = (
        [{"system": "https://doi.org", "value": row["doi"]}] if "doi" in row else [])
    if "articleNumber" in row:
        identifiers.append({"type": {"text": "article number"}, "value": row["articleNumber"]})
    if identifiers:
        artifact["identifier"] = identifiers
    if form:
        artifact["publicationForm"] = [form]
    if "authors" in row:
        artifact["contributorship"] = {
            "entry": [{"contributor": {"display": name}} for name in row["authors"].split("; ")]}
        if "authorsComplete" in row:  # unknown stays absent, never false
            artifact["contributorship"]["complete"] = row["authorsComplete"] == "true"
    return {**_base("Citation", row["publication"]), "status": "active",
            "title": row["label"], "citedArtifact": artifact}


def groups(rows: list[dict[str, str]]) -> list[Json]:
    """A Group per cohort, its diseases as characteristics (one query row per disease)."""
    cohorts: dict[str, Json] = {}
    for row in rows:
        group = cohorts.setdefault(row["cohort"], {
            **_base("Group", row["cohort"]), "type": "person", "membership": "definitional",
            "name": row["label"], "characteristic": [],
            **({"quantity": int(row["size"])} if "size" in row else {})})
        group["characteristic"].append({
            "code": _coding(str(IL2KG), "hasDisease", "has disease"),
            "valueCodeableConcept": _coding(str(IL2KG), row["disease"].removeprefix(str(IL2KG)),
                                            row["diseaseLabel"]),
            "exclude": False})
    return list(cohorts.values())


def variable(row: dict[str, str]) -> Json:
    """An EvidenceVariable for a treatment (exposure) or an outcome category."""
    return {**_base("EvidenceVariable", row["variable"]), "status": "active",
            "title": row["label"], "description": f"{row['role']} variable in il2kg"}


def _variables(row: dict[str, str]) -> list[Json]:
    """Population, exposure and measured variable of an outcome's Evidence."""
    roles = (("population", "population", "Group", "cohort"),
             ("exposure", "exposure", "EvidenceVariable", "treatment"),
             ("measuredVariable", "measured variable", "EvidenceVariable", "category"))
    return [{"variableRole": _coding(VARIABLE_ROLE, code, display),
             "observed": reference(kind, row[var])} for code, display, kind, var in roles]


def _interval(level: str, lower: str, upper: str, description: str) -> Json:
    return {"description": description, "type": _coding(ESTIMATE_TYPE, "C53324",
                                                         "Confidence interval"),
            "level": _number(level) / 100, "range": {"low": _percent(lower),
                                                     "high": _percent(upper)}}


def _statistic(kind: str, quantity: Json | None, count: str | None,
               denominator: str | None) -> Json:
    """A statistic of a type, with its quantity, number of events and sample size."""
    code, display = STATISTICS[kind]
    statistic: Json = {"statisticType": _coding(STATISTIC_TYPE, code, display)}
    if quantity is not None:
        statistic["quantity"] = quantity
    if count is not None:
        statistic["numberOfEvents"] = int(count)
    if denominator is not None:
        statistic["sampleSize"] = {"knownDataCount": int(denominator)}
    return statistic


def _evidence(row: dict[str, str], iri: str, description: str, statistic: Json) -> Json:
    """An Evidence of one statistic of an outcome, with its variables and citation."""
    return {**_base("Evidence", iri), "status": "active",
            "title": row["label"], "description": description,
            "citeAsReference": reference("Citation", row["publication"]),
            "variableDefinition": _variables(row), "statistic": [statistic]}


def reported(row: dict[str, str]) -> Json | None:
    """The Evidence of what the source reports for a count outcome, if it reports a figure."""
    count, denominator = row.get("count"), row.get("denominator")
    if "percent" in row:
        statistic = _statistic("proportion", _percent(row["percent"]), count, denominator)
    elif count is not None:
        quantity = {"value": int(count), "unit": "patients", "system": UCUM,
                    "code": "{patients}"}
        statistic = _statistic("count", quantity, count, denominator)
    else:
        return None
    if "ciLower" in row:
        statistic["attributeEstimate"] = [_interval(row["ciLevel"], row["ciLower"],
                                                    row["ciUpper"], "reported by the source")]
    return _evidence(row, row["outcome"], "As reported by the source.", statistic)


def derived(row: dict[str, str], source: Json | None) -> Json | None:
    """The Evidence of what il2kg derived for an outcome (marked derived), if anything."""
    count = row.get("count", row.get("derivedCount"))
    denominator = row.get("denominator", row.get("derivedDenominator"))
    if "derivedPercent" in row:
        statistic = _statistic("proportion", _percent(row["derivedPercent"]), count,
                               denominator)
        statistic["attributeEstimate"] = [_interval(
            row["dLevel"], row["dLower"], row["dUpper"],
            "derived by il2kg: Clopper-Pearson exact binomial interval from the counts")]
    elif "derivedCount" in row or "derivedDenominator" in row:
        statistic = _statistic("count", None, count, denominator)
    else:
        return None
    evidence = _evidence(row, row["derived"],
                         f"Derived by il2kg, not reported: {_sorted(row['methods'])}.", statistic)
    if source is not None:
        evidence["relatedArtifact"] = [{"type": "derived-from", "resourceReference": {
            "reference": f"Evidence/{source['id']}"}}]
    return evidence


def timed(row: dict[str, str]) -> Json:
    """The Evidence of a time outcome: a median or mean, a range, or 'not reached'."""
    unit = row.get("unitLabel")
    quantity = lambda text: {"value": _number(text), **({"unit": unit} if unit else {}),  # noqa: E731
                             **({"system": UCUM, "code": UCUM_UNITS[unit]}
                                if unit in UCUM_UNITS else {})}
    statistic: Json = {}
    if row.get("statistic") in STATISTICS:
        statistic = _statistic(row["statistic"], None, None, None)
    if "value" in row:
        statistic["quantity"] = quantity(row["value"])
        if row.get("comparator", "=") != "=":
            statistic["quantity"]["comparator"] = row["comparator"]
    notes = [text for flag, text in (("notReached", "not reached"),
                                     ("lowerOpen", "the low value is open-ended (e.g. 5+)"),
                                     ("upperOpen", "the high value is open-ended (e.g. 30+)"))
             if row.get(flag) == "true"]
    if "lower" in row or "upper" in row:
        statistic["attributeEstimate"] = [{"type": _coding(ESTIMATE_TYPE, "C38013", "Range"),
                                           "range": {k: quantity(row[v]) for k, v in
                                                     (("low", "lower"), ("high", "upper"))
                                                     if v in row}}]
    if notes:
        statistic["description"] = "; ".join(notes)
    return _evidence(row, row["outcome"], "As reported by the source.", statistic)


def evidence(rows: list[dict[str, str]]) -> list[Json]:
    """Every Evidence resource: per outcome the reported statistic, then the derived one."""
    resources: list[Json] = []
    for row in rows:
        if OUTCOME_KINDS[row["kind"]].timed:
            resources.append(timed(row))
            continue
        source = reported(row)
        resources += [r for r in (source, derived(row, source)) if r is not None]
    return resources


def bundle(run: Run) -> Json:
    """The FHIR R5 collection Bundle of the graph that `run` queries."""
    resources = [
        *(citation(row) for row in solutions(run(PUBLICATIONS))),
        *groups(solutions(run(COHORTS))),
        *(variable(row) for row in solutions(run(VARIABLES))),
        *evidence(solutions(run(OUTCOMES))),
    ]
    return {"resourceType": "Bundle", "type": "collection",
            "entry": [{"fullUrl": f"{FHIR_BASE}{r['resourceType']}/{r['id']}", "resource": r}
                      for r in resources]}
