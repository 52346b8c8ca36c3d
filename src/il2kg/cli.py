"""The `il2kg` command line: build, validate, serve and query the knowledge graph.

Heavy imports happen inside the commands, so `il2kg --help` is instant.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from il2kg import __version__
from il2kg.errors import UsageError
from il2kg.paths import ONTOLOGY, ROOT, Inputs, build_cache, cache_root, find_project, locate

if TYPE_CHECKING:
    from il2kg.pipeline import PipelineResult
    from il2kg.query.result import Result

ENGINES = ("fast", "pyshacl")  # checks.shacl.ShaclEngine, not imported: it would load pySHACL
REPORT_FORMATS = ("text", "turtle", "json", "github", "junit", "sarif")  # report.FORMATS

EXIT_OK, EXIT_INVALID, EXIT_ERROR = 0, 1, 2
DIST_HELP = (
    "built graph (default: the project's dist/; outside any project, a build kept in "
    "the user's cache, $XDG_CACHE_HOME/il2kg)"
)
EXPORT_SCOPE = (
    "fhir: a FHIR R5 Bundle in the EBM-on-FHIR style (docs/fhir.md): a Citation per "
    "publication, a StudyGroup per cohort (diseases with their NCIt/MONDO codes, selection "
    "criteria, prior therapies, curation notes), an EvidenceVariable per exposure and "
    "measured variable, and an Evidence per reported or derived statistic of an outcome "
    "(time points and origins, comparators, curation notes; outcomes a cohort was selected "
    "on as baseline measures), per adverse event report and per factor association. "
    "Not exported: statements (background, hypotheses, observations, conclusions), "
    "regimens' dosing schedules, therapy sequences' steps, study designs and periods, and "
    "which source sentences each element was curated from. "
    "nanopub: DIR/<outcome>.trig per curated outcome (assertion: the outcome with cohort, "
    "treatment, counts, time and intervals; provenance: publication, source sentences, "
    "reported or derived, curation notes; pubinfo: licence, release, creator) and "
    "DIR/index.trig, with Trusty URIs, signed with --key, offline (docs/nanopub.md)."
)


def _inputs(args: argparse.Namespace) -> Inputs:
    """What a command reads: the project of the working directory (see il2kg.paths)."""
    return locate(Path.cwd(), args.seeds)


def _queries(args: argparse.Namespace) -> Path:
    """The example queries directory: --queries, else the project's or the packaged one."""
    return args.queries or _inputs(args).queries_dir


def _pipeline(args: argparse.Namespace, inputs: Inputs, disk: Path | None = None) -> PipelineResult:
    """The pipeline over the inputs, with the command's SHACL engine and reasoning choice; a
    large build's store goes on disk in `disk`."""
    from il2kg.pipeline import run

    return run(inputs, reasoning=args.reasoning, engine=args.engine, cache=args.cache, disk=disk)


def _seed_files(files: list[Path], inputs: Inputs) -> tuple[Path, ...]:
    """The named files, each a seed of the project; ValueError (exit 2) for any other."""
    seeds = inputs.seeds_dir.resolve()
    for file in files:
        if file.resolve().parent != seeds or file.suffix != ".yaml" or not file.is_file():
            raise UsageError(
                f"{file} is not a seed file of the project: expected a *.yaml "
                f"file in {inputs.seeds_dir}"
            )
    return tuple(files)


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate the seeds and the graph built from them; print a report."""
    from il2kg.report import Style, failed, problems, render_report

    inputs = _inputs(args)
    style = Style(_seed_files(args.files, inputs), quiet=args.quiet, strict=args.strict)
    result = _pipeline(args, inputs)
    if report := render_report(result, args.format, style):
        print(report)
    return EXIT_INVALID if failed(problems(result, style.files), style) else EXIT_OK


def _seed_paths(inputs: Inputs, names: list[str]) -> list[Path]:
    """The seed files named (paths, file names or record ids), else every seed of the project."""
    from il2kg.records.load import scan_seeds

    if not names:
        scan = scan_seeds(inputs.seeds_dir)
        if scan.errors:
            raise UsageError("; ".join(map(str, scan.errors)))
        return list(scan.seeds)
    paths = [
        Path(n) if Path(n).is_file() else inputs.seeds_dir / f"{n.removesuffix('.yaml')}.yaml"
        for n in names
    ]
    if missing := [str(p) for p in paths if not p.is_file()]:
        raise UsageError(f"no such record: {', '.join(missing)} (give a seed file or record id)")
    return paths


def cmd_audit(args: argparse.Namespace) -> int:
    """Check curated values against their sources: every element quotes its words, in place."""
    from il2kg.audit.check import audit, format_audit
    from il2kg.audit.wording import Lexicon
    from il2kg.pipeline import read_graph
    from il2kg.records.load import display_path, load_seeds
    from il2kg.records.vocabulary import vocabulary_from

    inputs = _inputs(args)
    if inputs.sources_dir is None or not inputs.sources_dir.is_dir():
        raise UsageError(f"no sources/ directory for {inputs.seeds_dir}")
    paths = _seed_paths(inputs, args.records)
    if args.fix_offsets:
        from il2kg.audit.offsets import fix_offsets

        for path in paths:
            fixed, problems = fix_offsets(path, inputs.sources_dir)
            print(
                "\n".join([*problems, f"{display_path(path)}: {fixed} offset(s) set"]),
                file=sys.stderr,
            )
    ontology = read_graph(inputs.ontology_file)
    loaded = load_seeds(paths, vocabulary_from(ontology), inputs.sources_dir)
    if loaded.errors:
        print("\n".join(map(str, loaded.errors)), file=sys.stderr)
        raise UsageError("records with errors cannot be audited (see `il2kg validate`)")
    files = {p.stem: display_path(p) for p in paths}
    report = audit(
        ((files[r.id], r) for r in loaded.records), inputs.sources_dir, Lexicon.of(ontology)
    )
    print(format_audit(report, args.format))
    return EXIT_OK if report.ok else EXIT_INVALID


def cmd_build(args: argparse.Namespace) -> int:
    """Build and validate, then publish the artifacts; on failure leave the output untouched."""
    import tempfile

    from il2kg.iris import EXAMPLES_GRAPH, prefixes
    from il2kg.publish.dist import publish_written
    from il2kg.publish.release import dataset_of
    from il2kg.publish.serialise import write_release
    from il2kg.query.examples import examples_graph
    from il2kg.report import render_report

    inputs = _inputs(args)
    print(f"il2kg build: {inputs.seeds_line()}", file=sys.stderr)
    _progress(args, "loading, converting and validating")
    with tempfile.TemporaryDirectory(prefix="il2kg-build-") as work:  # a large build's store
        result = _pipeline(args, inputs, Path(work))
        if not result.ok or result.store is None:
            print(render_report(result, "text"), file=sys.stderr)
            print(f"build refused: {args.out} was left as it was", file=sys.stderr)
            return EXIT_INVALID
        _progress(args, "writing artifacts")
        store, triples = result.store, result.triples
        examples = {EXAMPLES_GRAPH: examples_graph(inputs.queries_dir)}
        target = publish_written(
            lambda directory: write_release(
                directory,
                store,
                result.ontology,
                prefixes(),
                extra={**result.extra_graphs, **examples},
                dataset=dataset_of(inputs.dataset_file),
            ),
            args.out,
        )
    print(
        f"il2kg build: wrote {args.out.absolute()} (-> {target.name}): "
        f"{', '.join(sorted(p.name for p in target.iterdir()))}; the data graph has "
        f"{triples} triples from {len(result.loaded.records)} record(s)",
        file=sys.stderr,
    )
    if args.store:
        from il2kg.publish.disk_store import publish_store

        _progress(args, f"writing the on-disk store {args.store}")
        publish_store(args.store, args.out, queries_dir=inputs.queries_dir)
    for warning in result.loaded.warnings:
        print(warning, file=sys.stderr)
    warnings = (*result.loaded.warnings, *(result.report.warnings if result.report else ()))
    if warnings:
        print(f"{len(warnings)} warning(s); see `il2kg validate`", file=sys.stderr)
    return EXIT_OK


def cmd_query(args: argparse.Namespace) -> int:
    """Run a SPARQL query (a .rq file, an example name or - for stdin) and print its result."""
    from il2kg.iris import prefixes
    from il2kg.publish.store import open_store
    from il2kg.query.lexer import admit, in_user_text, with_prefixes
    from il2kg.query.render import format_result
    from il2kg.query.result import QueryError
    from il2kg.query.run import query_file, run_local, run_remote

    path = None if args.source == "-" else query_file(args.source, _inputs(args).queries_dir)
    text = sys.stdin.read() if path is None else path.read_text(encoding="utf-8")
    admit(text)  # no SERVICE (the embedded store is not sandboxed), nothing past the bounds
    if args.endpoint:  # the published prefixes apply as on `il2kg serve`, on any endpoint
        sent = with_prefixes(text, prefixes())
        try:
            result = run_remote(args.endpoint, sent)
        except QueryError as exc:  # its positions in the user's text, not in what was sent
            raise QueryError(in_user_text(exc.message, text, sent), exc.status) from None
    elif (status := _ensure_built(args)) != EXIT_OK:
        return status
    else:
        result = run_local(open_store(args.dist), text, prefixes=prefixes())
    print(format_result(result, args.format, prefixes=prefixes()))
    return EXIT_OK


def _run(args: argparse.Namespace, text: str) -> Result:
    """Run a query on `--endpoint` or on the build in `--dist` (building it when missing)."""
    from il2kg.publish.store import open_store
    from il2kg.query.run import run_local, run_remote

    if args.endpoint:
        return run_remote(args.endpoint, text)
    if (status := _ensure_built(args)) != EXIT_OK:
        raise UsageError(f"could not build {args.dist} (exit {status})")
    return run_local(open_store(args.dist), text)


def cmd_plot(args: argparse.Namespace) -> int:
    """Draw a forest plot of the response estimates in the graph."""
    from il2kg.evidence.forest import DRAW_SECONDS, write_within
    from il2kg.evidence.rows import ROWS_QUERY, SELECTORS, choices, rows_from_json, select

    payload = _run(args, ROWS_QUERY).payload
    every = rows_from_json(payload)
    wanted = {key: getattr(args, key) for key in SELECTORS}
    rows = select(every, **wanted)
    if not rows:
        given = [f"--{key} {' '.join(names)}" for key, names in wanted.items() if names]
        print(
            f"il2kg plot: no response estimates to plot{' for ' if given else ''}"
            f"{', '.join(given)}",
            file=sys.stderr,
        )
        for key in (k for k, names in wanted.items() if names):
            print(f"  --{key} takes: {'; '.join(choices(every, key))}", file=sys.stderr)
        return EXIT_INVALID
    written = write_within(payload, args.out, args.timeout or DRAW_SECONDS, wanted)
    print(f"il2kg plot: wrote {written} ({len(rows)} rows)", file=sys.stderr)
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    """Export the graph: a FHIR R5 Bundle, or a signed nanopublication per curated outcome."""
    if args.kind == "nanopub":
        return _export_nanopub(args)
    import json

    from il2kg.evidence.fhir import bundle
    from il2kg.files import write_atomic

    text = (
        json.dumps(bundle(lambda query: _run(args, query).payload), indent=2, ensure_ascii=False)
        + "\n"
    )
    if args.out is None:
        sys.stdout.write(text)
    else:
        print(f"il2kg export: wrote {write_atomic(args.out, text.encode())}", file=sys.stderr)
    return EXIT_OK


def _export_nanopub(args: argparse.Namespace) -> int:
    """Sign a nanopublication per outcome and the release's index into `--out` DIR."""
    from il2kg.evidence.nanopub import Previous, Signer, export, write

    missing = [name for name in ("out", "key", "creator") if getattr(args, name) is None]
    if missing:
        raise UsageError("export nanopub needs " + ", ".join(f"--{m}" for m in missing))
    signer = Signer.from_file(args.key, args.creator)
    previous = Previous.read(args.supersedes) if args.supersedes else None
    files = export(lambda query: _run(args, query).payload, signer, previous, args.timestamp)
    written = write(files, args.out)
    print(
        f"il2kg export: wrote {len(written)} signed nanopublications to {args.out} "
        "(nothing published)",
        file=sys.stderr,
    )
    return EXIT_OK


def _dist(args: argparse.Namespace) -> Path:
    """The build a command reads: --dist, else the project's dist/, else (outside any project)
    one in the user's cache, never a dist/ made in the working directory."""
    if args.dist is not None:
        return Path(args.dist)
    project = find_project(Path.cwd())
    return project / "dist" if project is not None else build_cache(_inputs(args).seeds_dir)


def _ensure_built(args: argparse.Namespace) -> int:
    """Build into `args.dist` first when it holds no build (saying where, outside a project)."""
    if (args.dist / "il2kg.nq").is_file():
        return EXIT_OK
    if args.dist.is_relative_to(cache_root()):
        print(
            f"il2kg {args.command}: no project here (no seeds/ in {Path.cwd()} or above): "
            f"building into the cache {args.dist} (--dist DIR to choose)",
            file=sys.stderr,
        )
    return cmd_build(argparse.Namespace(**{**vars(args), "out": args.dist, "store": None}))


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the graph as a SPARQL endpoint (building dist/ first if it is missing)."""
    from contextlib import ExitStack

    from il2kg.server.serve import (
        check_port,
        default_workers,
        engine_for,
        has_store,
        prepare_store,
        serve,
    )
    from il2kg.server.settings import Settings

    check_port(args.host, args.port)  # before any build or worker
    with ExitStack() as stack:
        store = None
        if not args.endpoint:
            if not has_store(args.store) and (status := _ensure_built(args)) != EXIT_OK:
                return status
            store = prepare_store(
                stack, args.store, args.dist, extra=args.data, queries_dir=_queries(args)
            )
        settings = Settings(
            timeout=args.timeout, endpoint_url=args.public_url, read_timeout=args.read_timeout
        )
        engine = engine_for(
            store,
            args.endpoint,
            workers=args.workers or default_workers(),
            timeout=args.timeout,
            cache=args.result_cache << 20,
            direct=args.direct and not args.access_log,  # the log is the server process's
        )
        serve(engine, settings, host=args.host, port=args.port, access_log=args.access_log)
    return EXIT_OK


def cmd_load(args: argparse.Namespace) -> int:
    """Put the built graph and example queries into a store (SPARQL 1.1 Graph Store Protocol),
    staged in a temporary on-disk store so memory stays bounded however large the build."""
    import tempfile

    from pyoxigraph import Store

    from il2kg.publish.store import fill
    from il2kg.publish.upload import load_to

    if (status := _ensure_built(args)) != EXIT_OK:
        return status
    with tempfile.TemporaryDirectory(prefix="il2kg-load-") as staging:
        store = fill(Store(staging), args.dist, extra=args.data, queries_dir=_queries(args))
        counts = load_to(store, args.to, timeout=args.timeout)
        del store  # closed before its directory goes
    for graph, count in counts.items():
        print(f"{count}\t{graph}")
    return EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    """Start a new evidence project: seeds/ with one example record, a CI workflow, a README."""
    from il2kg.scaffold import scaffold

    for path in scaffold(args.directory, args.source):
        print(f"wrote {path}")
    print(
        f"ontology, shapes and queries come from {ROOT}; a file at the same path in "
        f"{args.directory} replaces the packaged one"
    )
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of a seed file (a publication record)."""
    from il2kg.records.schema import record_schema

    sys.stdout.write(record_schema())
    return EXIT_OK


def _progress(args: argparse.Namespace, message: str) -> None:
    if args.verbose:
        print(f"il2kg: {message}", file=sys.stderr)


def parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    top = argparse.ArgumentParser(prog="il2kg", description=__doc__.splitlines()[0])
    top.add_argument("-V", "--version", action="version", version=f"il2kg {__version__}")
    commands = top.add_subparsers(dest="command", required=True)

    project = argparse.ArgumentParser(add_help=False)  # commands that read a project
    project.add_argument(
        "--seeds",
        type=Path,
        help="seed YAML directory (default: seeds/ of the nearest directory "
        "upwards that has one, else the bundled studies)",
    )
    checking = argparse.ArgumentParser(add_help=False)  # commands that run the pipeline
    checking.add_argument(
        "--engine",
        choices=ENGINES,
        default="fast",
        help="SHACL engine when validating (default: fast, which falls back "
        "to pySHACL, with a warning, on shapes it cannot run)",
    )
    checking.add_argument(
        "--no-reasoning",
        dest="reasoning",
        action="store_false",
        help="skip HermiT (needs no Java; a build then has no inferred graph)",
    )
    checking.add_argument(
        "--no-cache",
        dest="cache",
        action="store_false",
        help="reason every record again: neither read nor write the reasoning "
        "cache ($IL2KG_CACHE_DIR, else ~/.cache/il2kg)",
    )
    building = argparse.ArgumentParser(add_help=False, parents=[project, checking])
    building.add_argument(
        "-v",
        "--verbose",
        action="store_true",  # commands that may build
        help="report progress on stderr",
    )

    def command(
        name: str, handler: Callable[[argparse.Namespace], int], *parents: argparse.ArgumentParser
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(
            name, help=(handler.__doc__ or "").splitlines()[0], parents=list(parents)
        )
        sub.set_defaults(handler=handler)
        return sub

    build = command("build", cmd_build, building)
    build.add_argument("--out", type=Path, default=Path("dist"), help="output (default: dist)")
    build.add_argument("--store", type=Path, help="also write an on-disk store, for serve --store")
    validate = command("validate", cmd_validate, project, checking)
    validate.add_argument(
        "files",
        type=Path,
        nargs="*",
        metavar="FILE",
        help="report only these seed files (the whole project is validated)",
    )
    validate.add_argument(
        "--format",
        choices=REPORT_FORMATS,
        default="text",
        help="text (default), turtle (a SHACL report), json, github (workflow "
        "commands), junit (JUnit XML) or sarif (SARIF 2.1.0)",
    )
    validate.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print the problems only: nothing when there are none",
    )
    validate.add_argument(
        "--strict",
        action="store_true",
        help="warnings fail too (exit 1); by default only errors do",
    )
    audit = command("audit", cmd_audit, project)
    audit.add_argument(
        "records",
        nargs="*",
        metavar="RECORD",
        help="seed files or record ids (default: every seed)",
    )
    audit.add_argument("--format", choices=("text", "json"), default="text")
    audit.add_argument(
        "--fix-offsets",
        action="store_true",
        help="first set each quote's start to where its words occur (edits the "
        "seed files; a quote found nowhere or twice is named, not changed)",
    )
    query = command("query", cmd_query, building)
    query.add_argument("source", metavar="FILE.rq|NAME|-", help="query file, example name or -")
    query.add_argument("--format", choices=("table", "csv", "tsv", "json"), default="table")
    query.add_argument("--endpoint", metavar="URL", help="a SPARQL endpoint to query instead")
    query.add_argument("--dist", type=Path, help=DIST_HELP)
    serve = command("serve", cmd_serve, building)
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    serve.add_argument("--timeout", type=float, default=30.0, help="query time limit in s (30)")
    serve.add_argument(
        "--read-timeout",
        type=float,
        default=10.0,
        help="time for a request's head, and for its body, in s (10)",
    )
    serve.add_argument("--workers", type=int, default=None, help="query worker processes")
    serve.add_argument(
        "--result-cache",
        type=int,
        default=64,
        metavar="MIB",
        help="memory for answers kept for the build being served, in MiB (64; 0: none)",
    )
    serve.add_argument(
        "--direct",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="query workers answer keep-alive connections themselves, no hop per query "
        "(default; --no-direct, or --access-log: every request through the server process)",
    )
    serve.add_argument("--store", type=Path, help="on-disk store directory to use or create")
    serve.add_argument("--endpoint", metavar="URL", help="a remote SPARQL endpoint as the store")
    serve.add_argument("--public-url", metavar="URL", help="the endpoint's public address")
    serve.add_argument("--access-log", action="store_true", help="log a line per request")
    plot = command("plot", cmd_plot, building)
    plot.add_argument("kind", choices=("forest",), help="the kind of plot")
    plot.add_argument(
        "--out",
        type=Path,
        default=Path("forest.png"),
        help="FILE.png or FILE.svg (default: forest.png)",
    )
    plot.add_argument(
        "--timeout",
        type=float,
        help="time for drawing, in s (as the server allows: 30); past it nothing is written",
    )
    for key, example in (
        ("category", "objective-response"),
        ("disease", "metastatic-melanoma"),
        ("context", "after-checkpoint-inhibition"),
        ("study", "atkins-1999"),
    ):
        plot.add_argument(
            f"--{key}",
            action="append",
            default=[],
            metavar="NAME",
            help=f"only this {key}, e.g. {example} (repeatable; name or label, "
            "any case, '-' for spaces)",
        )
    export = command("export", cmd_export, building)
    export.description = EXPORT_SCOPE
    export.add_argument(
        "kind",
        choices=("fhir", "nanopub"),
        help="fhir: FHIR R5 JSON; nanopub: signed nanopublications (TriG)",
    )
    export.add_argument(
        "--out", type=Path, help="fhir: output file (default: standard output); nanopub: DIR"
    )
    export.add_argument(
        "--key",
        type=Path,
        metavar="FILE",
        help="nanopub: RSA private key to sign with (PEM or base64 PKCS#8)",
    )
    export.add_argument("--creator", metavar="IRI", help="nanopub: the creator, e.g. an ORCID")
    export.add_argument(
        "--supersedes",
        type=Path,
        metavar="DIR",
        help="nanopub: the former release's DIR; changed outcomes' "
        "nanopublications supersede theirs (errata)",
    )
    export.add_argument(
        "--timestamp",
        action="store_true",
        help="nanopub: date them now, not on the release date (not byte-stable)",
    )
    init = command("init", cmd_init)
    init.add_argument("directory", type=Path, metavar="DIR", help="new or empty directory")
    init.add_argument(
        "--source",
        metavar="REQUIREMENT|FILE.whl",
        help="where the CI workflow installs il2kg from: a pip requirement (e.g. "
        "'il2kg @ git+https://host/owner/il2kg@TAG') or a wheel, copied into "
        "the project (default: where this il2kg was installed from, if CI "
        "can reach it)",
    )
    command("schema", cmd_schema)
    load = command("load", cmd_load, building)
    load.add_argument(
        "--to",
        metavar="URL",
        required=True,
        help="Graph Store Protocol URL, e.g. http://127.0.0.1:7878/store",
    )
    load.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="how long to wait for the store at each step of a graph's upload "
        "(default 60; a store takes longer to commit a large graph)",
    )
    for sub in (plot, export):
        sub.add_argument("--endpoint", metavar="URL", help="a SPARQL endpoint to query instead")
        sub.add_argument("--dist", type=Path, help=DIST_HELP)
    for sub in (serve, load):
        sub.add_argument("--dist", type=Path, help=DIST_HELP)
        sub.add_argument(
            "--data",
            type=Path,
            nargs="+",
            action="extend",
            default=[],
            help="further RDF files, each in its own named graph",
        )
        sub.add_argument(
            "--queries",
            type=Path,
            default=None,
            help="example queries directory (default: the project's, else the packaged queries/)",
        )
    return top


class Stopped(KeyboardInterrupt):
    """A stop signal (SIGINT or SIGTERM): unwind and clean up on the way out."""


def _stop(signum: int, _frame: object) -> None:
    raise Stopped(signum)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; exit 0 on success, 1 when the data is invalid, 2 when it could not run
    (the reason on stderr, in one line).

    >>> main(["schema"])  # doctest: +ELLIPSIS
    {
      "$schema": "https://json-schema.org/draft/2020-12/schema",
    ...
    0
    >>> main(["validate", "--seeds", "no-such-directory"])
    2
    """
    args = parser().parse_args(argv)
    if "dist" in vars(args):
        args.dist = _dist(args)
    if not (ROOT / ONTOLOGY).is_file():
        print(
            f"il2kg: {ROOT / ONTOLOGY} is missing: this il2kg was installed without its "
            "data files; install it from a wheel or a source checkout",
            file=sys.stderr,
        )
        return EXIT_ERROR
    signal.signal(signal.SIGTERM, _stop)  # like Ctrl-C: temporary files are removed
    try:
        return int(args.handler(args))
    except BrokenPipeError:  # the reader stopped early (`il2kg query NAME | head`): a normal end
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush
        return EXIT_OK
    except KeyboardInterrupt as exc:
        signum = exc.args[0] if isinstance(exc, Stopped) else signal.SIGINT
        print(f"il2kg {args.command}: stopped by {signal.Signals(signum).name}", file=sys.stderr)
        return 128 + signum
    # SyntaxError: a parser's, on a user's file; UnicodeDecodeError: a user's file not in UTF-8
    except (OSError, UsageError, SyntaxError, UnicodeDecodeError) as exc:
        print(f"il2kg {args.command}: could not run: {exc}", file=sys.stderr)
        return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
