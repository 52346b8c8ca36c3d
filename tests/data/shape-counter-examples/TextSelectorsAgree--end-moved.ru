# Counter-example: must fail shapes:TextSelectorsAgree (end moved).
PREFIX il2kg: <https://w3id.org/il2kg/ontology/>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
DELETE { <https://w3id.org/il2kg/resource/atkins-1999/outcome/cr/quote/1/text-position> oa:end ?end }
INSERT { <https://w3id.org/il2kg/resource/atkins-1999/outcome/cr/quote/1/text-position> oa:end ?moved }
WHERE { <https://w3id.org/il2kg/resource/atkins-1999/outcome/cr/quote/1/text-position> oa:end ?end . BIND (STRDT(STR(?end + 1), xsd:integer) AS ?moved) }
