"""Graph: records to RDF (conversion, derived statistics), mappings and imported modules."""
