"""Tests of outcomes.interop.sdtm_activity: RS records → one assessments row per visit."""

from __future__ import annotations

import datetime as dt

import polars as pl

from outcomes import contract as c
from outcomes.interop.sdtm_activity import create_assessments

from .frames import default_mapping, text_table

D = dt.date
COLUMNS = "USUBJID VISIT RSTESTCD RSSTRESC RSORRES RSDTC"


def _run(rows):
    return create_assessments(text_table(COLUMNS, rows), rules=default_mapping().activity)


def test_create_assessments__pivot_and_types():
    result = _run(
        [
            ("S1", "BASELINE", "SLDSEIZ", "1", None, "2025-01-20"),
            ("S1", "BASELINE", "SLDARTH", None, "ABSENT", "2025-01-20"),  # ORRES when no STRESC
            ("S1", "BASELINE", "PGA", "1.5", None, "2025-01-20T10:00"),
            ("S1", "BASELINE", "BLGRENAL", "b", None, "2025-01-20"),
            ("S1", "BASELINE", "SLDRASHN", "y", None, "2025-01-20"),
            ("S1", "BASELINE", "FLARE", "NONE", None, "2025-01-20"),
            ("S1", "DAY 28", "PGA", "0", None, "2025-02-28"),
        ]
    )
    table = result.table.collect()
    assert table.columns[:3] == ["USUBJID", "VISIT", "ASMDT"]
    assert table.height == 2
    assert table.select(
        "USUBJID",
        "VISIT",
        "ASMDT",
        "SLEDAI_SEIZURE",
        "SLEDAI_ARTHRITIS",
        "PGA",
        "BILAG_RENAL",
        "SLEDAI_RASH_NEW",
        "FLARE",
    ).rows() == [
        ("S1", "BASELINE", D(2025, 1, 20), 1, 0, 1.5, "B", "Y", "NONE"),
        ("S1", "DAY 28", D(2025, 2, 28), None, None, 0.0, None, None, None),
    ]
    assert table.schema["SLEDAI_SEIZURE"] == pl.Int8
    assert table["SDTMSEQ"].to_list() == [1, 7]
    assert result.problems.collect().height == 0


def test_create_assessments__all_contract_columns():
    table = _run([("S1", "BASELINE", "PGA", "1", None, "2025-01-20")]).table.collect()
    expected = ["USUBJID", "VISIT", "ASMDT", *c.SLEDAI_COLUMNS]
    assert table.columns[: len(expected)] == expected
    assert table.columns[-2:] == ["SDTMDOM", "SDTMSEQ"]


def test_create_assessments__unmapped_invalid_conflict():
    result = _run(
        [
            ("S1", "BASELINE", "ADAS01", "3", None, "2025-01-20"),  # unmapped code
            ("S1", "BASELINE", "SLDFEVER", "MAYBE", None, "2025-01-20"),  # invalid bit
            ("S1", "BASELINE", "PGA", "1.0", None, "2025-01-20"),  # conflict ...
            ("S1", "BASELINE", "PGA", "2.0", None, "2025-01-20"),  # ... with this one
            ("S1", "BASELINE", "BLGGI", "C", None, "2025-01-20"),  # duplicate, same value: kept
            ("S1", "BASELINE", "BLGGI", "C", None, "2025-01-20"),
            ("S1", "WEEK 4", "BLGGI", "F", None, "2025-02"),  # bad grade, visit, date
        ]
    )
    table = result.table.collect()
    assert table.select("VISIT", "ASMDT", "SLEDAI_FEVER", "PGA", "BILAG_GI").rows() == [
        ("BASELINE", D(2025, 1, 20), None, None, "C"),
        ("WEEK 4", None, None, None, None),
    ]
    got = sorted(result.problems.collect().select("RULE", "SEVERITY", "SRCSEQ").iter_rows())
    assert got == [
        ("SDTM_CONFLICT", "ERROR", 3),
        ("SDTM_CONFLICT", "ERROR", 4),
        ("SDTM_PARTIAL_DATE", "WARNING", 7),
        ("SDTM_TEST_UNMAPPED", "WARNING", 1),
        ("SDTM_VALUE_INVALID", "ERROR", 2),
        ("SDTM_VALUE_INVALID", "ERROR", 7),
        ("SDTM_VALUE_UNMAPPED", "WARNING", 7),  # VISIT WEEK 4
    ]


def test_create_assessments__visit_map():
    table = _run([("S1", "Day 0", "PGA", "1", None, "2025-01-20")]).table.collect()
    assert table["VISIT"].to_list() == ["BASELINE"]
