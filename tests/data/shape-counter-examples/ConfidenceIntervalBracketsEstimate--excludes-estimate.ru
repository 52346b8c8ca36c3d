# Counter-example: must fail shapes:ConfidenceIntervalBracketsEstimate (excludes estimate).
PREFIX il2kg: <https://w3id.org/il2kg/ontology/>
PREFIX il2r: <https://w3id.org/il2kg/resource/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
DELETE { ?ci il2kg:upperBound ?u } INSERT { ?ci il2kg:upperBound 15.0 } WHERE { BIND(<https://w3id.org/il2kg/resource/atkins-1999/outcome/orr/ci> AS ?ci) ?ci il2kg:upperBound ?u }
