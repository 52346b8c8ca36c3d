# Counter-example: must fail shapes:FactorAssociationShape (unknown kind).
PREFIX il2kg: <https://w3id.org/il2kg/ontology/>
PREFIX il2r: <https://w3id.org/il2kg/resource/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
DELETE { ?f il2kg:associationKind ?k } INSERT { ?f il2kg:associationKind "caused" } WHERE { BIND(<https://w3id.org/il2kg/resource/atkins-1999/factor/performance-status> AS ?f) ?f il2kg:associationKind ?k }
