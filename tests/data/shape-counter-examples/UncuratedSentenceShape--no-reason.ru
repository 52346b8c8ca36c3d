# Counter-example: must fail shapes:UncuratedSentenceShape (no reason).
PREFIX il2kg: <https://w3id.org/il2kg/ontology/>
PREFIX il2r: <https://w3id.org/il2kg/resource/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
DELETE WHERE { <https://w3id.org/il2kg/resource/buchbinder-2019/sentence/5> il2kg:reasonNotCurated ?r }
