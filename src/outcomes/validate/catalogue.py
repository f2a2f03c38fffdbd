"""The catalogue of validation rules: stable id, severity, action, group and explanation.

Ids never change meaning once released; a retired rule keeps its id unused. Severities follow
data-contract.md §1.6: ``FATAL`` = the export as a whole cannot be derived (the run stops);
``ERROR`` = a record contradicts the contract or itself and a site must correct it: the run goes
on with the rule's action (the value is treated as missing, or the record is excluded, listed in
``validation/excluded.csv``; a rule without an action uses the record as recorded) unless
``validation.on_error`` is ``stop`` (``outcomes run --strict``); ``WARNING`` = a query or note,
the run goes on (a blank measurement value is "not evaluable", endpoints.md E-05, E-06, E-31).
"""

from __future__ import annotations

from dataclasses import dataclass

from outcomes import contract as c

FATAL = "FATAL"
ERROR = "ERROR"
WARNING = "WARNING"
#: Severities, most severe first.
SEVERITIES: tuple[str, ...] = (FATAL, ERROR, WARNING)
#: Actions of an ERROR on its record (data-contract.md §3, ``validation/excluded.csv``).
EXCLUDE = "RECORD EXCLUDED"
BLANK = "VALUE SET MISSING"
#: Who answers an issue (``CATEGORY`` of ``validation/issues.csv``): a site corrects or confirms
#: the record; data management fixes the export file or the drug coding; the analysis team takes
#: note (records after the data cut, values the derivation reads in a stated way).
SITE_QUERY = "SITE QUERY"
DATA_MANAGEMENT = "DATA MANAGEMENT"
ANALYSIS_NOTE = "ANALYSIS NOTE"
CATEGORIES: tuple[str, ...] = (SITE_QUERY, DATA_MANAGEMENT, ANALYSIS_NOTE)


@dataclass(frozen=True)
class Rule:
    """One validation rule."""

    id: str
    severity: str
    group: str
    text: str
    reference: str
    action: str | None = None
    action_column: str | None = None
    category: str = SITE_QUERY
    tables: tuple[str, ...] | None = None


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
    ("STR-001", FATAL, "A required table is missing from the export.", "data-contract §1"),
    ("STR-002", FATAL, "A required column is missing from a table.", "data-contract §1"),
    (
        "STR-003",
        ERROR,
        "A column name appears more than once in a table; only the first is read.",
        "data-contract §1",
    ),
    (
        "STR-004",
        FATAL,
        "A file cannot be read at all (corrupt file, or a table present as both CSV and Parquet).",
        "data-contract §1",
    ),
    ("STR-005", FATAL, "A CSV file uses another delimiter than the comma.", "data-contract §1"),
    ("STR-006", ERROR, "A cell holds text that is not valid UTF-8.", "data-contract §1"),
    (
        "STR-007",
        WARNING,
        "A CSV file starts with a byte-order mark (it is ignored).",
        "data-contract §1",
    ),
    ("STR-008", FATAL, "A file is empty (no header row).", "data-contract §1"),
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
    (
        "VAL-001",
        ERROR,
        "A value that places or identifies a record is missing (USUBJID, CMSEQ, AESEQ, ASMDT, "
        "CMSTDT, AESTDT, LBDT, CONSDT, VISIT, CMTRT, AECAT).",
        "data-contract §1.6",
    ),
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
        "A number does not parse (or an integer column holds a fraction or a whole number "
        "beyond 64 bits).",
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
        "VAL-012",
        WARNING,
        "A required measurement or attribute value is missing (PGA, a SLEDAI item, a BILAG "
        "grade, a dose, a lab result, ...): the criteria that need it are not evaluable.",
        "data-contract §1.6; endpoints E-05, E-06, E-31, §16.12",
    ),
    (
        "VAL-013",
        WARNING,
        "A number's magnitude is implausible for any measurement, dose or lab value "
        "(validation.implausible_magnitude or more); it is used as recorded.",
        "data-contract §1.6",
    ),
    (
        "VAL-014",
        WARNING,
        "A lab result (labs; C3, C4, UPCR of assessments) lies outside the physiological bounds "
        "of its test (validation.physiological_bounds); it is used as recorded.",
        "data-contract §1.2, §1.5, §1.6",
    ),
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
        "A number's magnitude is beyond what SAS XPT v5 holds (about 5.4e-79 to 9.0e74, or not "
        "finite); the XPT file holds it as missing, Dataset-JSON keeps it.",
        "docs/data-contract.md, transport",
    ),
    ("KEY-001", FATAL, "USUBJID appears more than once in subjects.", "data-contract §1.1"),
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
        "A record is dated after the data cut (it is not used in the analysis of this cut).",
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
        "Two records of the same drug overlap on more than a shared boundary day (located on "
        "the earlier record's CMENDT).",
        "endpoints §8.1 [D-33], §16.10, §16.24",
    ),
    (
        "CON-012",
        WARNING,
        "A medication active on or after the infusion day has no CMINDC.",
        "endpoints §16.6",
    ),
    (
        "CON-013",
        ERROR,
        "Two records of the same drug and indication start on the same day (located on the "
        "later record).",
        "endpoints §8.1 [D-33], §16.10, §16.24",
    ),
    (
        "CON-014",
        WARNING,
        "The grade of a neutropenia AE contradicts the lowest ANC dated in the AE's window "
        "(CTCAE grade limits and window: validation.neutropenia_ae).",
        "data-contract §1.4, §1.5; CTCAE v5",
    ),
    (
        "CON-015",
        WARNING,
        "An AE of grade 5 (fatal) other than CRS or ICANS (those are CON-008) on a subject "
        "without a death date.",
        "data-contract §1.1, §1.4",
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
    (
        "ELG-011",
        WARNING,
        "Treatment refractory not met (fewer than eligibility.refractory_min_drugs conventional "
        "SLE treatments, each with eligibility.refractory_min_days exposure days before consent), "
        "or not evaluable.",
        "endpoints §16.27, §16.6, §16.10",
    ),
    (
        "ELG-012",
        WARNING,
        "An immunosuppressant was active within eligibility.washout_half_lives half-lives before "
        "consent, or the washout is not evaluable (a drug without a half-life).",
        "endpoints §16.27, §16.10",
    ),
    (
        "ELG-013",
        WARNING,
        "A biologic was active within eligibility.washout_biologic_days days before consent.",
        "endpoints §16.27, §16.10",
    ),
    (
        "ELG-014",
        WARNING,
        "A colony-stimulating factor was active within eligibility.csf_days_before_anc days before "
        "the screening neutrophil count, or there is no screening neutrophil count (not "
        "evaluable).",
        "endpoints §16.27, §16.20",
    ),
)

#: What an ERROR does to its record, by rule: (action, column it acts on when not the located
#: one). Cell-level rules act on the located cell; a cell that places or identifies its record
#: (``contract.RECORD_KEY_COLUMNS``) excludes the record instead. Rules not listed use the
#: record as recorded.
ACTIONS: dict[str, tuple[str, str | None]] = {
    "STR-006": (BLANK, None),
    "STR-009": (EXCLUDE, None),
    "VAL-001": (EXCLUDE, None),
    "VAL-002": (BLANK, None),
    "VAL-003": (BLANK, None),
    "VAL-004": (BLANK, None),
    "VAL-005": (BLANK, None),
    "VAL-006": (BLANK, None),
    "VAL-011": (BLANK, None),
    "KEY-002": (EXCLUDE, None),
    "KEY-003": (EXCLUDE, None),
    "KEY-004": (EXCLUDE, None),
    "KEY-005": (EXCLUDE, None),
    "DAT-001": (EXCLUDE, None),
    "DAT-002": (BLANK, "LDSTDT"),
    "DAT-003": (BLANK, "LDSTDT"),
    "DAT-004": (BLANK, None),
    "DAT-005": (EXCLUDE, None),
    "CON-001": (BLANK, None),
    "CON-011": (BLANK, None),
    "CON-013": (EXCLUDE, None),
}

#: Category of each rule that is not a site query (``CATEGORY``; a rule not listed is a
#: :data:`SITE_QUERY`).
RULE_CATEGORIES: dict[str, str] = {
    "STR-001": DATA_MANAGEMENT,
    "STR-002": DATA_MANAGEMENT,
    "STR-003": DATA_MANAGEMENT,
    "STR-004": DATA_MANAGEMENT,
    "STR-005": DATA_MANAGEMENT,
    "STR-006": DATA_MANAGEMENT,
    "STR-007": DATA_MANAGEMENT,
    "STR-008": DATA_MANAGEMENT,
    "STR-009": DATA_MANAGEMENT,
    "STR-010": DATA_MANAGEMENT,
    "VAL-007": ANALYSIS_NOTE,
    "VAL-008": ANALYSIS_NOTE,
    "VAL-009": DATA_MANAGEMENT,
    "TRN-001": ANALYSIS_NOTE,
    "TRN-002": ANALYSIS_NOTE,
    "DAT-008": ANALYSIS_NOTE,
    "CON-010": DATA_MANAGEMENT,
}

#: Export tables whose records each rule checks (the "checked" count of the rule list in
#: ``validation/issues.xlsx`` and ``report.html``). A rule not listed here counts by its group
#: (:data:`GROUP_TABLES`); a group not listed there has no count (None: shown blank).
ALL_TABLES: tuple[str, ...] = c.TABLES
GROUP_TABLES: dict[str, tuple[str, ...]] = {
    "STR": ALL_TABLES,
    "VAL": ALL_TABLES,
    "TRN": ALL_TABLES,
    "ELG": ("subjects",),
}
RULE_TABLES: dict[str, tuple[str, ...]] = {
    "VAL-007": ("assessments",),
    "VAL-008": ("medications",),
    "VAL-010": ("subjects",),
    "VAL-011": ("subjects",),
    "KEY-001": ("subjects",),
    "KEY-002": ("medications",),
    "KEY-003": ("adverse_events",),
    "KEY-004": ("assessments",),
    "KEY-005": ("assessments", "medications", "adverse_events", "labs"),
    "DAT-001": ("subjects", "assessments", "adverse_events", "labs"),
    "DAT-002": ("subjects",),
    "DAT-003": ("subjects",),
    "DAT-004": ("medications", "adverse_events"),
    "DAT-005": ALL_TABLES,
    "DAT-006": ("subjects",),
    "DAT-007": ("subjects",),
    "DAT-008": ALL_TABLES,
    "CON-001": ("assessments",),
    "CON-002": ("assessments",),
    "CON-003": ("assessments",),
    "CON-004": ("assessments",),
    "CON-005": ("subjects",),
    "CON-006": ("assessments",),
    "CON-007": ("subjects",),
    "CON-008": ("adverse_events",),
    "CON-009": ("medications",),
    "CON-010": ("medications",),
    "CON-011": ("medications",),
    "CON-012": ("medications",),
    "CON-013": ("medications",),
    "CON-014": ("adverse_events",),
    "CON-015": ("adverse_events",),
    "VAL-014": ("assessments", "labs"),
}


def _rule(rid: str, severity: str, text: str, reference: str) -> Rule:
    action, action_column = ACTIONS.get(rid, (None, None))
    return Rule(
        rid,
        severity,
        GROUPS[rid[:3]],
        text,
        reference,
        action=action,
        action_column=action_column,
        category=RULE_CATEGORIES.get(rid, SITE_QUERY),
        tables=RULE_TABLES.get(rid, GROUP_TABLES.get(rid[:3])),
    )


RULES: dict[str, Rule] = {rid: _rule(rid, sev, text, ref) for rid, sev, text, ref in _RULES}


def describe_action(rule: Rule, severity: str | None = None) -> str:
    """What the run does with a record this rule flags (data-contract.md §1.6), at the rule's
    catalogue severity or at ``severity`` (a config override)."""
    severity = severity or rule.severity
    if severity == FATAL:
        return "the run stops"
    if severity == WARNING:
        return "none (reported)"
    if rule.action == EXCLUDE:
        return "record excluded"
    if rule.action == BLANK:
        where = f"{rule.action_column} " if rule.action_column else ""
        return f"{where}value set missing (record excluded when the value places the record)"
    return "used as recorded"


def render_rules_markdown() -> str:
    """The rule catalogue as markdown (the content of ``docs/validation-rules.md``)."""
    lines = [
        "# Validation rules",
        "",
        "Generated from `outcomes.validate.catalogue` (do not edit by hand; "
        "`tests/validate/test_catalogue.py` checks that this file is up to date).",
        "Severities (data-contract §1.6): FATAL stops the run; ERROR is handled by its action "
        "(listed in `validation/excluded.csv`; when the record is in subjects, assessments or "
        "medications the efficacy endpoints of the subject carry `QRYFL = Y`) "
        "and the run goes on, unless `outcomes run --strict` (`validation.on_error: stop`); "
        "WARNING is reported and the run goes on. The action applies while the rule is an "
        "ERROR (per-rule severities: config `validation.severity`). Category (column `CATEGORY` "
        "of `validation/issues.csv`): SITE QUERY = a site corrects or confirms the record "
        "(listed in `validation/sites/<SITEID>.csv`); DATA MANAGEMENT = the export file or the "
        "drug coding; ANALYSIS NOTE = for the analysis team (records after the data cut, values "
        "read in a stated way).",
    ]
    for prefix, title in GROUPS.items():
        lines += [
            "",
            f"## {title}",
            "",
            "| id | severity | category | rule | action | reference |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {r.id} | {r.severity} | {r.category} | {r.text} | {describe_action(r)} "
            f"| {r.reference} |"
            for r in RULES.values()
            if r.id.startswith(prefix)
        ]
    return "\n".join(lines) + "\n"
