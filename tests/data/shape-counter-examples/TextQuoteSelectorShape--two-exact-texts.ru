# Counter-example: must fail shapes:TextQuoteSelectorShape (two exact texts).
PREFIX il2kg: <https://w3id.org/il2kg/ontology/>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
INSERT DATA { <https://w3id.org/il2kg/resource/atkins-1999/outcome/cr/quote/1/text-quote> oa:exact "17 complete responses" }
