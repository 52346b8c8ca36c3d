# Counter-example: must fail shapes:AlternativesComeInTwos (an "or" with one alternative left).
PREFIX il2kg: <https://w3id.org/il2kg/ontology/>
DELETE WHERE { <https://w3id.org/il2kg/resource/buchbinder-2019/regimen/pd1-pdl1> il2kg:alternativeAgent il2kg:pd-l1-inhibitor }
