# Counter-example: must fail shapes:OriginRegimenInTreatment (a time counted from a regimen outside its treatment).
PREFIX il2kg: <https://w3id.org/il2kg/ontology/>
INSERT DATA { <https://w3id.org/il2kg/resource/buchbinder-2019/outcome/melanoma-cr> il2kg:originRegimen <https://w3id.org/il2kg/resource/buchbinder-2019/regimen/pd-l1> ;
    il2kg:measuredFrom il2kg:treatment-start }
