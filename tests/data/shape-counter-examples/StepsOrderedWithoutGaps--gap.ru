# Counter-example: must fail shapes:StepsOrderedWithoutGaps (gap).
PREFIX il2kg: <https://w3id.org/il2kg/ontology/>
PREFIX il2r: <https://w3id.org/il2kg/resource/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
DELETE { ?s il2kg:stepOrder ?o } INSERT { ?s il2kg:stepOrder 3 } WHERE { BIND(<https://w3id.org/il2kg/resource/buchbinder-2019/sequence/checkpoint-then-il2/step/2> AS ?s) ?s il2kg:stepOrder ?o }
