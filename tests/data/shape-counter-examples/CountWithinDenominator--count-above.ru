# Counter-example: must fail shapes:CountWithinDenominator (count above).
PREFIX il2kg: <https://w3id.org/il2kg/ontology/>
PREFIX il2r: <https://w3id.org/il2kg/resource/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
DELETE { ?o il2kg:count ?c } INSERT { ?o il2kg:count 271 } WHERE { BIND(<https://w3id.org/il2kg/resource/atkins-1999/outcome/cr> AS ?o) ?o il2kg:count ?c }
