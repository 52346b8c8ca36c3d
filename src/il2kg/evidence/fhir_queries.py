"""The SPARQL queries the FHIR export reads the graph with (any il2kg graph or endpoint)."""

from __future__ import annotations

from il2kg.iris import IL2KG
from il2kg.records.outcome_kinds import OUTCOME_KINDS

PREFIXES = f"""PREFIX il2kg: <{IL2KG}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX bibo: <http://purl.org/ontology/bibo/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX sssom: <https://w3id.org/sssom/>
PREFIX cito: <http://purl.org/spar/cito/>
PREFIX oa: <http://www.w3.org/ns/oa#>
"""
KINDS = " ".join(f'(il2kg:{k.outcome_class} "{k.name}")' for k in OUTCOME_KINDS.values())
TIMED = " ".join(f"il2kg:{k.outcome_class}" for k in OUTCOME_KINDS.values() if k.timed)
QUANTITY = """OPTIONAL { ?{q} il2kg:numericValue ?{q}Value }
    OPTIONAL { ?{q} il2kg:lowerValue ?{q}Lower }
    OPTIONAL { ?{q} il2kg:upperValue ?{q}Upper }
    OPTIONAL { ?{q} il2kg:unit/rdfs:label ?{q}Unit }
    OPTIONAL { ?{q} il2kg:statistic/rdfs:label ?{q}Statistic }
    OPTIONAL { ?{q} il2kg:comparator ?{q}Comparator }
    OPTIONAL { ?{q} il2kg:notReached ?{q}NotReached }
    OPTIONAL { ?{q} il2kg:lowerOpenEnded ?{q}LowerOpen }
    OPTIONAL { ?{q} il2kg:upperOpenEnded ?{q}UpperOpen }"""


def _quantity(name: str) -> str:
    """The OPTIONAL patterns reading a quantity node ?name into ?nameValue, ?nameUnit..."""
    return QUANTITY.replace("{q}", name)


PUBLICATIONS = (
    PREFIXES
    + """SELECT DISTINCT ?publication ?label ?title ?journal ?issued ?volume
       ?issue ?pages ?articleNumber ?doi ?authors ?authorsComplete ?metadataSource WHERE {
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
  OPTIONAL { ?publication il2kg:metadataSource ?metadataSource }
} ORDER BY ?publication"""
)
CITES = (
    PREFIXES
    + """SELECT DISTINCT ?publication ?work ?cited WHERE {
  ?publication a il2kg:Publication ; cito:cites ?work .
  OPTIONAL { ?cited a il2kg:Publication ; rdfs:seeAlso ?work }
} ORDER BY ?publication ?work"""
)
COHORTS = (
    PREFIXES
    + """SELECT DISTINCT ?cohort ?label ?size ?parent ?parentLabel WHERE {
  ?cohort a il2kg:Cohort ; rdfs:label ?label .
  OPTIONAL { ?cohort il2kg:size ?size }
  OPTIONAL { ?cohort il2kg:subCohortOf ?parent . ?parent rdfs:label ?parentLabel }
} ORDER BY ?cohort"""
)
DISEASES = (
    PREFIXES
    + """SELECT DISTINCT ?cohort ?disease ?label WHERE {
  ?cohort a il2kg:Cohort ; il2kg:hasDisease ?disease . ?disease rdfs:label ?label .
} ORDER BY ?cohort ?disease"""
)
CRITERIA = (
    PREFIXES
    + """SELECT DISTINCT ?cohort ?criterion ?basis ?basisLabel ?text
       ?outcomeSelection ?tValue ?tUnit ?tComparator WHERE {
  ?cohort il2kg:selectedBy ?criterion . ?criterion il2kg:selectionBasis ?basis .
  ?basis rdfs:label ?basisLabel .
  OPTIONAL { ?criterion rdfs:comment ?text }
  OPTIONAL { ?criterion il2kg:threshold ?t .
    OPTIONAL { ?t il2kg:numericValue ?tValue }
    OPTIONAL { ?t il2kg:unit/rdfs:label ?tUnit }
    OPTIONAL { ?t il2kg:comparator ?tComparator } }
  BIND (EXISTS { ?basis a il2kg:OutcomeSelection } AS ?outcomeSelection)
} ORDER BY ?cohort ?criterion"""
)
PRIOR_THERAPIES = (
    PREFIXES
    + """SELECT DISTINCT ?holder ?regimen ?label WHERE {
  ?holder il2kg:hadPriorTherapy ?regimen . ?regimen rdfs:label ?label .
} ORDER BY ?holder ?regimen"""
)
NOTES = (
    PREFIXES
    + """SELECT DISTINCT ?element ?note ?property ?basis WHERE {
  ?element il2kg:hasCurationNote ?note .
  ?note il2kg:concernsProperty ?property ; il2kg:curationBasis ?basis .
} ORDER BY ?element ?note"""
)
QUOTES = (
    PREFIXES
    + """SELECT ?element ?quote ?source ?exact ?prefix ?suffix ?start ?end WHERE {
  ?quote oa:hasBody ?element ; oa:motivatedBy oa:describing ; oa:hasTarget ?target .
  ?target oa:hasSource ?source ; oa:hasSelector ?words .
  ?words a oa:TextQuoteSelector ; oa:exact ?exact .
  OPTIONAL { ?words oa:prefix ?prefix }
  OPTIONAL { ?words oa:suffix ?suffix }
  OPTIONAL { ?target oa:hasSelector [ a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end ] }
} ORDER BY ?element ?quote"""
)
MAPPINGS = (
    PREFIXES
    + """SELECT DISTINCT ?term ?external ?label WHERE {
  ?term skos:exactMatch ?external .
  OPTIONAL { ?axiom owl:annotatedSource ?term ; owl:annotatedProperty skos:exactMatch ;
                    owl:annotatedTarget ?external ; sssom:object_label ?label }
} ORDER BY ?term ?external"""
)
VARIABLES = (
    PREFIXES
    + """SELECT DISTINCT ?variable ?label ?role ?continuous WHERE {
  { ?x il2kg:afterTreatment|il2kg:hadPriorTherapy|il2kg:originRegimen ?variable .
    BIND ("exposure" AS ?role) }
  UNION { ?x a/rdfs:subClassOf* il2kg:Outcome ; il2kg:hasCategory ?variable .
          BIND ("outcome" AS ?role) }
  UNION { ?x a il2kg:AdverseEventReport ; il2kg:eventCondition ?variable .
          BIND ("outcome" AS ?role) }
  UNION { ?x a il2kg:FactorAssociation ; il2kg:factor ?variable . BIND ("exposure" AS ?role) }
  UNION { ?x a il2kg:FactorAssociation ; il2kg:associatedWith ?variable .
          BIND ("outcome" AS ?role) }
  ?variable rdfs:label ?label .
  BIND (EXISTS { ?timed il2kg:hasCategory ?variable ; a ?timedClass
                 VALUES ?timedClass { """
    + TIMED
    + """ } } AS ?continuous)
} ORDER BY ?variable ?role"""
)
OUTCOMES = (
    PREFIXES
    + """SELECT DISTINCT ?outcome ?label ?kind ?publication ?cohort ?treatment
       ?treatmentLabel ?category ?categoryLabel ?count ?denominator ?percent
       ?ciLevel ?ciLower ?ciUpper ?derived ?derivedCount ?derivedDenominator ?derivedPercent
       ?dLevel ?dLower ?dUpper ?methods ?timeValue ?timeLower ?timeUpper ?timeUnit
       ?timeStatistic ?timeComparator ?timeNotReached ?timeLowerOpen ?timeUpperOpen
       ?origin ?originLabel ?originRegimen ?originRegimenLabel ?among ?amongLabel ?note
       ?selectedOnTreatment WHERE {
  VALUES (?class ?kind) { """
    + KINDS
    + """ }
  ?outcome a ?class ; rdfs:label ?label ; il2kg:reportedIn ?publication ;
           il2kg:inCohort ?cohort ; il2kg:afterTreatment ?treatment ;
           il2kg:hasCategory ?category .
  ?treatment rdfs:label ?treatmentLabel . ?category rdfs:label ?categoryLabel .
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
    """
    + _quantity("time")
    + """ }
  OPTIONAL { ?outcome il2kg:measuredFrom ?origin . ?origin rdfs:label ?originLabel }
  OPTIONAL { ?outcome il2kg:originRegimen ?originRegimen .
             ?originRegimen rdfs:label ?originRegimenLabel }
  OPTIONAL { ?outcome il2kg:amongOutcome ?among . ?among rdfs:label ?amongLabel }
  OPTIONAL { ?outcome rdfs:comment ?note }
  BIND (EXISTS { ?cohort il2kg:hadPriorTherapy ?treatment } AS ?selectedOnTreatment)
} ORDER BY ?outcome"""
)
ADVERSE_EVENTS = (
    PREFIXES
    + """SELECT DISTINCT ?event ?label ?publication ?cohort ?condition
       ?conditionLabel ?count ?denominator ?percent ?fatal ?attributed ?treatment
       ?treatmentLabel ?among ?amongLabel ?note WHERE {
  ?event a il2kg:AdverseEventReport ; rdfs:label ?label ; il2kg:reportedIn ?publication ;
         il2kg:inCohort ?cohort ; il2kg:eventCondition ?condition .
  ?condition rdfs:label ?conditionLabel .
  OPTIONAL { ?event il2kg:count ?count }
  OPTIONAL { ?event il2kg:denominator ?denominator }
  OPTIONAL { ?event il2kg:reportedPercent ?percent }
  OPTIONAL { ?event il2kg:fatal ?fatal }
  OPTIONAL { ?event il2kg:attributedToTreatment ?attributed }
  OPTIONAL { ?event il2kg:afterTreatment ?treatment . ?treatment rdfs:label ?treatmentLabel }
  OPTIONAL { ?event il2kg:amongOutcome ?among . ?among rdfs:label ?amongLabel }
  OPTIONAL { ?event rdfs:comment ?note }
} ORDER BY ?event"""
)
FACTORS = (
    PREFIXES
    + """SELECT DISTINCT ?association ?label ?publication ?cohort ?factor
       ?level ?levelLabel ?target ?kind WHERE {
  ?association a il2kg:FactorAssociation ; rdfs:label ?label ; il2kg:reportedIn ?publication ;
               il2kg:inCohort ?cohort ; il2kg:factor ?factor ; il2kg:associatedWith ?target ;
               il2kg:associationKind ?kind .
  OPTIONAL { ?association il2kg:factorLevel ?level . ?level rdfs:label ?levelLabel }
} ORDER BY ?association"""
)
