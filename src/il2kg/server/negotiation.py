"""Content negotiation: which media type answers a query form, from Accept or `format=`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from pyoxigraph import QueryResultsFormat, RdfFormat


class Form(Enum):
    """What a query returns: solutions, a boolean or triples."""

    SOLUTIONS = "solutions"
    BOOLEAN = "boolean"
    TRIPLES = "triples"


Format = QueryResultsFormat | RdfFormat

RESULT_FORMATS: dict[str, QueryResultsFormat] = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "text/csv": QueryResultsFormat.CSV,
    "text/tab-separated-values": QueryResultsFormat.TSV,
    "application/json": QueryResultsFormat.JSON,
    "application/xml": QueryResultsFormat.XML,
    "text/xml": QueryResultsFormat.XML,
}
GRAPH_FORMATS: dict[str, RdfFormat] = {
    "text/turtle": RdfFormat.TURTLE,
    "application/n-triples": RdfFormat.N_TRIPLES,
    "application/ld+json": RdfFormat.JSON_LD,
    "application/rdf+xml": RdfFormat.RDF_XML,
    "application/x-turtle": RdfFormat.TURTLE,
    "text/plain": RdfFormat.N_TRIPLES,
    "application/json": RdfFormat.JSON_LD,
    "application/xml": RdfFormat.RDF_XML,
    "text/n3": RdfFormat.N3,
    "text/rdf+n3": RdfFormat.N3,
}
# Short names accepted by `format=` (as other endpoints do), then full media types.
ALIASES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "n-triples": "application/n-triples",
    "json-ld": "application/ld+json",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "rdf+xml": "application/rdf+xml",
    "rdf": "application/rdf+xml",
    "n3": "text/n3",
}
GRAPH_ALIASES = {"json": "application/ld+json", "xml": "application/rdf+xml"}


@dataclass(frozen=True)
class Chosen:
    """The negotiated answer: the media type sent and the serialiser's format."""

    media_type: str
    format: Format


def accepted(header: str) -> list[tuple[str, float]]:
    """Media ranges of an Accept header with their q-values, best first (stable)."""
    ranges: list[tuple[str, float, int]] = []
    for index, part in enumerate(header.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        if not pieces[0]:
            continue
        q = 1.0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((pieces[0].lower(), q, index))
    ranges.sort(key=lambda r: (-r[1], _specificity(r[0]), r[2]))
    return [(media, q) for media, q, _ in ranges]


def _specificity(media_range: str) -> int:
    return 2 if media_range == "*/*" else 1 if media_range.endswith("/*") else 0


def formats_for(form: Form) -> dict[str, Format]:
    """The media types a query form can be answered in; the first is the default."""
    return dict(GRAPH_FORMATS) if form is Form.TRIPLES else dict(RESULT_FORMATS)


def choose(form: Form, accept: str | None, format_param: str | None = None) -> Chosen | None:
    """The best format for a query form: `format=` if it names one, else by Accept; None: 406."""
    offered = formats_for(form)
    named = by_name(format_param, list(offered), graph=form is Form.TRIPLES)
    media = named or best(accept, list(offered))
    return Chosen(media, offered[media]) if media else None


def by_name(name: str | None, offered: list[str], *, graph: bool) -> str | None:
    """The offered media type a `format=` value names (a short name or a media type)."""
    if not name:
        return None
    aliases = {**ALIASES, **GRAPH_ALIASES} if graph else ALIASES
    media = aliases.get(name.strip().lower(), name.strip().lower())
    return media if media in offered else None


def best(accept: str | None, offered: list[str]) -> str | None:
    """The offered media type the Accept header prefers (ties go to the offer order)."""
    for media_range, q in accepted(accept or "*/*"):
        if q <= 0:
            continue
        for media in offered:
            if _matches(media_range, media) and not _refused(accept or "", media):
                return media
    return None


def _matches(media_range: str, media: str) -> bool:
    if media_range == "*/*":
        return True
    if media_range.endswith("/*"):
        return media.startswith(media_range[:-1])
    return media_range == media


def _refused(accept: str, media: str) -> bool:
    """True when the Accept header names this exact media type with q=0."""
    return any(m == media and q <= 0 for m, q in accepted(accept))
