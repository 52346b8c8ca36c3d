"""The FHIR resources an Evidence refers to: a Citation per publication, a StudyGroup per
cohort (its diseases, selection criteria and prior therapies as characteristics) and an
EvidenceVariable (VariableDefinition) per exposure or measured variable."""

from __future__ import annotations

from collections import defaultdict

from il2kg.evidence.fhir_terms import (
    EXTENSIONS,
    IL2KG_EXTENSION,
    SOURCE_QUOTE,
    Json,
    base,
    extension,
    external_coding,
    quantity,
    reference,
    resource_id,
    term,
)
from il2kg.iris import IL2KG

Rows = list[dict[str, str]]
Mapped = dict[str, list[Json]]
CURATION_NOTE = IL2KG_EXTENSION + "curation-note"
NOTE_ABOUT = IL2KG_EXTENSION + "curation-note-about"


def mapped_codings(rows: Rows) -> Mapped:
    """The NCIt and MONDO codings each il2kg term maps to exactly (SSSOM skos:exactMatch)."""
    found: Mapped = defaultdict(list)
    for row in rows:
        coded = external_coding(row["external"], row.get("label"))
        if coded is not None:
            found[row["term"]].append(coded)
    return dict(found)


def by_key(rows: Rows, key: str) -> dict[str, Rows]:
    """Rows grouped by one variable's value, in their order."""
    grouped: dict[str, Rows] = defaultdict(list)
    for row in rows:
        grouped[row[key]].append(row)
    return dict(grouped)


def note_annotations(notes: Rows, prefix: str = "") -> list[Json]:
    """Curation notes as Annotations, each saying which property of its element it explains."""
    return [
        {"extension": [extension(NOTE_ABOUT, valueUri=n["property"])], "text": prefix + n["basis"]}
        for n in notes
    ]


def quote_annotations(quotes: Rows) -> list[Json]:
    """The exact source words an element was curated from, as Annotations: the words in their
    sentence as text, and the source file and character offsets in the source-quote extension."""
    found = []
    for row in quotes:
        where = [extension("source", valueUri=row["source"])]
        if "start" in row:
            where += [
                extension("start", valueInteger=int(row["start"])),
                extension("end", valueInteger=int(row["end"])),
            ]
        sentence = row.get("prefix", "") + row["exact"] + row.get("suffix", "")
        found.append(
            {
                "extension": [{"url": SOURCE_QUOTE, "extension": where}],
                "text": f'Source quote: "{row["exact"]}" (in: "{sentence.strip()}")',
            }
        )
    return found


def citation(row: dict[str, str], cites: Rows | None = None) -> Json:
    """A Citation of one publication, with only what the graph records; the works it cites
    (cito:cites, by DOI IRI), referring to their Citation where the graph curates them."""
    form: Json = {"publishedIn": {"title": row["journal"]}} if "journal" in row else {}
    for field, var in (
        ("volume", "volume"),
        ("issue", "issue"),
        ("pageString", "pages"),
        ("publicationDateText", "issued"),
    ):
        if var in row:
            form[field] = row[var]
    artifact: Json = {"title": [{"text": row["title"]}]}
    identifiers: list[Json] = (
        [{"system": "https://doi.org", "value": row["doi"]}] if "doi" in row else []
    )
    if "articleNumber" in row:
        identifiers.append({"type": {"text": "article number"}, "value": row["articleNumber"]})
    if identifiers:
        artifact["identifier"] = identifiers
    if form:
        artifact["publicationForm"] = [form]
    if cites:
        artifact["relatesTo"] = [
            {
                "type": "cites",
                "resource": c["work"],
                **(
                    {"resourceReference": reference("Citation", c["cited"])} if "cited" in c else {}
                ),
            }
            for c in cites
        ]
    if "authors" in row:
        artifact["contributorship"] = {
            "entry": [{"contributor": {"display": name}} for name in row["authors"].split("; ")]
        }
        if "authorsComplete" in row:  # unknown stays absent, never false
            artifact["contributorship"]["complete"] = row["authorsComplete"] == "true"
    resource: Json = {
        **base("Citation", row["publication"]),
        "status": "active",
        "title": row["label"],
        "citedArtifact": artifact,
    }
    if "metadataSource" in row:  # e.g. Atkins: taken from another paper's reference list
        resource["note"] = [
            {
                "text": "The bibliographic metadata of this citation are not from "
                f"the curated source but from: {row['metadataSource']}"
            }
        ]
        resource["relatedArtifact"] = [
            {"type": "derived-from", "label": "metadata source", "citation": row["metadataSource"]}
        ]
    return resource


def _characteristic(code: Json, **value: Json | bool) -> Json:
    """A characteristic members have (the graph records no exclusion criteria)."""
    return {"code": code, **value, "exclude": False}


def _diseases(cohort: str, label: str, diseases: Rows, mapped: Mapped) -> list[Json]:
    """The disease characteristic, and for several diseases the any-of Group it refers to."""
    code = term(str(IL2KG.hasDisease), "has disease")
    values = [term(d["disease"], d["label"], mapped) for d in diseases]
    if len(values) == 1:
        return [_characteristic(code, valueCodeableConcept=values[0])]
    alternatives = {
        **base("Group", cohort, "cohort-definition", suffix=".diseases"),
        "extension": [extension(EXTENSIONS["combination-method"], valueCode="any-of")],
        "type": "person",
        "membership": "definitional",
        "name": f"Diseases of {label} (each patient has one of them)",
        "characteristic": [_characteristic(code, valueCodeableConcept=v) for v in values],
    }
    return [
        _characteristic(
            code,
            valueReference=reference("Group", cohort, alternatives["name"], suffix=".diseases"),
        ),
        alternatives,
    ]


def _criterion(row: dict[str, str]) -> Json:
    """A selection criterion: its basis as code, its threshold (or true) as value."""
    value: dict[str, Json | bool] = {"valueBoolean": True}
    if "tValue" in row:
        value = {"valueQuantity": quantity(row["tValue"], row.get("tUnit"), row.get("tComparator"))}
    described = row.get("text", row["basisLabel"])
    if row["outcomeSelection"] == "true":
        described += (
            " This criterion selects on an outcome: counts in this group are not "
            "rates among all the patients treated."
        )
    return {
        "extension": [extension(EXTENSIONS["characteristic-description"], valueMarkdown=described)],
        **_characteristic(term(row["basis"], row["basisLabel"]), **value),
    }


def groups(
    cohorts: Rows, diseases: Rows, criteria: Rows, priors: Rows, notes: Rows, mapped: Mapped
) -> list[Json]:
    """A StudyGroup per cohort (every characteristic holds: all-of), and the any-of Groups of
    cohorts with several diseases."""
    by_cohort, by_criteria = by_key(diseases, "cohort"), by_key(criteria, "cohort")
    by_prior, by_notes = by_key(priors, "holder"), by_key(notes, "element")
    resources: list[Json] = []
    for row in cohorts:
        cohort = row["cohort"]
        found = _diseases(cohort, row["label"], by_cohort.get(cohort, []), mapped)
        parent = (
            []
            if "parent" not in row
            else [
                _characteristic(
                    term(str(IL2KG.subCohortOf), "sub-cohort of"),
                    valueReference=reference("Group", row["parent"], row["parentLabel"]),
                )
            ]
        )
        characteristics = [
            found[0],
            *parent,
            *(_criterion(c) for c in by_criteria.get(cohort, [])),
            *(
                _characteristic(
                    term(str(IL2KG.hadPriorTherapy), "had prior therapy"),
                    valueReference=reference("EvidenceVariable", p["regimen"], p["label"]),
                )
                for p in by_prior.get(cohort, [])
            ),
        ]
        group: Json = {
            **base("Group", cohort, "study-group"),
            "extension": [
                extension(EXTENSIONS["combination-method"], valueCode="all-of"),
                *(
                    extension(CURATION_NOTE, valueAnnotation=a)
                    for a in note_annotations(by_notes.get(cohort, []))
                ),
            ],
            "type": "person",
            "membership": "enumerated",
            "name": row["label"],
            **({"quantity": int(row["size"])} if "size" in row else {}),
            "characteristic": characteristics,
        }
        resources += [group, *found[1:]]
    return resources


def variable(row: dict[str, str], mapped: Mapped) -> Json:
    """An EvidenceVariable (VariableDefinition) for an exposure or a measured variable."""
    iri = row["variable"]
    defined = (
        term(iri, row["label"], mapped) if iri.startswith(str(IL2KG)) else {"text": row["label"]}
    )
    return {
        **base("EvidenceVariable", iri, "variable-definition"),
        "extension": [
            extension(
                EXTENSIONS["evidence-variable-definition"],
                valueCodeableReference={"concept": defined},
            )
        ],
        "status": "active",
        "title": row["label"],
        "description": f"{row['role']} variable in il2kg",
        "handling": "continuous" if row["continuous"] == "true" else "dichotomous",
    }


def variables(rows: Rows, mapped: Mapped) -> list[Json]:
    """One EvidenceVariable per variable (a term used in both roles is one variable)."""
    first = {r["variable"]: r for r in reversed(rows)}
    return [variable(first[iri], mapped) for iri in sorted(first, key=resource_id)]
