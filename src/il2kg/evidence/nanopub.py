"""A signed nanopublication per curated outcome, and an index nanopublication of the release.

Each outcome's nanopublication holds, in its assertion, the typed outcome with its cohort,
treatment, counts, time and intervals as the graph has them (its derived figures as an
il2kg:DerivedValue); in its provenance, the publication it comes from, the source sentences,
which values the source reports and which il2kg derived, and the curation notes; in its
publication info, the licence, the release and the creator. Trusty URIs and RSA signatures
come from nanopub-sign, offline: nothing is published. The same graph, key and release give
the same bytes (the release date is the creation date unless a timestamp is asked for).
See docs/nanopub.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV

from il2kg import __released__, __version__
from il2kg.errors import UsageError
from il2kg.evidence.fhir_terms import resource_id
from il2kg.files import write_atomic
from il2kg.iris import DATA_GRAPH, IL2KG, PUBLISHER, RELEASE_BASE
from il2kg.publish.release import il2kg_dataset
from il2kg.query.result import text_rows

Run = Callable[[str], bytes]
"""Runs a query: a SELECT's SPARQL JSON result, a CONSTRUCT's N-Triples."""

NP = Namespace("http://www.nanopub.org/nschema#")
NPX = Namespace("http://purl.org/nanopub/x/")
TEMP = "http://purl.org/nanopub/temp/np/"  # nanopub-sign replaces it by the trusty URI
THIS, HEAD = URIRef(TEMP), URIRef(TEMP + "Head")
ASSERTION, PROVENANCE, PUBINFO = (
    URIRef(TEMP + part) for part in ("assertion", "provenance", "pubinfo")
)
INDEX = "index"
PREFIXES = {
    "il2kg": str(IL2KG),
    "prov": str(PROV),
    "dct": str(DCTERMS),
    "npx": str(NPX),
    "oa": "http://www.w3.org/ns/oa#",
}  # for the signed TriG's readability; the triples are the same
OUTCOMES = f"""PREFIX il2kg: <{IL2KG}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?outcome ?label ?publication WHERE {{
  GRAPH <{DATA_GRAPH}> {{ ?study il2kg:hasOutcome ?outcome .
    ?outcome rdfs:label ?label ; il2kg:reportedIn ?publication }}
}} ORDER BY ?outcome"""
ASSERTED = f"""PREFIX il2kg: <{IL2KG}>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{DATA_GRAPH}> {{
  {{ ?s ?p ?o FILTER (?s = <OUTCOME> && ?p NOT IN (il2kg:hasCurationNote,
                                                   il2kg:sourceSentence)) }}
  UNION {{ ?s ?p ?o FILTER (STRSTARTS(STR(?s), "OUTCOME/") && !CONTAINS(STR(?s), "/note/")) }}
  UNION {{ <OUTCOME> il2kg:inCohort|il2kg:afterTreatment|il2kg:originRegimen ?s . ?s ?p ?o
          FILTER (?p IN (rdf:type, rdfs:label)) }}
}} }}"""
SOURCED = f"""PREFIX il2kg: <{IL2KG}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{DATA_GRAPH}> {{
  {{ ?s ?p ?o FILTER (?s = <OUTCOME> && ?p IN (il2kg:hasCurationNote, il2kg:sourceSentence)) }}
  UNION {{ ?s ?p ?o FILTER (STRSTARTS(STR(?s), "OUTCOME/note/")) }}
  UNION {{ ?s ?p ?o FILTER (STRSTARTS(STR(?s), "OUTCOME/quote/")) }}
  UNION {{ <OUTCOME> il2kg:reportedIn ?s . ?s ?p ?o
          FILTER (?p IN (il2kg:curationSource, rdfs:seeAlso, rdfs:label)) }}
}} }}"""


@dataclass(frozen=True)
class Signer:
    """Who signs: an RSA private key (PKCS#8, PEM or bare base64) and the creator's IRI."""

    key: str
    creator: str

    @classmethod
    def from_file(cls, path: Path, creator: str) -> Signer:
        """A signer from a key file; an error naming the file if it holds no key."""
        key = path.read_text(encoding="ascii").strip()
        if not key:
            raise UsageError(f"{path}: empty; expected an RSA private key (PEM or base64)")
        return cls(key, creator)

    def sign(self, trig: str) -> str:
        """The signed nanopublication (TriG) of an unsigned one in the temporary namespace."""
        try:
            import nanopub_sign
        except ImportError as exc:  # an optional extra: say how to get it
            raise UsageError(
                "signing nanopublications needs nanopub-sign: pip install 'il2kg[nanopub]'"
            ) from exc
        try:
            profile = nanopub_sign.NpProfile(self.key, self.creator, "", None)
            return str(nanopub_sign.Nanopub(trig).sign(profile).rdf())
        except Exception as exc:  # nanopub-sign raises plain exceptions with its reason
            raise UsageError(f"could not sign a nanopublication: {exc}") from exc


@dataclass(frozen=True)
class Previous:
    """A former release's nanopublications: each outcome's URI, assertion and text."""

    index: str
    uris: dict[str, str]
    assertions: dict[str, Graph]
    texts: dict[str, str]

    @classmethod
    def read(cls, directory: Path) -> Previous:
        """Read an `il2kg export nanopub` directory (an error naming what is missing)."""
        index = directory / f"{INDEX}.trig"
        if not index.is_file():
            raise UsageError(
                f"{directory}: no {INDEX}.trig; expected an earlier "
                "`il2kg export nanopub --out` directory"
            )
        uris, assertions, texts = {}, {}, {}
        for path in sorted(directory.glob("*.trig")):
            text = path.read_text(encoding="utf-8")
            uri, assertion = _parts(text)
            uris[path.stem], assertions[path.stem], texts[path.stem] = uri, assertion, text
        return cls(uris.pop(INDEX), uris, assertions, texts)


def _parts(text: str) -> tuple[str, Graph]:
    """A signed nanopublication's URI and its assertion graph."""
    dataset = Dataset()
    dataset.parse(data=text, format="trig")
    [(uri, graph)] = [
        (str(s), o) for s, _, o, _ in dataset.quads((None, NP.hasAssertion, None, None))
    ]
    assertion = Graph()
    for triple in dataset.graph(URIRef(str(graph))):
        assertion.add(triple)
    return uri, assertion


def _graph(payload: bytes) -> Graph:
    graph = Graph()
    graph.parse(data=payload, format="nt")
    return graph


def _trig(graphs: dict[URIRef, Graph]) -> str:
    """Unsigned TriG in a fixed order (sorted N-Triples per graph), so signing is stable."""
    parts = [f"@prefix {name}: <{iri}> .\n" for name, iri in PREFIXES.items()]
    for name, graph in graphs.items():
        lines = sorted(set(graph.serialize(format="nt").splitlines()) - {""})
        parts.append(f"<{name}> {{\n" + "\n".join(lines) + "\n}\n")
    return "".join(parts)


def _head() -> Graph:
    head = Graph()
    head.add((THIS, RDF.type, NP.Nanopublication))
    for predicate, graph in (
        (NP.hasAssertion, ASSERTION),
        (NP.hasProvenance, PROVENANCE),
        (NP.hasPublicationInfo, PUBINFO),
    ):
        head.add((THIS, predicate, graph))
    return head


def _pubinfo(signer: Signer, label: str, created: Literal, supersedes: str | None) -> Graph:
    """Licence (`dataset.yaml`'s), release, creator, creation date and the nanopublication
    it supersedes."""
    info = Graph()
    licence = il2kg_dataset().license
    if licence:
        info.add((THIS, DCTERMS.license, URIRef(licence)))
    for predicate, value in (
        (DCTERMS.creator, URIRef(signer.creator)),
        (DCTERMS.isPartOf, URIRef(f"{RELEASE_BASE}{__version__}/")),
        (DCTERMS.created, created),
        (RDFS.label, Literal(label)),
    ):
        info.add((THIS, predicate, value))
    if supersedes is not None:
        info.add((THIS, NPX.supersedes, URIRef(supersedes)))
    return info


def _provenance(outcome: URIRef, publication: URIRef, sourced: Graph, assertion: Graph) -> Graph:
    """Where the assertion comes from: the publication, its sentences, the curation notes;
    what the source reports (primary source) and what il2kg derived (attributed to il2kg)."""
    provenance = Graph()
    provenance += sourced
    provenance.add((ASSERTION, PROV.wasDerivedFrom, publication))
    provenance.add((outcome, PROV.hadPrimarySource, publication))
    for derived in assertion.subjects(RDF.type, IL2KG.DerivedValue):
        provenance.add((derived, PROV.wasAttributedTo, PUBLISHER))
    return provenance


def created_literal(timestamp: bool) -> Literal:
    """The creation date: the release's (byte-stable), or now if a timestamp is asked for."""
    if timestamp:
        return Literal(datetime.now(UTC).isoformat(timespec="seconds"), datatype=XSD.dateTime)
    return Literal(__released__, datatype=XSD.date)


def export(
    run: Run, signer: Signer, previous: Previous | None = None, timestamp: bool = False
) -> dict[str, str]:
    """Every outcome's signed nanopublication and the release's index, by file stem. With a
    former release, an unchanged outcome keeps its nanopublication and a changed one gets a
    new one superseding it (an erratum); the index supersedes the former index."""
    created = created_literal(timestamp)
    files: dict[str, str] = {}
    for row in text_rows(run(OUTCOMES)):
        outcome, stem = URIRef(row["outcome"]), resource_id(row["outcome"])
        assertion = _graph(run(ASSERTED.replace("OUTCOME", str(outcome))))
        if (
            previous is not None
            and stem in previous.assertions
            and set(previous.assertions[stem]) == set(assertion)
        ):
            files[stem] = previous.texts[stem]
            continue
        sourced = _graph(run(SOURCED.replace("OUTCOME", str(outcome))))
        replaced = previous.uris.get(stem) if previous is not None else None
        files[stem] = signer.sign(
            _trig(
                {
                    HEAD: _head(),
                    ASSERTION: assertion,
                    PROVENANCE: _provenance(
                        outcome, URIRef(row["publication"]), sourced, assertion
                    ),
                    PUBINFO: _pubinfo(
                        signer, f"il2kg {__version__}: {row['label']}", created, replaced
                    ),
                }
            )
        )
    files[INDEX] = signer.sign(_index(files, signer, created, previous))
    return files


def _index(
    files: dict[str, str], signer: Signer, created: Literal, previous: Previous | None
) -> str:
    """The unsigned index nanopublication listing every outcome's nanopublication."""
    assertion, provenance = Graph(), Graph()
    for text in files.values():
        assertion.add((THIS, NPX.includesElement, URIRef(_parts(text)[0])))
    provenance.add((ASSERTION, RDF.type, NPX.IndexAssertion))
    info = _pubinfo(
        signer,
        f"il2kg {__version__}: a nanopublication per curated outcome",
        created,
        previous.index if previous is not None else None,
    )
    info.add((THIS, RDF.type, NPX.NanopubIndex))
    info.add((THIS, DCTERMS.title, Literal(f"il2kg {__version__} outcomes")))
    return _trig({HEAD: _head(), ASSERTION: assertion, PROVENANCE: provenance, PUBINFO: info})


def write(files: dict[str, str], directory: Path) -> list[Path]:
    """Write each nanopublication to DIR/<stem>.trig, each whole or not at all (the
    directory is created)."""
    directory.mkdir(parents=True, exist_ok=True)
    return [
        write_atomic(directory / f"{stem}.trig", text.encode("utf-8"))
        for stem, text in files.items()
    ]
