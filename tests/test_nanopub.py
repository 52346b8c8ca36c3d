"""`il2kg export nanopub`: a signed nanopublication per curated outcome, verified offline with
nanopub-sign (Trusty URI and signature), byte-stable, and errata that supersede."""

from __future__ import annotations

import re
import socket
from pathlib import Path

import nanopub_sign
import pytest
from pyoxigraph import Store
from rdflib import Dataset, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, XSD

from il2kg import __released__, __version__
from il2kg.cli import main
from il2kg.evidence.nanopub import INDEX, Previous, Signer, export
from il2kg.publish.store import open_store
from il2kg.query.run import run_local

IL2KG = Namespace("https://w3id.org/il2kg/ontology/")
NPX = Namespace("http://purl.org/nanopub/x/")
RES = "https://w3id.org/il2kg/resource/"
ROOT = Path(__file__).parent.parent
CREATOR = "https://orcid.org/0000-0002-1825-0097"  # ORCID's documented example identifier


@pytest.fixture(scope="module")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("key") / "id_rsa"
    path.write_text(nanopub_sign.KeyPair().private)
    return path


@pytest.fixture(scope="module")
def store(built_dist: Path) -> Store:
    return open_store(built_dist)


@pytest.fixture(scope="module")
def files(store: Store, key_file: Path) -> dict[str, str]:
    return export(
        lambda query: run_local(store, query).payload, Signer.from_file(key_file, CREATOR)
    )


def _dataset(text: str) -> Dataset:
    dataset = Dataset()
    dataset.parse(data=text, format="trig")
    return dataset


def _graph(dataset: Dataset, part: str) -> list[tuple]:
    [name] = {
        g
        for _, p, g, _ in dataset.quads((None, None, None, None))
        if g is not None and str(g).endswith("/" + part)
    }
    return list(dataset.graph(name))


def test_every_nanopublication_verifies_offline(files: dict[str, str]) -> None:
    for text in files.values():
        info = nanopub_sign.Nanopub(text).check().info()
        assert info["trusty_hash"].startswith("RA") and info["uri"]["value"].endswith(
            info["trusty_hash"]
        )
        assert info["signature"] and info["algo"] == "RSA"


def test_a_changed_byte_fails_the_check(files: dict[str, str]) -> None:
    text = files["atkins-1999.outcome.cr"]
    assert "il2kg:count 17" in text
    with pytest.raises(Exception, match="hash"):
        nanopub_sign.Nanopub(text.replace("il2kg:count 17", "il2kg:count 18")).check()


def test_one_per_outcome_and_an_index_of_them(files: dict[str, str], seed_result: object) -> None:
    outcomes = {f"{r.id}.outcome.{o.id}" for r in seed_result.loaded.records for o in r.outcomes}
    assert set(files) == outcomes | {INDEX}
    index = _dataset(files[INDEX])
    included = {str(o) for _, _, o in _graph(index, "assertion")}
    uris = {nanopub_sign.Nanopub(files[stem]).info()["uri"]["value"] for stem in outcomes}
    assert included == uris


def test_assertion_provenance_and_pubinfo(files: dict[str, str], seed_result: object) -> None:
    atkins = next(r for r in seed_result.loaded.records if r.id == "atkins-1999")
    cr = next(o for o in atkins.outcomes if o.id == "cr")
    dataset = _dataset(files["atkins-1999.outcome.cr"])
    outcome = URIRef(RES + "atkins-1999/outcome/cr")
    assertion = _graph(dataset, "assertion")
    assert (outcome, IL2KG["count"], Literal(cr.count, datatype=XSD.integer)) in assertion
    assert (outcome, IL2KG.denominator, Literal(cr.denominator, datatype=XSD.integer)) in assertion
    assert (outcome, IL2KG.inCohort, URIRef(RES + "atkins-1999/cohort/all")) in assertion
    provenance = _graph(dataset, "provenance")
    assert (outcome, PROV.hadPrimarySource, URIRef(RES + "atkins-1999")) in provenance
    assert (
        URIRef(RES + "atkins-1999/outcome/cr/derived"),
        PROV.wasAttributedTo,
        URIRef("https://w3id.org/il2kg/"),
    ) in provenance
    pubinfo = {(p, o) for _, p, o in _graph(dataset, "pubinfo")}
    assert {
        (DCTERMS.creator, URIRef(CREATOR)),
        (DCTERMS.license, URIRef("https://creativecommons.org/licenses/by/4.0/")),
        (DCTERMS.isPartOf, URIRef(f"https://w3id.org/il2kg/release/{__version__}/")),
        (DCTERMS.created, Literal(__released__, datatype=XSD.date)),
    } <= pubinfo


def test_curation_notes_are_in_the_provenance(files: dict[str, str], seed_result: object) -> None:
    checked = 0
    for record in seed_result.loaded.records:
        for outcome in record.outcomes:
            provenance = _graph(_dataset(files[f"{record.id}.outcome.{outcome.id}"]), "provenance")
            bases = {str(o) for _, p, o in provenance if p == IL2KG.curationBasis}
            assert bases == {" ".join(n.basis.split()) for n in outcome.curation_notes}
            checked += len(bases)
    assert checked


def test_the_quoted_words_are_in_the_provenance(files: dict[str, str], seed_result: object) -> None:
    """Each outcome's provenance carries the exact words of every quote it was curated from
    (W3C Web Annotation with the outcome as body), read back from the record."""
    OA = Namespace("http://www.w3.org/ns/oa#")
    checked = 0
    for record in seed_result.loaded.records:
        for outcome in record.outcomes:
            provenance = _graph(_dataset(files[f"{record.id}.outcome.{outcome.id}"]), "provenance")
            iri = URIRef(f"{RES}{record.id}/outcome/{outcome.id}")
            assert {s for s, p, o in provenance if p == OA.hasBody and o == iri} == {
                URIRef(f"{iri}/quote/{i}") for i in range(1, len(outcome.quotes) + 1)
            }
            exact = {" ".join(str(o).split()) for _, p, o in provenance if p == OA.exact}
            assert exact == {" ".join(q.text.split()) for q in outcome.quotes}
            checked += len(exact)
    assert checked


def test_two_exports_with_the_same_key_are_byte_identical(
    store: Store, key_file: Path, files: dict[str, str]
) -> None:
    again = export(
        lambda query: run_local(store, query).payload, Signer.from_file(key_file, CREATOR)
    )
    assert again == files


def test_nothing_goes_over_the_network(
    store: Store, key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the export opened a network connection")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    assert export(
        lambda query: run_local(store, query).payload, Signer.from_file(key_file, CREATOR)
    )


def test_an_erratum_supersedes_the_old_nanopublication(
    built_dist: Path, key_file: Path, files: dict[str, str], tmp_path: Path
) -> None:
    old = tmp_path / "old"
    old.mkdir()
    for stem, text in files.items():
        (old / f"{stem}.trig").write_text(text)
    store = open_store(built_dist)  # a store of its own: the update stays in this test
    store.update(f"""PREFIX il2kg: <{IL2KG}>
        DELETE {{ GRAPH ?g {{ <{RES}atkins-1999/outcome/cr> il2kg:count ?n }} }}
        INSERT {{ GRAPH ?g {{ <{RES}atkins-1999/outcome/cr> il2kg:count 18 }} }}
        WHERE {{ GRAPH ?g {{ <{RES}atkins-1999/outcome/cr> il2kg:count ?n }} }}""")
    previous = Previous.read(old)
    new = export(
        lambda query: run_local(store, query).payload, Signer.from_file(key_file, CREATOR), previous
    )
    changed = {stem for stem in files if new[stem] != files[stem]}
    assert changed == {"atkins-1999.outcome.cr", INDEX}
    for stem in changed:
        nanopub_sign.Nanopub(new[stem]).check()
        pubinfo = _graph(_dataset(new[stem]), "pubinfo")
        superseded = previous.index if stem == INDEX else previous.uris[stem]
        assert any(p == NPX.supersedes and str(o) == superseded for _, p, o in pubinfo)


def test_cli_writes_the_directory(
    built_dist: Path, key_file: Path, tmp_path: Path, files: dict[str, str]
) -> None:
    out = tmp_path / "np"
    assert (
        main(
            [
                "export",
                "nanopub",
                "--dist",
                str(built_dist),
                "--out",
                str(out),
                "--key",
                str(key_file),
                "--creator",
                CREATOR,
            ]
        )
        == 0
    )
    assert {p.stem: p.read_text() for p in out.glob("*.trig")} == files
    assert main(["export", "nanopub", "--dist", str(built_dist), "--out", str(out)]) == 2


def _content(text: str, part: str) -> set[tuple]:
    """A nanopublication's part with its own URI replaced (it depends on the signing key)."""
    uri = nanopub_sign.Nanopub(text).info()["uri"]["value"]
    return set(_graph(_dataset(text.replace(uri, "http://example.org/np")), part))


def test_the_nanopublication_printed_in_the_docs_is_current(files: dict[str, str]) -> None:
    """docs/nanopub.md prints Clark's melanoma-alive-10y nanopublication (signed with another
    key): it verifies, and its assertion and provenance are today's. If this fails, print it
    again: il2kg export nanopub --out DIR --key KEY --creator IRI, and paste the file."""
    [printed] = re.findall(r"```trig\n(.*?)```", (ROOT / "docs/nanopub.md").read_text(), re.S)
    nanopub_sign.Nanopub(printed).check()
    current = files["clark-2021.outcome.melanoma-alive-10y"]
    for part in ("assertion", "provenance"):
        assert _content(printed, part) == _content(current, part)
