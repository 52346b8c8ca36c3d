"""Evidence: response estimates read from the graph, forest plots and the FHIR export."""
