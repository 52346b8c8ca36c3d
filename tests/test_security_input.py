"""`--data` files cannot reach out: no XML external entities, no entity bombs, no remote JSON-LD
contexts; a refused file leaves no half-built store behind."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from pyoxigraph import NamedNode

from il2kg.publish.disk_store import build_store
from il2kg.publish.extra_files import extra_graph_name
from il2kg.publish.store import open_store
from il2kg.server.serve import has_store

from .server_fixtures import free_port, listener, serve_command

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
SECRET = "hostname-of-the-build-machine-4c1e"


def rdfxml(doctype: str, text: str) -> str:
    """An RDF/XML document with one statement whose object is `text`, after `doctype`."""
    return (
        f'<?xml version="1.0"?>\n{doctype}\n<rdf:RDF xmlns:rdf="{RDF}" '
        f'xmlns:ex="http://example.org/">\n  <rdf:Description rdf:about="http://example.org/a">'
        f"<ex:p>{text}</ex:p></rdf:Description>\n</rdf:RDF>\n"
    )


def xxe_cases(url: str, secret: Path) -> dict[str, str]:
    """RDF/XML documents whose entities would read a URL or a local file."""
    return {
        "system-http": rdfxml(f'<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "{url}/e">]>', "&x;"),
        "system-file": rdfxml(
            f'<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "{secret.as_uri()}">]>', "&x;"
        ),
        "etc-hostname": rdfxml(
            '<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "file:///etc/hostname">]>', "&x;"
        ),
        "public": rdfxml(f'<!DOCTYPE rdf:RDF [<!ENTITY x PUBLIC "-//x//EN" "{url}/p">]>', "&x;"),
        "parameter": rdfxml(f'<!DOCTYPE rdf:RDF [<!ENTITY % x SYSTEM "{url}/d"> %x;]>', "v"),
        "single-quoted": rdfxml(f"<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM '{url}/e'>]>", "&x;"),
    }


def bomb(levels: int) -> str:
    """A 'billion laughs' document: each entity is ten of the one before."""
    entities = '<!ENTITY e0 "ha">' + "".join(
        f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' for i in range(1, levels)
    )
    return rdfxml(f"<!DOCTYPE rdf:RDF [{entities}]>", f"&e{levels - 1};")


JSONLD_CASES = {
    "context": '{{"@context": "{url}/c", "@id": "http://example.org/a", "name": "x"}}',
    "context-list": '{{"@context": [{{"@vocab": "http://e/"}}, "{url}/c"], "@id": "http://e/a",'
    ' "name": "x"}}',
    "import": '{{"@context": {{"@version": 1.1, "@import": "{url}/c"}}, "@id": "http://e/a",'
    ' "name": "x"}}',
    "scoped": '{{"@context": {{"@version": 1.1, "t": {{"@id": "http://e/t", "@context": '
    '"{url}/c"}}}}, "@id": "http://e/a", "t": {{"name": "x"}}}}',
}


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    """A local file whose text must never end up in a store."""
    path = tmp_path / "secret.txt"
    path.write_text(SECRET, encoding="utf-8")
    return path


def refuse(built_dist: Path, data: Path, store: Path) -> str:
    """Build a store with `data`, expect a refusal; its message."""
    with pytest.raises(ValueError) as refused:
        build_store(store, built_dist, extra=[data])
    assert not has_store(store)
    assert not list(store.parent.glob(f".{store.name}-*"))  # no half-built store left over
    return str(refused.value)


@pytest.mark.parametrize(
    "case", ["system-http", "system-file", "etc-hostname", "public", "parameter", "single-quoted"]
)
def test_xml_external_entities_are_refused_without_reading(
    built_dist: Path, tmp_path: Path, secret: Path, case: str
) -> None:
    data = tmp_path / f"{case}.rdf"
    with listener() as (url, received):
        data.write_text(xxe_cases(url, secret)[case], encoding="utf-8")
        message = refuse(built_dist, data, tmp_path / "store")
    assert str(data) in message and "external" in message
    assert SECRET not in message
    assert received == []


def test_external_dtd_is_not_fetched(tmp_path: Path, built_dist: Path) -> None:
    data = tmp_path / "dtd.rdf"
    with listener() as (url, received):
        data.write_text(rdfxml(f'<!DOCTYPE rdf:RDF SYSTEM "{url}/dtd">', "v"), encoding="utf-8")
        store = open_store(built_dist, extra=[data])
    assert received == []
    assert len(list(store.quads_for_pattern(None, None, None, extra_graph_name(data)))) == 1


@pytest.mark.parametrize("levels", [9, 12])
def test_entity_bomb_is_refused(built_dist: Path, tmp_path: Path, levels: int) -> None:
    data = tmp_path / "bomb.rdf"
    data.write_text(bomb(levels), encoding="utf-8")
    message = refuse(built_dist, data, tmp_path / "store")
    assert str(data) in message and "expand" in message


def test_recursive_entities_are_refused(built_dist: Path, tmp_path: Path) -> None:
    data = tmp_path / "loop.rdf"
    data.write_text(
        rdfxml('<!DOCTYPE rdf:RDF [<!ENTITY a "&b;"><!ENTITY b "&a;">]>', "&a;"), encoding="utf-8"
    )
    assert str(data) in refuse(built_dist, data, tmp_path / "store")


def test_internal_entities_still_load(built_dist: Path, tmp_path: Path) -> None:
    """RDF/XML as ontology editors write it (entities for namespaces) is still accepted."""
    data = tmp_path / "editor.rdf"
    doctype = '<!DOCTYPE rdf:RDF [<!ENTITY ex "http://example.org/"><!ENTITY v "value">]>'
    data.write_text(
        rdfxml(doctype, "&v; at &ex;").replace(
            'rdf:about="http://example.org/a"', 'rdf:about="&ex;a"'
        ),
        encoding="utf-8",
    )
    store = open_store(built_dist, extra=[data])
    objects = [
        q.object.value
        for q in store.quads_for_pattern(
            NamedNode("http://example.org/a"), None, None, extra_graph_name(data)
        )
    ]
    assert objects == ["value at http://example.org/"]


@pytest.mark.parametrize("case", JSONLD_CASES)
def test_jsonld_remote_contexts_are_refused_without_fetching(
    built_dist: Path, tmp_path: Path, case: str
) -> None:
    data = tmp_path / f"{case}.jsonld"
    with listener() as (url, received):
        data.write_text(JSONLD_CASES[case].format(url=url), encoding="utf-8")
        message = refuse(built_dist, data, tmp_path / "store")
    assert str(data) in message and "remote context" in message
    assert received == []


def test_serve_with_hostile_data_exits_2_and_reaches_nothing(
    built_dist: Path, tmp_path: Path, secret: Path
) -> None:
    data, store = tmp_path / "xxe.rdf", tmp_path / "store"
    with listener() as (url, received):
        data.write_text(xxe_cases(url, secret)["system-http"], encoding="utf-8")
        args = ["--dist", str(built_dist), "--data", str(data), "--store", str(store)]
        done = subprocess.run(
            serve_command(*args, "--port", str(free_port())),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 2, done.stderr
    assert str(data) in done.stderr and "external" in done.stderr
    assert "Traceback" not in done.stderr
    assert received == [] and not has_store(store)


def test_no_iri_in_data_is_dereferenced(built_dist: Path, tmp_path: Path) -> None:
    """Bases, namespaces and IRIs pointing at a listener are names, never fetched."""
    data = {
        "base.jsonld": '{{"@context": {{"@base": "{url}/"}}, "@id": "a", "http://e/p": '
        '{{"@id": "b"}}}}',
        "base.ttl": "@base <{url}/> . @prefix x: <{url}/ns#> . <a> x:p <b> .",
        "base.rdf": rdfxml("", "v").replace("<rdf:RDF ", '<rdf:RDF xml:base="{url}/" '),
    }
    with listener() as (url, received):
        paths = []
        for name, text in data.items():
            paths.append(tmp_path / name)
            paths[-1].write_text(text.format(url=url), encoding="utf-8")
        store = open_store(built_dist, extra=paths)
    assert received == []
    assert all(
        len(list(store.quads_for_pattern(None, None, None, extra_graph_name(p)))) == 1
        for p in paths
    )
