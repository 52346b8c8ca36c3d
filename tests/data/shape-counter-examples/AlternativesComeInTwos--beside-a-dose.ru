# Counter-example: must fail shapes:AlternativesComeInTwos (alternative doses beside a has-dose).
PREFIX il2kg: <https://w3id.org/il2kg/ontology/>
INSERT DATA { <https://w3id.org/il2kg/resource/atkins-1999/regimen/hd-il2> il2kg:hasDose <https://w3id.org/il2kg/resource/atkins-1999/regimen/hd-il2/alternative-dose/1> }
