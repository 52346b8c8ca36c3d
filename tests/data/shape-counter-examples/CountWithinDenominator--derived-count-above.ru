# Counter-example: must fail shapes:CountWithinDenominator (a count summed from components above the denominator).
PREFIX il2kg: <https://w3id.org/il2kg/ontology/>
PREFIX il2r: <https://w3id.org/il2kg/resource/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
DELETE { ?o il2kg:denominator ?d } INSERT { ?o il2kg:denominator 8 } WHERE { BIND(<https://w3id.org/il2kg/resource/buchbinder-2019/outcome/melanoma-orr> AS ?o) ?o il2kg:denominator ?d }
