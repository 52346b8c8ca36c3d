"""The sources and the audit: each curated element quotes its source's words, in place."""

from __future__ import annotations

import copy
import itertools
import json
import math
import re
import shutil
from collections.abc import Callable, Iterator
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from il2kg.audit.check import audit, format_audit, rounded_as
from il2kg.audit.numbers import mentions
from il2kg.audit.offsets import fix_offsets
from il2kg.cli import main
from il2kg.paths import SEEDS_DIR, SOURCES_DIR
from il2kg.records.load import load_seeds, parse_seed
from il2kg.records.model import PublicationRecord
from il2kg.records.sources import curated_elements, quote_end, sentence_at

from .test_records import VOCABULARY

SEEDS = sorted(SEEDS_DIR.glob("*.yaml"))


class _Dumper(yaml.SafeDumper):
    """Writes the loader's numbers back as YAML numbers."""


_Dumper.add_representer(Decimal, lambda d, v: d.represent_scalar("tag:yaml.org,2002:float", str(v)))


def _seed(name: str) -> dict[str, Any]:
    """A seed's data as il2kg's loader reads it (numbers as int or Decimal, dates as text)."""
    data, _, errors = parse_seed(SEEDS_DIR / name)
    assert not errors
    return dict(data)


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / f"{data['id']}.yaml"
    path.write_text(yaml.dump(data, Dumper=_Dumper, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("seed", SEEDS, ids=[p.stem for p in SEEDS])
def test_every_seed_names_a_source_in_the_project(seed: Path) -> None:
    name = _seed(seed.name)["source_file"]
    assert (SOURCES_DIR / str(name)).is_file()


def test_a_record_naming_a_missing_source_is_an_error(tmp_path: Path) -> None:
    data = _seed("clark-2021.yaml")
    data["source_file"] = "no-such-source.txt"
    path = _write(tmp_path, data)
    [error] = load_seeds([path], VOCABULARY, SOURCES_DIR).errors
    assert (error.path, Path(error.file).name) == ("source_file", path.name)
    assert "expected the source text no-such-source.txt" in error.message


def test_a_source_file_outside_the_sources_directory_is_refused(tmp_path: Path) -> None:
    data = _seed("clark-2021.yaml")
    data["source_file"] = "../seeds/clark-2021.yaml"
    [error] = load_seeds([_write(tmp_path, data)], VOCABULARY, SOURCES_DIR).errors
    assert error.path == "source_file" and "plain file name" in error.message


def test_a_project_may_hold_its_own_sources(tmp_path: Path) -> None:
    seed = tmp_path / "seeds" / "clark-2021.yaml"
    seed.parent.mkdir()
    shutil.copy(SEEDS_DIR / seed.name, seed)
    assert load_seeds([seed], VOCABULARY, tmp_path / "sources").errors
    shutil.copytree(SOURCES_DIR, tmp_path / "sources")
    assert not load_seeds([seed], VOCABULARY, tmp_path / "sources").errors


def test_a_quote_matches_across_line_breaks_and_runs_of_spaces() -> None:
    source = "First line ends\n  and the next   begins. Then more."
    end = len("First line ends\n  and the next   begins.")
    assert quote_end(source, "ends and the next begins.", 11) == end
    assert quote_end(source, "ends and the next begins.", 10) is None
    assert quote_end(source, "ends and a next begins.", 11) is None
    verbatim = source.index("the next")  # the words as written: no pattern needed, same end
    assert quote_end(source, "the next   begins.", verbatim) == end
    assert quote_end(source, "the next begins.", verbatim) == end
    assert quote_end(source, " the next", verbatim - 1) is None
    assert sentence_at(source, 40) == "Then more."


def _record(data: dict[str, Any]) -> PublicationRecord:
    return PublicationRecord.model_validate(data)


def test_a_quote_off_its_offset_is_found_and_its_true_place_named() -> None:
    data = _seed("clark-2021.yaml")
    assert audit([("clark-2021.yaml", _record(data))], SOURCES_DIR).ok
    quote = data["study"]["quotes"][0]
    quote["start"] += 1
    [finding] = audit([("clark-2021.yaml", _record(data))], SOURCES_DIR).findings
    assert finding.field == "study.quotes[0]"
    assert f"is not at offset {quote['start']}: they occur at {quote['start'] - 1}" in (
        finding.message
    )
    quote["text"] += " and more words"
    [finding] = audit([("clark-2021.yaml", _record(data))], SOURCES_DIR).findings
    assert "occur nowhere" in finding.message and finding.sentence


def _load(path: Path) -> PublicationRecord:
    [record] = load_seeds([path], VOCABULARY, SOURCES_DIR).records
    return record


def test_the_five_studies_pass_the_audit_and_every_source_number_is_accounted_for() -> None:
    report = audit([(p.name, _load(p)) for p in SEEDS], SOURCES_DIR)
    assert report.ok, "\n".join(map(str, report.findings))
    sources = {str(_seed(p.name)["source_file"]) for p in SEEDS}
    numbers = sum(len(mentions((SOURCES_DIR / s).read_text(encoding="utf-8"))) for s in sources)
    coverage = report.coverage
    assert (coverage.sources, coverage.numbers) == (len(SEEDS), numbers)
    assert coverage.used + coverage.listed == numbers and coverage.used > coverage.listed
    assert (
        f"{numbers} number(s) in {len(SEEDS)} source(s): {coverage.used} used by curated "
        f"elements, {coverage.listed} listed as not curated, 0 unaccounted for"
    ) in format_audit(report)
    assert report.recomputed >= 10
    notes = sum(len(list(_note_bases(_seed(p.name)))) for p in SEEDS)
    assert report.notes == notes >= 10
    assert f"{notes} curation note(s) checked" in format_audit(report)


def test_numbers_in_words_digits_and_dates_are_read_and_names_are_not() -> None:
    text = (
        "Thirty-three of 409 (8.1%); Two hundred seventy and eight; a second cycle; "
        "600,000 IU/kg; IL-2, interleukin-2, interleukin 2, PD1, 75 mg/m2; Issue number11; "
        "Sep 1985; 2021 Apr 1; doi: 10.1136/jim-2020-001650; one or two"
    )
    assert [(m.text, str(m.value)) for m in mentions(text)] == [
        ("Thirty-three", "33"),
        ("409", "409"),
        ("8.1", "8.1"),
        ("Two hundred seventy", "270"),
        ("eight", "8"),
        ("second", "2"),
        ("600,000", "600000"),
        ("75", "75"),
        ("11", "11"),
        ("Sep", "9"),
        ("1985", "1985"),
        ("2021", "2021"),
        ("Apr", "4"),
        ("1", "1"),
        ("one", "1"),
        ("two", "2"),
    ]


def _numeric_leaves(node: yaml.Node, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Paths of the numbers, dates and quoted digit strings (volume '17') of a seed's elements,
    read from the YAML nodes, not by the audit's own walk; quotes and sentence map excluded."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value not in ("quotes", "not_curated", "source_sentences"):
                yield from _numeric_leaves(value, (*path, key.value))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            yield from _numeric_leaves(item, (*path, index))
    elif isinstance(node, yaml.ScalarNode) and path:
        number = node.tag.endswith((":int", ":float"))
        date = path[-1] in DATE_KEYS and DATE.fullmatch(node.value)
        if number or date or (node.style in ("'", '"') and node.value.isdigit()):
            yield path


DATE_KEYS = ("date", "start", "end")
DATE = re.compile(r"\d{4}(-\d{2}){0,2}")


def _mutated(value: Any, key: Any) -> Any:
    """One up: 17 -> 18, 22.5 -> 23.5, '49' -> '50', '2019-02-18' -> '2020-02-18'."""
    if isinstance(value, int | Decimal):
        return value + 1
    if key in DATE_KEYS:
        return str(int(value[:4]) + 1) + value[4:]
    return str(int(value) + 1)


def _set(data: Any, path: tuple[Any, ...], value: Any) -> None:
    for step in path[:-1]:
        data = data[step]
    data[path[-1]] = value


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        data = data[step]
    return data


@pytest.mark.parametrize("seed", SEEDS, ids=[p.stem for p in SEEDS])
def test_changing_any_number_of_a_record_makes_the_audit_fail(seed: Path) -> None:
    """Every number of every element, one at a time, one up (17 -> 18 complete responses)."""
    text = seed.read_text(encoding="utf-8")
    leaves = list(_numeric_leaves(yaml.compose(text, Loader=yaml.SafeLoader)))
    assert len(leaves) >= 10
    missed = []
    for path in leaves:
        data = copy.deepcopy(_seed(seed.name))
        _set(data, path, _mutated(_get(data, path), path[-1]))
        try:
            record = PublicationRecord.model_validate(data)
        except ValidationError:
            continue  # the model refuses it (count above denominator, lower above upper...)
        if audit([(seed.name, record)], SOURCES_DIR).ok:
            missed.append(".".join(map(str, path)))
    assert not missed, f"{len(missed)} of {len(leaves)} mutations passed the audit: {missed}"


@pytest.mark.parametrize("seed", SEEDS, ids=[p.stem for p in SEEDS])
def test_removing_a_quote_makes_the_audit_fail(seed: Path) -> None:
    """An element without quotes fails; so does dropping any one quote that holds a number."""
    data = _seed(seed.name)
    record = _record(data)
    source = (SOURCES_DIR / record.source_file).read_text(encoding="utf-8")
    removed = 0
    for element in curated_elements(record):
        owner = _get(
            data,
            tuple(int(p) if p.isdigit() else p for p in re.split(r"[.\[\]]+", element.path) if p),
        )
        quotes = owner["quotes"]
        owner["quotes"] = []
        findings = audit([(seed.name, _record(data))], SOURCES_DIR).findings
        assert any(f.element == element.ref and "no quote" in f.message for f in findings)
        for index, quote in enumerate(quotes):
            text = (
                source
                if "source" not in quote
                else (SOURCES_DIR / quote["source"]).read_text(encoding="utf-8")
            )
            if mentions(text[quote["start"] : quote_end(text, quote["text"], quote["start"])]):
                owner["quotes"] = quotes[:index] + quotes[index + 1 :]
                assert not audit([(seed.name, _record(data))], SOURCES_DIR).ok, quote
                removed += 1
        owner["quotes"] = quotes
    assert removed >= 5


def _project(root: Path, sources: bool = True) -> Path:
    """A project with the bundled seeds (and sources), Atkins' complete responses changed from
    17 to 18."""
    shutil.copytree(SEEDS_DIR, root / "seeds")
    if sources:
        shutil.copytree(SOURCES_DIR, root / "sources")
    seed = root / "seeds" / "atkins-1999.yaml"
    seed.write_text(
        seed.read_text(encoding="utf-8").replace("count: 17\n", "count: 18\n", 1), encoding="utf-8"
    )
    return root


def test_audit_command_exit_codes_and_report(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(_project(tmp_path))
    assert main(["audit", "clark-2021"]) == 0
    assert "audit passed" in capsys.readouterr().out
    assert main(["audit", "seeds/atkins-1999.yaml"]) == 1
    out = capsys.readouterr().out
    assert (
        "seeds/atkins-1999.yaml: outcome/cr (outcomes[1].count): states 18, but its quotes "
        "hold it 0 time(s)\n    sentence: RESULTS: The overall objective response rate" in out
    )
    assert out.rstrip().endswith("finding(s)")
    assert main(["audit", "--format", "json", "atkins-1999"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert {f["number"] for f in report["findings"]} >= {"18", "17"}
    assert main(["audit", "no-such-record"]) == 2
    shutil.rmtree(tmp_path / "sources")
    assert main(["audit"]) == 2
    assert "no sources/ directory" in capsys.readouterr().err


def test_fix_offsets_fills_in_starts_and_names_what_it_cannot(tmp_path: Path) -> None:
    seed = tmp_path / "seeds" / "clark-2021.yaml"
    seed.parent.mkdir()
    text = (SEEDS_DIR / seed.name).read_text(encoding="utf-8")
    starts = re.findall(r"start: (\d+)", text)
    broken = re.sub(r"start: \d+", "start: 0", text)
    broken = broken.replace(
        '- {start: 0, text: "100 patients are reported"}', '- {text: "100 patients are reported"}'
    )
    broken = broken.replace('"54 patients with mM"', '"patients"')
    seed.write_text(broken, encoding="utf-8")
    fixed, problems = fix_offsets(seed, SOURCES_DIR)
    assert len(problems) == 1 and "'patients' occurs at [" in problems[0]
    assert fixed == len(starts) - 1 - sum(s == "0" for s in starts)
    restored = seed.read_text(encoding="utf-8").replace('"patients"', '"54 patients with mM"')
    seed.write_text(restored, encoding="utf-8")
    assert fix_offsets(seed, SOURCES_DIR)[1] == []
    assert seed.read_text(encoding="utf-8") == text


@pytest.mark.slow
def test_validate_runs_the_audit_when_the_project_has_sources(
    tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.chdir(_project(tmp_path / "with"))
    assert main(["validate", "--no-reasoning"]) == 1
    out = capsys.readouterr().out
    assert "seeds/atkins-1999.yaml:" in out and "error: outcomes[1].count: states 18" in out
    monkeypatch.chdir(_project(tmp_path / "without", sources=False))
    assert main(["validate", "--no-reasoning"]) == 1  # 18/270 is not the reported 6% (SHACL)
    out = capsys.readouterr().out
    assert "audit: not run: no sources/ directory beside seeds" in out
    assert "states 18" not in out and "Reported 6% disagrees with 18/270" in out
    broken = _project(tmp_path / "broken")
    seed = broken / "seeds" / "atkins-1999.yaml"
    seed.write_text(seed.read_text(encoding="utf-8").replace("  sentences: 14", "  sentences: 15"))
    monkeypatch.chdir(broken)
    assert main(["validate", "--no-reasoning"]) == 1
    out = capsys.readouterr().out
    assert "missing 15" in out and "audit: not run: the records above have errors" in out


NOTE_DIGITS = re.compile(r"(?<![\w.-])\d+(?![\w.])")


def _note_bases(data: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
    """The paths of the curation notes' bases of a seed's elements."""
    for element in curated_elements(_record(data)):
        steps = [int(p) if p.isdigit() else p for p in re.split(r"[.\[\]]+", element.path) if p]
        for index, _ in enumerate(getattr(element.model, "curation_notes", [])):
            yield (*steps, "curation_notes", index, "basis")


def _unused(source: str, number: int) -> int:
    """The first number above `number` that the source does not write."""
    written = {m.value for m in mentions(source)}
    while (number := number + 1) in written:
        pass
    return number


@pytest.mark.parametrize("seed", SEEDS, ids=[p.stem for p in SEEDS])
def test_changing_a_number_in_a_curation_note_makes_the_audit_fail(seed: Path) -> None:
    """Each number a note writes in digits, one at a time, changed to the next number its
    source does not write (5 -> 6): inside the words it quotes or in its own, it is caught."""
    data = _seed(seed.name)
    source = (SOURCES_DIR / data["source_file"]).read_text(encoding="utf-8")
    changed_count, missed = 0, []
    for path in _note_bases(data):
        basis = _get(data, path)
        for match in NOTE_DIGITS.finditer(basis):
            changed = copy.deepcopy(data)
            number = str(_unused(source, int(match.group())))
            _set(changed, path, basis[: match.start()] + number + basis[match.end() :])
            changed_count += 1
            if audit([(seed.name, _record(changed))], SOURCES_DIR).ok:
                missed.append(f"{'.'.join(map(str, path))}: {match.group()} -> {number}")
    assert not missed, f"{len(missed)} of {changed_count} changes passed the audit: {missed}"


def test_a_note_quoting_words_the_source_does_not_have_is_found() -> None:
    data = _seed("atkins-1999.yaml")
    [note] = data["adverse_events"][0]["curation_notes"]
    note["basis"] = note["basis"].replace("all related to sepsis", "all caused by IL-2")
    [finding] = audit([("atkins-1999.yaml", _record(data))], SOURCES_DIR).findings
    assert finding.field == "adverse_events[0].curation_notes[0].basis"
    assert "all caused by IL-2" in finding.message


def _half_up(count: int, denominator: int, places: int) -> Decimal:
    """count/denominator in percent rounded half up to `places` decimals, in exact fractions."""
    scaled = Fraction(count * 100 * 10**places, denominator)
    return Decimal(math.floor(scaled + Fraction(1, 2))).scaleb(-places)


def test_a_reported_percent_is_checked_against_one_rounding() -> None:
    """22/65 = 33.846...%: '33.8' is right (rounding 33.85 again gave 33.9, a false finding)."""
    assert rounded_as(Decimal("33.8"), 22, 65) == Decimal("33.8")
    for denominator in range(1, 301):
        for count in range(denominator + 1):
            for places in range(3):
                shown = Decimal(1).scaleb(-places)
                assert rounded_as(shown, count, denominator) == _half_up(
                    count, denominator, places
                ), (count, denominator, places)


def _account_findings(seed: Path, data: dict[str, Any]) -> list[str]:
    """The audit's findings about a record's sentence account (rule 6)."""
    findings = audit([(seed.name, _record(data))], SOURCES_DIR).findings
    return [f.message for f in findings if "sentence" in f.message]


@pytest.mark.parametrize("seed", SEEDS, ids=[p.stem for p in SEEDS])
def test_a_changed_sentence_count_or_anchor_makes_the_audit_fail(seed: Path) -> None:
    """The count is the text's: one more or one less is found, and so is a last sentence
    anchored a sentence later."""
    data = _seed(seed.name)
    account = data["source_sentences"]
    for count in (account["sentences"] - 1, account["sentences"] + 1):
        changed = copy.deepcopy(data)
        changed["source_sentences"]["sentences"] = count
        changed["source_sentences"]["accounts"] = [
            a for a in account["accounts"] if a["sentence"] <= count
        ] + (
            [{"sentence": count, "not_curated": "a sentence"}]
            if count > account["sentences"]
            else []
        )
        found = _account_findings(seed, changed)
        assert any(f"not {count}" in message for message in found), found


def test_swapped_anchors_are_one_finding() -> None:
    """A last sentence anchored before the first is said once, on the anchor, not as one
    finding per account that then cannot be numbered."""
    data = _seed("atkins-1999.yaml")
    account = data["source_sentences"]
    account["first_sentence"], account["last_sentence"] = (
        account["last_sentence"],
        account["first_sentence"],
    )
    findings = audit([("atkins-1999.yaml", _record(data))], SOURCES_DIR).findings
    assert [f.field for f in findings] == ["source_sentences.last_sentence"]
    assert "before the one holding first_sentence" in findings[0].message


@pytest.mark.parametrize("seed", SEEDS, ids=[p.stem for p in SEEDS])
def test_moving_any_sentence_account_makes_the_audit_fail(seed: Path) -> None:
    """Each account swapped with the next one (numbers exchanged, so every sentence is still
    accounted for once), and each curated element dropped from its sentence: all found."""
    data = _seed(seed.name)
    accounts = data["source_sentences"]["accounts"]
    assert not _account_findings(seed, data)
    checked = 0
    for i in range(len(accounts) - 1):
        a, b = accounts[i], accounts[i + 1]
        if a.get("curated_as") == b.get("curated_as"):
            continue  # the swap changes nothing
        changed = copy.deepcopy(data)
        swapped = changed["source_sentences"]["accounts"]
        swapped[i]["sentence"], swapped[i + 1]["sentence"] = b["sentence"], a["sentence"]
        assert _account_findings(seed, changed), (a, b)
        checked += 1
    for i, entry in enumerate(accounts):
        for j in range(
            len(entry.get("curated_as", [])) if len(entry.get("curated_as", [])) > 1 else 0
        ):
            changed = copy.deepcopy(data)
            del changed["source_sentences"]["accounts"][i]["curated_as"][j]
            assert _account_findings(seed, changed), (entry, j)
            checked += 1
    assert checked >= len(accounts) // 2


TIME_UNITS = ("minute", "hour", "day", "week", "month", "year")
MEANING_SWAPS = {
    "unit": TIME_UNITS,
    "statistic": ("mean", "median", "range", "typical"),
    "comparator": ("=", "<", "<=", ">", ">="),
    "category": ("complete-response", "partial-response"),
    "diseases": ("metastatic-melanoma", "metastatic-renal-cell-carcinoma"),
    "agents": ("aldesleukin", "temozolomide"),
}


NOT_CURATED = ("quotes", "not_curated", "curation_notes", "source_sentences")


def _paths(
    data: Any, wanted: Callable[[tuple[Any, ...], Any], object], path: tuple[Any, ...] = ()
) -> Iterator[tuple[Any, ...]]:
    """Paths in a seed's data to the values `wanted(path, value)` picks (not walked into),
    outside quotes, notes and the sentence account: found by walking the data, not by the
    audit's own walk."""
    if path and wanted(path, data):
        yield path
        return
    listed = data if isinstance(data, list) else []
    items = data.items() if isinstance(data, dict) else enumerate(listed)
    for key, value in items:
        if key not in NOT_CURATED:
            yield from _paths(value, wanted, (*path, key))


def _swappable(path: tuple[Any, ...], value: Any) -> bool:
    """A category, unit, statistic or comparator (or one item of a list of them) that
    MEANING_SWAPS can change."""
    key = path[-2] if isinstance(path[-1], int) and len(path) > 1 else path[-1]
    plain = isinstance(key, str) and not isinstance(value, dict | list)
    return plain and value in MEANING_SWAPS.get(key, ())


def _meaning_leaves(data: Any) -> Iterator[tuple[Any, ...]]:
    """Paths of the values of a seed that MEANING_SWAPS can change."""
    return _paths(data, _swappable)


@pytest.mark.parametrize("seed", SEEDS, ids=[p.stem for p in SEEDS])
def test_changing_what_a_number_means_makes_the_audit_fail(seed: Path) -> None:
    """Every time unit, statistic, comparator, complete/partial response category, melanoma
    or renal cell carcinoma cohort, and IL-2 or temozolomide regimen, changed to each other
    value of its kind: 17 complete responses relabelled partial, 5.9 months made weeks, a
    median made a mean, 'up to 14 doses' made '> 14' or '= 14', a melanoma cohort made
    renal."""
    data = _seed(seed.name)
    leaves = list(_meaning_leaves(data))
    assert leaves
    missed, tried = [], 0
    for path in leaves:
        kind = next(step for step in reversed(path) if isinstance(step, str))
        for other in MEANING_SWAPS[kind]:
            if other == _get(data, path) or other in _get(data, path[:-1]):
                continue  # unchanged, or a list that has it already
            changed = copy.deepcopy(data)
            _set(changed, path, other)
            try:
                record = PublicationRecord.model_validate(changed)
            except ValidationError:
                continue
            tried += 1
            findings = audit([(seed.name, record)], SOURCES_DIR).findings
            if not any(kind in f.field or "respectively" in f.message for f in findings):
                missed.append(f"{'.'.join(map(str, path))} -> {other}")
    assert tried
    assert not missed, f"{len(missed)} of {tried} changes passed: {missed}"


@pytest.mark.parametrize("kind", ["comparator", "statistic", "unit"])
def test_a_dropped_comparator_statistic_or_unit_makes_the_audit_fail(kind: str) -> None:
    """Every comparator, statistic and unit of every seed, removed ('up to 14 doses' made '14
    doses', a median duration made a plain one, 5.9 months made 5.9), is found on its field;
    'doses over 5 days' does not bound Atkins' 5 days, which has no comparator."""
    dropped = 0
    for seed in SEEDS:
        data = _seed(seed.name)
        for path in _paths(data, lambda path, _: path[-1] == kind):
            changed = copy.deepcopy(data)
            del _get(changed, path[:-1])[path[-1]]
            try:
                record = _record(changed)
            except ValidationError:
                continue  # a dose's unit is required by its type
            findings = audit([(seed.name, record)], SOURCES_DIR).findings
            where = ".".join(str(step) for step in path)
            assert [f.field for f in findings if kind in f.field], where
            dropped += 1
    assert dropped == {"comparator": 8, "statistic": 8, "unit": 27}[kind]
    atkins = _seed("atkins-1999.yaml")
    assert "comparator" not in atkins["regimens"][0]["cycle_duration"]
    assert audit([("atkins-1999.yaml", _record(atkins))], SOURCES_DIR).ok


WRITTEN_UNIT = re.compile(r"(?<=\d[ -])(minute|hour|day|week|month|year)")


def _written(data: Any) -> Iterator[tuple[Any, ...]]:
    """Paths of a seed's free text naming a time unit right after a number ("every 8
    hours")."""
    return _paths(data, lambda _, value: isinstance(value, str) and WRITTEN_UNIT.search(value))


def test_a_unit_changed_in_a_label_makes_the_audit_fail() -> None:
    """Every time unit a label or text names after a number, changed to each other one
    ('every 8 hours' made 'every 8 days'), is found on its field."""
    tried = 0
    for seed in SEEDS:
        data = _seed(seed.name)
        for path in _written(data):
            text = _get(data, path)
            for other in TIME_UNITS:
                changed = copy.deepcopy(data)
                _set(changed, path, WRITTEN_UNIT.sub(other, text))
                if _get(changed, path) == text:
                    continue
                fields = [
                    f.field for f in audit([(seed.name, _record(changed))], SOURCES_DIR).findings
                ]
                assert any(f.endswith(str(path[-1])) for f in fields), (path, other, fields)
                tried += 1
    assert tried >= 30, tried


def test_a_quote_repeated_does_not_count_its_numbers_twice() -> None:
    """Atkins' regimen made to state 8 twice (an 8-hour infusion beside its 8-hour interval)
    while its quotes say 8 once: quoting that sentence twice does not make two eights."""
    data = _seed("atkins-1999.yaml")
    regimen = data["regimens"][0]
    regimen["infusion_duration"] = {"value": 8, "unit": "hour"}
    regimen["quotes"] = regimen["quotes"] + regimen["quotes"]
    findings = audit([("atkins-1999.yaml", _record(data))], SOURCES_DIR).findings
    said = [f.message for f in findings if f.field.startswith("regimens[0].infusion_duration")]
    assert said and "states 8 2 times, but its quotes hold it 1 time(s)" in said[0], findings


@pytest.mark.parametrize(
    ("seed", "kind", "element", "field", "other"),
    [
        ("buchbinder-2019", "outcomes", "melanoma-orr", "cohort", "renal"),  # "22.5% for mM"
        ("buchbinder-2019", "outcomes", "renal-cr", "cohort", "melanoma"),
        ("fateh-2010", "outcomes", "il2-no-response", "treatment", "tmz"),
        ("fateh-2010", "outcomes", "time-to-response", "treatment", "hd-il2"),
        ("fateh-2010", "adverse_events", "polyarthralgia-responders", "treatment", "hd-il2"),
    ],
)
def test_a_number_moved_to_a_cohort_or_treatment_its_quotes_do_not_name_is_found(
    seed: str, kind: str, element: str, field: str, other: str
) -> None:
    """An element relinked to a cohort whose disease, or a treatment whose agents, its quotes
    do not name (they name another) is found on that field."""
    data = _seed(f"{seed}.yaml")
    [index] = [i for i, item in enumerate(data[kind]) if item["id"] == element]
    data[kind][index][field] = other
    findings = audit([(f"{seed}.yaml", _record(data))], SOURCES_DIR).findings
    assert [f.field for f in findings] == [f"{kind}[{index}].{field}"], findings
    assert f"is '{other}', but its quotes name" in findings[0].message


def test_the_relinks_found_are_those_the_curation_guide_states() -> None:
    """Every outcome and adverse event of every seed relinked to each other cohort and each
    other treatment: how many the audit finds is what docs/curation.md says (most quotes
    name neither disease nor therapy, so most relinks are not found; the guide says so)."""
    found: dict[str, list[int]] = {"cohort": [0, 0], "treatment": [0, 0]}
    for seed in SEEDS:
        data = _seed(seed.name)
        for field, pool in (("cohort", ["cohorts"]), ("treatment", ["regimens", "sequences"])):
            ids = [item["id"] for name in pool for item in data.get(name, [])]
            for kind in ("outcomes", "adverse_events"):
                for index, item in enumerate(data.get(kind, [])):
                    for other in (i for i in ids if i != item[field]):
                        changed = copy.deepcopy(data)
                        changed[kind][index][field] = other
                        try:
                            record = _record(changed)
                        except ValidationError:
                            continue
                        found[field][1] += 1
                        found[field][0] += not audit([(seed.name, record)], SOURCES_DIR).ok
    guide_file = Path(__file__).parent.parent / "docs" / "curation.md"
    guide = " ".join(guide_file.read_text(encoding="utf-8").split())
    (cohort, cohorts), (treatment, treatments) = found["cohort"], found["treatment"]
    stated = f"other cohort, {cohort} of {cohorts} are found; to each other treatment, "
    assert stated + f"{treatment} of {treatments}." in guide, found


def test_swapping_two_outcomes_numbers_makes_the_audit_fail() -> None:
    """Any two outcomes of a seed with their counts, denominators or percents exchanged are
    found, the NCI's complete regressions "in 6.6% and 9.3% of patients with metastatic
    melanoma and renal cancer, respectively" included (one quote holds both numbers; the
    order of the lists tells them apart); and so are the NCI's two cohorts' diseases
    exchanged."""
    swapped = 0
    for seed in SEEDS:
        data = _seed(seed.name)
        outcomes = data["outcomes"]
        for i, j in itertools.combinations(range(len(outcomes)), 2):
            for field in ("count", "denominator", "percent"):
                a, b = outcomes[i].get(field), outcomes[j].get(field)
                if a is None or b is None or a == b:
                    continue
                changed = copy.deepcopy(data)
                changed["outcomes"][i][field], changed["outcomes"][j][field] = b, a
                try:
                    record = _record(changed)
                except ValidationError:
                    continue  # refused before the audit (a count above its denominator)
                assert not audit([(seed.name, record)], SOURCES_DIR).ok, (seed.name, i, j, field)
                swapped += 1
    assert swapped >= 50
    data = _seed("nci-surgery-branch-1998.yaml")
    melanoma, renal = data["cohorts"][1], data["cohorts"][2]
    melanoma["diseases"], renal["diseases"] = renal["diseases"], melanoma["diseases"]
    findings = audit([("nci-surgery-branch-1998.yaml", _record(data))], SOURCES_DIR).findings
    assert len(findings) == 2 and all("respectively" in f.message for f in findings)


def test_a_note_on_another_matter_does_not_excuse_a_unit() -> None:
    """Clark's note about cycle_duration explains the cycle, not its unit: a unit changed
    under it is still found."""
    data = _seed("clark-2021.yaml")
    regimen = data["regimens"][0]
    assert regimen["curation_notes"][0]["about"] == "cycle_duration"
    regimen["cycle_duration"]["unit"] = "day"
    [finding] = audit([("clark-2021.yaml", _record(data))], SOURCES_DIR).findings
    assert finding.field == "regimens[0].cycle_duration.unit" and "'day'" in finding.message


@pytest.mark.parametrize("seed", SEEDS, ids=[p.stem for p in SEEDS])
def test_changing_a_copied_title_author_journal_or_doi_makes_the_audit_fail(seed: Path) -> None:
    """A letter changed in the title, any author, the journal, the DOI or a cited DOI (none of
    them numbers the numbers rules read) is found at that field."""
    data = _seed(seed.name)
    publication = data["publication"]
    paths = [
        (name, *([i] if isinstance(publication[name], list) else []))
        for name in ("title", "authors", "journal", "doi", "cites")
        if name in publication
        for i in range(len(publication[name]) if isinstance(publication[name], list) else 1)
    ]
    assert len(paths) >= 3
    for path in paths:
        changed = copy.deepcopy(data)
        value = _get(changed["publication"], path)
        _set(changed["publication"], path, value[:-1] + ("0" if value[-1] != "0" else "1"))
        fields = [f.field for f in audit([(seed.name, _record(changed))], SOURCES_DIR).findings]
        assert "publication." + path[0] + (f"[{path[1]}]" if len(path) > 1 else "") in fields
