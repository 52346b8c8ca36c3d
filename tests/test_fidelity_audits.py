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
    return sorted(tuple("" if v is None else str(v) for v in row) for row in rows)  # type: ignore[union-attr]


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
    found = {(r.split("/resource/")[1], _local(p), " or ".join(sorted(v.split(" or "))))
             for r, p, v in alternatives}
    assert found == {
        ("atkins-1999/regimen/hd-il2", "alternativeDose", "600000 or 720000"),
        ("buchbinder-2019/regimen/pd1-pdl1", "alternativeAgent",
         "PD-1 inhibitor or PD-L1 inhibitor"),
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
        "treatment-start", "temozolomide", "typical-value",
    )
    assert (lower, upper) == ("1", "2")
    assert "not the least and greatest values observed" in definition
    ranges = _ask(
        seed_result,
        """SELECT ?outcome WHERE { ?outcome il2kg:hasTime/il2kg:statistic il2kg:observed-range }""",
    )
    assert [o.split("/resource/")[1] for (o,) in ranges] == [
        "clark-2021/outcome/pfs", "nci-surgery-branch-1998/outcome/cr-ongoing-since-start",
    ]
