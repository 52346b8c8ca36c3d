"""HTML for browsers: a resource's description and the list of example queries."""

from __future__ import annotations

from html import escape

from pyoxigraph import Literal, NamedNode, Triple

from il2kg.iris import IL2KG, RES, curie

# Pages carry inline CSS and SVG, no script; nothing loads from elsewhere.
POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
STYLE = (
    "body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}"
    "body.wide{max-width:100em}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em;"
    "text-align:left;vertical-align:top}figure.forest{margin:1em 0;overflow-x:auto}"
    "figure.forest svg{max-width:100%;height:auto}"
    "table.evidence{font-size:90%;width:100%}"
    "table.evidence td:nth-child(2){min-width:16em}"
    "table.evidence td:nth-child(4),table.evidence td:nth-child(9){min-width:12em}"
    "table.evidence td:nth-child(6),table.evidence td:nth-child(7){white-space:nowrap}"
)


def page(title: str, body: str, wide: bool = False) -> str:
    """A complete small HTML page (`wide`: for plots and wide tables)."""
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>'
        f"{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body{' class=wide' if wide else ''}>"
        f'<p><a href="/">query page</a> · <a href="/queries">example queries</a> · '
        f'<a href="/evidence">evidence</a></p>'
        f"{body}</body></html>"
    )


def local_link(iri: str) -> str | None:
    """Where an IRI is browsed: resources and ontology terms of this graph here, other http(s)
    IRIs at their address; None for any other scheme (`javascript:`, `data:`...), not a link."""
    for base, route in ((str(RES), "/resource/"), (str(IL2KG), "/ontology/")):
        if iri.startswith(base):
            return route + iri[len(base) :]
    return iri if iri.lower().startswith(("http://", "https://")) else None


def link(iri: str, text: str) -> str:
    """An IRI as a link showing `text` (escaped), or the text alone when it is not browsable."""
    href = local_link(iri)
    return escape(text) if href is None else f'<a href="{escape(href)}">{escape(text)}</a>'


def _term(term: object, labels: dict[str, str]) -> str:
    if isinstance(term, NamedNode):
        return link(term.value, labels.get(term.value) or curie(term.value))
    if isinstance(term, Literal):
        suffix = f" @{term.language}" if term.language else ""
        return f"{escape(term.value)}{escape(suffix)}"
    return escape(str(term))


def resource_page(iri: str, triples: list[Triple], appendix: str = "") -> str:
    """A resource's statements and incoming links, with labels, as HTML (then `appendix`)."""
    labels = {
        t.subject.value: t.object.value
        for t in triples
        if t.predicate == LABEL
        and isinstance(t.subject, NamedNode)
        and isinstance(t.object, Literal)
    }
    outgoing = sorted((t for t in triples if t.subject == NamedNode(iri)), key=str)
    incoming = sorted((t for t in triples if t.object == NamedNode(iri)), key=str)
    rows = "".join(
        f"<tr><td>{_term(t.predicate, labels)}</td><td>{_term(t.object, labels)}</td></tr>"
        for t in outgoing
    )
    links = "".join(
        f"<tr><td>{_term(t.subject, labels)}</td><td>{_term(t.predicate, labels)}</td></tr>"
        for t in incoming
    )
    title = labels.get(iri, iri)
    body = (
        f"<h1>{escape(title)}</h1><p><code>{escape(iri)}</code> · also as "
        f'<a href="?format=ttl">Turtle</a>, <a href="?format=jsonld">JSON-LD</a></p>'
        f"<table><tr><th>property</th><th>value</th></tr>{rows}</table>"
    )
    body += appendix
    if links:
        body += (
            f"<h2>Referred to by</h2><table><tr><th>resource</th><th>as</th></tr>{links}</table>"
        )
    return page(title, body)


def examples_page(examples: list[dict[str, str]]) -> str:
    """The example queries as an HTML list, each opening in the query page."""
    items = "".join(
        f'<li><a href="/?example={escape(e["name"])}">{escape(e["label"])}</a>'
        f"<br><small>{escape(e['comment'])}</small><pre>{escape(e['query'])}</pre></li>"
        for e in examples
    )
    return page("il2kg example queries", f"<h1>Example queries</h1><ul>{items}</ul>")
