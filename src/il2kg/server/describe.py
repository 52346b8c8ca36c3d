"""What the endpoint says about itself: service description, VoID, resources, examples."""

from __future__ import annotations

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from il2kg.iris import DATASET_IRI, EXAMPLES_GRAPH, VOID_GRAPH

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)

GRAPHS_QUERY = "SELECT DISTINCT ?g WHERE { GRAPH ?g { } } ORDER BY ?g"


def service_description(endpoint: str, graphs: list[str]) -> list[Triple]:
    """A SPARQL 1.1 Service Description of this endpoint and its named graphs."""
    service, dataset, default = NamedNode(endpoint), BlankNode(), BlankNode()
    sd = lambda name: NamedNode(SD + name)  # noqa: E731
    triples = [
        Triple(service, RDF_TYPE, sd("Service")),
        Triple(service, sd("endpoint"), service),
        Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        Triple(service, sd("defaultDataset"), dataset),
        Triple(dataset, RDF_TYPE, sd("Dataset")),
        Triple(dataset, sd("defaultGraph"), default),
        Triple(default, RDF_TYPE, sd("Graph")),
        Triple(
            service, NamedNode("http://rdfs.org/ns/void#inDataset"), NamedNode(str(DATASET_IRI))
        ),
    ]
    triples += [Triple(service, sd("resultFormat"), NamedNode(FORMATS + f)) for f in RESULT_FORMATS]
    for graph in graphs:
        node = BlankNode()
        triples += [
            Triple(dataset, sd("namedGraph"), node),
            Triple(node, RDF_TYPE, sd("NamedGraph")),
            Triple(node, sd("name"), NamedNode(graph)),
        ]
    triples.append(
        Triple(
            service,
            NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"),
            Literal(
                "The default graph is the union of the named graphs, unless "
                "default-graph-uri or named-graph-uri say otherwise."
            ),
        )
    )
    return triples


# The description the build published (`void.ttl`, the graph .../graph/void): one for both.
VOID_QUERY = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{VOID_GRAPH}> {{ ?s ?p ?o }} }}"


def resource_query(iri: NamedNode) -> str:
    """A CONSTRUCT query for a resource: its statements, incoming links and their labels."""
    return f"""PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT {{ {iri} ?p ?o . ?o rdfs:label ?ol . ?p rdfs:label ?pl . ?s ?q {iri} .
            ?s rdfs:label ?sl . ?q rdfs:label ?ql . }}
WHERE {{
  {{ {iri} ?p ?o OPTIONAL {{ ?o rdfs:label ?ol }} OPTIONAL {{ ?p rdfs:label ?pl }} }}
  UNION
  {{ ?s ?q {iri} OPTIONAL {{ ?s rdfs:label ?sl }} OPTIONAL {{ ?q rdfs:label ?ql }} }}
}}"""


EXAMPLES_QUERY = f"""PREFIX sh: <http://www.w3.org/ns/shacl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
SELECT ?example ?label ?comment ?query (GROUP_CONCAT(?keyword; separator=", ") AS ?keywords)
WHERE {{ GRAPH <{EXAMPLES_GRAPH}> {{
  ?example a sh:SPARQLExecutable ; rdfs:label ?label ; rdfs:comment ?comment ;
           sh:select|sh:ask|sh:construct|sh:describe ?query .
  OPTIONAL {{ ?example schema:keywords ?keyword }}
}} }} GROUP BY ?example ?label ?comment ?query ORDER BY ?example"""
