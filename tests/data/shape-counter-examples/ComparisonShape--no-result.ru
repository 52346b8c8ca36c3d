# Counter-example: must fail shapes:ComparisonShape (a comparison that does not say how the groups compared).
PREFIX il2kg: <https://w3id.org/il2kg/ontology/>
DELETE WHERE { <https://w3id.org/il2kg/resource/buchbinder-2019/statement/toxicity-similar/comparison> il2kg:comparisonResult ?result }
