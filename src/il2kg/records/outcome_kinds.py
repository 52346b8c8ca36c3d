"""The one table of outcome kinds: what each kind is typed as, measures and carries.

Records, cross-reference checks, the converter, derived statistics and the FHIR export all
read `OUTCOME_KINDS`; tests check it against the ontology's disjoint outcome classes and the
shapes. To add a kind, see ARCHITECTURE.md, "Add an outcome kind".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rdflib import URIRef

from il2kg.iris import IL2KG

KindName = Literal["response", "status", "time"]
"""The `kind` of an outcome record; `OUTCOME_KINDS` has one entry per name (a test checks)."""


@dataclass(frozen=True)
class OutcomeKind:
    """One kind of outcome: its class, the class of its categories, and what it carries."""

    name: KindName
    outcome_class: str
    """Local name of the il2kg class its outcomes are typed with."""
    category_class: str
    """Local name of the il2kg class its category terms must belong to."""
    timed: bool
    """True: an outcome of this kind needs a time and has no counts (no derived rates)."""

    @property
    def category_iri(self) -> URIRef:
        return IL2KG[self.category_class]


OUTCOME_KINDS: dict[str, OutcomeKind] = {
    kind.name: kind
    for kind in (
        OutcomeKind("response", "ResponseOutcome", "ResponseCategory", timed=False),
        OutcomeKind("status", "StatusOutcome", "PatientStatus", timed=False),
        OutcomeKind("time", "TimeOutcome", "TimeEndpoint", timed=True),
    )
}
