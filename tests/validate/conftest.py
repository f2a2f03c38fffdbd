"""A tiny valid export typed by hand, and helpers to corrupt it one cell at a time.

Subject S1: lymphodepleted 2026-02-01, infused 2026-02-06 (Day 0), assessments at screening,
baseline, Day 14 and Day 28; two prednisone records sharing a boundary day; one CRS; screening
labs. Subject S2: screened, withdrew 2026-01-20, never infused; a screening ANC. Both took two
conventional SLE treatments for months, stopped long before consent (endpoints §16.27).
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from outcomes import contract as c
from outcomes.validate import ValidationReport, validate_export

REPO = Path(__file__).resolve().parents[2]

# fmt: off
SUBJECTS = [
    # STUDYID      USUBJID SITEID AGE SEX WEIGHT CONSDT DOSELVL DOSE LDFL LDSTDT INFDT
    #   EOSSTT EOSDT DCSREAS DTHDT LSTALVDT
    ["NCT07274059", "S1", "01", "40", "F", "60", "2026-01-05", "DL1", "1", "Y", "2026-02-01",
     "2026-02-06", "ONGOING", "", "", "", "2026-03-06"],
    ["NCT07274059", "S2", "01", "30", "M", "80", "2026-01-06", "", "", "N", "", "",
     "DISCONTINUED", "2026-01-20", "WITHDRAWAL BY SUBJECT", "", "2026-01-20"],
]
# fmt: on
SUBJECT_COLUMNS = [
    "STUDYID",
    "USUBJID",
    "SITEID",
    "AGE",
    "SEX",
    "WEIGHT",
    "CONSDT",
    "DOSELVL",
    "DOSE",
    "LDFL",
    "LDSTDT",
    "INFDT",
    "EOSSTT",
    "EOSDT",
    "DCSREAS",
    "DTHDT",
    "LSTALVDT",
]

#: Items present at every assessment: ARTHRITIS (4) and PROTEINURIA (4, new) -> SELENA 8.
PRESENT = {"SLEDAI_ARTHRITIS", "SLEDAI_PROTEINURIA"}
ASSESSMENTS = [
    # USUBJID VISIT ASMDT
    ("S1", "SCREENING", "2026-01-10"),
    ("S1", "BASELINE", "2026-01-30"),
    ("S1", "DAY 14", "2026-02-20"),
    ("S1", "DAY 28", "2026-03-06"),
    ("S2", "SCREENING", "2026-01-12"),
]
# fmt: off
MEDICATIONS = [
    # USUBJID CMSEQ CMTRT CMCLAS CMDOSE CMDOSU CMDOSFRQ CMROUTE CMINDC CMSTDT CMENDT
    ["S1", "1", "prednisone", "", "10", "mg", "QD", "ORAL", "SLE", "2025-06-01", "2026-02-10"],
    ["S1", "2", "prednisone", "", "5", "mg", "QD", "ORAL", "SLE", "2026-02-10", ""],
    ["S1", "3", "hydroxychloroquine", "", "200", "mg", "BID", "ORAL", "SLE", "2025-01-01", ""],
    # two conventional SLE treatments each (endpoints §16.27), washed out before consent
    ["S1", "10", "mycophenolate mofetil", "", "1000", "mg", "BID", "ORAL", "SLE", "2024-01-01",
     "2025-06-30"],
    ["S2", "10", "hydroxychloroquine", "", "200", "mg", "BID", "ORAL", "SLE", "2024-01-01", ""],
    ["S2", "11", "methotrexate", "", "15", "mg", "QW", "ORAL", "SLE", "2024-01-01", "2025-06-01"],
]
# fmt: on
MEDICATION_COLUMNS = [
    "USUBJID",
    "CMSEQ",
    "CMTRT",
    "CMCLAS",
    "CMDOSE",
    "CMDOSU",
    "CMDOSFRQ",
    "CMROUTE",
    "CMINDC",
    "CMSTDT",
    "CMENDT",
]
# fmt: off
ADVERSE_EVENTS = [
    ["S1", "1", "Cytokine release syndrome", "", "CRS", "2026-02-07", "2026-02-09", "2", "N", "Y"],
]
# fmt: on
AE_COLUMNS = [
    "USUBJID",
    "AESEQ",
    "AETERM",
    "AEDECOD",
    "AECAT",
    "AESTDT",
    "AEENDT",
    "AETOXGR",
    "AESER",
    "AEREL",
]
# fmt: off
LABS = [
    # USUBJID LBTESTCD LBSTRESN LBSTRESU LBSTNRLO LBSTNRHI LBDT
    ["S1", "ANC", "3.0", "10^9/L", "1.8", "7.5", "2026-01-10"],
    ["S1", "HGB", "120", "g/L", "115", "155", "2026-01-10"],
    ["S1", "ALT", "20", "U/L", "5", "40", "2026-01-10"],
    ["S1", "AST", "20", "U/L", "5", "40", "2026-01-10"],
    ["S1", "TBIL", "10", "umol/L", "3", "21", "2026-01-10"],
    ["S1", "INR", "1.0", "RATIO", "0.8", "1.2", "2026-01-10"],
    ["S1", "PT", "12", "s", "10", "13", "2026-01-10"],
    ["S1", "CREAT", "70", "umol/L", "45", "90", "2026-01-10"],
    ["S2", "ANC", "2.5", "10^9/L", "1.8", "7.5", "2026-01-12"],
]
# fmt: on
LAB_COLUMNS = ["USUBJID", "LBTESTCD", "LBSTRESN", "LBSTRESU", "LBSTNRLO", "LBSTNRHI", "LBDT"]


def _assessment_rows() -> tuple[list[str], list[list[str]]]:
    columns = [
        "USUBJID",
        "VISIT",
        "ASMDT",
        *c.SLEDAI_COLUMNS,
        *c.SELENA_ONSET_COLUMNS,
        "PGA",
        *c.BILAG_COLUMNS,
        "HAEMOLYSIS",
        "DSDNA",
        "DSDNAULN",
        "C3",
        "C3LLN",
        "C4",
        "C4LLN",
        "UPCR",
        "FLARE",
    ]
    rows = []
    for usubjid, visit, asmdt in ASSESSMENTS:
        bits = ["1" if col in PRESENT else "0" for col in c.SLEDAI_COLUMNS]
        onset = ["Y" if col == "SLEDAI_PROTEINURIA_NEW" else "N" for col in c.SELENA_ONSET_COLUMNS]
        bilag = ["B" if col == "BILAG_MSK" else "C" for col in c.BILAG_COLUMNS]
        rows.append(
            [
                usubjid,
                visit,
                asmdt,
                *bits,
                *onset,
                "2.1",
                *bilag,
                "N",
                "10",
                "30",
                "1.2",
                "0.9",
                "0.3",
                "0.1",
                "1.2",
                "NONE",
            ]
        )
    return columns, rows


def base_tables() -> dict[str, tuple[list[str], list[list[str]]]]:
    """The clean mini export as (columns, rows) of text per table."""
    return {
        "subjects": (SUBJECT_COLUMNS, copy.deepcopy(SUBJECTS)),
        "assessments": _assessment_rows(),
        "medications": (MEDICATION_COLUMNS, copy.deepcopy(MEDICATIONS)),
        "adverse_events": (AE_COLUMNS, copy.deepcopy(ADVERSE_EVENTS)),
        "labs": (LAB_COLUMNS, copy.deepcopy(LABS)),
    }


def write_tables(folder: Path, tables: dict[str, tuple[list[str], list[list[str]]]]) -> Path:
    """Write each table as CSV (empty text = missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, (columns, rows) in tables.items():
        frame = pl.DataFrame(rows, schema=dict.fromkeys(columns, pl.String), orient="row")
        frame = frame.with_columns(pl.all().replace("", None))
        frame.write_csv(folder / f"{name}.csv")
    return folder


def set_cell(tables: dict[str, Any], table: str, row: int, column: str, value: str) -> None:
    """Set one cell (row is the 1-based data record)."""
    columns, rows = tables[table]
    rows[row - 1][columns.index(column)] = value


@functools.cache
def _config_text() -> str:
    return (REPO / "config" / "config.yaml").read_text(encoding="utf-8")


@functools.cache
def _parsed_config() -> dict[str, Any]:
    return yaml.safe_load(_config_text())


def repo_config() -> dict[str, Any]:
    """The repository configuration (sections read by validation and eligibility)."""
    return copy.deepcopy(_parsed_config())


def run(folder: Path, *, data_cut: dt.date | None = None) -> ValidationReport:
    """Validate ``folder`` with the repository configuration."""
    return validate_export(folder, config=repo_config(), data_cut=data_cut)


def located(report: ValidationReport) -> set[tuple[Any, ...]]:
    """(RULE, TABLE, USUBJID, ROW, COLUMN) of every issue."""
    return set(report.issues.select("RULE", "TABLE", "USUBJID", "ROW", "COLUMN").iter_rows())


@pytest.fixture()
def tables() -> dict[str, tuple[list[str], list[list[str]]]]:
    return base_tables()
