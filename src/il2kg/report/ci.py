"""A pipeline result in the forms CI systems read: GitHub Actions workflow commands, JUnit XML
(one test case per seed file) and SARIF 2.1.0 (code scanning), each problem at its line."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree

from il2kg import __version__
from il2kg.iris import BASE
from il2kg.pipeline import PipelineResult
from il2kg.records.load import display_path
from il2kg.report.problems import RULES, Problem, Style, failed, fails

PROJECT = "(project)"  # the JUnit test case of problems not in one seed file
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)


def _escape(text: str, *, prop: bool = False) -> str:
    """Text as a workflow command's message (or, `prop`, a property value) carries it."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def github(result: PipelineResult, found: list[Problem], style: Style) -> str:
    """One `::error` or `::warning` workflow command per problem, at its file, line and column
    (https://docs.github.com/actions/reference/workflow-commands-for-github-actions)."""
    lines = []
    for p in found:
        where = {"file": p.file, "line": p.line, "col": p.column, "title": f"il2kg {p.rule}"}
        props = ",".join(f"{k}={_escape(str(v), prop=True)}" for k, v in where.items() if v)
        lines.append(f"::{p.severity} {props}::{_escape(p.text)}")
    if not style.quiet:
        errors = sum(p.severity == "error" for p in found)
        verdict = "does not conform" if failed(found, style) else "conforms"
        lines.append(
            f"il2kg validate: {verdict}: {errors} error(s), "
            f"{len(found) - errors} warning(s) ({result.inputs.seeds_line()})"
        )
    return "\n".join(lines)


def junit(result: PipelineResult, found: list[Problem], style: Style) -> str:
    """JUnit XML: a test case per seed file (and one for the project as a whole when it has
    problems), failed by its errors (and, strict, its warnings); other warnings as output."""
    by_file: dict[str, list[Problem]] = defaultdict(list)
    for file in (
        map(display_path, style.files)
        if style.files
        else (source.file for source in result.loaded.source_maps.values())
    ):
        by_file[file] = []
    for p in found:
        by_file[p.file or PROJECT].append(p)
    suite = ElementTree.Element("testsuite", name="il2kg validate")
    failures = 0
    for file, listed in sorted(by_file.items()):
        case = ElementTree.SubElement(suite, "testcase", classname="il2kg.validate", name=file)
        if file != PROJECT:
            case.set("file", file)
        failing = [p for p in listed if fails(p, style)]
        if failing:
            failures += 1
            first = next((p for p in failing if p.line), None)
            if first:
                case.set("line", str(first.line))
            failure = ElementTree.SubElement(
                case,
                "failure",
                type=failing[0].rule,
                message=f"{len(failing)} problem(s); first: {failing[0].text}",
            )
            failure.text = "\n".join(str(p) for p in failing)
        others = [p for p in listed if p not in failing]
        if others:
            ElementTree.SubElement(case, "system-out").text = "\n".join(str(p) for p in others)
    suite.set("tests", str(len(by_file)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suites = ElementTree.Element(
        "testsuites", name="il2kg", tests=str(len(by_file)), failures=str(failures), errors="0"
    )
    suites.append(suite)
    ElementTree.indent(suites)
    return ElementTree.tostring(suites, encoding="unicode", xml_declaration=True)


def _rule_descriptions(found: list[Problem]) -> dict[str, str]:
    """Each rule id of the problems with a description (a SHACL rule's id is its shape's)."""
    return {p.rule: RULES.get(p.rule, f"SHACL shape {p.rule}") for p in found}


def _location(p: Problem) -> list[dict[str, object]]:
    if not p.file:
        return []
    file = Path(p.file)  # relative to the working directory unless outside it
    artifact = (
        {"uri": file.as_uri()}
        if file.is_absolute()
        else {"uri": quote(file.as_posix()), "uriBaseId": "%SRCROOT%"}
    )
    physical: dict[str, object] = {"artifactLocation": artifact}
    if p.line:
        physical["region"] = {"startLine": p.line, "startColumn": p.column or 1}
    location: dict[str, object] = {"physicalLocation": physical}
    if p.field:
        location["logicalLocations"] = [{"fullyQualifiedName": p.field, "kind": "member"}]
    return [location]


def sarif(result: PipelineResult, found: list[Problem], style: Style) -> str:
    """A SARIF 2.1.0 log: one run of il2kg, rule ids from the shapes, a result per problem at
    its file (relative to the working directory, `%SRCROOT%`), line and column."""
    rules = _rule_descriptions(found)
    index = {rule: i for i, rule in enumerate(rules)}
    results = [
        {
            "ruleId": p.rule,
            "ruleIndex": index[p.rule],
            "level": "error" if fails(p, style) else "warning",
            "message": {"text": p.text},
            "locations": _location(p),
        }
        for p in found
    ]
    driver = {
        "name": "il2kg",
        "version": __version__,
        "informationUri": BASE,
        "rules": [{"id": rule, "shortDescription": {"text": text}} for rule, text in rules.items()],
    }
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": driver},
                "originalUriBaseIds": {"%SRCROOT%": {"uri": _cwd_uri()}},
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)


def _cwd_uri() -> str:
    """The working directory as a file URI ending in '/', the base of the results' files."""
    return Path.cwd().absolute().as_uri().rstrip("/") + "/"
