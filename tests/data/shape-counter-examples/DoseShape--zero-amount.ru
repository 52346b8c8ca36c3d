# Counter-example: must fail shapes:DoseShape (zero amount).
PREFIX il2kg: <https://w3id.org/il2kg/ontology/>
PREFIX il2r: <https://w3id.org/il2kg/resource/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
DELETE { ?d il2kg:numericValue ?v } INSERT { ?d il2kg:numericValue 0.0 } WHERE { <https://w3id.org/il2kg/resource/atkins-1999/regimen/hd-il2/alternative-dose/1> il2kg:numericValue ?v BIND(<https://w3id.org/il2kg/resource/atkins-1999/regimen/hd-il2/alternative-dose/1> AS ?d) }
