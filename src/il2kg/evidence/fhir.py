"""The graph as a FHIR R5 Bundle (Evidence-Based Medicine on FHIR), read by SPARQL.

One Citation per publication, a StudyGroup per cohort, an EvidenceVariable per exposure and
measured variable, and an Evidence per reported or derived statistic of an outcome, per
adverse event report and per factor association. The mapping is documented in docs/fhir.md.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from il2kg.evidence import fhir_queries as q
from il2kg.evidence.fhir_groups import (
    Mapped,
    by_key,
    citation,
    groups,
    mapped_codings,
    note_annotations,
    quote_annotations,
    variables,
)
from il2kg.evidence.fhir_terms import (
    EXTENSIONS,
    SYNTHESIS_TYPE,
    TYPICAL_BOUNDS,
    UCUM,
    UCUM_UNITS,
    VARIABLE_ROLE,
    Json,
    base,
    coding,
    concept,
    extension,
    number,
    origin,
    percent,
    quantity,
    reference,
    statistic_type,
    term,
)
from il2kg.graph.derive import agrees
from il2kg.iris import FHIR_BASE
from il2kg.query.result import text_rows
from il2kg.records.outcome_kinds import OUTCOME_KINDS

Run = Callable[[str], bytes]
"""Runs a SELECT query and returns its SPARQL JSON result."""

ROLES = {
    "population": ("population", "population"),
    "exposure": ("exposure", "exposure"),
    "outcome": ("measuredVariable", "measured variable"),
}
SINGLE_STUDY = {"synthesisType": concept(SYNTHESIS_TYPE, "NotApplicable", "not applicable")}
EFFICACY = ("non-comparative-evidence", "single-study-evidence")
BASELINE = ("baseline-measure-evidence", "single-study-evidence")


class Context:
    """What every Evidence of the graph may draw on: notes, prior therapies, mapped codes."""

    def __init__(self, run: Run) -> None:
        self.cohorts = text_rows(run(q.COHORTS))
        self.parents = {c["cohort"]: c["parent"] for c in self.cohorts if "parent" in c}
        self.notes = by_key(text_rows(run(q.NOTES)), "element")
        self.quotes = by_key(text_rows(run(q.QUOTES)), "element")
        self.priors = by_key(text_rows(run(q.PRIOR_THERAPIES)), "holder")
        self.mapped: Mapped = mapped_codings(text_rows(run(q.MAPPINGS)))

    def notes_of(self, row: dict[str, str], element: str) -> list[Json]:
        """An element's source quotes and curation notes, its cohort's and their parents'
        notes (prefixed), and the source's note."""
        chain, cohort = [row["cohort"]], []
        while chain[-1] in self.parents:
            chain.append(self.parents[chain[-1]])
        for member in chain:
            cohort += note_annotations(self.notes.get(member, []), "About the population: ")
        source = [{"text": f"Note: {row['note']}"}] if "note" in row else []
        own = [
            *quote_annotations(self.quotes.get(element, [])),
            *note_annotations(self.notes.get(element, [])),
        ]
        return [*own, *cohort, *source]


def _sorted(listed: str) -> str:
    """A '; '-separated GROUP_CONCAT in a fixed order (SPARQL leaves its order open)."""
    return "; ".join(sorted(listed.split("; ")))


def variable_definition(
    role: str, observed: Json, description: str | None = None, intended: Json | None = None
) -> Json:
    """An Evidence variable in a role, as the guide's R5 profiles slice them (the role-code
    extension, and a note naming the role)."""
    code, display = ROLES[role]
    return {
        "extension": [
            extension(EXTENSIONS["variable-definition-variable-role-code"], valueCode=role)
        ],
        **({"description": description} if description else {}),
        "note": [{"text": role}],
        "variableRole": {
            "coding": [coding(VARIABLE_ROLE, code, display)],
            "text": "Use extension:variableRoleCode instead.",
        },
        "observed": observed,
        **({"intended": intended} if intended else {}),
    }


def _population(row: dict[str, str], extra: str | None = None) -> Json:
    """The population variable: the cohort, narrowed to an outcome's patients if 'among'."""
    among = f"among the patients of: {row['amongLabel']}" if "amongLabel" in row else None
    said = "; ".join(part for part in (among, extra) if part)
    return variable_definition("population", reference("Group", row["cohort"]), said or None)


def _exposure(row: dict[str, str]) -> list[Json]:
    if "treatment" not in row:
        return []
    return [
        variable_definition(
            "exposure", reference("EvidenceVariable", row["treatment"], row["treatmentLabel"])
        )
    ]


def _evidence(
    iri: str,
    row: dict[str, str],
    description: str,
    variables: list[Json],
    statistics: list[Json],
    notes: list[Json],
    profiles: tuple[str, ...] = EFFICACY,
) -> Json:
    """An Evidence of one study's finding: its variables, statistics and notes."""
    return {
        **base("Evidence", iri, *profiles),
        "status": "active",
        "title": row["label"],
        "description": description,
        "citeAsReference": reference("Citation", row["publication"]),
        **({"note": notes} if notes else {}),
        **SINGLE_STUDY,
        "variableDefinition": variables,
        **({"statistic": statistics} if statistics else {}),
    }


def _statistic(
    kind: str | None,
    reported: bool,
    value: Json | None = None,
    count: str | None = None,
    denominator: str | None = None,
) -> Json:
    """A statistic of a SEVCO type, marked reported or derived, with its figures."""
    statistic: Json = {"extension": [origin(reported)]}
    if kind is not None:
        statistic["statisticType"] = statistic_type(kind)
    if value is not None:
        statistic["quantity"] = value
    if count is not None:
        statistic["numberOfEvents"] = int(count)
    if denominator is not None:
        statistic["sampleSize"] = {"knownDataCount": int(denominator)}
    return statistic


def _interval(reported: bool, level: str, lower: str, upper: str, description: str) -> Json:
    return {
        "extension": [origin(reported)],
        "description": description,
        "type": statistic_type("confidence interval"),
        "level": number(level) / 100,
        "range": {"low": percent(lower), "high": percent(upper)},
    }


def counted(row: dict[str, str]) -> Json | None:
    """The statistic a source reports for a count: a percentage, else a count (or None)."""
    count, denominator = row.get("count"), row.get("denominator")
    if "percent" in row:
        return _statistic("percentage", True, percent(row["percent"]), count, denominator)
    if count is not None:
        patients = {"value": int(count), "unit": "patients", "system": UCUM, "code": "{patients}"}
        return _statistic("count", True, patients, count, denominator)
    return None


def _derived_statistic(row: dict[str, str]) -> Json | None:
    """What il2kg derived for an outcome (its percentage and interval, or counts), if any."""
    count = row.get("count", row.get("derivedCount"))
    denominator = row.get("denominator", row.get("derivedDenominator"))
    if "derivedPercent" in row:
        statistic = _statistic(
            "percentage", False, percent(row["derivedPercent"]), count, denominator
        )
        statistic["attributeEstimate"] = [
            _interval(
                False,
                row["dLevel"],
                row["dLower"],
                row["dUpper"],
                "derived by il2kg: Clopper-Pearson exact binomial interval from the counts",
            )
        ]
        return statistic
    if "derivedCount" in row or "derivedDenominator" in row:
        return _statistic("count", False, None, count, denominator)
    return None


def _open_ends(row: dict[str, str], unit: str) -> str:
    """What a range's open-ended ends mean, in its own values ('' if none is open)."""
    ends = [
        f"the {end} value {number(row[var])} {unit} is open-ended (at least "
        f"{number(row[var])} {unit})".replace("  ", " ")
        for end, var, flag in (
            ("low", "timeLower", "timeLowerOpen"),
            ("high", "timeUpper", "timeUpperOpen"),
        )
        if row.get(flag) == "true" and var in row
    ]
    return "; ".join(ends)


def _time_statistic(row: dict[str, str]) -> Json:
    """A time outcome's statistic: a median, mean, typical value or range, or 'not reached'."""
    unit = row.get("timeUnit")
    statistic = _statistic(row.get("timeStatistic"), True)
    if "timeValue" in row:
        comparator = row.get("timeComparator")
        if comparator is None and row.get("timeUpperOpen") == "true":
            comparator = ">="  # '10+': at least 10
        statistic["quantity"] = quantity(row["timeValue"], unit, comparator)
    if "timeLower" in row or "timeUpper" in row:
        plain = {
            end: quantity(row[var], unit)  # a Range's ends take no comparator
            for end, var in (("low", "timeLower"), ("high", "timeUpper"))
            if var in row
        }
        typical = row.get("timeStatistic") == "typical value"
        estimate: Json = {
            "extension": [origin(True)],
            "type": TYPICAL_BOUNDS if typical else statistic_type("range"),
            "range": plain,
        }
        if described := _open_ends(row, unit or ""):
            estimate["description"] = described
        statistic["attributeEstimate"] = [estimate]
    if row.get("timeNotReached") == "true":
        statistic["description"] = "not reached"
    return statistic


def _timing(row: dict[str, str]) -> Json | None:
    """When an outcome is measured: its time origin and, for a status, its time point."""
    parts: list[Json] = []
    if "origin" in row:
        parts.append(
            extension("contextCode", valueCodeableConcept=term(row["origin"], row["originLabel"]))
        )
    if "originRegimen" in row:  # the step of a sequence the time counts from
        parts.append(
            extension(
                "contextReference",
                valueReference=reference(
                    "EvidenceVariable", row["originRegimen"], row["originRegimenLabel"]
                ),
            )
        )
    point = not OUTCOME_KINDS[row["kind"]].timed and "timeValue" in row
    if point and row.get("timeUnit") in UCUM_UNITS:
        parts.append(
            extension(
                "offset",
                valueDuration=quantity(
                    row["timeValue"], row["timeUnit"], row.get("timeComparator")
                ),
            )
        )
    if point:
        comparator = row.get("timeComparator", "")
        parts.append(
            extension(
                "text",
                valueString=f"{comparator} {number(row['timeValue'])} "
                f"{row.get('timeUnit', '')} after "
                f"{row.get('originLabel', 'the treatment')}".strip(),
            )
        )
    elif "originRegimenLabel" in row:
        parts.append(
            extension(
                "text",
                valueString=f"{row.get('originLabel', 'time')} of {row['originRegimenLabel']}",
            )
        )
    return extension(EXTENSIONS["characteristic-timing"], extension=parts) if parts else None


def _measured(row: dict[str, str], mapped: Mapped) -> tuple[Json, list[Json]]:
    """The outcome variable of an Evidence: the category's EvidenceVariable, or, for an
    outcome with a time point or origin, one of its own defined by a Group with timing."""
    category = reference("EvidenceVariable", row["category"], row["categoryLabel"])
    timing = _timing(row)
    if timing is None:
        return variable_definition("outcome", category), []
    outcome = row["outcome"]
    definition = {
        **base("Group", outcome, "cohort-definition", suffix=".definition"),
        "type": "person",
        "membership": "definitional",
        "name": f"Definition of {row['label']}",
        "characteristic": [
            {
                "extension": [timing],
                "code": term(row["category"], row["categoryLabel"], mapped),
                "valueBoolean": True,
                "exclude": False,
            }
        ],
    }
    measured = {
        **base("EvidenceVariable", outcome, "variable-definition", suffix=".variable"),
        "extension": [
            extension(
                EXTENSIONS["evidence-variable-definition"],
                valueCodeableReference={
                    "concept": term(row["category"], row["categoryLabel"], mapped),
                    "reference": reference("Group", outcome, suffix=".definition"),
                },
            )
        ],
        "status": "active",
        "title": row["label"],
        "handling": "continuous" if OUTCOME_KINDS[row["kind"]].timed else "dichotomous",
    }
    observed = reference("EvidenceVariable", outcome, row["label"], suffix=".variable")
    return variable_definition("outcome", observed, intended=category), [definition, measured]


def _differs(row: dict[str, str]) -> list[Json]:
    """A note when the reported percentage differs from its counts beyond rounding (a curation
    note says why): the derived figures are the counts', not a companion of the reported one."""
    count = row.get("count", row.get("derivedCount"))
    denominator = row.get("denominator", row.get("derivedDenominator"))
    if "percent" not in row or count is None or denominator is None or int(denominator) == 0:
        return []
    if agrees(Decimal(row["percent"]), int(count), int(denominator)):
        return []
    return [
        {
            "text": f"The source reports {row['percent']}%, which differs from its counts "
            f"{count}/{denominator} beyond rounding (see the curation note); figures "
            "derived by il2kg come from the counts, not from the reported percentage."
        }
    ]


def outcome_evidence(row: dict[str, str], context: Context) -> list[Json]:
    """An outcome's Evidence: what the source reports, then what il2kg derived from it, with
    the resources defining a timed outcome variable. An outcome of a treatment its cohort was
    selected on (e.g. failure of prior IL-2) is a baseline measure of the cohort, not efficacy."""
    outcome, timed = row["outcome"], OUTCOME_KINDS[row["kind"]].timed
    measured, made = _measured(row, context.mapped)
    notes = [*context.notes_of(row, outcome), *_differs(row)]
    if row["selectedOnTreatment"] == "true":
        said = (
            f"How the cohort was selected: its response to its prior therapy "
            f"({row['treatmentLabel']}) before entry, not the effect of a treatment studied."
        )
        variables = [_population(row), {**measured, "description": said}]
        statistic = counted(row)
        return [
            *made,
            _evidence(
                outcome, row, said, variables, [statistic] if statistic else [], notes, BASELINE
            ),
        ]
    variables = [_population(row), *_exposure(row), measured]
    reported = _time_statistic(row) if timed else counted(row)
    if reported is not None and "ciLower" in row:
        reported["attributeEstimate"] = [
            _interval(
                True, row["ciLevel"], row["ciLower"], row["ciUpper"], "reported by the source"
            )
        ]
    said = "As reported by the source." if reported else "Reported without a figure."
    found = [_evidence(outcome, row, said, variables, [reported] if reported else [], notes)]
    derived = None if timed else _derived_statistic(row)
    if derived is not None:
        evidence = _evidence(
            row["derived"],
            row,
            f"Derived by il2kg, not reported: {_sorted(row['methods'])}.",
            variables,
            [derived],
            notes,
        )
        evidence["relatedArtifact"] = [
            {
                "type": "derived-from",
                "resourceReference": {"reference": f"Evidence/{found[0]['id']}"},
            }
        ]
        found.append(evidence)
    return [*made, *found]


def adverse_event_evidence(row: dict[str, str], context: Context) -> Json:
    """An adverse event report: its count (and share) in the cohort, fatal or not, and
    whether the source attributes it to the treatment, as far as the graph says."""
    flags = {
        "fatal": {"true": "fatal", "false": "not fatal"},
        "attributed": {
            "true": "attributed to the treatment by the source",
            "false": "not attributed to the treatment by the source",
        },
    }
    said = [text[row[flag]] for flag, text in flags.items() if flag in row]
    described = f"{row['conditionLabel']}" + (f" ({'; '.join(said)})" if said else "")
    priors = "; ".join(p["label"] for p in context.priors.get(row["event"], []))
    variables = [
        _population(row, f"with prior therapy: {priors}" if priors else None),
        *_exposure(row),
        variable_definition(
            "outcome",
            reference("EvidenceVariable", row["condition"], row["conditionLabel"]),
            described,
        ),
    ]
    statistic = counted(row)
    return _evidence(
        row["event"],
        row,
        f"Adverse event report: {described}.",
        variables,
        [statistic] if statistic else [],
        context.notes_of(row, row["event"]),
    )


def factor_evidence(row: dict[str, str], context: Context) -> Json:
    """A factor association the source states without figures (e.g. performance status
    predicted response): its factor, what it is associated with, and how."""
    level = f" ({row['levelLabel']})" if "levelLabel" in row else ""
    variables = [
        _population(row),
        variable_definition(
            "exposure", reference("EvidenceVariable", row["factor"]), f"the factor{level}"
        ),
        variable_definition("outcome", reference("EvidenceVariable", row["target"])),
    ]
    evidence = _evidence(
        row["association"],
        row,
        f"Factor association ({row['kind']}); the source gives no figures.",
        variables,
        [],
        context.notes_of(row, row["association"]),
        ("single-study-evidence",),
    )
    evidence["assertion"] = row["label"]
    return evidence


def bundle(run: Run) -> Json:
    """The FHIR R5 collection Bundle of the graph that `run` queries."""
    context = Context(run)
    cites = by_key(text_rows(run(q.CITES)), "publication")
    resources = [
        *(
            citation(row, cites.get(row["publication"], []))
            for row in text_rows(run(q.PUBLICATIONS))
        ),
        *groups(
            context.cohorts,
            text_rows(run(q.DISEASES)),
            text_rows(run(q.CRITERIA)),
            text_rows(run(q.PRIOR_THERAPIES)),
            text_rows(run(q.NOTES)),
            context.mapped,
        ),
        *variables(text_rows(run(q.VARIABLES)), context.mapped),
        *(r for row in text_rows(run(q.OUTCOMES)) for r in outcome_evidence(row, context)),
        *(adverse_event_evidence(row, context) for row in text_rows(run(q.ADVERSE_EVENTS))),
        *(factor_evidence(row, context) for row in text_rows(run(q.FACTORS))),
    ]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": f"{FHIR_BASE}{r['resourceType']}/{r['id']}", "resource": r}
            for r in resources
        ],
    }
