"""Content negotiation: which media type answers a query form, from Accept or `format=`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pyoxigraph import QueryResultsFormat, RdfFormat

from il2kg.query.result import Form

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
    "application/n-quads": RdfFormat.N_QUADS,  # the answer's triples, in the default graph
    "application/trig": RdfFormat.TRIG,
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
    "nq": "application/n-quads",
    "nquads": "application/n-quads",
    "n-quads": "application/n-quads",
    "trig": "application/trig",
}
GRAPH_ALIASES = {"json": "application/ld+json", "xml": "application/rdf+xml"}


@dataclass(frozen=True)
class Chosen:
    """The negotiated answer: the media type sent and the serialiser's format."""

    media_type: str
    format: Format


MAX_RANGES = 64  # media ranges read from an Accept header; the rest are ignored


@dataclass(frozen=True)
class Accept:
    """A parsed Accept header: (media range, q-value) pairs in header order."""

    ranges: tuple[tuple[str, float], ...]

    def quality(self, media: str) -> float:
        """The q-value of a media type: that of the most specific range matching it (0: none)."""
        found, rank = 0.0, 0
        for media_range, q in self.ranges:
            specificity = _specificity(media_range, media)
            if specificity > rank:
                found, rank = q, specificity
        return found


def _q(params: list[str]) -> float:
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "q":
            try:
                return max(0.0, min(1.0, float(value)))
            except ValueError:
                return 0.0
    return 1.0


CACHED_HEADER = 2048  # longer headers are parsed each time, never kept


def parse_accept(header: str | None) -> Accept:
    """An Accept header's first MAX_RANGES ranges (absent header: `*/*`), parsed once per
    distinct header of ordinary length."""
    if header is not None and len(header) > CACHED_HEADER:
        return _parse_accept(header)
    return _cached_accept(header)


@lru_cache(maxsize=256)
def _cached_accept(header: str | None) -> Accept:
    return _parse_accept(header)


def _parse_accept(header: str | None) -> Accept:
    if header is None or not header.strip():
        return Accept((("*/*", 1.0),))
    ranges = []
    for part in header.split(",", MAX_RANGES)[:MAX_RANGES]:
        media, *params = part.split(";")
        media = media.strip().lower()
        if media:
            ranges.append((media, _q(params)))
    return Accept(tuple(ranges))


def _specificity(media_range: str, media: str) -> int:
    """3 for an exact match, 2 for `type/*`, 1 for `*/*`, 0 when the range does not match."""
    if media_range == media:
        return 3
    if media_range == "*/*":
        return 1
    if media_range.endswith("/*") and media.startswith(media_range[:-1]):
        return 2
    return 0


def formats_for(form: Form) -> dict[str, Format]:
    """The media types a query form can be answered in; the first is the default."""
    return dict(GRAPH_FORMATS) if form is Form.TRIPLES else dict(RESULT_FORMATS)


def choose(form: Form, accept: str | None, format_param: str | None = None) -> Chosen | None:
    """The best format for a query form: `format=` if it names one, else by Accept; None: 406.
    Decided once per distinct request of ordinary length.

    >>> choose(Form.SOLUTIONS, "text/csv").media_type
    'text/csv'
    >>> choose(Form.SOLUTIONS, "text/html", "json").media_type  # format= wins
    'application/sparql-results+json'
    >>> choose(Form.TRIPLES, "text/csv") is None  # a graph in CSV: 406
    True
    """
    if len(accept or "") + len(format_param or "") > CACHED_HEADER:
        return _choose(form, accept, format_param)
    return _cached_choice(form, accept, format_param)


def _choose(form: Form, accept: str | None, format_param: str | None) -> Chosen | None:
    offered = formats_for(form)
    named = by_name(format_param, list(offered), graph=form is Form.TRIPLES)
    media = named or best(accept, list(offered))
    return Chosen(media, offered[media]) if media else None


_cached_choice = lru_cache(maxsize=256)(_choose)


def by_name(name: str | None, offered: list[str], *, graph: bool) -> str | None:
    """The offered media type a `format=` value names (a short name or a media type)."""
    if not name:
        return None
    aliases = {**ALIASES, **GRAPH_ALIASES} if graph else ALIASES
    media = aliases.get(name.strip().lower(), name.strip().lower())
    return media if media in offered else None


def best(accept: str | None, offered: list[str]) -> str | None:
    """The offered media type with the highest q-value (ties go to the offer order); None
    when every offered type is refused (q=0) or unmatched.

    >>> best("application/json;q=0.5, text/csv", ["application/json", "text/csv"])
    'text/csv'
    """
    parsed = parse_accept(accept)
    chosen, top = None, 0.0
    for media in offered:
        q = parsed.quality(media)
        if q > top:
            chosen, top = media, q
    return chosen
