"""Synthetic curated records shaped like `seeds/`, deterministic from a seed.

Every record is a valid `PublicationRecord` that passes the reference checks and quotes its
source: each element quotes a sentence stating its numbers, at its offset in the record's
synthetic source text (`source_text`), so `il2kg build` (whose audit wants a quote for every
element) accepts them; `write_project` writes seeds and sources as a project. A few carry
deliberate defects that only the SHACL consistency rules catch (counts above a cohort,
sub-cohorts that do not add up, reported figures that disagree with their counts), so the
validators have real findings to report. `graph_defects` adds structural defects to a built
graph (missing labels, duplicate titles, wrong datatypes) for the core SHACL constraints.

The numbers are invented on purpose and never leave the benchmark directory.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import yaml
from pydantic import BaseModel
from rdflib import RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from il2kg.audit.check import COPIED
from il2kg.audit.numbers import stated_numbers
from il2kg.audit.wording import bundled_lexicon, meanings
from il2kg.graph.convert import records_to_graph
from il2kg.graph.derive import rate_percent
from il2kg.iris import IL2KG, record_of
from il2kg.records.model import PublicationRecord
from il2kg.records.sources import curated_elements, record_quotes

SENTENCE_END = ". "
DEFECTS = (
    "count-above-cohort",
    "sub-cohorts-do-not-add-up",
    "percent-disagrees",
    "components-do-not-add-up",
    "interval-misses-estimate",
)
DISEASES = ("metastatic-melanoma", "metastatic-renal-cell-carcinoma")
DESIGNS = (
    "retrospective-study",
    "consecutive-case-series",
    "multicentre-study",
    "registry-study",
    "pooled-analysis",
    "clinical-practice-series",
)
OTHER_THERAPIES = (
    ("tmz", "temozolomide", "chemotherapy", "oral-route"),
    ("pd1", "pd-1-inhibitor", "checkpoint-inhibitor-therapy", "intravenous-route"),
    ("pdl1", "pd-l1-inhibitor", "checkpoint-inhibitor-therapy", "intravenous-route"),
)
EVENTS = ("sepsis", "pneumonitis", "polyarthralgia", "autoimmunity", "acute-myocardial-infarction")
FACTORS = (
    "performance-status",
    "prior-immunotherapy",
    "prior-systemic-therapy",
    "rebound-lymphocytosis",
    "total-il2-dose",
)
SURNAMES = (
    "Alder",
    "Birch",
    "Cedar",
    "Dogwood",
    "Elm",
    "Fir",
    "Ginkgo",
    "Hazel",
    "Ivy",
    "Juniper",
    "Larch",
    "Maple",
    "Oak",
    "Pine",
    "Rowan",
    "Spruce",
    "Walnut",
    "Yew",
)


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` split into `parts` non-negative whole numbers that add up to it."""
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def _publication(rng: random.Random, index: int) -> dict:
    year = rng.randint(1985, 2024)
    return {
        "title": f"Synthetic high-dose interleukin-2 study number {index}",
        "authors": [
            f"{rng.choice(SURNAMES)} {chr(65 + rng.randint(0, 25))}"
            for _ in range(rng.randint(2, 6))
        ],
        "journal": "Journal of Synthetic Benchmarks",
        "date": f"{year}-{rng.randint(1, 12):02d}",
        "volume": str(rng.randint(1, 60)),
        "pages": f"{(p := rng.randint(1, 900))}-{p + rng.randint(3, 12)}",
        "doi": f"10.5555/il2kg-bench.{index}",
        "publication_types": ["journal-article"],
    }


def _regimens(rng: random.Random) -> list[dict]:
    dose = rng.choice((600_000, 720_000))
    hd_il2 = {
        "id": "hd-il2",
        "label": f"High-dose IL-2, {dose} IU/kg every 8 hours",
        "agents": ["aldesleukin"],
        "modalities": ["immunotherapy"],
        "route": "intravenous-route",
        "doses": [{"value": dose, "unit": "international-unit-per-kilogram"}],
        "infusion_duration": {"value": 15, "unit": "minute"},
        "dosing_interval": {"value": 8, "unit": "hour"},
        "doses_per_cycle": {"value": 14, "unit": "dose-count", "comparator": "<="},
        "rest_between_cycles": {"lower": 7, "upper": 14, "unit": "day"},
        "cycles_per_course": {"value": 2, "unit": "treatment-cycle"},
    }
    local_id, agent, modality, route = rng.choice(OTHER_THERAPIES)
    other = {
        "id": local_id,
        "label": f"Subsequent {agent.replace('-', ' ')}",
        "agents": [agent],
        "modalities": [modality],
        "route": route,
        "cycle_length": {"value": rng.choice((3, 4)), "unit": "week"},
    }
    return [hd_il2, other]


def _cohorts(rng: random.Random, size: int, defect: str | None) -> list[dict]:
    disease = rng.choice(DISEASES)
    cohorts = [{"id": "all", "label": "All patients treated", "diseases": [disease], "size": size}]
    parts = _split(rng, size, rng.randint(2, 3))
    if defect == "sub-cohorts-do-not-add-up":
        parts[0] += 1
    for number, part in enumerate(parts, start=1):
        cohorts.append(
            {
                "id": f"stratum-{number}",
                "label": f"Stratum {number}",
                "diseases": [disease],
                "size": part,
                "parent": "all",
            }
        )
    return cohorts


def _responses(rng: random.Random, size: int, defect: str | None) -> list[dict]:
    complete, partial, stable, progressive = _split(rng, size, 4)
    objective = complete + partial
    base = {"cohort": "all", "treatment": "hd-il2", "denominator": size}
    outcomes = [
        {
            "id": "cr",
            "kind": "response",
            "label": "Complete responses",
            "category": "complete-response",
            "count": complete,
            **base,
            "percent": rate_percent(complete, size),
        },
        {
            "id": "pr",
            "kind": "response",
            "label": "Partial responses",
            "category": "partial-response",
            "count": partial,
            **base,
            "percent": rate_percent(partial, size),
        },
        {
            "id": "orr",
            "kind": "response",
            "label": "Objective responses",
            "category": "objective-response",
            "components": ["cr", "pr"],
            **base,
        },
        {
            "id": "sd",
            "kind": "response",
            "label": "Stable disease",
            "category": "stable-disease",
            "count": stable,
            **base,
        },
        {
            "id": "pd",
            "kind": "response",
            "label": "Progressive disease",
            "category": "progressive-disease",
            "count": progressive,
            **base,
        },
        {
            "id": "ongoing",
            "kind": "status",
            "label": "Responses still ongoing",
            "category": "ongoing-response",
            "cohort": "all",
            "treatment": "hd-il2",
            "among": "orr",
            "count": rng.randint(0, objective),
        },
        {
            "id": "pfs",
            "kind": "time",
            "label": "Median progression-free survival",
            "category": "progression-free-survival",
            "cohort": "all",
            "treatment": "hd-il2",
            "time": {
                "value": Decimal(rng.randint(15, 120)) / 10,
                "unit": "month",
                "statistic": "median",
            },
        },
    ]
    if defect == "count-above-cohort":
        outcomes[3] = {**outcomes[3], "count": size + 1, "denominator": None}
    elif defect == "percent-disagrees":
        shown = outcomes[0]["percent"]
        outcomes[0]["percent"] = shown + 7 if shown <= 93 else shown - 7
    elif defect == "components-do-not-add-up":
        outcomes[2]["count"] = objective + 1 if objective < size else objective - 1
    elif defect == "interval-misses-estimate":
        outcomes[1]["ci"] = {"level": 95, "lower": 90, "upper": 100}
    return [{k: v for k, v in o.items() if v is not None} for o in outcomes]


def _after_sequence(rng: random.Random, size: int, other: str) -> tuple[list[dict], list[dict]]:
    sequence = {
        "id": "il2-then-next",
        "label": "High-dose IL-2 followed by further therapy",
        "cohort": "all",
        "steps": [
            {"regimen": "hd-il2"},
            {
                "regimen": other,
                "start_after_previous": {"value": rng.randint(2, 10), "unit": "week"},
            },
        ],
    }
    responders = rng.randint(0, size)
    outcome = {
        "id": "after-sequence",
        "kind": "response",
        "label": "Responses after the sequence",
        "cohort": "all",
        "treatment": "il2-then-next",
        "category": "objective-response",
        "count": responders,
        "denominator": size,
    }
    return [sequence], [outcome]


def _adverse_events(rng: random.Random, size: int) -> list[dict]:
    events = []
    for number, event in enumerate(rng.sample(EVENTS, rng.randint(2, 4)), start=1):
        count = rng.randint(0, max(1, size // 5))
        events.append(
            {
                "id": f"ae-{number}",
                "label": f"Patients with {event.replace('-', ' ')}",
                "cohort": "all",
                "event": event,
                "count": count,
                "denominator": size,
                "percent": rate_percent(count, size),
                "fatal": event == "sepsis" and count > 0,
                "treatment": "hd-il2",
                "attributed_to_treatment": rng.random() < 0.5,
            }
        )
    return events


def _numbers(values: list[Decimal]) -> str:
    """A sentence's words stating `values`, each once, as `audit.numbers` reads them back."""
    shown = ", ".join(format(v.normalize(), "f") for v in values)
    return f"Reported {shown}" if values else "Reported without figures"


def _meant(element: BaseModel) -> str:
    """Words giving an element's numbers their meaning, as the audit reads them back: each
    category and statistic by its first words, each comparator just before its quantity's
    numbers and each unit just after them ("up to 14 dose"); and the values it copies from
    the source (title, authors, journal, DOIs) as they are."""
    copied = (getattr(element, name, None) for name in COPIED)
    phrases = [v for value in copied for v in (value if isinstance(value, list) else [value]) if v]
    for meaning in meanings(element, bundled_lexicon()):
        if meaning.side in ("bare", "unstated", "unitless"):
            continue  # no comparator, statistic or unit: the numbers' sentence names none
        shown = " to ".join(format(n.normalize(), "f") for n in meaning.numbers)
        if meaning.side == "before":
            phrases.append(f"{meaning.words[0]} {shown}")
        elif meaning.side == "after":
            phrases.append(f"{shown} {meaning.words[0]}")
        else:
            phrases.append(meaning.words[0])
    return "".join(f"; {p}" for p in phrases)


def _quoted(data: dict) -> PublicationRecord:
    """The record of `data` with one quote per element: the numbers the element states and
    the words of their meaning, at their offsets in the record's source text
    (`source_text`), so that the audit accepts it."""
    offset = 0
    for element in curated_elements(PublicationRecord.model_validate(data)):
        stated = _numbers([s.value for s in stated_numbers(element.model)])
        text = stated + _meant(element.model)
        owner = data
        for step in re.findall(r"\w+|\[\d+\]", element.path):
            owner = owner[int(step[1:-1])] if step.startswith("[") else owner[step]
        owner["quotes"] = [{"text": text, "start": offset}]
        offset += len(text) + len(SENTENCE_END)
    return PublicationRecord.model_validate(data)


def source_text(record: PublicationRecord) -> str:
    """The synthetic source a record was curated from: its quotes, one sentence each."""
    return "".join(q.text + SENTENCE_END for _, q in record_quotes(record))


def synthetic_record(
    index: int, rng: random.Random, defect: str | None = None
) -> PublicationRecord:
    """One valid synthetic record, quoting its source (`source_text`); `defect` names a
    finding the SHACL rules must report."""
    size = rng.randint(20, 400)
    regimens = _regimens(rng)
    sequences, after = _after_sequence(rng, size, regimens[1]["id"])
    factor = rng.choice(FACTORS)
    return _quoted(
        {
            "id": f"synthetic-{index:07d}",
            "label": f"Synthetic {index}",
            "source_file": f"synthetic-{index:07d}.txt",
            "publication": _publication(rng, index),
            "study": {
                "label": f"Synthetic cohort study {index}",
                "designs": rng.sample(DESIGNS, rng.randint(1, 2)),
                "centres": rng.randint(1, 12),
                "treatment_period": {
                    "start": str(rng.randint(1980, 1999)),
                    "end": str(rng.randint(2000, 2020)),
                },
            },
            "cohorts": _cohorts(rng, size, defect),
            "regimens": regimens,
            "sequences": sequences,
            "outcomes": _responses(rng, size, defect) + after,
            "adverse_events": _adverse_events(rng, size),
            "factors": [
                {
                    "id": "factor-1",
                    "label": f"{factor.replace('-', ' ')} and response",
                    "factor": factor,
                    "associated_with": "objective-response",
                    "cohort": "all",
                    "association": rng.choice(("correlated", "predictive")),
                }
            ],
            "statements": [
                {
                    "id": "conclusion",
                    "kind": "conclusion",
                    "text": f"Synthetic study {index} supports further study of the sequence.",
                    "about": ["aldesleukin"],
                }
            ],
        }
    )


def synthetic_records(
    count: int, *, seed: int = 0, defect_every: int = 50
) -> Iterator[PublicationRecord]:
    """`count` records; every `defect_every`-th carries the next defect of `DEFECTS`."""
    rng = random.Random(seed)
    for index in range(1, count + 1):
        defect = None
        if defect_every and index % defect_every == 0:
            defect = DEFECTS[(index // defect_every - 1) % len(DEFECTS)]
        yield synthetic_record(index, rng, defect)


def triples_per_record(seed: int = 0, sample: int = 40) -> float:
    """The mean number of triples one synthetic record converts to."""
    return len(records_to_graph(synthetic_records(sample, seed=seed))) / sample


def records_for(triples: int, seed: int = 0) -> int:
    """How many records make a graph of about `triples` triples."""
    return max(1, round(triples / triples_per_record(seed)))


class _Dumper(yaml.SafeDumper):
    """YAML like the seeds: decimals as plain numbers, keys in record order."""


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    """A decimal as written: '75' stays an integer, '2.5' a decimal number."""
    if value.as_tuple().exponent >= 0:  # type: ignore[operator]
        return dumper.represent_scalar("tag:yaml.org,2002:int", str(int(value)))
    return dumper.represent_scalar("tag:yaml.org,2002:float", str(value))


_Dumper.add_representer(Decimal, _decimal)


def write_seeds(records: Iterator[PublicationRecord], directory: Path) -> int:
    """Write each record as `<id>.yaml` the way a curator would; return how many."""
    directory.mkdir(parents=True, exist_ok=True)
    written = 0
    for record in records:
        data = record.model_dump(mode="python", exclude_defaults=True)
        text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
        (directory / f"{record.id}.yaml").write_text(text, encoding="utf-8")
        written += 1
    return written


def write_project(count: int, directory: Path, *, seed: int = 0) -> int:
    """A project of `count` synthetic records without defects, ready for `il2kg build`:
    `seeds/` and the source texts they quote (`sources/`); returns how many records."""
    sources = directory / "sources"
    sources.mkdir(parents=True, exist_ok=True)
    records = []
    for record in synthetic_records(count, seed=seed, defect_every=0):
        (sources / record.source_file).write_text(source_text(record), encoding="utf-8")
        records.append(record)
    return write_seeds(iter(records), directory / "seeds")


def graph_defects(graph: Graph, *, seed: int = 0, every: int = 97) -> int:
    """Break every `every`-th labelled resource in one of three ways; return how many."""
    rng = random.Random(seed)
    labelled = sorted(s for s in graph.subjects(RDFS.label, None) if record_of(s) is not None)
    broken = 0
    for number, node in enumerate(labelled[::every]):
        kind = number % 3
        if kind == 0:
            graph.remove((node, RDFS.label, None))
        elif kind == 1:
            graph.add((node, DCTERMS.title, Literal(f"second title {rng.random()}")))
            graph.add((node, IL2KG.size, Literal("12.5", datatype=XSD.decimal)))
        else:
            graph.add((node, IL2KG.reportedIn, URIRef(f"{node}/nowhere")))
            # a string (plain: RDF 1.1 and the stores read "1.5"^^xsd:string as "1.5")
            graph.add((node, IL2KG.numericValue, Literal("1.5")))
        broken += 1
    return broken
