"""SHACL validation set-at-a-time on a pyoxigraph store, with the results pySHACL would give.

pySHACL evaluates every constraint once per focus node, in Python, and parses an
`sh:sparql` query again for every focus node: minutes on a graph of a million triples.
Here the data stays in a pyoxigraph store (`validate_store`: named graphs of the build's
store; `validate_fast` loads an rdflib graph into a scratch store) and each core constraint
runs once over all of its focus nodes: targets, class instances and property values are
read from the store's indexes once, converted to rdflib terms once each (the objects of a
path only counted are not converted at all). A SPARQL-based constraint whose `$this` is
provably bound by its pattern (`prefilter_safe`, read on the parsed algebra) runs first on
the store with `$this` unbound, one query for all focus nodes, to find the few that can
have results; on those only it runs again in rdflib, over a read-only view of the same
store (`store_view`), with `$this` pre-bound exactly as pySHACL binds it, so results
(values, messages) are pySHACL's: rdflib and Oxigraph compute some values differently
(1.0 + 2 is "3.0" in rdflib, "3" in Oxigraph), so the store's own solutions are never
reported. Any other rule (e.g. `$this` only in an OPTIONAL or a FILTER) runs in rdflib for
every focus node, as pySHACL does, logged. Results carry the same focus node, path, value,
severity, source shape, constraint component and messages. The data is read together with
the part of the ontology pySHACL mixes in (`mixed_in`), each triple once however many
graphs hold it: Oxigraph's union of named graphs is a multiset, so the small graphs are
copied, without the triples the first graph holds, into one temporary graph.

The store holds RDF 1.1 terms: "50.0"^^xsd:decimal is stored as 50 and "a"^^xsd:string as
"a". Validating the store reports its terms, which is what pySHACL sees in the files
written from it; `validate_fast` declines an rdflib graph holding a literal the store would
restate (`restated_literal`), since its results would name another term than pySHACL's.

Only the SHACL features our shapes use are implemented. Both entry points raise
`Unsupported` for anything else, and `shacl.validate_graph` / `shacl.validate_store` then
fall back to pySHACL.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, cached_property, lru_cache, partial
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import rdflib
from pyshacl.rdfutil.compare import compare_literal
from pyshacl.rdfutil.inoculate import inoculate
from rdflib import OWL, RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Identifier, Node, Variable

from il2kg.checks.reasoning_cache import default_dir, digest, write_entry
from il2kg.checks.store_view import to_quad, to_rdflib, view
from il2kg.graph.quads import ox_term

RANGES = {
    SH.minExclusive: (SH.MinExclusiveConstraintComponent, lambda c: c > 0),
    SH.minInclusive: (SH.MinInclusiveConstraintComponent, lambda c: c >= 0),
    SH.maxExclusive: (SH.MaxExclusiveConstraintComponent, lambda c: c < 0),
    SH.maxInclusive: (SH.MaxInclusiveConstraintComponent, lambda c: c <= 0),
}
UNSUPPORTED_SPARQL = re.compile(r"\$(PATH|currentShape|shapesGraph)\b", re.IGNORECASE)
# What SHACL forbids in a query with pre-bound variables (SHACL 5.3.1.1 and 5.3.1.2): MINUS,
# SERVICE, VALUES, a pre-bound variable bound by AS, a sub-SELECT not returning $this.
FORBIDDEN_SPARQL = re.compile(r"\b(MINUS|SERVICE|VALUES)\b|\bAS\s*[?$]this\b", re.IGNORECASE)
SUB_SELECT = re.compile(r"\{\s*SELECT\b(.*?)\bWHERE\b", re.IGNORECASE | re.DOTALL)
PRE_BOUND = re.compile(r"[?$]this\b")
THIS = Variable("this")
SCRATCH = "urn:il2kg:shacl:mixed-in"  # the temporary named graph of `validate_store`
TARGETS = (SH.targetClass, SH.targetSubjectsOf, SH.targetObjectsOf, SH.targetNode, SH.target)
RULE_PREDICATES = frozenset(
    {RDF.type, SH.select, SH.message, SH.prefixes, RDFS.label, RDFS.comment}
)
log = logging.getLogger(__name__)
CONSTRAINTS = (
    SH.minCount,
    SH.maxCount,
    SH.datatype,
    SH["class"],
    SH.pattern,
    SH["in"],
    SH["or"],
    SH.hasValue,
    *RANGES,
)
SHAPE_PREDICATES = frozenset(
    {
        RDF.type,
        SH.targetClass,
        SH.targetSubjectsOf,
        SH.targetObjectsOf,
        SH.targetNode,
        SH.property,
        SH.path,
        SH.message,
        SH.severity,
        SH.sparql,
        SH.name,
        SH.description,
        SH.order,
        SH.group,
        SH.prefixes,
        RDFS.label,
        RDFS.comment,
        *CONSTRAINTS,
    }
)
PYTHON_TYPES = {XSD.string: str, XSD.integer: int, XSD.decimal: Decimal, XSD.boolean: bool}


class Unsupported(ValueError):
    """The shapes use a SHACL feature this engine does not implement."""


@dataclass(frozen=True)
class ValidationResult:
    """One validation result, as the triples of an `sh:ValidationResult`."""

    focus: Node
    shape: Node
    component: URIRef
    severity: URIRef
    messages: tuple[Literal, ...]
    path: Node | None = None
    value: Node | None = None
    constraint: Node | None = None


def datatype_matches(value: Node, datatype: Node) -> bool:
    """pySHACL's sh:datatype test: same datatype, well formed, of the expected Python type."""
    if not isinstance(value, Literal):
        return False
    if value.datatype is None and value.language is None:
        return datatype == XSD.string
    if value.language is not None:
        return datatype == RDF.langString
    if value.datatype != datatype or value.ill_typed is True:
        return False
    expected = PYTHON_TYPES.get(datatype)  # type: ignore[call-overload]
    return expected is None or isinstance(value.value, expected)


def in_range(value: Node, bound: Node, accept: Callable[[int], bool]) -> bool:
    """pySHACL's value-range test: comparable literals only, strings only with strings."""
    if not isinstance(value, Literal) or not isinstance(bound, Literal):
        return False
    if isinstance(value.value, str) != isinstance(bound.value, str):
        return False
    try:
        return accept(compare_literal(value, bound))
    except (TypeError, NotImplementedError):
        return False


def _matches(value: Node, matcher: re.Pattern[str]) -> bool:
    """pySHACL's sh:pattern test: the lexical form or IRI matches; a blank node never does."""
    return not isinstance(value, BNode) and matcher.search(str(value)) is not None


@lru_cache(maxsize=256)
def _prepared(text: str) -> Query:
    """A SPARQL query parsed once per process (parsing takes rdflib ~0.1 s a query)."""
    return prepareQuery(text)


def safe_to_prefilter(text: str) -> bool:
    """`prefilter_safe` of a rule's text, kept on disk (`default_dir()/shacl`) by the digest
    of the text, of this module's source and of rdflib's version: an unchanged rule is not
    parsed again by the next run, which needs it parsed only if it has candidates."""
    path = default_dir() / "shacl" / digest(text.encode(), _source(), rdflib.__version__.encode())
    try:
        return path.read_bytes() == b"safe"  # anything else: run per focus node
    except OSError:
        safe = prefilter_safe(_prepared(text))
    write_entry(path, b"safe" if safe else b"unsafe")
    return safe


@cache
def _source() -> bytes:
    """This module's source: what decides `prefilter_safe`."""
    return Path(__file__).read_bytes()


def prefilter_safe(query: Query) -> bool:
    """True when running the rule with `$this` unbound finds every focus node it reports.

    That holds when every solution binds `$this` through a required triple pattern of the
    rule's group (joins, the left side of OPTIONAL, both sides of UNION, a sub-SELECT
    projecting `$this` or grouping by it) and `$this` appears nowhere evaluated
    before that binding joins in: then pre-binding `$this` to a node gives exactly the
    unbound solutions with that node. `$this` only in an OPTIONAL, a FILTER or a BIND, or in
    a GRAPH, or a LIMIT anywhere, fails the test.
    """
    return _binds_this(query.algebra["p"])


def _mentions_this(node: Any) -> bool:
    """True when `$this` occurs anywhere in a part of the algebra."""
    if node == THIS:
        return True
    if isinstance(node, dict):
        return any(_mentions_this(v) for k, v in node.items() if k != "_vars")
    if isinstance(node, list | tuple):
        return any(_mentions_this(v) for v in node)
    return False


def _binds_this(node: Any) -> bool:
    """True when every solution of the algebra part binds `$this`, as `prefilter_safe` says."""
    name = getattr(node, "name", None)
    if name == "BGP":
        return any(THIS in (s, o) for s, _, o in node["triples"])
    if name in ("Filter", "Extend", "Distinct", "Reduced", "OrderBy", "ToMultiSet"):
        return _binds_this(node["p"])
    if name == "Project":
        return THIS in node["PV"] and _binds_this(node["p"])
    if name == "Join":
        sides = (node["p1"], node["p2"])
        return any(map(_binds_this, sides)) and all(
            _binds_this(p) or not _mentions_this(p) for p in sides
        )
    if name == "LeftJoin":
        right = node["p2"]
        return _binds_this(node["p1"]) and (_binds_this(right) or not _mentions_this(right))
    if name == "Union":
        return _binds_this(node["p1"]) and _binds_this(node["p2"])
    if name == "AggregateJoin":
        group = node["p"]
        return THIS in (group.get("expr") or []) and _binds_this(group["p"])
    return False


def restated_literal(literals: Iterable[Literal]) -> Literal | None:
    """One of the literals pyoxigraph stores as another term than rdflib's, or None:
    "50.0"^^xsd:decimal is stored as 50, "a"^^xsd:string as the plain "a"."""
    literals = list(literals)
    scratch = ox.Store()
    scratch.bulk_extend(
        ox.Quad(ox.NamedNode(f"urn:i:{i}"), ox.NamedNode("urn:p"), ox_term(lit))
        for i, lit in enumerate(literals)
    )
    for quad in scratch:
        stored, lit = quad.object, literals[int(quad.subject.value[6:])]
        if to_rdflib(stored) != lit:
            return lit
    return None


@dataclass
class _Index:
    """Lookups on disjoint named graphs of a pyoxigraph store, each computed once."""

    store: ox.Store
    graphs: tuple[ox.NamedNode, ...]
    objects: dict[Node, dict[Node, list[Node]]] = field(default_factory=dict)
    instances: dict[Node, set[Node]] = field(default_factory=dict)
    terms: dict[Any, Node] = field(default_factory=dict)

    def _quads(self, predicate: Node, obj: Node | None = None) -> Iterator[ox.Quad]:
        """The quads of a predicate (an IRI, or none match), with an object if given."""
        if not isinstance(predicate, URIRef):
            return
        wanted = None if obj is None else ox_term(obj)
        for graph in self.graphs:
            yield from self.store.quads_for_pattern(None, ox.NamedNode(predicate), wanted, graph)

    def term(self, term: Any) -> Node:
        """A term of the store as an rdflib term, each converted once (a literal takes ~10 µs)."""
        found = self.terms.get(term)
        if found is None:
            found = self.terms[term] = to_rdflib(term)
        return found

    def values(self, predicate: Node) -> dict[Node, list[Node]]:
        """Subject to objects of one predicate."""
        if predicate not in self.objects:
            table: dict[Node, list[Node]] = defaultdict(list)
            term = self.term
            for quad in self._quads(predicate):
                table[term(quad.subject)].append(term(quad.object))
            self.objects[predicate] = dict(table)
        return self.objects[predicate]

    def counts(self, predicate: Node) -> dict[Node, int]:
        """Subject to its number of objects for one predicate (the objects left unconverted)."""
        if predicate in self.objects:
            return {s: len(values) for s, values in self.objects[predicate].items()}
        found: dict[Node, int] = defaultdict(int)
        term = self.term
        for quad in self._quads(predicate):
            found[term(quad.subject)] += 1
        return found

    def of_class(self, cls: Node) -> set[Node]:
        """Instances of a class or of its subclasses (rdf:type/rdfs:subClassOf*)."""
        if cls not in self.instances:
            classes, todo = {cls}, [cls]
            while todo:
                for quad in self._quads(RDFS.subClassOf, todo.pop()):
                    sub = self.term(quad.subject)
                    if sub not in classes:
                        classes.add(sub)
                        todo.append(sub)
            self.instances[cls] = {
                self.term(q.subject) for c in classes for q in self._quads(RDF.type, c)
            }
        return self.instances[cls]

    def subjects_of(self, predicate: Node) -> set[Node]:
        return set(self.counts(predicate))

    def objects_of(self, predicate: Node) -> set[Node]:
        return {o for values in self.values(predicate).values() for o in values}

    def query(self, query: Query, this: Identifier) -> Iterator[dict[str, Node]]:
        """The solutions of a prepared SELECT query with $this bound, in rdflib."""
        for row in self.union.query(query, initBindings={"this": this}).bindings:
            yield {str(k): v for k, v in row.items() if v is not None}

    def candidates(self, query: str) -> set[Node] | None:
        """The `$this` of every solution of a SELECT on the store; None if one is a literal."""
        found: set[Node] = set()
        for row in self.store.query(query, default_graph=list(self.graphs)):  # type: ignore[union-attr]
            this = row["this"]
            if isinstance(this, ox.NamedNode | ox.BlankNode):
                found.add(to_rdflib(this))
            elif this is not None:
                return None
        return found

    @cached_property
    def union(self) -> Graph:
        """The graphs as one rdflib graph (a read-only view, no copy)."""
        return view(self.store, self.graphs)


class _Shapes:
    """Reads shapes from the shapes graph and evaluates them against the index."""

    index: _Index  # the data, set before validating
    candidates: dict[Node, Future[set[Node] | None]]  # of the pre-filtered rules, computing

    def __init__(self, shapes: Graph) -> None:
        self.g = shapes
        self._memo: dict[tuple[str, Node, Node | None], Any] = {}
        self._check_supported()
        self.rules = {c: self._rule(c) for c in shapes.objects(None, SH.sparql)}

    def _rule(self, constraint: Node) -> tuple[str, bool]:
        """A SPARQL-based constraint's full text (with prefixes) and whether it is
        `prefilter_safe`."""
        for predicate in self.g.predicates(constraint, None):
            if predicate not in RULE_PREDICATES:
                raise Unsupported(f"SPARQL constraint {constraint} uses {predicate}")
        text = str(self.one(constraint, SH.select))
        if UNSUPPORTED_SPARQL.search(text):
            raise Unsupported(f"SPARQL constraint {constraint} needs more than $this")
        if forbidden := FORBIDDEN_SPARQL.search(text):
            raise Unsupported(
                f"SPARQL constraint {constraint}: SHACL does not allow "
                f"{' '.join(forbidden.group(0).split())} with $this pre-bound"
            )
        if any(not PRE_BOUND.search(m.group(1)) for m in SUB_SELECT.finditer(text)):
            raise Unsupported(
                f"SPARQL constraint {constraint}: SHACL does not allow a "
                "sub-SELECT that does not return $this"
            )
        full = f"{self._prefixes(constraint)}\n{text}"
        try:
            return full, safe_to_prefilter(full)
        except Exception as exc:  # rdflib raises plain Exceptions for unknown prefixes
            raise Unsupported(f"SPARQL constraint {constraint} does not parse: {exc}") from exc

    def _once(self, kind: str, node: Node, extra: Node | None, compute: Callable[[], Any]) -> Any:
        """A lookup in the shapes graph, computed once per validation."""
        key = (kind, node, extra)
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def _check_supported(self) -> None:
        """Raise `Unsupported` naming every feature of the shapes this engine lacks."""
        if problems := sorted(self._unsupported()):
            raise Unsupported("; ".join(problems))

    def _unsupported(self) -> Iterator[str]:
        node_shapes = set(self.g.subjects(RDF.type, SH.NodeShape))
        for target in TARGETS:
            for node in set(self.g.subjects(target, None)) - node_shapes:
                yield f"{node} has a target but is not an sh:NodeShape"
        shape_nodes = node_shapes | set(self.g.objects(None, SH.property))
        or_members = {m for lst in self.g.objects(None, SH["or"]) for m in Collection(self.g, lst)}
        shape_nodes |= or_members
        for node in shape_nodes:
            for predicate in set(self.g.predicates(node, None)) - SHAPE_PREDICATES:
                yield f"shape {node} uses {predicate}"
            path = self.g.value(node, SH.path)
            if path is not None and not isinstance(path, URIRef):
                yield f"shape {node} has a complex path"
            if path is not None and (node, SH.sparql, None) in self.g:
                yield f"property shape {node} has a SPARQL constraint"
            constrained = any((node, p, None) in self.g for p in CONSTRAINTS)
            if constrained and node not in or_members and (node, SH.message, None) not in self.g:
                yield f"shape {node} has no sh:message (generic messages not implemented)"
            if (node, RDF.type, SH.NodeShape) in self.g and (node, RDF.type, RDFS.Class) in self.g:
                yield f"shape {node} is also a class (implicit class target)"

    def one(self, node: Node, predicate: URIRef) -> Node | None:
        return self._once("one", node, predicate, lambda: self.g.value(node, predicate))

    def messages(self, node: Node) -> tuple[Literal, ...]:
        return self._once(
            "messages",
            node,
            None,
            lambda: tuple(m for m in self.g.objects(node, SH.message) if isinstance(m, Literal)),
        )

    def severity(self, node: Node) -> URIRef:
        return self.one(node, SH.severity) or SH.Violation  # type: ignore[return-value]

    def focus_nodes(self, shape: Node) -> set[Any]:
        """The focus nodes of a node shape's targets."""
        index, found = self.index, set()
        for cls in self.g.objects(shape, SH.targetClass):
            found |= index.of_class(cls)
        for predicate in self.g.objects(shape, SH.targetSubjectsOf):
            found |= index.subjects_of(predicate)
        for predicate in self.g.objects(shape, SH.targetObjectsOf):
            found |= index.objects_of(predicate)
        found |= set(self.g.objects(shape, SH.targetNode))
        return found

    def validate(self, shape: Node, focus: Iterable[Any]) -> Iterator[ValidationResult]:
        """Every result of a shape (node or property shape) for the given focus nodes."""
        path = self.one(shape, SH.path)
        if path is None:
            pairs = {f: [f] for f in focus}
        elif self._only_counted(shape):
            sizes = self.index.counts(path)
            yield from self._counts(shape, path, {f: sizes.get(f, 0) for f in focus})
            return
        else:
            table = self.index.values(path)
            pairs = {f: table.get(f, []) for f in focus}
        yield from self._counts(shape, path, {f: len(values) for f, values in pairs.items()})
        yield from self._has_value(shape, path, pairs)
        yield from self._values(shape, path, pairs)
        yield from self._or(shape, path, pairs)
        for prop in self.g.objects(shape, SH.property):
            yield from self.validate(prop, pairs)
        if path is None:
            yield from self._sparql(shape, set(pairs))

    def _result(
        self, shape: Node, focus: Any, component: URIRef, path: Node | None, value: Any = None
    ) -> ValidationResult:
        return ValidationResult(
            focus, shape, component, self.severity(shape), self.messages(shape), path, value
        )

    def _only_counted(self, shape: Node) -> bool:
        """True when a property shape constrains how many values there are, nothing else."""
        return not (
            self._value_tests(shape)
            or any((shape, p, None) in self.g for p in (SH.hasValue, SH["or"], SH.property))
        )

    def _counts(
        self, shape: Node, path: Node | None, sizes: dict[Any, int]
    ) -> Iterator[ValidationResult]:
        low, high = self.one(shape, SH.minCount), self.one(shape, SH.maxCount)
        for f, size in sizes.items():
            if low is not None and size < int(str(low)):
                yield self._result(shape, f, SH.MinCountConstraintComponent, path)
            if high is not None and size > int(str(high)):
                yield self._result(shape, f, SH.MaxCountConstraintComponent, path)

    def _has_value(
        self, shape: Node, path: Node | None, pairs: dict[Any, list[Any]]
    ) -> Iterator[ValidationResult]:
        if (has_value := self.one(shape, SH.hasValue)) is not None:
            for f, values in pairs.items():
                if not any(v == has_value for v in values):
                    yield self._result(shape, f, SH.HasValueConstraintComponent, path)

    def _value_tests(self, shape: Node) -> list[tuple[URIRef, Callable[[Any], bool]]]:
        """(component, test of one value node) for each value constraint of a shape."""
        return self._once("tests", shape, None, lambda: self._new_value_tests(shape))

    def _new_value_tests(self, shape: Node) -> list[tuple[URIRef, Callable[[Any], bool]]]:
        g = self.g
        tests: list[tuple[URIRef, Callable[[Any], bool]]] = []
        for datatype in g.objects(shape, SH.datatype):
            matches = partial(datatype_matches, datatype=datatype)
            tests.append((SH.DatatypeConstraintComponent, matches))
        for cls in g.objects(shape, SH["class"]):
            tests.append((SH.ClassConstraintComponent, self.index.of_class(cls).__contains__))
        for pattern in g.objects(shape, SH.pattern):
            matcher = re.compile(str(pattern))
            tests.append((SH.PatternConstraintComponent, partial(_matches, matcher=matcher)))
        for choices in g.objects(shape, SH["in"]):
            tests.append((SH.InConstraintComponent, list(Collection(g, choices)).__contains__))
        for predicate, (component, accept) in RANGES.items():
            for bound in g.objects(shape, predicate):
                tests.append((component, partial(in_range, bound=bound, accept=accept)))
        return tests

    def _values(
        self, shape: Node, path: Node | None, pairs: dict[Any, list[Any]]
    ) -> Iterator[ValidationResult]:
        for component, test in self._value_tests(shape):
            for f, values in pairs.items():
                for v in values:
                    if not test(v):
                        yield self._result(shape, f, component, path, v)

    def _or(
        self, shape: Node, path: Node | None, pairs: dict[Any, list[Any]]
    ) -> Iterator[ValidationResult]:
        values = {v for vs in pairs.values() for v in vs}
        for choices in self.g.objects(shape, SH["or"]):
            members = list(Collection(self.g, choices))
            failing = [{r.focus for r in self.validate(m, values)} for m in members]
            for f, vs in pairs.items():
                for v in vs:
                    if all(v in failed for failed in failing):
                        yield self._result(shape, f, SH.OrConstraintComponent, path, v)

    def _prefixes(self, constraint: Node) -> str:
        """The PREFIX lines of a rule's sh:prefixes and of the ontologies they owl:import."""
        lines, sources = [], list(self.g.objects(constraint, SH.prefixes))
        for source in sources:
            sources += [o for o in self.g.objects(source, OWL.imports) if o not in sources]
            for declaration in self.g.objects(source, SH.declare):
                prefix = self.one(declaration, SH.prefix)
                namespace = self.one(declaration, SH.namespace)
                lines.append(f"PREFIX {prefix}: <{namespace}>")
        return "\n".join(lines)

    def _sparql(self, shape: Node, focus: set[Any]) -> Iterator[ValidationResult]:
        """SPARQL-based constraints: candidates from pyoxigraph, then rdflib with $this bound."""
        for constraint in self.g.objects(shape, SH.sparql):
            text, safe = self.rules[constraint]
            if not safe:
                self._once("declined", constraint, None, partial(self._declined, shape, constraint))
            candidates = self.candidates[constraint].result() if safe else None
            checked = focus if candidates is None else focus & candidates
            for this in sorted(checked, key=str):
                seen = set()
                for bound in self.index.query(_prepared(text), this):
                    key = tuple(sorted(bound.items()))
                    if key not in seen:
                        seen.add(key)
                        yield self._sparql_result(shape, constraint, this, bound)

    def _declined(self, shape: Node, constraint: Node) -> None:
        """Log that a rule cannot be pre-filtered soundly on the store."""
        log.warning(
            "fast SHACL engine: SPARQL constraint %s of %s: $this is not bound by a required "
            "triple pattern of the query's group; it runs in rdflib for every focus node "
            "instead, as pySHACL does (slower)",
            constraint,
            shape,
        )

    def _sparql_result(
        self, shape: Node, constraint: Node, this: Any, bound: dict[str, Node]
    ) -> ValidationResult:
        # pySHACL reports, and names in messages, the focus node as the value when the
        # query binds no ?value.
        bound = {"this": this, "value": this, **bound}
        focus = this
        own = tuple(self.g.objects(shape, SH.message))
        extra = tuple(m for m in self.g.objects(constraint, SH.message) if m not in own)
        messages = tuple(Literal(_fill(str(m), bound)) for m in (*extra, *own))
        return ValidationResult(
            focus,
            shape,
            SH.SPARQLConstraintComponent,
            self.severity(shape),
            messages,
            bound.get("path"),
            bound["value"],
            constraint,
        )


def _fill(message: str, bound: dict[str, Node]) -> str:
    """Put the solution's values into a message template: {?value} or {$value}."""
    for name, value in bound.items():
        message = re.sub("{[?$]" + name + "}", str(value), message)
    return message


def mixed_in(ontology: Graph) -> Graph:
    """The part of the ontology pySHACL adds to the data graph it validates: RDFS and OWL
    axioms, labels and comments, named individuals whole (not, e.g., IAO definitions)."""
    return inoculate(Graph(), ontology)  # type: ignore[arg-type]  # pySHACL passes Graphs too


def _results(store: ox.Store, graphs: tuple[ox.NamedNode, ...], shapes: _Shapes) -> list[Any]:
    """Every result of every node shape over disjoint named graphs of the store.

    The rules' candidate queries run on a second thread (pyoxigraph lets go of the GIL while
    it evaluates) while this one checks the core constraints."""
    index = shapes.index = _Index(store, graphs)
    results: list[ValidationResult] = []
    with ThreadPoolExecutor(max_workers=1) as queries:
        shapes.candidates = {
            c: queries.submit(index.candidates, text)
            for c, (text, safe) in shapes.rules.items()
            if safe
        }
        for shape in sorted(set(shapes.g.subjects(RDF.type, SH.NodeShape)), key=str):
            results.extend(shapes.validate(shape, shapes.focus_nodes(shape)))
    return results


def validate_graphs(graphs: tuple[Graph, ...], shapes: Graph) -> list[ValidationResult]:
    """Every result of every node shape over the union of the graphs (data and `mixed_in`),
    loaded into a scratch store; raises Unsupported if pyoxigraph would store one of their
    literals as another term (the results would name that term)."""
    engine = _Shapes(shapes)
    literals = {o for g in graphs for o in g.objects() if isinstance(o, Literal)}
    if (restated := restated_literal(literals)) is not None:
        raise Unsupported(f"pyoxigraph would store the literal {restated.n3()} as another term")
    store, scratch = ox.Store(), ox.NamedNode(SCRATCH)
    for graph in graphs:  # one named graph holds each triple once
        store.bulk_extend(to_quad(t, scratch) for t in graph)
    return _results(store, (scratch,), engine)


def validate_store(
    store: ox.Store, graphs: Sequence[URIRef], shapes: Graph, ontology: Graph
) -> Graph:
    """The SHACL report graph of named graphs of a store, the ontology mixed in as pySHACL does.

    `graphs[0]` is read where it is; the others and `mixed_in(ontology)`, meant to be small,
    are copied, each triple once, into the temporary graph `SCRATCH`, removed before this
    returns. Raises Unsupported before touching the store.
    """
    engine, data, scratch = _Shapes(shapes), ox.NamedNode(graphs[0]), ox.NamedNode(SCRATCH)
    store.remove_graph(scratch)
    try:
        extra = [
            ox.Quad(q.subject, q.predicate, q.object, scratch)
            for g in graphs[1:]
            for q in store.quads_for_pattern(None, None, None, ox.NamedNode(g))
        ]
        extra += [to_quad(t, scratch) for t in mixed_in(ontology)]
        store.extend(
            q for q in extra if ox.Quad(q.subject, q.predicate, q.object, data) not in store
        )
        results = _results(store, (data, scratch), engine)
        return report_graph(results, shapes, engine.index.union)
    finally:
        store.remove_graph(scratch)


def _copy_blank(source: Graph, node: Node | None, target: Graph) -> None:
    """Copy a blank node's description (and the blank nodes it reaches) into target."""
    todo, seen = [node], set()
    while todo:
        current = todo.pop()
        if current in seen or not isinstance(current, BNode):
            continue
        seen.add(current)
        for p, o in source.predicate_objects(current):
            target.add((current, p, o))
            todo.append(o)


def report_graph(results: Iterable[ValidationResult], shapes: Graph, data: Graph) -> Graph:
    """An sh:ValidationReport graph with one sh:ValidationResult per result, like pySHACL's."""
    report = Graph(bind_namespaces="core")
    for prefix, namespace in shapes.namespace_manager.namespaces():
        report.bind(prefix, namespace)
    node = BNode()
    results = list(results)
    report.add((node, RDF.type, SH.ValidationReport))
    report.add((node, SH.conforms, Literal(not any(r.severity == SH.Violation for r in results))))
    for r in results:
        result = BNode()
        report.add((node, SH.result, result))
        triples = [
            (RDF.type, SH.ValidationResult),
            (SH.sourceConstraintComponent, r.component),
            (SH.sourceShape, r.shape),
            (SH.resultSeverity, r.severity),
            (SH.focusNode, r.focus),
            (SH.value, r.value),
            (SH.resultPath, r.path),
            (SH.sourceConstraint, r.constraint),
        ]
        triples += [(SH.resultMessage, m) for m in r.messages]
        for predicate, value in triples:
            if value is not None:
                report.add((result, predicate, value))
        for value in (r.shape, r.constraint):
            _copy_blank(shapes, value, report)
        _copy_blank(data, r.value, report)
    return report


def validate_fast(data: Graph, shapes: Graph, ontology: Graph) -> Graph:
    """The SHACL report graph of data (with the ontology mixed in); raises Unsupported."""
    return report_graph(validate_graphs((data, mixed_in(ontology)), shapes), shapes, data)
