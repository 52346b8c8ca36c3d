"""The lexical checks of a query, without a server: SERVICE targets, the query form, a query's
own dataset, its nesting and chains, with comments, strings, IRIs and codepoint escapes in the
way."""

from __future__ import annotations

import pytest

from il2kg.query.lexer import (
    MAX_LINKS,
    MAX_NESTING,
    ServiceRefused,
    check_bounds,
    check_services,
    declares_dataset,
    query_form,
    services,
    shape,
    with_prefixes,
)
from il2kg.query.result import QueryError


@pytest.mark.parametrize(
    ("query", "targets"),
    [
        ("SELECT * { SERVICE <http://x.example/> { ?s ?p ?o } }", ["http://x.example/"]),
        ("SELECT * { service silent ?where { ?s ?p ?o } }", ["?where"]),
        ("SELECT * { \\u0053ERVICE <http://x.example/> {} }", ["http://x.example/"]),
        ("SELECT * { ?s ?p ?o } SERVICE\n\tex:end {}", ["ex:end"]),
        ("SELECT * { ?s ?p 'SERVICE <http://x.example/>' } # SERVICE <http://y.example/>", []),
        ("SELECT * { ?s <http://x.example/SERVICE> ?o . ?s ex:SERVICE ?SERVICE }", []),
    ],
)
def test_services_are_found_past_strings_comments_iris_and_escapes(
    query: str, targets: list[str]
) -> None:
    assert services(query) == targets


def test_a_service_clause_is_refused_naming_its_target() -> None:
    with pytest.raises(ServiceRefused, match=r"SERVICE http://x\.example/ is not allowed"):
        check_services("SELECT * { SERVICE <http://x.example/> {} }")
    check_services("SELECT * { ?s ?p ?o }")


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("PREFIX ex: <http://x.example/SELECT> # SELECT\nask {}", "ASK"),
        ("CONSTRUCT { ?s ?p 'DESCRIBE' } WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("\\u0053ELECT * {}", "SELECT"),
        ("PREFIX ex: <http://x.example/>", None),
    ],
)
def test_the_query_form_is_the_first_keyword_outside_strings_and_iris(
    query: str, form: str | None
) -> None:
    assert query_form(query) == form


@pytest.mark.parametrize(
    ("query", "declared"),
    [
        ("SELECT * FROM <http://x.example/g> { ?s ?p ?o }", True),
        ("SELECT * from named <http://x.example/g> { ?s ?p ?o }", True),
        ("SELECT ?from { ?s <http://x.example/FROM> 'FROM' }", False),
    ],
)
def test_a_dataset_of_its_own_is_a_from_clause(query: str, declared: bool) -> None:
    assert declares_dataset(query) is declared


def test_depth_counts_groups_brackets_and_negations_but_not_strings() -> None:
    assert shape("SELECT * { { ?s ?p ?o FILTER(!!(?o)) } }")[0] == 5
    assert shape("SELECT * { ?s ?p '{{{{' }")[0] == 1


def test_nesting_past_the_limit_is_refused() -> None:
    check_bounds("SELECT * " + "{" * MAX_NESTING + "}" * MAX_NESTING)
    with pytest.raises(QueryError, match=f"more than {MAX_NESTING} levels"):
        check_bounds("SELECT * " + "{" * (MAX_NESTING + 1) + "}" * (MAX_NESTING + 1))


# Each of these killed a worker with SIGSEGV (issue 19): chains, not brackets.
CRASH_SHAPES = {
    "or": "ASK { FILTER(" + "||".join(["true"] * 20_000) + ") }",
    "and": "ASK { FILTER(" + "&&".join(["true"] * 20_000) + ") }",
    "sum": "ASK { FILTER(" + "+".join(["1"] * 10_000) + " > 0) }",
    "sequence path": "ASK { ?s " + "/".join(["<http://x.example/p>"] * 10_000) + " ?o }",
    "alternative path": "ASK { ?s " + "|".join(["<http://x.example/p>"] * 20_000) + " ?o }",
    "one or more": "ASK { ?s " + "(" * 3000 + "<http://x.example/p>" + ")+" * 3000 + " ?o }",
    "union": "ASK { " + " UNION ".join(["{}"] * 10_000) + " }",
    "optional": "ASK { " + " ".join(["OPTIONAL {}"] * 10_000) + " }",
    "minus": "ASK { " + " ".join(["MINUS { ?a ?b ?c }"] * 10_000) + " }",
    "object list": "ASK { ?s <http://x.example/p> " + ",".join(["1"] * 10_000) + " }",
    "binds": "ASK { " + " ".join(f"BIND(1 AS ?v{i})" for i in range(10_000)) + " }",
    "basic graph pattern": "ASK { "
    + " ".join(f"?s{i} <http://x.example/p> ?o{i} ." for i in range(10_000))
    + " }",
    "negations": "ASK { FILTER(" + "!" * 20_000 + "true) }",
}


@pytest.mark.parametrize("name", CRASH_SHAPES)
def test_every_crashing_chain_is_refused_with_a_message(name: str) -> None:
    with pytest.raises(QueryError, match=r"levels deep|at most \d+: split the query") as error:
        check_bounds(CRASH_SHAPES[name])
    assert error.value.status == 400


def test_long_flat_lists_are_not_chains() -> None:
    rows = " ".join(f"(<http://x.example/{i}> {i})" for i in range(20_000))
    check_bounds(f"SELECT * {{ VALUES (?s ?n) {{ {rows} }} }}")
    check_bounds("ASK { FILTER(?x IN (" + ", ".join(map(str, range(20_000))) + ")) }")
    check_bounds("ASK { FILTER(" + "||".join(["true"] * (MAX_LINKS - 2)) + ") }")
    check_bounds("# " + "|" * 50_000 + "\nASK { ?s ?p '" + "." * 50_000 + "' }")


def test_undeclared_prefixes_are_read_from_the_query_text_only() -> None:
    published = {
        "il2kg": "https://w3id.org/il2kg/ontology/",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
        "skos": "http://www.w3.org/2004/02/skos/core#",
    }
    text = (
        "PREFIX il2kg: <urn:own#>\n# rdfs:label in a comment\n"
        'SELECT * { ?s il2kg:a "skos:x" ; <urn:x:y> ?o ; ex:b ?v ; rdfs:label ?l }'
    )
    assert with_prefixes(text, published) == f"PREFIX rdfs: <{published['rdfs']}>\n{text}"
    assert with_prefixes("ASK { ?s ?p ?o }", published) == "ASK { ?s ?p ?o }"


# issue 19: the regex's look-behind missed these; pyoxigraph parses every one as SERVICE.
SPELLINGS = [
    "SELECT * { ?s ?p ?o.SERVICE <http://x.example/> {} }",
    "SELECT * { ?s ?p ?o .SERVICE SILENT <http://x.example/> {} }",
    "SELECT * { ?s ?p 1SERVICE <http://x.example/> {} }",
    "SELECT * { ?s ?p 1.5SERVICE <http://x.example/> {} }",
    "SELECT * { ?s ?p 1e0SERVICE <http://x.example/> {} }",
    "SELECT * { ?s ?p true.SERVICE <http://x.example/> {} }",
    "SELECT * { {}.SERVICE <http://x.example/> {} }",
]
# ...and these only as pyoxigraph reads them: a keyword needs no boundary after it, and `<` in
# an expression is less-than where the W3C lexer would read an IRI.
OXIGRAPH_READINGS = [
    ("SELECT * { SERVICESILENT <http://x.example/> {} }", "http://x.example/"),
    ("PREFIX : <http://x.example/> SELECT * { ?s ?p ?o .SERVICE:x {} }", ":x"),
    ("SELECT * { ?s ?p ?o FILTER(?a<?b)SERVICE?v#>\n{} }", "<?b)SERVICE?v#>"),
]


@pytest.mark.parametrize("query", SPELLINGS)
def test_the_seven_spellings_are_services(query: str) -> None:
    assert services(query) == ["http://x.example/"]


@pytest.mark.parametrize(("query", "target"), OXIGRAPH_READINGS)
def test_services_as_pyoxigraph_reads_them(query: str, target: str) -> None:
    assert services(query) == [target]


@pytest.mark.parametrize(
    "query",
    [
        "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#> ASK { ?s a sd:Service }",
        "ASK { ?s <http://x.example/service#a> ?service . FILTER(?service = 'SERVICE') }",
        "ASK { VALUES ?x { <http://x.example/service> } }",
        "ASK { ?s ex:myService _:service } # SERVICE <http://x.example/>",
    ],
)
def test_service_in_names_strings_and_comments_is_no_service(query: str) -> None:
    assert services(query) == []
