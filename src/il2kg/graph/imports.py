"""The slim modules of external ontologies (`ontology/imports/*.ttl`), one named graph each."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph, URIRef

from il2kg.iris import IMPORTS_GRAPH_BASE, bind_prefixes


def import_graph_name(path: Path) -> URIRef:
    """The named graph of one module: the graph base, `imports/`, and the file's stem."""
    return URIRef(IMPORTS_GRAPH_BASE + path.name.removesuffix(".ttl"))


def import_graphs(imports_dir: Path) -> dict[URIRef, Graph]:
    """Every Turtle module of a directory, parsed, by its named graph."""
    return {
        import_graph_name(path): bind_prefixes(Graph()).parse(path, format="turtle")
        for path in sorted(imports_dir.glob("*.ttl"))
    }
