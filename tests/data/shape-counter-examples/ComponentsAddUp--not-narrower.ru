# Counter-example: must fail shapes:ComponentsAddUp (a complete response summed from a partial one).
PREFIX il2kg: <https://w3id.org/il2kg/ontology/>
PREFIX il2r: <https://w3id.org/il2kg/resource/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
INSERT DATA { <https://w3id.org/il2kg/resource/buchbinder-2019/outcome/melanoma-cr> il2kg:hasComponent <https://w3id.org/il2kg/resource/buchbinder-2019/outcome/melanoma-pr> }
