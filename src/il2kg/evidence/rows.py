"""Response estimates for forest plots and evidence tables, read from any il2kg graph by SPARQL.

One row per response outcome (study x cohort x category) with its point estimate in percent,
its 95% interval (the reported one where the source gives it, else the derived
Clopper-Pearson one), n/N, the cohort's diseases, the treatment and its context.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from il2kg.graph.derive import agrees
from il2kg.iris import IL2KG
from il2kg.query.result import text_rows

ROWS_QUERY = (
    f"PREFIX il2kg: <{IL2KG}>\n"
    + """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?outcome ?outcomeLabel ?publication ?publicationLabel ?cohort ?cohortLabel
       ?diseases ?category ?categoryLabel ?treatment ?treatmentLabel
       ?count ?countDerived ?denominator ?denominatorDerived ?percent ?percentDerived
       ?reportedLower ?reportedUpper ?derivedLower ?derivedUpper
       ?afterCheckpoint ?afterIl2 ?il2Failed ?selectedOnTreatment
WHERE {
  ?outcome a il2kg:ResponseOutcome ; rdfs:label ?outcomeLabel ;
           il2kg:reportedIn ?publication ; il2kg:inCohort ?cohort ;
           il2kg:hasCategory ?category ; il2kg:afterTreatment ?treatment .
  { SELECT ?publication (SAMPLE(?pl) AS ?publicationLabel)
    WHERE { ?publication rdfs:label ?pl } GROUP BY ?publication }
  { SELECT ?cohort (SAMPLE(?cl) AS ?cohortLabel)
           (GROUP_CONCAT(DISTINCT ?dl; separator=", ") AS ?diseases)
    WHERE { ?cohort rdfs:label ?cl ; il2kg:hasDisease/rdfs:label ?dl } GROUP BY ?cohort }
  { SELECT ?category (SAMPLE(?kl) AS ?categoryLabel)
    WHERE { ?category rdfs:label ?kl } GROUP BY ?category }
  { SELECT ?treatment (SAMPLE(?tl) AS ?treatmentLabel)
    WHERE { ?treatment rdfs:label ?tl } GROUP BY ?treatment }
  OPTIONAL { ?outcome il2kg:count ?reportedCount }
  OPTIONAL { ?outcome il2kg:denominator ?reportedDenominator }
  OPTIONAL { ?outcome il2kg:reportedPercent ?reportedPercent }
  OPTIONAL { ?outcome il2kg:hasConfidenceInterval ?ci .
             ?ci il2kg:confidenceLevel ?level ; il2kg:lowerBound ?reportedLower ;
                 il2kg:upperBound ?reportedUpper FILTER (?level = 95) }
  OPTIONAL { ?outcome il2kg:hasDerivedValue/il2kg:derivedCount ?derivedCount }
  OPTIONAL { ?outcome il2kg:hasDerivedValue/il2kg:derivedDenominator ?derivedDenominator }
  OPTIONAL { ?outcome il2kg:hasDerivedValue/il2kg:derivedPercent ?derivedPercent }
  OPTIONAL { ?outcome il2kg:hasDerivedValue/il2kg:hasConfidenceInterval ?dci .
             ?dci il2kg:confidenceLevel ?derivedLevel ;
                  il2kg:lowerBound ?derivedLower ; il2kg:upperBound ?derivedUpper
             FILTER (?derivedLevel = 95) }
  BIND (COALESCE(?reportedCount, ?derivedCount) AS ?count)
  BIND (!BOUND(?reportedCount) && BOUND(?derivedCount) AS ?countDerived)
  BIND (COALESCE(?reportedDenominator, ?derivedDenominator) AS ?denominator)
  BIND (!BOUND(?reportedDenominator) && BOUND(?derivedDenominator) AS ?denominatorDerived)
  BIND (COALESCE(?reportedPercent, ?derivedPercent) AS ?percent)
  BIND (!BOUND(?reportedPercent) && BOUND(?derivedPercent) AS ?percentDerived)
  BIND (EXISTS { ?cohort il2kg:hadPriorTherapy ?prior FILTER (?prior != ?treatment)
                 ?prior il2kg:hasModality il2kg:checkpoint-inhibitor-therapy }
        AS ?afterCheckpoint)
  BIND (EXISTS { ?cohort il2kg:hadPriorTherapy ?prior FILTER (?prior != ?treatment)
                 ?prior il2kg:usesAgent il2kg:aldesleukin } AS ?afterIl2)
  BIND (EXISTS { ?cohort il2kg:hadPriorTherapy ?prior FILTER (?prior != ?treatment)
                 ?prior il2kg:usesAgent il2kg:aldesleukin .
                 ?failure il2kg:inCohort ?cohort ; il2kg:afterTreatment ?prior ;
                          il2kg:hasCategory ?failed .
                 VALUES ?failed { il2kg:no-response il2kg:progressive-disease } }
        AS ?il2Failed)
  BIND (EXISTS { ?cohort il2kg:hadPriorTherapy ?treatment } AS ?selectedOnTreatment)
  FILTER (BOUND(?percent))
}
ORDER BY ?categoryLabel ?publicationLabel ?cohortLabel ?outcome"""
)
"""The rows behind the forest plots and evidence tables."""


@dataclass(frozen=True)
class EvidenceRow:
    """One response outcome with its estimate, interval and context."""

    outcome: str
    outcome_label: str
    publication: str
    publication_label: str
    cohort: str
    cohort_label: str
    diseases: str
    category: str
    category_label: str
    treatment: str
    treatment_label: str
    percent: Decimal
    percent_derived: bool
    count: int | None
    count_derived: bool
    denominator: int | None
    denominator_derived: bool
    lower: Decimal | None
    upper: Decimal | None
    interval_derived: bool
    context: str
    outcome_selected: bool
    differs: bool = False
    """The reported percent differs from n/N beyond rounding (a curation note says why): no
    interval derived from n/N is given beside it."""

    @property
    def mark(self) -> str:
        """After the estimate: '*' derived by il2kg, '‡' reported but differing from n/N."""
        return "*" if self.percent_derived else "‡" if self.differs else ""

    @property
    def counts(self) -> str:
        """n/N as text, '?' for a part the graph does not have, '*' after a derived part."""

        def part(value: int | None, derived: bool) -> str:
            return "?" if value is None else f"{value}{'*' if derived else ''}"

        return (
            f"{part(self.count, self.count_derived)}/"
            f"{part(self.denominator, self.denominator_derived)}"
        )

    @property
    def interval(self) -> str:
        """The 95% interval as text, saying whether it was reported or derived."""
        if self.lower is None or self.upper is None:
            return "no interval"
        source = "Clopper-Pearson, derived" if self.interval_derived else "reported"
        return f"{_number(self.lower)}-{_number(self.upper)}% ({source})"


def _number(value: Decimal) -> str:
    """A percentage without trailing zeros (11.77, 16, 22.5)."""
    return format(value.normalize(), "f")


SELECTION_CONTEXT = "how the cohort was selected"


def _context(after_checkpoint: bool, il2_failed: bool, after_il2: bool, selected: bool) -> str:
    """The treatment context a cohort's prior therapies put an outcome in; for an outcome of
    the very treatment the cohort was selected on (Fateh's failed IL-2), that it is the
    selection, not an effect."""
    if selected:
        return SELECTION_CONTEXT
    if after_checkpoint:
        return "after checkpoint inhibition"
    if il2_failed:
        return "after failed IL-2"
    return "after IL-2" if after_il2 else "no prior therapy recorded"


def _row(values: dict[str, str]) -> EvidenceRow:
    """An evidence row from one solution of `ROWS_QUERY` (its pattern binds every variable
    read with [], the OPTIONAL ones are read with `optional`)."""
    optional = values.get

    def flag(name: str) -> bool:
        return optional(name) == "true"

    def number(name: str) -> Decimal | None:
        value = optional(name)
        return None if value is None else Decimal(value)

    def integer(name: str) -> int | None:
        value = optional(name)
        return None if value is None else int(value)

    reported = optional("reportedLower") is not None and optional("reportedUpper") is not None
    percent, percent_derived = Decimal(values["percent"]), flag("percentDerived")
    count, denominator = integer("count"), integer("denominator")
    differs = (
        not percent_derived
        and count is not None
        and denominator is not None
        and denominator > 0
        and not agrees(percent, count, denominator)
    )
    derived = not reported and not differs and optional("derivedLower") is not None
    return EvidenceRow(
        outcome=values["outcome"],
        outcome_label=values["outcomeLabel"],
        publication=values["publication"],
        publication_label=values["publicationLabel"],
        cohort=values["cohort"],
        cohort_label=values["cohortLabel"],
        diseases=", ".join(sorted(values["diseases"].split(", "))),  # GROUP_CONCAT: no order
        category=values["category"],
        category_label=values["categoryLabel"],
        treatment=values["treatment"],
        treatment_label=values["treatmentLabel"],
        percent=percent,
        percent_derived=percent_derived,
        count=count,
        count_derived=flag("countDerived"),
        denominator=denominator,
        denominator_derived=flag("denominatorDerived"),
        lower=number("reportedLower") if reported else number("derivedLower") if derived else None,
        upper=number("reportedUpper") if reported else number("derivedUpper") if derived else None,
        interval_derived=derived,
        context=_context(
            flag("afterCheckpoint"),
            flag("il2Failed"),
            flag("afterIl2"),
            flag("selectedOnTreatment"),
        ),
        outcome_selected=flag("selectedOnTreatment"),
        differs=differs,
    )


def rows_from_json(payload: bytes) -> list[EvidenceRow]:
    """The evidence rows of a SPARQL JSON result of `ROWS_QUERY`."""
    return [_row(values) for values in text_rows(payload)]


def by_category(rows: list[EvidenceRow]) -> dict[str, list[EvidenceRow]]:
    """Rows grouped by category label, in their order."""
    groups: dict[str, list[EvidenceRow]] = {}
    for row in rows:
        groups.setdefault(row.category_label, []).append(row)
    return groups


def _names(text: str) -> str:
    """A name as a user may type it: case and '-' or ' ' do not matter."""
    return text.casefold().replace("-", " ").strip()


SELECTORS = {  # selector -> the names a row answers to
    "category": lambda r: {r.category.rsplit("/", 1)[-1], r.category_label},
    "disease": lambda r: set(r.diseases.split(", ")),
    "context": lambda r: {r.context},
    "study": lambda r: {r.publication.rstrip("/").rsplit("/", 1)[-1], r.publication_label},
}


def select(rows: list[EvidenceRow], **wanted: list[str]) -> list[EvidenceRow]:
    """The rows matching every selector given (category, disease, context, study), each
    one of its names (e.g. disease=['metastatic-melanoma'], study=['atkins-1999'])."""

    def keep(row: EvidenceRow) -> bool:
        return all(
            {_names(n) for n in SELECTORS[key](row)} & {_names(n) for n in names}
            for key, names in wanted.items()
            if names
        )

    return [row for row in rows if keep(row)]


def choices(rows: list[EvidenceRow], key: str) -> list[str]:
    """The names one selector can take in these rows, sorted (for an error message)."""
    return sorted({name for row in rows for name in SELECTORS[key](row)})
