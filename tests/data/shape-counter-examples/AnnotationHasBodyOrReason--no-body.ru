# Counter-example: must fail shapes:AnnotationHasBodyOrReason (no body).
PREFIX il2kg: <https://w3id.org/il2kg/ontology/>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
DELETE WHERE { <https://w3id.org/il2kg/resource/atkins-1999/outcome/cr/quote/1> oa:hasBody ?element }
