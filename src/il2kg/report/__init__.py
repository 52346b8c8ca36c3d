"""Reports of a pipeline run: il2kg's own forms (text, Turtle, JSON) and CI's (GitHub, JUnit,
SARIF), every finding located at its seed file, line and column."""

from __future__ import annotations

from il2kg.pipeline import PipelineResult
from il2kg.report.ci import github, junit, sarif
from il2kg.report.native import json_report, text, turtle
from il2kg.report.problems import Problem, Style, failed, problems

__all__ = ["FORMATS", "Problem", "Style", "failed", "problems", "render_report"]

RENDERERS = {
    "text": text,
    "turtle": turtle,
    "json": json_report,
    "github": github,
    "junit": junit,
    "sarif": sarif,
}
FORMATS = tuple(RENDERERS)


def render_report(result: PipelineResult, fmt: str, style: Style | None = None) -> str:
    """The report in one of FORMATS, narrowed to the seed files `style` names (Turtle, and
    JSON but for its `problems`, report the whole project).

    >>> import json
    >>> from il2kg.pipeline import run
    >>> result = run(reasoning=False)  # the bundled studies
    >>> render_report(result, "text").splitlines()[-1]
    'conforms: 0 error(s), 0 warning(s), 5 record(s) loaded'
    >>> json.loads(render_report(result, "json"))["conforms"]
    True
    """
    style = style or Style()
    return RENDERERS[fmt](result, problems(result, style.files), style)
