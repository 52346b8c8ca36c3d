# Counter-example: must fail shapes:SelectionCriterionShape (no selection basis).
PREFIX il2kg: <https://w3id.org/il2kg/ontology/>
PREFIX il2r: <https://w3id.org/il2kg/resource/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
DELETE WHERE { <https://w3id.org/il2kg/resource/atkins-1999/cohort/all/selection/1> il2kg:selectionBasis ?b }
