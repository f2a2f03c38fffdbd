"""Types and values rules (VAL-*): one corrupted cell, located by rule, table, subject, row and
column; boundaries just inside and just outside each range."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.validate.conftest import located, run, set_cell, write_tables

CASES = [
    # table        row column          value          rule (None = no issue)   scenario
    ("subjects", 1, "AGE", "", "VAL-012"),  # required measurement missing: a warning
    ("subjects", 1, "CONSDT", "", "VAL-001"),  # a value that places the record: an error
    ("assessments", 3, "ASMDT", "", "VAL-001"),
    ("assessments", 3, "PGA", "", "VAL-012"),
    ("assessments", 3, "SLEDAI_RASH", "", "VAL-012"),
    ("assessments", 3, "BILAG_RENAL", "", "VAL-012"),
    ("subjects", 1, "AGE", "34.5", "VAL-004"),  # not a whole number (same typing as io.export)
    ("assessments", 3, "PGA", "NaN", "VAL-004"),
    ("assessments", 3, "PGA", "inf", "VAL-004"),
    ("subjects", 1, "CONSDT", "2026/01/05", "VAL-002"),  # not YYYY-MM-DD
    ("subjects", 1, "CONSDT", "2026-02-30", "VAL-003"),  # impossible calendar date
    ("subjects", 1, "CONSDT", "2026-02-28", None),  # real date
    ("subjects", 1, "WEIGHT", "sixty", "VAL-004"),  # not a number
    ("subjects", 1, "WEIGHT", "nan", "VAL-004"),  # not finite
    ("adverse_events", 1, "AETOXGR", "2.5", "VAL-004"),  # integer column with a fraction
    ("subjects", 1, "SEX", "f", "VAL-005"),  # allowed set is case-sensitive
    ("assessments", 1, "SLEDAI_FEVER", "2", "VAL-005"),  # bits are 0/1
    ("assessments", 1, "BILAG_RENAL", "F", "VAL-005"),  # grades A-E
    ("assessments", 1, "VISIT", "MONTH 5", "VAL-005"),  # unknown visit label
    ("medications", 1, "CMDOSU", "mcg", "VAL-005"),  # unit
    ("medications", 1, "CMDOSFRQ", "Q3D", "VAL-005"),  # frequency
    ("adverse_events", 1, "AECAT", "SEPSIS", "VAL-005"),  # AE category
    ("subjects", 1, "EOSSTT", "ACTIVE", "VAL-005"),  # end-of-study status
    ("subjects", 1, "AGE", "120", None),  # at the maximum
    ("subjects", 1, "AGE", "121", "VAL-006"),  # just above
    ("subjects", 1, "WEIGHT", "19.9", "VAL-006"),  # just below the minimum 20 kg
    ("assessments", 1, "PGA", "3", None),  # at the maximum
    ("assessments", 1, "PGA", "3.01", "VAL-006"),  # just above
    ("assessments", 1, "PGA", "-0.01", "VAL-006"),  # just below 0
    ("adverse_events", 1, "AETOXGR", "5", None),  # at the maximum (fatal CRS handled by CON-008)
    ("adverse_events", 1, "AETOXGR", "0", "VAL-006"),  # below 1
    ("medications", 1, "CMDOSE", "0", None),  # dose 0 allowed
    ("medications", 1, "CMDOSE", "-0.1", "VAL-006"),  # negative dose
    ("assessments", 1, "PGA", "1.23", None),  # 2 decimals
    ("assessments", 1, "PGA", "1.230", None),  # trailing zero does not add precision
    ("assessments", 1, "PGA", "1.234", "VAL-007"),  # 3 decimals: warning
    ("medications", 1, "CMROUTE", "OTHER", "VAL-008"),  # route OTHER: warning
    ("adverse_events", 1, "AESER", " N", "VAL-009"),  # white space: warning
    ("subjects", 1, "DOSELVL", "DL9", "VAL-011"),  # not a configured dose level
]


@pytest.mark.parametrize(("table", "row", "column", "value", "rule"), CASES)
def test_check_cells__one_corrupted_cell(tmp_path: Path, tables, table, row, column, value, rule):
    set_cell(tables, table, row, column, value)
    report = run(write_tables(tmp_path, tables))
    usubjid = tables[table][1][row - 1][0 if table != "subjects" else 1]
    cell_rules = {r for r, t, _, rw, col in located(report) if (t, rw, col) == (table, row, column)}
    if rule is None:
        assert not {r for r in cell_rules if r.startswith("VAL")}, report.issues
    else:
        assert (rule, table, usubjid, row, column) in located(report), report.issues


def test_check_cells__missing_required_and_conditional_values(tmp_path: Path, tables):
    set_cell(tables, "subjects", 1, "DOSELVL", "")  # infused without a dose level
    set_cell(tables, "subjects", 1, "LDSTDT", "")  # LDFL = Y without LDSTDT
    set_cell(tables, "subjects", 2, "DCSREAS", "")  # discontinued without a reason
    found = located(run(write_tables(tmp_path, tables)))
    assert ("VAL-010", "subjects", "S1", 1, "DOSELVL") in found
    assert ("VAL-010", "subjects", "S1", 1, "LDSTDT") in found
    assert ("VAL-010", "subjects", "S2", 2, "DCSREAS") in found


def test_check_cells__clean_export_has_no_issue(tmp_path: Path, tables):
    report = run(write_tables(tmp_path, tables))
    assert report.issues.height == 0
    assert report.exit_code == 0
