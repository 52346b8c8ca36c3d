"""The command line: each command offers only the options it uses, and only the project's own
error type is reported as "could not run"; any other exception is a bug and keeps its trace."""

from __future__ import annotations

from pathlib import Path

import pytest

from il2kg import cli
from il2kg.errors import UsageError


def help_of(command: str, capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit):
        cli.main([command, "--help"])
    return capsys.readouterr().out


@pytest.mark.parametrize(
    "command, offered, absent",
    [
        ("schema", set(), {"--seeds", "--engine", "--no-reasoning", "--no-cache", "--verbose"}),
        ("init", set(), {"--seeds", "--engine", "--no-reasoning", "--verbose"}),
        ("audit", {"--seeds"}, {"--engine", "--no-reasoning", "--no-cache", "--verbose"}),
        ("validate", {"--seeds", "--engine", "--no-reasoning", "--no-cache"}, {"--verbose"}),
        ("build", {"--seeds", "--engine", "--no-reasoning", "--no-cache", "--verbose"}, set()),
        ("serve", {"--seeds", "--engine", "--no-reasoning", "--verbose"}, set()),
    ],
)
def test_each_command_offers_only_the_options_it_uses(
    command: str, offered: set[str], absent: set[str], capsys: pytest.CaptureFixture[str]
) -> None:
    text = help_of(command, capsys)
    assert {o for o in offered if o in text} == offered
    assert {o for o in absent if o in text} == set()


def test_a_usage_error_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse() -> str:
        raise UsageError("shapes/record.schema.json: expected a mapping")

    monkeypatch.setattr("il2kg.records.schema.record_schema", refuse)
    assert cli.main(["schema"]) == cli.EXIT_ERROR
    assert capsys.readouterr().err == (
        "il2kg schema: could not run: shapes/record.schema.json: expected a mapping\n"
    )


def test_a_bug_keeps_its_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> str:
        return int("not a number")  # type: ignore[return-value]

    monkeypatch.setattr("il2kg.records.schema.record_schema", broken)
    with pytest.raises(ValueError, match="invalid literal"):
        cli.main(["schema"])


def test_a_query_file_not_in_utf8_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    query = tmp_path / "latin1.rq"
    query.write_bytes('SELECT * WHERE { ?s ?p "caf\u00e9" }'.encode("latin-1"))
    assert cli.main(["query", str(query), "--dist", str(tmp_path / "dist")]) == cli.EXIT_ERROR
    assert "could not run" in capsys.readouterr().err
    assert not (tmp_path / "dist").exists()  # refused before building anything
