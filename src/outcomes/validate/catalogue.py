"""The catalogue of validation rules: stable id, severity, group and one-sentence explanation.

Ids never change meaning once released; a retired rule keeps its id unused. ``ERROR`` marks a fact
that makes a derivation wrong or impossible (the workflow stops); ``WARNING`` marks what a data
manager should query but the pipeline can handle (data-contract.md §2, endpoints.md §16.21).
"""

from __future__ import annotations

from dataclasses import dataclass

ERROR = "ERROR"
WARNING = "WARNING"


@dataclass(frozen=True)
class Rule:
    """One validation rule."""

    id: str
    severity: str
    group: str
    text: str
    reference: str


GROUPS: dict[str, str] = {
    "STR": "Structure",
    "VAL": "Types and values",
    "KEY": "Keys",
    "DAT": "Dates",
    "CON": "Clinical consistency",
    "ELG": "Eligibility (protocol deviations)",
    "TRN": "Transport limits (SAS XPT v5)",
}

_RULES: tuple[tuple[str, str, str, str], ...] = (
    ("STR-001", ERROR, "A required table is missing from the export.", "data-contract §1"),
    ("STR-002", ERROR, "A required column is missing from a table.", "data-contract §1"),
    (
        "STR-003",
        ERROR,
        "A column name appears more than once in a table; only the first is read.",
        "data-contract §1",
    ),
    (
        "STR-004",
        ERROR,
        "A file cannot be read at all (corrupt file, or a table present as both CSV and Parquet).",
        "data-contract §1",
    ),
    ("STR-005", ERROR, "A CSV file uses another delimiter than the comma.", "data-contract §1"),
    ("STR-006", ERROR, "A cell holds text that is not valid UTF-8.", "data-contract §1"),
    (
        "STR-007",
        WARNING,
        "A CSV file starts with a byte-order mark (it is ignored).",
        "data-contract §1",
    ),
    ("STR-008", ERROR, "A file is empty (no header row).", "data-contract §1"),
    (
        "STR-009",
        ERROR,
        "A record has fewer or more fields than the header (for example a truncated last line).",
        "data-contract §1",
    ),
    (
        "STR-010",
        WARNING,
        "A .csv or .parquet file in the export matches no table name (it is not read).",
        "data-contract §1",
    ),
    ("VAL-001", ERROR, "A required value is missing.", "data-contract §1"),
    ("VAL-002", ERROR, "A date is not written as YYYY-MM-DD.", "data-contract §1"),
    (
        "VAL-003",
        ERROR,
        "A date has the YYYY-MM-DD form but does not exist (e.g. 2026-02-30).",
        "data-contract §1",
    ),
    (
        "VAL-004",
        ERROR,
        "A number does not parse (or an integer column holds a fraction).",
        "data-contract §1",
    ),
    ("VAL-005", ERROR, "A value is not in the allowed set of its column.", "data-contract §1"),
    (
        "VAL-006",
        ERROR,
        "A number lies outside the allowed range of its column.",
        "data-contract §1",
    ),
    (
        "VAL-007",
        WARNING,
        "PGA is recorded with more than 2 decimals (it is rounded half up).",
        "endpoints §16.8 [D-01]",
    ),
    ("VAL-008", WARNING, "Medication route OTHER is counted as non-systemic.", "endpoints §16.23"),
    (
        "VAL-009",
        WARNING,
        "A cell has leading or trailing white space (it is stripped).",
        "data-contract §1",
    ),
    (
        "VAL-010",
        ERROR,
        "A conditionally required value is missing (DOSELVL if infused, LDSTDT if "
        "LDFL = Y, DCSREAS if DISCONTINUED).",
        "data-contract §1.1",
    ),
    ("VAL-011", ERROR, "DOSELVL is not one of the configured dose levels.", "data-contract §1.1"),
    (
        "TRN-001",
        WARNING,
        "A text value is longer than the 200 bytes a SAS XPT v5 variable holds; the XPT file "
        "splits it over continuation variables (AETERM, AETERM1, ...); Dataset-JSON keeps it.",
        "docs/data-contract.md, transport",
    ),
    (
        "TRN-002",
        WARNING,
        "A number's magnitude is beyond what SAS XPT v5 holds (about 5.4e-79 to 7.2e75, or not "
        "finite); the XPT file holds it as missing, Dataset-JSON keeps it.",
        "docs/data-contract.md, transport",
    ),
    ("KEY-001", ERROR, "USUBJID appears more than once in subjects.", "data-contract §1.1"),
    ("KEY-002", ERROR, "CMSEQ is not unique within a subject.", "data-contract §1.3"),
    ("KEY-003", ERROR, "AESEQ is not unique within a subject.", "data-contract §1.4"),
    ("KEY-004", ERROR, "A subject has two assessments on the same date.", "data-contract §1.2"),
    ("KEY-005", ERROR, "A record's USUBJID is not in subjects.", "data-contract §1"),
    (
        "DAT-001",
        ERROR,
        "An assessment, AE, lab or treatment date lies before informed consent "
        "(medications are exempt).",
        "endpoints §16.21",
    ),
    (
        "DAT-002",
        ERROR,
        "The infusion date lies before the start of lymphodepletion.",
        "endpoints §16.21",
    ),
    (
        "DAT-003",
        ERROR,
        "The infusion lies more than ld_to_infusion_max_days after the start of lymphodepletion.",
        "endpoints §16.21",
    ),
    (
        "DAT-004",
        ERROR,
        "An end date lies before its start date (medications, AEs).",
        "data-contract §1.3, §1.4",
    ),
    ("DAT-005", ERROR, "A record is dated after the subject's death.", "data-contract §1"),
    (
        "DAT-006",
        ERROR,
        "A death date without EOSSTT = DISCONTINUED and DCSREAS = DEATH, or the reverse.",
        "data-contract §1.1",
    ),
    (
        "DAT-007",
        ERROR,
        "EOSDT is missing although the subject is no longer ONGOING.",
        "data-contract §1.1",
    ),
    (
        "DAT-008",
        WARNING,
        "A record is dated after the data cut (it is dropped from the analysis).",
        "endpoints §16.2",
    ),
    (
        "CON-001",
        ERROR,
        "An onset flag SLEDAI_<ITEM>_NEW = Y while the item is absent.",
        "endpoints §1.3 [D-06]",
    ),
    (
        "CON-002",
        WARNING,
        "The low-complement item contradicts the recorded C3/C4 values and limits.",
        "endpoints §1.2, §16.12",
    ),
    (
        "CON-003",
        WARNING,
        "The increased-DNA-binding item contradicts the recorded anti-dsDNA value and limit.",
        "endpoints §1.2, §16.12",
    ),
    (
        "CON-004",
        WARNING,
        "The proteinuria item contradicts the recorded UPCR.",
        "endpoints §1.2 [D-04], §16.12",
    ),
    ("CON-005", WARNING, "An infused subject has no baseline assessment.", "endpoints §16.5"),
    ("CON-006", WARNING, "A scheduled visit lies outside its window.", "endpoints §11 [D-31]"),
    (
        "CON-007",
        WARNING,
        "A scheduled visit that was due has no assessment in its window.",
        "endpoints §11, §16.1",
    ),
    ("CON-008", ERROR, "A CRS or ICANS of grade 5 without a death date.", "endpoints §9"),
    (
        "CON-009",
        WARNING,
        "A glucocorticoid record gives more than gc_implausible_mg_per_day prednisone-equivalent.",
        "endpoints §16.21, §8.1",
    ),
    (
        "CON-010",
        WARNING,
        "A drug name is not in the drug dictionary and has no CMCLAS.",
        "endpoints §8.2, §16.23",
    ),
    (
        "CON-011",
        ERROR,
        "Two records of the same drug overlap on more than a shared boundary day.",
        "endpoints §8.1 [D-33], §16.10, §16.24",
    ),
    (
        "CON-012",
        WARNING,
        "A medication active on or after the infusion day has no CMINDC.",
        "endpoints §16.6",
    ),
    ("ELG-001", WARNING, "Age at consent outside the eligible range.", "endpoints §16.20"),
    (
        "ELG-002",
        WARNING,
        "Screening disease activity (SELENA-SLEDAI, BILAG A/B) below the inclusion criterion.",
        "endpoints §10.1",
    ),
    (
        "ELG-003",
        WARNING,
        "Screening neutrophil count below the inclusion limit.",
        "endpoints §10.2",
    ),
    ("ELG-004", WARNING, "Screening haemoglobin below the inclusion limit.", "endpoints §10.2"),
    (
        "ELG-005",
        WARNING,
        "Screening ALT above the inclusion limit (multiple of ULN).",
        "endpoints §10.2",
    ),
    (
        "ELG-006",
        WARNING,
        "Screening AST above the inclusion limit (multiple of ULN).",
        "endpoints §10.2",
    ),
    (
        "ELG-007",
        WARNING,
        "Screening total bilirubin above the inclusion limit (multiple of ULN).",
        "endpoints §10.2",
    ),
    (
        "ELG-008",
        WARNING,
        "Screening INR above the inclusion limit (multiple of ULN).",
        "endpoints §10.2",
    ),
    (
        "ELG-009",
        WARNING,
        "Screening PT above the inclusion limit (multiple of ULN).",
        "endpoints §10.2",
    ),
    (
        "ELG-010",
        WARNING,
        "Screening creatinine clearance (Cockcroft-Gault) below the inclusion limit.",
        "endpoints §10.3 [D-29, D-30]",
    ),
)

RULES: dict[str, Rule] = {
    rid: Rule(rid, severity, GROUPS[rid[:3]], text, ref) for rid, severity, text, ref in _RULES
}


def render_rules_markdown() -> str:
    """The rule catalogue as markdown (the content of ``docs/validation-rules.md``)."""
    lines = [
        "# Validation rules",
        "",
        "Generated from `outcomes.validate.catalogue` (do not edit by hand; "
        "`tests/validate/test_catalogue.py` checks that this file is up to date).",
        "ERROR stops the workflow; WARNING is reported and the workflow continues.",
    ]
    for prefix, title in GROUPS.items():
        lines += [
            "",
            f"## {title}",
            "",
            "| id | severity | rule | reference |",
            "|---|---|---|---|",
        ]
        lines += [
            f"| {r.id} | {r.severity} | {r.text} | {r.reference} |"
            for r in RULES.values()
            if r.id.startswith(prefix)
        ]
    return "\n".join(lines) + "\n"
