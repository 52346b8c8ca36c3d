# Counter-example: must fail shapes:TextPositionSelectorShape (an offset below 0).
PREFIX oa: <http://www.w3.org/ns/oa#>
DELETE { <https://w3id.org/il2kg/resource/atkins-1999/outcome/cr/quote/1/text-position> oa:start ?start }
INSERT { <https://w3id.org/il2kg/resource/atkins-1999/outcome/cr/quote/1/text-position> oa:start -1 }
WHERE { <https://w3id.org/il2kg/resource/atkins-1999/outcome/cr/quote/1/text-position> oa:start ?start }
