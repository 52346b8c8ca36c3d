"""Records to RDF: a pure, deterministic conversion with IRIs built from record ids."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from urllib.parse import quote

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV

from il2kg.graph.derive import CLOPPER_PEARSON, Derived, derive_outcomes
from il2kg.iris import BIBO, CITO, IL2KG, OA, RES, SOURCE, bind_prefixes
from il2kg.records.model import (
    ELEMENTS,
    NOTE_PROPERTIES,
    SCHEDULE_FIELDS,
    AdverseEvent,
    Cohort,
    Comparison,
    ConfidenceInterval,
    CurationNote,
    Factor,
    NotCurated,
    Outcome,
    PublicationRecord,
    Quantity,
    Quote,
    Rdf,
    Regimen,
    SelectionCriterion,
    Sequence,
    Statement,
    Step,
    Strict,
    rdf_fields,
)
from il2kg.records.outcome_kinds import OUTCOME_KINDS
from il2kg.records.sources import quote_end, sentence_bounds
from il2kg.terms import ONT

STATEMENT_CLASS = {
    "hypothesis": "Hypothesis",
    "conclusion": "Conclusion",
    "observation": "Observation",
    "background": "BackgroundStatement",
}
DATE_TYPES = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}
STATISTICS = {  # a record's statistic -> its il2kg:SummaryStatistic term
    "mean": "mean",
    "median": "median",
    "range": "observed-range",
    "typical": "typical-value",
}


def term(name: str) -> URIRef:
    """The IRI of a controlled-vocabulary term (a project's ontology may add terms)."""
    return IL2KG[name]


def prop(model: type[Strict], field: str) -> URIRef:
    """The property a record field is written with: its `Rdf` on the model."""
    return ONT[rdf_fields(model)[field].prop]


DATATYPES = {int: XSD.integer, Decimal: XSD.decimal}  # bool and str: plain literals


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
            self.emit((owner, ONT.hasCurationNote, node))
            self.node(node, "CurationNote", f"curation note {index} of {self.label(owner)}")
            self.emit((node, ONT.concernsProperty, ONT[NOTE_PROPERTIES[note.about]]))
            self.add(node, ONT.curationBasis, " ".join(note.basis.split()))

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
        self.emit((subject, RDF.type, ONT[cls]))
        self.emit((subject, RDFS.label, Literal(label)))

    def element(self, list_name: str, local_id: str, label: str, cls: str = "") -> URIRef:
        """A curated element of one of the record's lists (`ELEMENTS`): its IRI, typed,
        labelled, linked from the study (statements: the publication) and sourced."""
        meta = ELEMENTS[list_name]
        subject = self.iri(meta.kind, local_id)
        self.node(subject, cls or meta.cls, label)
        owner = self.pub if list_name == "statements" else self.study
        self.emit((owner, ONT[meta.link], subject))
        self.emit((subject, ONT.reportedIn, self.pub))
        return subject

    def to(self, refers: str, local_id: str) -> URIRef:
        """The IRI of the element a local id names in an element list ('treatments': a
        regimen or a sequence)."""
        if refers == "treatments":
            return self.treatment(local_id)
        return self.iri(ELEMENTS[refers].kind, local_id)

    def value(self, meta: Rdf, item: object) -> object:
        """One value of a field as RDF: a term's IRI, an element's IRI, or itself."""
        if meta.term or meta.classes:
            return term(str(item))
        if meta.refers:
            return self.to(meta.refers, str(item))
        return item

    def fields(self, node: URIRef, element: Strict, *names: str) -> None:
        """Fields of an element, each with its property and kind of value from the model's
        `Rdf`; a list field gives one triple per item, an absent one none."""
        table = rdf_fields(type(element))
        for name in names:
            meta, value = table[name], getattr(element, name)
            datatype = XSD[meta.datatype] if meta.datatype else None
            for item in value if isinstance(value, list) else [value]:
                if item is not None:
                    kind = datatype or DATATYPES.get(type(item))
                    self.add(node, ONT[meta.prop], self.value(meta, item), kind)

    def quantity(self, owner: URIRef, predicate: URIRef, slot: str, q: Quantity | None) -> None:
        if q is None:
            return
        node = URIRef(f"{owner}/{slot}")
        self.emit((owner, predicate, node))
        self.node(node, "Quantity", f"{slot.replace('-', ' ')} of {self.label(owner)}")
        self.fields(node, q, "value", "lower", "upper", "unit", "comparator")
        self.add(node, ONT.statistic, term(STATISTICS[q.statistic]) if q.statistic else None)
        self.fields(node, q, "lower_open_ended", "upper_open_ended", "not_reached")

    def publication(self) -> None:
        p, r = self.record.publication, self.record
        self.node(self.pub, "Publication", r.label)
        self.add(self.pub, DCTERMS.title, " ".join(p.title.split()))
        for author in p.authors:
            self.add(self.pub, DCTERMS.creator, author)
        if p.authors:
            self.add(self.pub, ONT.authorList, "; ".join(p.authors))
        self.fields(self.pub, p, "authors_complete", "journal", "journal_expansion")
        self.emit((self.pub, DCTERMS.issued, date_literal(p.date)))
        self.add(self.pub, BIBO.volume, p.volume)
        self.add(self.pub, BIBO.issue, p.issue)
        self.add(self.pub, BIBO.pages, p.pages)
        self.fields(self.pub, p, "article_number")
        if p.doi:
            self.add(self.pub, BIBO.doi, p.doi)
            self.add(self.pub, RDFS.seeAlso, doi_iri(p.doi))
        self.fields(self.pub, p, "publication_types")
        for cited in p.cites:
            self.emit((self.pub, CITO.cites, doi_iri(cited)))
        self.fields(self.pub, p, "metadata_source")
        self.add(self.pub, ONT.curationSource, r.source_file)
        self.quotes(self.pub, p.quotes)

    def study_node(self) -> None:
        s = self.record.study
        self.node(self.study, "Study", s.label)
        self.emit((self.pub, ONT.reportsStudy, self.study))
        self.emit((self.study, ONT.reportedIn, self.pub))
        self.fields(self.study, s, "designs", "objective", "setting", "centres", "trials")
        self.fields(self.study, s, "registry", "selection")
        for period, start, end in (
            (s.treatment_period, "treatmentPeriodStart", "treatmentPeriodEnd"),
            (s.data_cutoff, None, "dataCutoff"),
        ):
            if period is None:
                continue
            if start and period.start:
                self.emit((self.study, ONT[start], date_literal(period.start)))
            if period.end:
                self.emit((self.study, ONT[end], date_literal(period.end)))
            self.add(self.study, ONT.timingNote, period.note)
        self.quotes(self.study, s.quotes)

    def cohort(self, c: Cohort) -> None:
        node = self.element("cohorts", c.id, c.label)
        self.fields(node, c, "diseases", "size", "parent", "prior_therapies", "age_groups")
        for index, criterion in enumerate(c.selection, start=1):
            crit = URIRef(f"{node}/selection/{index}")
            self.emit((node, prop(Cohort, "selection"), crit))
            self.node(crit, "SelectionCriterion", f"selection criterion {index} of {c.label}")
            self.fields(crit, criterion, "criterion")
            threshold = prop(SelectionCriterion, "threshold")
            self.quantity(crit, threshold, "threshold", criterion.threshold)
            self.add(crit, RDFS.comment, criterion.text)
        self.add(node, RDFS.comment, c.description)
        self.notes(node, c.curation_notes)
        self.quotes(node, c.quotes)

    def regimen(self, r: Regimen) -> None:
        node = self.element("regimens", r.id, r.label)
        self.fields(node, r, "agents", "alternative_agents", "modalities", "route")
        for field, slot in (("doses", "dose"), ("alternative_doses", "alternative-dose")):
            for index, dose in enumerate(getattr(r, field), start=1):
                dose_node = URIRef(f"{node}/{slot}/{index}")
                self.emit((node, prop(Regimen, field), dose_node))
                self.node(dose_node, "Dose", f"{slot.replace('-', ' ')} {index} of {r.label}")
                self.fields(dose_node, dose, "value", "unit")
        for field in SCHEDULE_FIELDS:
            self.quantity(node, prop(Regimen, field), field.replace("_", "-"), getattr(r, field))
        self.fields(node, r, "condition", "supportive_care", "product", "manufacturer")
        self.add(node, RDFS.comment, r.description)
        self.notes(node, r.curation_notes)
        self.quotes(node, r.quotes)

    def treatment(self, local_id: str) -> URIRef:
        sequences = {s.id for s in self.record.sequences}
        kind = ELEMENTS["sequences" if local_id in sequences else "regimens"].kind
        return self.iri(kind, local_id)

    def sequence(self, s: Sequence) -> None:
        node = self.element("sequences", s.id, s.label)
        self.fields(node, s, "cohort")
        self.add(node, RDFS.comment, s.description)
        steps = [URIRef(f"{node}/step/{i}") for i in range(1, len(s.steps) + 1)]
        for order, (step_node, step) in enumerate(zip(steps, s.steps, strict=True), start=1):
            self.emit((node, prop(Sequence, "steps"), step_node))
            self.node(step_node, "SequenceStep", f"step {order} of {s.label}")
            self.emit((step_node, ONT.stepOrder, Literal(order, datatype=XSD.integer)))
            self.fields(step_node, step, "regimen")
            self.quantity(
                step_node,
                prop(Step, "start_after_previous"),
                "start-after-previous",
                step.start_after_previous,
            )
            if order < len(steps):
                self.emit((step_node, ONT.nextStep, steps[order]))
        self.notes(node, s.curation_notes)
        self.quotes(node, s.quotes)

    def outcome(self, o: Outcome, derived: Derived | None) -> None:
        node = self.element("outcomes", o.id, o.label, OUTCOME_KINDS[o.kind].outcome_class)
        self.fields(node, o, "cohort", "treatment", "category", "count", "denominator")
        self.fields(node, o, "percent", "among", "components", "best_response")
        self.quantity(node, prop(Outcome, "time"), "time", o.time)
        self.fields(node, o, "time_origin", "origin_regimen")
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
        self.emit((owner, prop(Outcome, "ci"), ci))
        self.node(ci, "ConfidenceInterval", label)
        for field, value in (("level", level), ("lower", lower), ("upper", upper)):
            self.add(ci, prop(ConfidenceInterval, field), value, XSD.decimal)

    def derived(self, owner: URIRef, o: Outcome, d: Derived) -> None:
        node = URIRef(f"{owner}/derived")
        self.emit((owner, ONT.hasDerivedValue, node))
        self.node(node, "DerivedValue", f"derived figures of {o.label}")
        self.emit((node, PROV.wasDerivedFrom, owner))
        methods = []
        if d.count is not None:
            self.add(node, ONT.derivedCount, d.count, XSD.integer)
            methods.append("count summed from component outcomes")
            for component in d.count_from:
                self.emit((node, PROV.wasDerivedFrom, self.to("outcomes", component)))
        if d.denominator is not None and d.denominator_from is not None:
            self.add(node, ONT.derivedDenominator, d.denominator, XSD.integer)
            methods.append("denominator taken from the count of the outcome it is among")
            self.emit((node, PROV.wasDerivedFrom, self.to("outcomes", d.denominator_from)))
        if d.percent is not None and d.ci_lower is not None and d.ci_upper is not None:
            self.add(node, ONT.derivedPercent, d.percent, XSD.decimal)
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
            self.add(node, ONT.derivationMethod, method)

    def adverse_event(self, a: AdverseEvent) -> None:
        node = self.element("adverse_events", a.id, a.label)
        self.fields(node, a, "cohort", "event", "count", "denominator", "percent", "fatal")
        self.fields(node, a, "attributed_to_treatment", "treatment", "among", "prior_therapies")
        self.fields(node, a, "management")
        self.add(node, RDFS.comment, a.note)
        self.notes(node, a.curation_notes)
        self.quotes(node, a.quotes)

    def factor(self, f: Factor) -> None:
        node = self.element("factors", f.id, f.label)
        self.fields(node, f, "factor", "level", "associated_with", "cohort", "association")
        self.notes(node, f.curation_notes)
        self.quotes(node, f.quotes)

    def statement(self, s: Statement) -> None:
        text = " ".join(s.text.split())
        short = text if len(text) <= 80 else text[:77] + "..."
        node = self.element("statements", s.id, short, STATEMENT_CLASS[s.kind])
        self.emit((node, ONT.statementText, Literal(text)))
        self.fields(node, s, "about", "hedges", "sites", "patient_characteristics", "toxicity")
        self.fields(node, s, "antigen_classes", "recommended_for", "recommended_line")
        self.fields(node, s, "recommendation_strength", "event")
        self.quantity(node, prop(Statement, "threshold"), "threshold", s.threshold)
        self.fields(node, s, "among", "event_in_none", "site_coverage", "approved_in_decade")
        self.fields(node, s, "rests_on")
        if s.comparison is not None:
            self.comparison(node, s.comparison)
        self.notes(node, s.curation_notes)
        self.quotes(node, s.quotes)

    def comparison(self, owner: URIRef, c: Comparison) -> None:
        """A statement's comparison of a cohort with patients outside the study."""
        node = URIRef(f"{owner}/comparison")
        self.emit((owner, prop(Statement, "comparison"), node))
        self.node(node, "Comparison", f"comparison of {self.label(owner)}")
        self.fields(node, c, "result", "aspect", "cohort", "reference_treatment")
        self.fields(node, c, "reference_without_prior")

    def sentences(self) -> None:
        """The abstract's sentence count, each element's sentences, and those left out with why."""
        account = self.record.source_sentences
        if account is None:
            return
        self.add(self.pub, ONT.abstractSentenceCount, account.sentences, XSD.integer)
        for entry in account.accounts:
            for ref in entry.curated_as:
                self.add(self.ref(ref), ONT.sourceSentence, entry.sentence, XSD.integer)
            if entry.not_curated is not None:
                node = URIRef(f"{self.pub}/sentence/{entry.sentence}")
                self.node(
                    node, "UncuratedSentence", f"sentence {entry.sentence} of {self.record.label}"
                )
                self.emit((node, ONT.reportedIn, self.pub))
                self.add(node, ONT.sentenceNumber, entry.sentence, XSD.integer)
                self.add(node, ONT.reasonNotCurated, " ".join(entry.not_curated.split()))

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
