# Counter-example: must fail shapes:ComponentsAddUp (a component whose category is narrower than another's: CR and CR-or-nearCR counted twice).
PREFIX il2kg: <https://w3id.org/il2kg/ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
INSERT { ?orr il2kg:hasComponent ?cncr .
         ?cncr a il2kg:ResponseOutcome ; rdfs:label "CR or nearCR" ; il2kg:inCohort ?cohort ;
               il2kg:hasCategory il2kg:complete-or-near-complete-response }
WHERE { BIND (<https://w3id.org/il2kg/resource/buchbinder-2019/outcome/melanoma-orr> AS ?orr)
        BIND (<https://w3id.org/il2kg/resource/buchbinder-2019/outcome/melanoma-cncr> AS ?cncr)
        ?orr il2kg:inCohort ?cohort }
