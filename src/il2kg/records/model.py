"""Typed curated records: one `PublicationRecord` per seed file.

Records hold what a source states, in the source's numbers. Local ids (cohorts, regimens,
outcomes...) are unique within a record; vocabulary terms (diseases, agents, categories,
units...) are the local names of individuals defined in `ontology/il2kg.ttl`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Annotated, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from il2kg.records.outcome_kinds import OUTCOME_KINDS, KindName


@dataclass(frozen=True)
class Rdf:
    """How a record field is written as RDF, the one table of it (the converter, the
    cross-reference checks and the curation notes read it): the il2kg property (`prop`, a
    local name of `ontology/il2kg.ttl`); a vocabulary term (`term`), of `classes` when they
    are checked (`called`: a term's name in an error); the element list its local ids name
    (`refers`; 'treatments': regimens or sequences); `datatype`, an XSD name where the
    Python type does not say it; `noted`: a curation note may explain it."""

    prop: str
    classes: tuple[str, ...] = ()
    called: str = ""
    term: bool = False
    refers: str = ""
    datatype: str = ""
    noted: bool = False


@dataclass(frozen=True)
class Elements:
    """A record's list of elements: the kind segment of their refs and IRIs ('outcome/cr'),
    the property linking them from the study (statements: from the publication) and their
    class, where it does not depend on the element."""

    kind: str
    link: str
    cls: str = ""


LocalId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
Term = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]


def _calendar_date(text: str) -> str:
    """Refuse a date that is not in the calendar (2019-02-30, 2019-13) or is in the future
    (a partial date by its first day: 2999 is refused, this year is not)."""
    year, month, day = [*text.split("-"), "01", "01"][:3]
    try:
        first = date(int(year), int(month), int(day))
    except ValueError as exc:
        raise ValueError(f"a date in the calendar ({exc})") from None
    if first > date.today():
        raise ValueError(f"a date not in the future (today is {date.today().isoformat()})")
    return text


def _exact_number(value: object) -> object:
    """Accept only numbers as the YAML gave them (int or Decimal), never text or booleans."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ValueError("a number")
    return value


PartialDate = Annotated[
    str,
    StringConstraints(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$"),
    AfterValidator(_calendar_date),
]
Number = Annotated[Decimal, Field(strict=False), BeforeValidator(_exact_number)]
Doi = Annotated[str, StringConstraints(pattern=r"^10\.\d{4,9}/\S+$")]


def _distinct(items: list[str], same: Callable[[str], str] = str) -> list[str]:
    """Refuse a list of terms, ids or DOIs naming one twice (items that `same` maps alike):
    each is a set, read in order, and a repeat would be counted twice by whatever counts its
    items."""
    places: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        places.setdefault(same(item), []).append(index)
    repeated = [(items[at[0]], at) for at in places.values() if len(at) > 1]
    if repeated:
        shown = ", ".join(
            f"'{item}' (items {', '.join(map(str, at[:5]))}{', ...' if len(at) > 5 else ''})"
            for item, at in repeated[:5]
        )
        more = f" and {len(repeated) - 5} more" if len(repeated) > 5 else ""
        raise ValueError(f"expected each item once; {shown}{more} listed more than once")
    return items


UNIQUE_ITEMS = Field(json_schema_extra={"uniqueItems": True})  # JSON Schema says it too
DistinctTerms = Annotated[list[Term], AfterValidator(_distinct), UNIQUE_ITEMS]
DistinctIds = Annotated[list[LocalId], AfterValidator(_distinct), UNIQUE_ITEMS]
DistinctDois = Annotated[  # a DOI is case-insensitive (DOI Handbook 2.4)
    list[Doi], AfterValidator(lambda dois: _distinct(dois, str.casefold)), UNIQUE_ITEMS
]
Count = Annotated[int, Field(ge=0)]
MAX_SENTENCES = 10_000  # an abstract has tens; a larger count is a typo, and is refused
SentenceNumber = Annotated[int, Field(gt=0, le=MAX_SENTENCES)]
FieldName = Annotated[str, StringConstraints(pattern=r"^[a-z]+(_[a-z]+)*$")]
ElementRef = Annotated[
    str, StringConstraints(pattern=r"^(publication|study|[a-z-]+/[a-z0-9]+(-[a-z0-9]+)*)$")
]
Percent = Annotated[Number, Field(ge=0, le=100)]


class Strict(BaseModel):
    """Base for records: unknown fields are errors, strings are stripped, and no value is
    converted from another type (a quoted '1' is not a number, 'yes' not a boolean)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True, strict=True)


def _check_fits(count: int | None, denominator: int | None) -> None:
    """Refuse a count above its denominator."""
    if count is not None and denominator is not None and count > denominator:
        raise ValueError(
            f"count {count} is above denominator {denominator}; expected a count "
            "of at most its denominator"
        )


class Quantity(Strict):
    """A number or range with a unit, as the source states it (e.g. '5+ to 30+ years')."""

    value: Annotated[Number | None, Rdf("numericValue")] = None
    lower: Annotated[Number | None, Rdf("lowerValue")] = None
    upper: Annotated[Number | None, Rdf("upperValue")] = None
    unit: Annotated[Term | None, Rdf("unit", classes=("Unit",), called="unit")] = None
    comparator: Annotated[Literal["=", "<", "<=", ">", ">="] | None, Rdf("comparator")] = None
    # the kind of summary (il2kg:SummaryStatistic): 'range' is the least and greatest values
    # observed; with 'typical', 'median' or 'mean', lower/upper bound that one value
    statistic: Literal["mean", "median", "range", "typical"] | None = None
    lower_open_ended: Annotated[bool | None, Rdf("lowerOpenEnded")] = None
    upper_open_ended: Annotated[bool | None, Rdf("upperOpenEnded")] = None
    not_reached: Annotated[bool | None, Rdf("notReached")] = None

    @model_validator(mode="after")
    def _one_form(self) -> Quantity:
        """A quantity is a value, a range, or 'not reached'; a range has lower <= upper."""
        has_range = self.lower is not None or self.upper is not None
        if self.value is not None and has_range:
            raise ValueError("give either value or lower/upper, not both")
        if self.value is None and not has_range and not self.not_reached:
            raise ValueError("give a value, a lower/upper range, or not_reached: true")
        if self.lower is not None and self.upper is not None and self.lower > self.upper:
            raise ValueError(f"lower ({self.lower}) is above upper ({self.upper})")
        return self


class Quote(Strict):
    """Words of a source an element was curated from: the exact text and where it starts.

    `start` counts characters (Unicode code points) from the start of the source file,
    as W3C Web Annotation's TextPositionSelector does; the text must occur there, with runs
    of whitespace (line breaks too) read as one space. `source` names another source file
    when the words are there (e.g. a reference list citing this publication).
    """

    text: Annotated[str, StringConstraints(min_length=1)]
    start: Annotated[int, Field(ge=0)]
    source: str | None = None


class NotCurated(Quote):
    """A span of the source deliberately left out of the curated elements, and why."""

    reason: str


class CurationNote(Strict):
    """Why curation recorded a field of an element as it did, where the source left a choice."""

    about: FieldName
    basis: str


class Period(Strict):
    """A period of calendar time; either end may be missing."""

    start: PartialDate | None = None
    end: PartialDate | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        """The period starts no later than it ends."""
        if self.start and self.end and self.start > self.end:
            raise ValueError(f"start {self.start} is after end {self.end}")
        return self


class Publication(Strict):
    """Bibliographic metadata, only what a source gives: `publication_types` as an index
    assigns them (vocabulary terms, not the study design), `cites` the DOIs of works its
    reference list cites (a curated publication has its DOI too, so the two meet)."""

    title: str
    authors: list[str] = []
    authors_complete: Annotated[bool | None, Rdf("authorListComplete")] = None
    journal: Annotated[str | None, Rdf("journalTitle")] = None
    journal_expansion: Annotated[str | None, Rdf("journalTitleExpansion")] = None
    date: PartialDate
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    article_number: Annotated[str | None, Rdf("articleNumber")] = None
    doi: Doi | None = None
    publication_types: Annotated[
        DistinctTerms,
        Rdf("publicationType", classes=("PublicationType",), called="publication type"),
    ] = []
    cites: DistinctDois = []
    metadata_source: Annotated[str | None, Rdf("metadataSource")] = None
    quotes: list[Quote] = []


class Study(Strict):
    """How the study was done and where."""

    label: str
    designs: Annotated[
        DistinctTerms, Rdf("hasStudyDesign", classes=("StudyDesign",), called="design")
    ] = Field(min_length=1)
    objective: Annotated[str | None, Rdf("objective")] = None
    setting: Annotated[str | None, Rdf("setting")] = None
    centres: Annotated[Count | None, Rdf("numberOfCentres")] = None
    trials: Annotated[Count | None, Rdf("numberOfTrials")] = None
    registry: Annotated[str | None, Rdf("registryName")] = None
    treatment_period: Period | None = None
    data_cutoff: Period | None = None
    selection: Annotated[str | None, Rdf("selectionCriteria")] = None
    quotes: list[Quote] = []


class SelectionCriterion(Strict):
    """One way a cohort's patients were selected: a vocabulary term beside the source's words."""

    criterion: Annotated[
        Term,
        Rdf(
            "selectionBasis",
            classes=("SelectionBasis", "OutcomeSelection"),
            called="selection basis",
        ),
    ]
    threshold: Annotated[Quantity | None, Rdf("threshold")] = None
    text: str | None = None


class Cohort(Strict):
    """A group of patients, optionally a sub-cohort of another."""

    id: LocalId
    label: str
    diseases: Annotated[
        DistinctTerms, Rdf("hasDisease", classes=("Disease",), called="disease")
    ] = Field(min_length=1)
    size: Annotated[Count | None, Rdf("size")] = None
    parent: Annotated[LocalId | None, Rdf("subCohortOf", refers="cohorts")] = None
    prior_therapies: Annotated[DistinctIds, Rdf("hadPriorTherapy", refers="regimens")] = []
    age_groups: Annotated[
        DistinctTerms,
        Rdf("includesAgeGroup", classes=("AgeGroup",), called="age group", noted=True),
    ] = []
    selection: Annotated[list[SelectionCriterion], Rdf("selectedBy", noted=True)] = []
    description: str | None = None
    quotes: list[Quote] = []
    curation_notes: list[CurationNote] = []


class Dose(Strict):
    """One dose level of an agent; a regimen has one, or two or more as alternatives."""

    value: Annotated[Number, Field(gt=0), Rdf("numericValue")]
    unit: Annotated[Term, Rdf("unit", classes=("Unit",), called="unit")]


class Regimen(Strict):
    """A therapy as given: agents, modality and, where stated, the full dosing schedule.

    `agents` are all given; `alternative_agents` and `alternative_doses` are the ones a source
    joins with "or" (each patient got one of them, never all together)."""

    id: LocalId
    label: str
    agents: Annotated[DistinctTerms, Rdf("usesAgent", classes=("Agent",), called="agent")] = []
    alternative_agents: Annotated[
        DistinctTerms, Rdf("alternativeAgent", classes=("Agent",), called="agent")
    ] = []
    modalities: Annotated[
        DistinctTerms, Rdf("hasModality", classes=("TherapyModality",), called="modality")
    ] = Field(min_length=1)
    route: Annotated[
        Term | None, Rdf("hasRoute", classes=("RouteOfAdministration",), called="route")
    ] = None
    doses: Annotated[list[Dose], Rdf("hasDose")] = []
    alternative_doses: Annotated[list[Dose], Rdf("alternativeDose")] = []
    infusion_duration: Annotated[Quantity | None, Rdf("infusionDuration")] = None
    dosing_interval: Annotated[Quantity | None, Rdf("dosingInterval")] = None
    doses_per_cycle: Annotated[Quantity | None, Rdf("dosesPerCycle")] = None
    cycle_duration: Annotated[Quantity | None, Rdf("cycleDuration", noted=True)] = None
    administration_days_per_cycle: Annotated[Quantity | None, Rdf("administrationDaysPerCycle")] = (
        None
    )
    cycle_length: Annotated[Quantity | None, Rdf("cycleLength", noted=True)] = None
    rest_between_cycles: Annotated[Quantity | None, Rdf("restBetweenCycles")] = None
    cycles_per_course: Annotated[Quantity | None, Rdf("cyclesPerCourse")] = None
    course_interval: Annotated[Quantity | None, Rdf("courseInterval")] = None
    condition: Annotated[str | None, Rdf("administrationCondition")] = None
    supportive_care: Annotated[
        DistinctTerms,
        Rdf("allowsSupportiveCare", classes=("SupportiveCare",), called="supportive care"),
    ] = []
    product: Annotated[str | None, Rdf("productName")] = None
    manufacturer: Annotated[str | None, Rdf("manufacturer")] = None
    description: str | None = None
    quotes: list[Quote] = []
    curation_notes: list[CurationNote] = []

    @model_validator(mode="after")
    def _alternatives(self) -> Regimen:
        """Alternatives ('600,000 or 720,000 IU/kg') come at least in twos, never beside a dose."""
        for field in ("alternative_agents", "alternative_doses"):
            if len(getattr(self, field)) == 1:
                raise ValueError(
                    f"{field} lists two or more alternatives; give one in "
                    f"{field.removeprefix('alternative_')}"
                )
        if len(self.doses) > 1:
            raise ValueError(
                "doses holds the one dose level given; list dose levels the source "
                "joins with 'or' in alternative_doses"
            )
        if self.doses and self.alternative_doses:
            raise ValueError("give either doses (one dose level) or alternative_doses, not both")
        return self


SCHEDULE_FIELDS = (
    "infusion_duration",
    "dosing_interval",
    "doses_per_cycle",
    "cycle_duration",
    "administration_days_per_cycle",
    "cycle_length",
    "rest_between_cycles",
    "cycles_per_course",
    "course_interval",
)
"""The fields of a regimen that are dosing-schedule quantities."""


class Step(Strict):
    """One step of a therapy sequence."""

    regimen: Annotated[LocalId, Rdf("stepRegimen", refers="regimens")]
    start_after_previous: Annotated[Quantity | None, Rdf("startAfterPrevious")] = None


class Sequence(Strict):
    """Therapies given one after another to a cohort, in order."""

    id: LocalId
    label: str
    cohort: Annotated[LocalId, Rdf("inCohort", refers="cohorts", noted=True)]
    steps: Annotated[list[Step], Rdf("hasStep", noted=True)] = Field(min_length=2)
    description: str | None = None
    quotes: list[Quote] = []
    curation_notes: list[CurationNote] = []


class ConfidenceInterval(Strict):
    """A reported confidence interval, in percent."""

    level: Annotated[Number, Field(gt=0, lt=100), Rdf("confidenceLevel")]
    lower: Annotated[Percent, Rdf("lowerBound")]
    upper: Annotated[Percent, Rdf("upperBound")]

    @model_validator(mode="after")
    def _ordered(self) -> ConfidenceInterval:
        """The lower bound is not above the upper one."""
        if self.lower > self.upper:
            raise ValueError(f"lower ({self.lower}) is above upper ({self.upper})")
        return self


class Outcome(Strict):
    """A reported result: a response count, a patient status count, or a time to event."""

    id: LocalId
    kind: KindName
    label: str
    cohort: Annotated[LocalId, Rdf("inCohort", refers="cohorts", noted=True)]
    treatment: Annotated[LocalId, Rdf("afterTreatment", refers="treatments", noted=True)]
    category: Annotated[Term, Rdf("hasCategory", term=True, noted=True)]
    count: Annotated[Count | None, Rdf("count")] = None
    denominator: Annotated[Annotated[int, Field(gt=0)] | None, Rdf("denominator")] = None
    percent: Annotated[Percent | None, Rdf("reportedPercent", noted=True)] = None
    ci: Annotated[ConfidenceInterval | None, Rdf("hasConfidenceInterval")] = None
    among: Annotated[LocalId | None, Rdf("amongOutcome", refers="outcomes", noted=True)] = None
    components: Annotated[DistinctIds, Rdf("hasComponent", refers="outcomes")] = []
    time: Annotated[Quantity | None, Rdf("hasTime")] = None
    time_origin: Annotated[
        Term | None, Rdf("measuredFrom", classes=("TimeOrigin",), called="time origin", noted=True)
    ] = None
    origin_regimen: Annotated[
        LocalId | None, Rdf("originRegimen", refers="regimens", noted=True)
    ] = None
    best_response: Annotated[bool | None, Rdf("bestResponse")] = None
    note: str | None = None
    quotes: list[Quote] = []
    curation_notes: list[CurationNote] = []

    @model_validator(mode="after")
    def _consistent(self) -> Outcome:
        """Counts fit their denominator; a timed kind carries a time and no counts; a time
        counted from one regimen of the treatment says from which point of it."""
        _check_fits(self.count, self.denominator)
        if self.origin_regimen is not None and self.time_origin is None:
            raise ValueError("origin_regimen names the regimen of time_origin; give time_origin")
        if OUTCOME_KINDS[self.kind].timed:
            if self.time is None:
                raise ValueError(f"a {self.kind} outcome needs 'time'")
            if self.count is not None or self.percent is not None:
                raise ValueError(f"a {self.kind} outcome has no count or percent")
        elif self.count is None and self.percent is None and not self.components:
            raise ValueError("give a count, a percent, or the components it sums")
        return self


class AdverseEvent(Strict):
    """Patients with an adverse event (or a death and its cause) in a cohort."""

    id: LocalId
    label: str
    cohort: Annotated[LocalId, Rdf("inCohort", refers="cohorts", noted=True)]
    event: Annotated[Term, Rdf("eventCondition", classes=("MedicalCondition",), called="condition")]
    count: Annotated[Count | None, Rdf("count")] = None
    denominator: Annotated[Annotated[int, Field(gt=0)] | None, Rdf("denominator")] = None
    percent: Annotated[Percent | None, Rdf("reportedPercent", noted=True)] = None
    fatal: Annotated[bool | None, Rdf("fatal", noted=True)] = None
    treatment: Annotated[LocalId | None, Rdf("afterTreatment", refers="treatments", noted=True)] = (
        None
    )
    attributed_to_treatment: Annotated[bool | None, Rdf("attributedToTreatment", noted=True)] = None
    among: Annotated[LocalId | None, Rdf("amongOutcome", refers="outcomes", noted=True)] = None
    prior_therapies: Annotated[DistinctIds, Rdf("hadPriorTherapy", refers="regimens")] = []
    management: Annotated[
        DistinctTerms,
        Rdf("managedWith", classes=("Agent", "TherapyModality"), called="agent or modality"),
    ] = []
    note: str | None = None
    quotes: list[Quote] = []
    curation_notes: list[CurationNote] = []

    @model_validator(mode="after")
    def _fits(self) -> AdverseEvent:
        """The count is not above its denominator."""
        _check_fits(self.count, self.denominator)
        return self


class Factor(Strict):
    """A factor the source reports as associated with response."""

    id: LocalId
    label: str
    factor: Annotated[Term, Rdf("factor", classes=("Factor",), called="factor")]
    level: Annotated[
        Term | None, Rdf("factorLevel", classes=("FactorLevel",), called="factor level", noted=True)
    ] = None
    associated_with: Annotated[
        Term, Rdf("associatedWith", classes=("ResponseCategory",), called="response category")
    ]
    cohort: Annotated[LocalId, Rdf("inCohort", refers="cohorts", noted=True)]
    association: Annotated[Literal["correlated", "predictive"], Rdf("associationKind")]
    quotes: list[Quote] = []
    curation_notes: list[CurationNote] = []


class Comparison(Strict):
    """A statement's comparison of a cohort with patients outside the study, in words only
    ("toxicity similar to that in patients treated with HD IL-2 without prior checkpoint
    blockade"): the result, what was compared and who the others were."""

    result: Annotated[Term, Rdf("comparisonResult", classes=("ComparisonResult",), called="result")]
    aspect: Annotated[Term, Rdf("comparedAspect", classes=("ComparedAspect",), called="aspect")]
    cohort: Annotated[LocalId, Rdf("comparedCohort", refers="cohorts")]
    reference_treatment: Annotated[LocalId, Rdf("referenceTreatment", refers="treatments")]
    reference_without_prior: Annotated[
        DistinctTerms,
        Rdf(
            "referenceWithoutPriorTherapy",
            classes=("TherapyModality", "Agent"),
            called="modality or agent",
        ),
    ] = []


class Statement(Strict):
    """A claim in the source, in our words, kept apart from numeric observations, with the
    typed facts it states: hedges, a recommendation and its condition, antigen classes,
    characteristics of patients or toxicities, a comparison, an approval decade, an event
    that occurred in none of the patients of an outcome beyond a threshold."""

    id: LocalId
    kind: Literal["hypothesis", "conclusion", "observation", "background"]
    text: str
    about: Annotated[DistinctTerms, Rdf("isAbout", term=True)] = []
    hedges: Annotated[DistinctTerms, Rdf("hedgedAs", classes=("Hedge",), called="hedge")] = []
    threshold: Annotated[Quantity | None, Rdf("threshold")] = None
    among: Annotated[LocalId | None, Rdf("amongOutcome", refers="outcomes", noted=True)] = None
    event: Annotated[
        Term | None,
        Rdf(
            "observedEvent",
            classes=("ResponseCategory", "PatientStatus"),
            called="response category or patient status",
        ),
    ] = None
    event_in_none: Annotated[bool | None, Rdf("eventInNoPatient")] = None
    sites: Annotated[
        DistinctTerms, Rdf("anatomicalSite", classes=("AnatomicalSite",), called="anatomical site")
    ] = []
    site_coverage: Annotated[Literal["all", "almost all"] | None, Rdf("siteCoverage")] = None
    patient_characteristics: Annotated[
        DistinctTerms,
        Rdf("inPatientsWith", classes=("PatientCharacteristic",), called="patient characteristic"),
    ] = []
    toxicity: Annotated[
        DistinctTerms,
        Rdf(
            "toxicityCharacteristic",
            classes=("ToxicityCharacteristic",),
            called="toxicity characteristic",
        ),
    ] = []
    antigen_classes: Annotated[
        DistinctTerms,
        Rdf("identifiedAntigenClass", classes=("AntigenClass",), called="antigen class"),
    ] = []
    comparison: Annotated[Comparison | None, Rdf("hasComparison")] = None
    recommended_line: Annotated[
        Term | None,
        Rdf("recommendsLineOfTherapy", classes=("LineOfTherapy",), called="line of therapy"),
    ] = None
    recommendation_strength: Annotated[
        Term | None,
        Rdf(
            "recommendationStrength",
            classes=("RecommendationStrength",),
            called="recommendation strength",
        ),
    ] = None
    recommended_for: Annotated[
        DistinctTerms,
        Rdf(
            "recommendedFor",
            classes=("RecommendationCondition",),
            called="recommendation condition",
        ),
    ] = []
    approved_in_decade: Annotated[
        Annotated[int, Field(ge=1000, multiple_of=10)] | None,
        Rdf("approvalDecade", datatype="gYear"),
    ] = None
    rests_on: Annotated[DistinctIds, Rdf("restsOn", refers="statements")] = []
    quotes: list[Quote] = []
    curation_notes: list[CurationNote] = []

    @model_validator(mode="after")
    def _event_has_a_group(self) -> Statement:
        """'In none' needs the event and the patients it did not occur in."""
        if self.event_in_none is not None and (self.event is None or self.among is None):
            raise ValueError("event_in_none needs event (what did not occur) and among (in whom)")
        return self


class SentenceAccount(Strict):
    """What one sentence of the source abstract became: curated elements, or a reason it was not."""

    sentence: SentenceNumber
    curated_as: list[ElementRef] = []
    not_curated: str | None = None

    @model_validator(mode="after")
    def _one_way(self) -> SentenceAccount:
        """A sentence is either curated as elements or left out with a reason."""
        if bool(self.curated_as) == (self.not_curated is not None):
            raise ValueError("give either curated_as (element refs) or not_curated (a reason)")
        return self


class SourceAccount(Strict):
    """How many sentences the source abstract has, and what each one became.

    Sentences are numbered as il2kg splits the source (`records.sources.SENTENCE_BREAK`),
    from the one holding `first_sentence` (1) to the one holding `last_sentence`
    (`sentences`): the audit checks the count and every account against the text.
    """

    sentences: SentenceNumber
    first_sentence: Quote
    last_sentence: Quote
    accounts: list[SentenceAccount] = Field(min_length=1)


class PublicationRecord(Strict):
    """Everything curated from one publication."""

    id: LocalId
    label: str
    source_file: str
    publication: Publication
    study: Study
    cohorts: Annotated[list[Cohort], Elements("cohort", "hasCohort", "Cohort")] = Field(
        min_length=1
    )
    regimens: Annotated[list[Regimen], Elements("regimen", "hasRegimen", "Regimen")] = Field(
        min_length=1
    )
    sequences: Annotated[
        list[Sequence], Elements("sequence", "hasSequence", "TherapySequence")
    ] = []
    outcomes: Annotated[list[Outcome], Elements("outcome", "hasOutcome")] = []
    adverse_events: Annotated[
        list[AdverseEvent], Elements("adverse-event", "hasAdverseEvent", "AdverseEventReport")
    ] = []
    factors: Annotated[
        list[Factor], Elements("factor", "hasFactorAssociation", "FactorAssociation")
    ] = []
    statements: Annotated[list[Statement], Elements("statement", "hasStatement")] = []
    source_sentences: SourceAccount | None = None
    not_curated: list[NotCurated] = []


@cache
def rdf_fields(model: type[BaseModel]) -> dict[str, Rdf]:
    """The fields of a model written as RDF, with how (their `Rdf`), in model order."""
    return {
        name: meta
        for name, info in model.model_fields.items()
        for meta in info.metadata
        if isinstance(meta, Rdf)
    }


def _parts(model: type[BaseModel]) -> list[type[BaseModel]]:
    """A model and every model its fields hold, depth first, each once."""
    found = [model]
    for info in model.model_fields.values():
        for arg in _flatten(info.annotation):
            if isinstance(arg, type) and issubclass(arg, BaseModel) and arg not in found:
                found += [m for m in _parts(arg) if m not in found]
    return found


def _flatten(annotation: object) -> list[object]:
    """The types inside an annotation (list[Cohort] | None -> list, Cohort, None)."""
    return [annotation, *(t for arg in get_args(annotation) for t in _flatten(arg))]


RECORD_MODELS = _parts(PublicationRecord)  # every model a record is made of
# The lists of elements a record defines, each element with a local id, in record order.
ELEMENTS = {
    name: meta
    for name, info in PublicationRecord.model_fields.items()
    for meta in info.metadata
    if isinstance(meta, Elements)
}
# record field -> the model of its elements
ELEMENT_MODELS: dict[str, type[Strict]] = {
    name: get_args(PublicationRecord.model_fields[name].annotation)[0] for name in ELEMENTS
}
# record field -> the kind segment of its elements' refs and IRIs ('outcome/cr')
ELEMENT_KINDS = {name: meta.kind for name, meta in ELEMENTS.items()}
# The fields a curation note may explain -> the local name of the il2kg property stating it.
NOTE_PROPERTIES = {
    name: meta.prop
    for model in ELEMENT_MODELS.values()
    for name, meta in rdf_fields(model).items()
    if meta.noted
}


def element_refs(record: PublicationRecord) -> set[str]:
    """The refs ('publication', 'study', 'outcome/cr'...) of everything a record defines."""
    refs = {"publication", "study"}
    for field, kind in ELEMENT_KINDS.items():
        refs |= {f"{kind}/{element.id}" for element in getattr(record, field)}
    return refs
