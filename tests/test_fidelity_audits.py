"""What the two audits of the graph against the abstracts found, asked of the graph by SPARQL.

Each test quotes the words of the source it checks; the answer must be what those words say,
no more (issue 18, "Fix what the audits found").
"""

from __future__ import annotations

from rdflib import Graph

from il2kg.iris import RES, bind_prefixes
from il2kg.pipeline import PipelineResult


def _ask(result: PipelineResult, query: str) -> list[tuple[str, ...]]:
    """The rows of a SELECT over the data and the ontology, each value as text, sorted."""
    graph = bind_prefixes(Graph())
    graph += result.graph
    graph += result.ontology
    rows = graph.query(query)
    return sorted(tuple("" if v is None else str(v) for v in row) for row in rows)


def _local(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def test_buchbinder_responses_are_credited_to_hd_il2(seed_result: PipelineResult) -> None:
    """'The best overall response rate to HD IL-2 was 22.5% for mM ... and 24% for mRCC'."""
    rows = _ask(
        seed_result,
        """SELECT ?outcome ?treatment ?prior WHERE {
          ?outcome a il2kg:ResponseOutcome ; il2kg:reportedIn il2r:buchbinder-2019 ;
                   il2kg:afterTreatment ?treatment ; il2kg:inCohort ?cohort .
          ?cohort il2kg:hadPriorTherapy ?prior }""",
    )
    assert len(rows) == 6
    assert {(_local(t), _local(p)) for _, t, p in rows} == {("hd-il2", "pd1-pdl1")}


def test_no_causative_drug_is_recorded_where_the_source_names_none(
    seed_result: PipelineResult,
) -> None:
    """Buchbinder: 'developed drug induced pneumonitis with HD IL-2' after PD-L1 blockade;
    Atkins: 'died from adverse events, all related to sepsis'. Neither names a cause."""
    rows = _ask(
        seed_result,
        f"""SELECT ?event ?attributed ?basis WHERE {{
          VALUES ?event {{ <{RES["buchbinder-2019/adverse-event/pneumonitis"]}>
                          <{RES["atkins-1999/adverse-event/sepsis-deaths"]}> }}
          OPTIONAL {{ ?event il2kg:attributedToTreatment ?attributed }}
          ?event il2kg:hasCurationNote ?note .
          ?note il2kg:concernsProperty il2kg:attributedToTreatment ;
                il2kg:curationBasis ?basis }}""",
    )
    assert [_local(e) for e, _, _ in rows] == ["sepsis-deaths", "pneumonitis"]
    assert all(attributed == "" for _, attributed, _ in rows)
    sepsis, pneumonitis = (basis for _, _, basis in rows)
    assert "names no causative drug" in pneumonitis and "left absent" in pneumonitis
    assert "related to" in sepsis and "left absent" in sepsis


def test_or_is_not_and(seed_result: PipelineResult) -> None:
    """'PD-1 or PD-L1 inhibition' and '600,000 or 720,000 IU/kg' are alternatives: no regimen
    uses two agents or has two doses, and the alternatives are there, at least two each."""
    together = _ask(
        seed_result,
        """SELECT ?regimen ?property WHERE {
          VALUES ?property { il2kg:usesAgent il2kg:hasDose }
          ?regimen ?property ?one, ?other . FILTER (?one != ?other) }""",
    )
    assert together == []
    alternatives = _ask(
        seed_result,
        """SELECT ?regimen ?property (GROUP_CONCAT(?label; separator=" or ") AS ?values) WHERE {
          VALUES ?property { il2kg:alternativeAgent il2kg:alternativeDose }
          ?regimen ?property ?value .
          OPTIONAL { ?value rdfs:label ?agent }
          OPTIONAL { ?value il2kg:numericValue ?amount }
          BIND (COALESCE(STR(?amount), ?agent) AS ?label)
        } GROUP BY ?regimen ?property""",
    )
    found = {
        (r.split("/resource/")[1], _local(p), " or ".join(sorted(v.split(" or "))))
        for r, p, v in alternatives
    }
    assert found == {
        ("atkins-1999/regimen/hd-il2", "alternativeDose", "600000 or 720000"),
        (
            "buchbinder-2019/regimen/pd1-pdl1",
            "alternativeAgent",
            "PD-1 inhibitor or PD-L1 inhibitor",
        ),
    }


def test_fateh_time_to_response_counts_from_temozolomide_as_a_typical_value(
    seed_result: PipelineResult,
) -> None:
    """'The responses became evident rapidly, typically within one or two cycles of TMZ.'"""
    [row] = _ask(
        seed_result,
        f"""SELECT ?origin ?agent ?statistic ?definition ?lower ?upper WHERE {{
          <{RES["fateh-2010/outcome/time-to-response"]}> il2kg:measuredFrom ?origin ;
              il2kg:originRegimen/il2kg:usesAgent ?agent ;
              il2kg:afterTreatment/il2kg:hasStep [ il2kg:stepOrder 2 ; il2kg:stepRegimen ?tmz ] ;
              il2kg:originRegimen ?tmz ;
              il2kg:hasTime ?time .
          ?time il2kg:statistic ?statistic ; il2kg:lowerValue ?lower ; il2kg:upperValue ?upper .
          ?statistic <http://purl.obolibrary.org/obo/IAO_0000115> ?definition }}""",
    )
    origin, agent, statistic, definition, lower, upper = row
    assert (_local(origin), _local(agent), _local(statistic)) == (
        "treatment-start",
        "temozolomide",
        "typical-value",
    )
    assert (lower, upper) == ("1", "2")
    assert "not the least and greatest values observed" in definition
    ranges = _ask(
        seed_result,
        """SELECT ?outcome WHERE { ?outcome il2kg:hasTime/il2kg:statistic il2kg:observed-range }""",
    )
    assert [o.split("/resource/")[1] for (o,) in ranges] == [
        "clark-2021/outcome/pfs",
        "nci-surgery-branch-1998/outcome/cr-ongoing-since-start",
    ]


def _facts(result: PipelineResult, statement: str) -> set[tuple[str, str]]:
    """(property, term) of every typed fact of a statement whose object is an il2kg term."""
    rows = _ask(
        result,
        f"""SELECT ?p ?o WHERE {{ <{RES[statement]}> ?p ?o .
          FILTER (STRSTARTS(STR(?o), STR(il2kg:)) && ?p != rdf:type) }}""",
    )
    return {(_local(p), _local(o)) for p, o in rows}


def test_recommendations_keep_their_strength_and_condition(seed_result: PipelineResult) -> None:
    """NCI: 'should be considered as initial therapy for appropriately selected patients';
    Atkins: 'should be considered for appropriately selected melanoma patients'."""
    wanted = {
        ("recommendationStrength", "should-be-considered"),
        ("recommendedFor", "appropriately-selected-patients"),
    }
    nci = "nci-surgery-branch-1998/statement/initial-therapy-conclusion"
    assert wanted <= _facts(seed_result, nci)
    assert wanted <= _facts(seed_result, "atkins-1999/statement/benefit-conclusion")
    unconditional = _ask(
        seed_result,
        """SELECT ?s WHERE { ?s il2kg:recommendationStrength ?strength .
          FILTER NOT EXISTS { ?s il2kg:recommendedFor ?condition } }""",
    )
    assert unconditional == []


def test_appear_to_be_cured_stays_a_hedged_appearance(seed_result: PipelineResult) -> None:
    """NCI: 'will enter durable complete regressions and appear to be cured': no 'so that'."""
    [(text, hedge)] = _ask(
        seed_result,
        f"""SELECT ?text ?hedge WHERE {{
          <{RES["nci-surgery-branch-1998/statement/cr-rate-conclusion"]}>
              il2kg:statementText ?text ; il2kg:hedgedAs ?hedge }}""",
    )
    assert _local(hedge) == "apparent" and "appear to be cured" in text
    assert not any(word in text for word in ("so that", "because", "therefore", " thus"))


def test_median_potential_follow_up_is_not_a_plain_follow_up(seed_result: PipelineResult) -> None:
    """NCI: 'a median potential follow-up of 7.1 years'; Clark: 'a median follow-up of 10+'."""
    rows = _ask(
        seed_result,
        """SELECT ?outcome ?endpoint WHERE {
          VALUES ?endpoint { il2kg:follow-up il2kg:potential-follow-up }
          ?outcome il2kg:hasCategory ?endpoint }""",
    )
    assert {(o.split("/resource/")[1], _local(e)) for o, e in rows} == {
        ("clark-2021/outcome/follow-up", "follow-up"),
        ("nci-surgery-branch-1998/outcome/follow-up", "potential-follow-up"),
    }


def test_text_only_facts_are_typed(seed_result: PipelineResult) -> None:
    """The antigen classes, 'large tumor burdens', 'although severe, generally reversed
    rapidly', 'similar to ... without prior checkpoint blockade', 'approved in the 1990s'."""
    assert _facts(seed_result, "nci-surgery-branch-1998/statement/til-antigens") >= {
        ("identifiedAntigenClass", "melanocyte-differentiation-antigen"),
        ("identifiedAntigenClass", "mutated-intracellular-protein"),
    }
    assert ("inPatientsWith", "large-tumour-burden") in _facts(
        seed_result, "atkins-1999/statement/all-sites"
    )
    assert _facts(seed_result, "atkins-1999/statement/toxicity-reversible") >= {
        ("toxicityCharacteristic", "severe-toxicity"),
        ("toxicityCharacteristic", "mostly-reversed-rapidly"),
    }
    [comparison] = _ask(
        seed_result,
        f"""SELECT ?result ?aspect ?treatment ?without WHERE {{
          <{RES["buchbinder-2019/statement/toxicity-similar"]}> il2kg:hasComparison ?c .
          ?c il2kg:comparisonResult ?result ; il2kg:comparedAspect ?aspect ;
             il2kg:referenceTreatment ?treatment ; il2kg:referenceWithoutPriorTherapy ?without ;
             il2kg:comparedCohort ?cohort .
          ?cohort il2kg:hadPriorTherapy ?prior }}""",
    )
    assert [_local(v) for v in comparison] == [
        "similar",
        "toxicity-profile",
        "hd-il2",
        "checkpoint-inhibitor-therapy",
    ]
    [(decade,)] = _ask(
        seed_result,
        f"""SELECT ?decade WHERE {{
          <{RES["clark-2021/statement/durable-cr-background"]}> il2kg:approvalDecade ?decade .
          FILTER (DATATYPE(?decade) = xsd:gYear) }}""",
    )
    assert decade == "1990"


def test_that_no_late_responder_progressed_is_typed(seed_result: PipelineResult) -> None:
    """Atkins: 'Disease did not progress in any patient responding for more than 30 months.'"""
    [row] = _ask(
        seed_result,
        f"""SELECT ?event ?among ?none ?comparator ?value WHERE {{
          <{RES["atkins-1999/statement/no-late-progression"]}> il2kg:observedEvent ?event ;
              il2kg:amongOutcome ?among ; il2kg:eventInNoPatient ?none ;
              il2kg:threshold [ il2kg:comparator ?comparator ; il2kg:numericValue ?value ] }}""",
    )
    event, among, none, comparator, value = row
    assert (_local(event), _local(among), none, comparator, value) == (
        "progressive-disease",
        "orr",
        "true",
        ">",
        "30",
    )


def test_the_synergy_hypothesis_rests_on_the_treg_background(seed_result: PipelineResult) -> None:
    """Fateh: TMZ 'has also been shown to decrease the T regulatory population' is what the
    hypothesis that TMZ 'may be synergistic with HD IL-2' builds on."""
    rows = _ask(
        seed_result,
        """SELECT ?hypothesis ?basis WHERE {
          ?hypothesis a il2kg:Hypothesis ; il2kg:restsOn ?basis .
          ?basis a il2kg:BackgroundStatement }""",
    )
    assert [(_local(h), _local(b)) for h, b in rows] == [("sequence-synergy", "tmz-depletes-tregs")]


def test_clark_cites_atkins_with_cito(seed_result: PipelineResult) -> None:
    """Clark 2021's reference 2 is Atkins 1999: a cito:cites link, not a metadata sentence."""
    rows = _ask(seed_result, "SELECT ?a ?b WHERE { ?a cito:cites ?work . ?b rdfs:seeAlso ?work }")
    assert [(_local(a), _local(b)) for a, b in rows] == [("clark-2021", "atkins-1999")]


def test_publication_type_and_study_design_are_told_apart(seed_result: PipelineResult) -> None:
    """NCI 1998: 'Publication types • Clinical Trial' (MeSH) beside 'A consecutive series'."""
    [row] = _ask(
        seed_result,
        f"""SELECT ?type ?typeClass ?design ?designClass WHERE {{
          <{RES["nci-surgery-branch-1998"]}> il2kg:publicationType ?type ;
              il2kg:reportsStudy/il2kg:hasStudyDesign ?design .
          ?type a ?typeClass . ?design a ?designClass .
          FILTER (?typeClass != owl:NamedIndividual && ?designClass != owl:NamedIndividual) }}""",
    )
    assert [_local(v) for v in row] == [
        "clinical-trial-publication-type",
        "PublicationType",
        "consecutive-case-series",
        "StudyDesign",
    ]
    mixed = _ask(
        seed_result,
        """SELECT ?term WHERE { ?s il2kg:hasStudyDesign ?term . ?p il2kg:publicationType ?term }""",
    )
    assert mixed == []


def test_nci_age_groups_show_that_minors_were_treated(seed_result: PipelineResult) -> None:
    """NCI 1998's MeSH terms: Adolescent, Adult, Aged, Child, ..., Middle Aged."""
    rows = _ask(
        seed_result,
        f"""SELECT ?group WHERE {{
          <{RES["nci-surgery-branch-1998/cohort/all"]}> il2kg:includesAgeGroup ?group }}""",
    )
    assert {_local(g) for (g,) in rows} == {"adolescent", "child", "adult", "middle-aged", "aged"}


def test_mappings_claim_no_more_than_the_terms_mean(seed_result: PipelineResult) -> None:
    """aldesleukin is any recombinant IL-2 (DrugBank's is one molecule); organ-site is a
    tumour site in an organ, not the organ."""
    graph = bind_prefixes(Graph())
    graph += seed_result.mappings
    rows = graph.query(
        """SELECT ?term ?predicate ?external WHERE {
          VALUES ?term { il2kg:aldesleukin il2kg:organ-site }
          ?term ?predicate ?external .
          FILTER (STRSTARTS(STR(?predicate), STR(skos:))) }"""
    )
    found = {
        (_local(str(t)), _local(str(p)).split("#")[-1], str(e).rsplit("/", 1)[-1])
        for t, p, e in rows
    }
    assert ("aldesleukin", "narrowMatch", "DB00041") in found
    assert ("organ-site", "relatedMatch", "UBERON_0000062") in found
    assert not {f for f in found if f[1] == "exactMatch"}
