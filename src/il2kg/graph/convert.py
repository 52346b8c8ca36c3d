"""Records to RDF: a pure, deterministic conversion with IRIs built from record ids."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from urllib.parse import quote

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV

from il2kg.graph.derive import CLOPPER_PEARSON, Derived, derive_outcomes
from il2kg.iris import BIBO, CITO, IL2KG, OA, RES, SOURCE, bind_prefixes
from il2kg.records.model import (
    NOTE_PROPERTIES,
    SCHEDULE_FIELDS,
    AdverseEvent,
    Cohort,
    Comparison,
    CurationNote,
    Factor,
    NotCurated,
    Outcome,
    PublicationRecord,
    Quantity,
    Quote,
    Regimen,
    Sequence,
    Statement,
)
from il2kg.records.outcome_kinds import OUTCOME_KINDS
from il2kg.records.sources import quote_end, sentence_bounds

STATEMENT_CLASS = {
    "hypothesis": "Hypothesis",
    "conclusion": "Conclusion",
    "observation": "Observation",
    "background": "BackgroundStatement",
}
SCHEDULE_PROPERTIES = {  # infusion_duration -> il2kg:infusionDuration
    field: IL2KG[re.sub(r"_(\w)", lambda m: m.group(1).upper(), field)] for field in SCHEDULE_FIELDS
}
DATE_TYPES = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}
STATISTICS = {  # a record's statistic -> its il2kg:SummaryStatistic term
    "mean": "mean",
    "median": "median",
    "range": "observed-range",
    "typical": "typical-value",
}


def term(name: str) -> URIRef:
    """The IRI of a controlled-vocabulary term."""
    return IL2KG[name]


def date_literal(text: str) -> Literal:
    """A partial date as xsd:gYear, xsd:gYearMonth or xsd:date, by its precision."""
    return Literal(text, datatype=DATE_TYPES[len(text)])


def decimal_literal(value: Decimal | int) -> Literal:
    """An xsd:decimal in its canonical form (XSD 1.1: `12`, `12.5`), the one stores keep."""
    text = format(Decimal(value).normalize(), "f")
    return Literal("0" if text == "-0" else text, datatype=XSD.decimal)


def doi_iri(doi: str) -> URIRef:
    """The doi.org IRI of a DOI, percent-encoding what an IRI path cannot hold (RFC 3986)."""
    return URIRef("https://doi.org/" + quote(doi, safe="/:@!$&'()*+,;="))


Sources = Callable[[str], str]  # a source file's name -> its text


Triple = tuple[URIRef, URIRef, URIRef | Literal]
Emit = Callable[[Triple], object]  # where the writer sends each triple: a list, a graph


class _Writer:
    """Sends one record's triples to `emit`, in a fixed order; skips absent values. The
    labels it gives are its own state, so nothing is read back from where triples went."""

    def __init__(
        self, emit: Emit, record: PublicationRecord, sources: Sources | None = None
    ) -> None:
        self.emit = emit
        self.labels: dict[URIRef, str] = {}
        self.record = record
        self.sources = sources
        self.pub = RES[record.id]
        self.study = RES[f"{record.id}/study"]

    def iri(self, kind: str, local_id: str) -> URIRef:
        return RES[f"{self.record.id}/{kind}/{local_id}"]

    def ref(self, ref: str) -> URIRef:
        """The IRI of an element ref: 'publication', 'study' or 'kind/local-id'."""
        return {"publication": self.pub, "study": self.study}.get(
            ref, RES[f"{self.record.id}/{ref}"]
        )

    def notes(self, owner: URIRef, notes: list[CurationNote]) -> None:
        """Curation notes, each linked to its element and to the property it explains."""
        for index, note in enumerate(notes, start=1):
            node = URIRef(f"{owner}/note/{index}")
            self.emit((owner, IL2KG.hasCurationNote, node))
            self.node(node, "CurationNote", f"curation note {index} of {self.label(owner)}")
            self.emit((node, IL2KG.concernsProperty, IL2KG[NOTE_PROPERTIES[note.about]]))
            self.add(node, IL2KG.curationBasis, " ".join(note.basis.split()))

    def quotes(
        self, owner: URIRef, quotes: list[Quote] | list[NotCurated], slot: str = "quote"
    ) -> None:
        """Each quote as a W3C Web Annotation of its source text with the element as body:
        a TextQuoteSelector (the exact words, and the rest of their sentence as prefix and
        suffix) and, where the source text is at hand, a TextPositionSelector."""
        for index, q in enumerate(quotes, start=1):
            note = URIRef(f"{owner}/{slot}/{index}")
            target = URIRef(f"{note}/target")
            self.emit((note, RDF.type, OA.Annotation))
            self.emit((note, RDFS.label, Literal(f"{slot} {index} of {self.label(owner)}")))
            self.emit((note, OA.hasTarget, target))
            if isinstance(q, NotCurated):  # a comment on the source: why it was left out
                self.emit((note, OA.motivatedBy, OA.commenting))
                self.add(note, OA.bodyValue, " ".join(q.reason.split()))
            else:  # the element describes the words it was curated from
                self.emit((note, OA.motivatedBy, OA.describing))
                self.emit((note, OA.hasBody, owner))
            self.emit((target, RDF.type, OA.SpecificResource))
            name = q.source or self.record.source_file
            self.emit((target, OA.hasSource, SOURCE[quote(name)]))
            exact = URIRef(f"{note}/text-quote")
            self.emit((target, OA.hasSelector, exact))
            self.emit((exact, RDF.type, OA.TextQuoteSelector))
            text = self.sources(name) if self.sources else None
            end = quote_end(text, q.text, q.start) if text is not None else None
            if text is None or end is None:
                self.add(exact, OA.exact, " ".join(q.text.split()))
                continue
            first, last = sentence_bounds(text, q.start, end)
            self.add(exact, OA.exact, text[q.start : end])
            self.add(exact, OA.prefix, text[first : q.start].lstrip() or None)
            self.add(exact, OA.suffix, text[end:last] or None)
            position = URIRef(f"{note}/text-position")
            self.emit((target, OA.hasSelector, position))
            self.emit((position, RDF.type, OA.TextPositionSelector))
            self.add(position, OA.start, q.start, XSD.integer)
            self.add(position, OA.end, end, XSD.integer)

    def label(self, node: URIRef) -> str:
        """The label this writer gave `node`."""
        return self.labels[node]

    def add(
        self, subject: URIRef, predicate: URIRef, value: object, datatype: URIRef | None = None
    ) -> None:
        if value is None or value == []:
            return
        obj: URIRef | Literal
        if isinstance(value, URIRef):
            obj = value
        elif datatype == XSD.decimal and isinstance(value, Decimal | int):
            obj = decimal_literal(value)
        elif datatype is not None:
            obj = Literal(str(value), datatype=datatype)
        else:
            obj = Literal(value)
        self.emit((subject, predicate, obj))

    def node(self, subject: URIRef, cls: str, label: str) -> None:
        self.labels[subject] = label
        self.emit((subject, RDF.type, IL2KG[cls]))
        self.emit((subject, RDFS.label, Literal(label)))

    def element(self, subject: URIRef, cls: str, label: str, link: str) -> None:
        """A curated element of the study, typed, labelled, linked and sourced."""
        self.node(subject, cls, label)
        self.emit((self.study, IL2KG[link], subject))
        self.emit((subject, IL2KG.reportedIn, self.pub))

    def quantity(self, owner: URIRef, predicate: URIRef, slot: str, q: Quantity | None) -> None:
        if q is None:
            return
        node = URIRef(f"{owner}/{slot}")
        self.emit((owner, predicate, node))
        self.node(node, "Quantity", f"{slot.replace('-', ' ')} of {self.label(owner)}")
        self.add(node, IL2KG.numericValue, q.value, XSD.decimal)
        self.add(node, IL2KG.lowerValue, q.lower, XSD.decimal)
        self.add(node, IL2KG.upperValue, q.upper, XSD.decimal)
        self.add(node, IL2KG.unit, term(q.unit) if q.unit else None)
        self.add(node, IL2KG.comparator, q.comparator)
        self.add(node, IL2KG.statistic, term(STATISTICS[q.statistic]) if q.statistic else None)
        self.add(node, IL2KG.lowerOpenEnded, q.lower_open_ended)
        self.add(node, IL2KG.upperOpenEnded, q.upper_open_ended)
        self.add(node, IL2KG.notReached, q.not_reached)

    def publication(self) -> None:
        p, r = self.record.publication, self.record
        self.node(self.pub, "Publication", r.label)
        self.add(self.pub, DCTERMS.title, " ".join(p.title.split()))
        for author in p.authors:
            self.add(self.pub, DCTERMS.creator, author)
        if p.authors:
            self.add(self.pub, IL2KG.authorList, "; ".join(p.authors))
        self.add(self.pub, IL2KG.authorListComplete, p.authors_complete)
        self.add(self.pub, IL2KG.journalTitle, p.journal)
        self.add(self.pub, IL2KG.journalTitleExpansion, p.journal_expansion)
        self.emit((self.pub, DCTERMS.issued, date_literal(p.date)))
        self.add(self.pub, BIBO.volume, p.volume)
        self.add(self.pub, BIBO.issue, p.issue)
        self.add(self.pub, BIBO.pages, p.pages)
        self.add(self.pub, IL2KG.articleNumber, p.article_number)
        if p.doi:
            self.add(self.pub, BIBO.doi, p.doi)
            self.add(self.pub, RDFS.seeAlso, doi_iri(p.doi))
        for kind in p.publication_types:
            self.emit((self.pub, IL2KG.publicationType, term(kind)))
        for cited in p.cites:
            self.emit((self.pub, CITO.cites, doi_iri(cited)))
        self.add(self.pub, IL2KG.metadataSource, p.metadata_source)
        self.add(self.pub, IL2KG.curationSource, r.source_file)
        self.quotes(self.pub, p.quotes)

    def study_node(self) -> None:
        s = self.record.study
        self.node(self.study, "Study", s.label)
        self.emit((self.pub, IL2KG.reportsStudy, self.study))
        self.emit((self.study, IL2KG.reportedIn, self.pub))
        for design in s.designs:
            self.emit((self.study, IL2KG.hasStudyDesign, term(design)))
        self.add(self.study, IL2KG.objective, s.objective)
        self.add(self.study, IL2KG.setting, s.setting)
        self.add(self.study, IL2KG.numberOfCentres, s.centres, XSD.integer)
        self.add(self.study, IL2KG.numberOfTrials, s.trials, XSD.integer)
        self.add(self.study, IL2KG.registryName, s.registry)
        self.add(self.study, IL2KG.selectionCriteria, s.selection)
        for period, start, end in (
            (s.treatment_period, "treatmentPeriodStart", "treatmentPeriodEnd"),
            (s.data_cutoff, None, "dataCutoff"),
        ):
            if period is None:
                continue
            if start and period.start:
                self.emit((self.study, IL2KG[start], date_literal(period.start)))
            if period.end:
                self.emit((self.study, IL2KG[end], date_literal(period.end)))
            self.add(self.study, IL2KG.timingNote, period.note)
        self.quotes(self.study, s.quotes)

    def cohort(self, c: Cohort) -> None:
        node = self.iri("cohort", c.id)
        self.element(node, "Cohort", c.label, "hasCohort")
        for disease in c.diseases:
            self.emit((node, IL2KG.hasDisease, term(disease)))
        self.add(node, IL2KG.size, c.size, XSD.integer)
        self.add(node, IL2KG.subCohortOf, self.iri("cohort", c.parent) if c.parent else None)
        for prior in c.prior_therapies:
            self.emit((node, IL2KG.hadPriorTherapy, self.iri("regimen", prior)))
        for group in c.age_groups:
            self.emit((node, IL2KG.includesAgeGroup, term(group)))
        for index, criterion in enumerate(c.selection, start=1):
            crit = URIRef(f"{node}/selection/{index}")
            self.emit((node, IL2KG.selectedBy, crit))
            self.node(crit, "SelectionCriterion", f"selection criterion {index} of {c.label}")
            self.emit((crit, IL2KG.selectionBasis, term(criterion.criterion)))
            self.quantity(crit, IL2KG.threshold, "threshold", criterion.threshold)
            self.add(crit, RDFS.comment, criterion.text)
        self.add(node, RDFS.comment, c.description)
        self.notes(node, c.curation_notes)
        self.quotes(node, c.quotes)

    def regimen(self, r: Regimen) -> None:
        node = self.iri("regimen", r.id)
        self.element(node, "Regimen", r.label, "hasRegimen")
        for agent in r.agents:
            self.emit((node, IL2KG.usesAgent, term(agent)))
        for agent in r.alternative_agents:
            self.emit((node, IL2KG.alternativeAgent, term(agent)))
        for modality in r.modalities:
            self.emit((node, IL2KG.hasModality, term(modality)))
        self.add(node, IL2KG.hasRoute, term(r.route) if r.route else None)
        for doses, predicate, slot in (
            (r.doses, IL2KG.hasDose, "dose"),
            (r.alternative_doses, IL2KG.alternativeDose, "alternative-dose"),
        ):
            for index, dose in enumerate(doses, start=1):
                dose_node = URIRef(f"{node}/{slot}/{index}")
                self.emit((node, predicate, dose_node))
                self.node(dose_node, "Dose", f"{slot.replace('-', ' ')} {index} of {r.label}")
                self.add(dose_node, IL2KG.numericValue, dose.value, XSD.decimal)
                self.emit((dose_node, IL2KG.unit, term(dose.unit)))
        for field, prop in SCHEDULE_PROPERTIES.items():
            self.quantity(node, prop, field.replace("_", "-"), getattr(r, field))
        self.add(node, IL2KG.administrationCondition, r.condition)
        for care in r.supportive_care:
            self.emit((node, IL2KG.allowsSupportiveCare, term(care)))
        self.add(node, IL2KG.productName, r.product)
        self.add(node, IL2KG.manufacturer, r.manufacturer)
        self.add(node, RDFS.comment, r.description)
        self.notes(node, r.curation_notes)
        self.quotes(node, r.quotes)

    def treatment(self, local_id: str) -> URIRef:
        sequences = {s.id for s in self.record.sequences}
        return self.iri("sequence" if local_id in sequences else "regimen", local_id)

    def sequence(self, s: Sequence) -> None:
        node = self.iri("sequence", s.id)
        self.element(node, "TherapySequence", s.label, "hasSequence")
        self.emit((node, IL2KG.inCohort, self.iri("cohort", s.cohort)))
        self.add(node, RDFS.comment, s.description)
        steps = [URIRef(f"{node}/step/{i}") for i in range(1, len(s.steps) + 1)]
        for order, (step_node, step) in enumerate(zip(steps, s.steps, strict=True), start=1):
            self.emit((node, IL2KG.hasStep, step_node))
            self.node(step_node, "SequenceStep", f"step {order} of {s.label}")
            self.emit((step_node, IL2KG.stepOrder, Literal(order, datatype=XSD.integer)))
            self.emit((step_node, IL2KG.stepRegimen, self.iri("regimen", step.regimen)))
            self.quantity(
                step_node,
                IL2KG.startAfterPrevious,
                "start-after-previous",
                step.start_after_previous,
            )
            if order < len(steps):
                self.emit((step_node, IL2KG.nextStep, steps[order]))
        self.notes(node, s.curation_notes)
        self.quotes(node, s.quotes)

    def outcome(self, o: Outcome, derived: Derived | None) -> None:
        node = self.iri("outcome", o.id)
        self.element(node, OUTCOME_KINDS[o.kind].outcome_class, o.label, "hasOutcome")
        self.emit((node, IL2KG.inCohort, self.iri("cohort", o.cohort)))
        self.emit((node, IL2KG.afterTreatment, self.treatment(o.treatment)))
        self.emit((node, IL2KG.hasCategory, term(o.category)))
        self.add(node, IL2KG["count"], o.count, XSD.integer)
        self.add(node, IL2KG.denominator, o.denominator, XSD.integer)
        self.add(node, IL2KG.reportedPercent, o.percent, XSD.decimal)
        self.add(node, IL2KG.amongOutcome, self.iri("outcome", o.among) if o.among else None)
        for component in o.components:
            self.emit((node, IL2KG.hasComponent, self.iri("outcome", component)))
        self.add(node, IL2KG.bestResponse, o.best_response)
        self.quantity(node, IL2KG.hasTime, "time", o.time)
        self.add(node, IL2KG.measuredFrom, term(o.time_origin) if o.time_origin else None)
        self.add(
            node,
            IL2KG.originRegimen,
            self.iri("regimen", o.origin_regimen) if o.origin_regimen else None,
        )
        self.add(node, RDFS.comment, o.note)
        self.notes(node, o.curation_notes)
        self.quotes(node, o.quotes)
        if o.ci is not None:
            self.interval(
                node,
                f"{node}/ci",
                f"reported {o.ci.level}% CI of {o.label}",
                o.ci.level,
                o.ci.lower,
                o.ci.upper,
            )
        if derived is not None:
            self.derived(node, o, derived)

    def interval(
        self, owner: URIRef, iri: str, label: str, level: Decimal, lower: Decimal, upper: Decimal
    ) -> None:
        ci = URIRef(iri)
        self.emit((owner, IL2KG.hasConfidenceInterval, ci))
        self.node(ci, "ConfidenceInterval", label)
        self.add(ci, IL2KG.confidenceLevel, level, XSD.decimal)
        self.add(ci, IL2KG.lowerBound, lower, XSD.decimal)
        self.add(ci, IL2KG.upperBound, upper, XSD.decimal)

    def derived(self, owner: URIRef, o: Outcome, d: Derived) -> None:
        node = URIRef(f"{owner}/derived")
        self.emit((owner, IL2KG.hasDerivedValue, node))
        self.node(node, "DerivedValue", f"derived figures of {o.label}")
        self.emit((node, PROV.wasDerivedFrom, owner))
        methods = []
        if d.count is not None:
            self.add(node, IL2KG.derivedCount, d.count, XSD.integer)
            methods.append("count summed from component outcomes")
            for component in d.count_from:
                self.emit((node, PROV.wasDerivedFrom, self.iri("outcome", component)))
        if d.denominator is not None and d.denominator_from is not None:
            self.add(node, IL2KG.derivedDenominator, d.denominator, XSD.integer)
            methods.append("denominator taken from the count of the outcome it is among")
            self.emit((node, PROV.wasDerivedFrom, self.iri("outcome", d.denominator_from)))
        if d.percent is not None and d.ci_lower is not None and d.ci_upper is not None:
            self.add(node, IL2KG.derivedPercent, d.percent, XSD.decimal)
            methods.append("percent = count / denominator, rounded half up to 0.01")
            methods.append(f"95% {CLOPPER_PEARSON}")
            self.interval(
                node,
                f"{node}/ci",
                f"derived 95% CI of {o.label}",
                Decimal(95),
                d.ci_lower,
                d.ci_upper,
            )
        for method in methods:
            self.add(node, IL2KG.derivationMethod, method)

    def adverse_event(self, a: AdverseEvent) -> None:
        node = self.iri("adverse-event", a.id)
        self.element(node, "AdverseEventReport", a.label, "hasAdverseEvent")
        self.emit((node, IL2KG.inCohort, self.iri("cohort", a.cohort)))
        self.emit((node, IL2KG.eventCondition, term(a.event)))
        self.add(node, IL2KG["count"], a.count, XSD.integer)
        self.add(node, IL2KG.denominator, a.denominator, XSD.integer)
        self.add(node, IL2KG.reportedPercent, a.percent, XSD.decimal)
        self.add(node, IL2KG.fatal, a.fatal)
        self.add(node, IL2KG.attributedToTreatment, a.attributed_to_treatment)
        self.add(node, IL2KG.afterTreatment, self.treatment(a.treatment) if a.treatment else None)
        self.add(node, IL2KG.amongOutcome, self.iri("outcome", a.among) if a.among else None)
        for prior in a.prior_therapies:
            self.emit((node, IL2KG.hadPriorTherapy, self.iri("regimen", prior)))
        for remedy in a.management:
            self.emit((node, IL2KG.managedWith, term(remedy)))
        self.add(node, RDFS.comment, a.note)
        self.notes(node, a.curation_notes)
        self.quotes(node, a.quotes)

    def factor(self, f: Factor) -> None:
        node = self.iri("factor", f.id)
        self.element(node, "FactorAssociation", f.label, "hasFactorAssociation")
        self.emit((node, IL2KG.factor, term(f.factor)))
        self.add(node, IL2KG.factorLevel, term(f.level) if f.level else None)
        self.emit((node, IL2KG.associatedWith, term(f.associated_with)))
        self.emit((node, IL2KG.inCohort, self.iri("cohort", f.cohort)))
        self.emit((node, IL2KG.associationKind, Literal(f.association)))
        self.notes(node, f.curation_notes)
        self.quotes(node, f.quotes)

    def statement(self, s: Statement) -> None:
        node = self.iri("statement", s.id)
        text = " ".join(s.text.split())
        self.node(node, STATEMENT_CLASS[s.kind], text if len(text) <= 80 else text[:77] + "...")
        self.emit((self.pub, IL2KG.hasStatement, node))
        self.emit((node, IL2KG.reportedIn, self.pub))
        self.emit((node, IL2KG.statementText, Literal(text)))
        for prop, terms in (
            (IL2KG.isAbout, s.about),
            (IL2KG.hedgedAs, s.hedges),
            (IL2KG.anatomicalSite, s.sites),
            (IL2KG.inPatientsWith, s.patient_characteristics),
            (IL2KG.toxicityCharacteristic, s.toxicity),
            (IL2KG.identifiedAntigenClass, s.antigen_classes),
            (IL2KG.recommendedFor, s.recommended_for),
            (IL2KG.recommendsLineOfTherapy, [s.recommended_line] if s.recommended_line else []),
            (
                IL2KG.recommendationStrength,
                [s.recommendation_strength] if s.recommendation_strength else [],
            ),
            (IL2KG.observedEvent, [s.event] if s.event else []),
        ):
            for name in terms:
                self.emit((node, prop, term(name)))
        self.quantity(node, IL2KG.threshold, "threshold", s.threshold)
        self.add(node, IL2KG.amongOutcome, self.iri("outcome", s.among) if s.among else None)
        self.add(node, IL2KG.eventInNoPatient, s.event_in_none)
        self.add(node, IL2KG.siteCoverage, s.site_coverage)
        self.add(node, IL2KG.approvalDecade, s.approved_in_decade, XSD.gYear)
        for basis in s.rests_on:
            self.emit((node, IL2KG.restsOn, self.iri("statement", basis)))
        if s.comparison is not None:
            self.comparison(node, s.comparison)
        self.notes(node, s.curation_notes)
        self.quotes(node, s.quotes)

    def comparison(self, owner: URIRef, c: Comparison) -> None:
        """A statement's comparison of a cohort with patients outside the study."""
        node = URIRef(f"{owner}/comparison")
        self.emit((owner, IL2KG.hasComparison, node))
        self.node(node, "Comparison", f"comparison of {self.label(owner)}")
        self.emit((node, IL2KG.comparisonResult, term(c.result)))
        self.emit((node, IL2KG.comparedAspect, term(c.aspect)))
        self.emit((node, IL2KG.comparedCohort, self.iri("cohort", c.cohort)))
        self.emit((node, IL2KG.referenceTreatment, self.treatment(c.reference_treatment)))
        for prior in c.reference_without_prior:
            self.emit((node, IL2KG.referenceWithoutPriorTherapy, term(prior)))

    def sentences(self) -> None:
        """The abstract's sentence count, each element's sentences, and those left out with why."""
        account = self.record.source_sentences
        if account is None:
            return
        self.add(self.pub, IL2KG.abstractSentenceCount, account.sentences, XSD.integer)
        for entry in account.accounts:
            for ref in entry.curated_as:
                self.add(self.ref(ref), IL2KG.sourceSentence, entry.sentence, XSD.integer)
            if entry.not_curated is not None:
                node = URIRef(f"{self.pub}/sentence/{entry.sentence}")
                self.node(
                    node, "UncuratedSentence", f"sentence {entry.sentence} of {self.record.label}"
                )
                self.emit((node, IL2KG.reportedIn, self.pub))
                self.add(node, IL2KG.sentenceNumber, entry.sentence, XSD.integer)
                self.add(node, IL2KG.reasonNotCurated, " ".join(entry.not_curated.split()))

    def write(self) -> None:
        r = self.record
        self.publication()
        self.study_node()
        for regimen in r.regimens:
            self.regimen(regimen)
        for cohort in r.cohorts:
            self.cohort(cohort)
        for sequence in r.sequences:
            self.sequence(sequence)
        derived = derive_outcomes(list(r.outcomes))
        for outcome in r.outcomes:
            self.outcome(outcome, derived.get(outcome.id))
        for event in r.adverse_events:
            self.adverse_event(event)
        for factor in r.factors:
            self.factor(factor)
        for statement in r.statements:
            self.statement(statement)
        self.sentences()
        self.quotes(self.pub, r.not_curated, "not-curated")


def record_triples(record: PublicationRecord, sources: Sources | None = None) -> list[Triple]:
    """One record's triples, in the order they are written (a triple may come twice); `sources`
    gives the text of a source file, for the offsets and sentences of quotes."""
    triples: list[Triple] = []
    _Writer(triples.append, record, sources).write()
    return triples


def records_to_graph(records: Iterable[PublicationRecord], sources: Sources | None = None) -> Graph:
    """The rdflib graph of all records, for what needs one (reasoning, tests); the build
    streams `record_triples` into a store instead (`graph.quads`)."""
    graph = bind_prefixes(Graph())
    for record in records:
        _Writer(graph.add, record, sources).write()
    return graph
