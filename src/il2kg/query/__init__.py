"""Query: example queries, a lexical reading of SPARQL text, and running queries."""
