"""The lexical checks of a query, without a server: SERVICE targets, the query form, a query's
own dataset and nesting depth, with comments, strings, IRIs and codepoint escapes in the way."""

from __future__ import annotations

import pytest

from il2kg.query.lexer import (
    MAX_DEPTH,
    Refused,
    check_depth,
    check_services,
    declares_dataset,
    depth,
    query_form,
    services,
    with_prefixes,
)


@pytest.mark.parametrize(("query", "targets"), [
    ("SELECT * { SERVICE <http://x.example/> { ?s ?p ?o } }", ["http://x.example/"]),
    ("SELECT * { service silent ?where { ?s ?p ?o } }", ["?where"]),
    ("SELECT * { \\u0053ERVICE <http://x.example/> {} }", ["http://x.example/"]),
    ("SELECT * { ?s ?p ?o } SERVICE\n\tex:end {}", ["ex:end"]),
    ("SELECT * { ?s ?p 'SERVICE <http://x.example/>' } # SERVICE <http://y.example/>", []),
    ("SELECT * { ?s <http://x.example/SERVICE> ?o . ?s ex:SERVICE ?SERVICE }", []),
])
def test_services_are_found_past_strings_comments_iris_and_escapes(
        query: str, targets: list[str]) -> None:
    assert services(query) == targets


def test_a_service_clause_is_refused_naming_its_target() -> None:
    with pytest.raises(Refused, match=r"SERVICE http://x\.example/ is not allowed"):
        check_services("SELECT * { SERVICE <http://x.example/> {} }")
    check_services("SELECT * { ?s ?p ?o }")


@pytest.mark.parametrize(("query", "form"), [
    ("PREFIX ex: <http://x.example/SELECT> # SELECT\nask {}", "ASK"),
    ("CONSTRUCT { ?s ?p 'DESCRIBE' } WHERE { ?s ?p ?o }", "CONSTRUCT"),
    ("\\u0053ELECT * {}", "SELECT"),
    ("PREFIX ex: <http://x.example/>", None),
])
def test_the_query_form_is_the_first_keyword_outside_strings_and_iris(
        query: str, form: str | None) -> None:
    assert query_form(query) == form


@pytest.mark.parametrize(("query", "declared"), [
    ("SELECT * FROM <http://x.example/g> { ?s ?p ?o }", True),
    ("SELECT * from named <http://x.example/g> { ?s ?p ?o }", True),
    ("SELECT ?from { ?s <http://x.example/FROM> 'FROM' }", False),
])
def test_a_dataset_of_its_own_is_a_from_clause(query: str, declared: bool) -> None:
    assert declares_dataset(query) is declared


def test_depth_counts_groups_brackets_and_negations_but_not_strings() -> None:
    assert depth("SELECT * { { ?s ?p ?o FILTER(!!(?o)) } }") == 5
    assert depth("SELECT * { ?s ?p '{{{{' }") == 1


def test_nesting_past_the_limit_is_a_syntax_error() -> None:
    check_depth("SELECT * " + "{" * MAX_DEPTH + "}" * MAX_DEPTH)
    with pytest.raises(SyntaxError, match=f"more than {MAX_DEPTH} levels"):
        check_depth("SELECT * " + "{" * (MAX_DEPTH + 1) + "}" * (MAX_DEPTH + 1))


def test_undeclared_prefixes_are_read_from_the_query_text_only() -> None:
    published = {"il2kg": "https://w3id.org/il2kg/ontology/",
                 "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
                 "skos": "http://www.w3.org/2004/02/skos/core#"}
    text = ("PREFIX il2kg: <urn:own#>\n# rdfs:label in a comment\n"
            'SELECT * { ?s il2kg:a "skos:x" ; <urn:x:y> ?o ; ex:b ?v ; rdfs:label ?l }')
    assert with_prefixes(text, published) == f"PREFIX rdfs: <{published['rdfs']}>\n{text}"
    assert with_prefixes("ASK { ?s ?p ?o }", published) == "ASK { ?s ?p ?o }"
