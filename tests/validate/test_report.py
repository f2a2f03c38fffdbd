"""The validation report: issues.csv, summary.json, report.html (escaped) and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from outcomes.validate import ValidationReport, write_validation_report
from outcomes.validate.issues import ISSUE_SCHEMA
from tests.validate.conftest import run, set_cell, write_tables


def _report(rows: list[list], readable: bool = True) -> ValidationReport:
    return ValidationReport(pl.DataFrame(rows, schema=ISSUE_SCHEMA, orient="row"), readable)


def test_validation_report__exit_codes():
    error = ["VAL-005", "ERROR", "subjects", "S1", 1, "SEX", "X", "bad"]
    warning = ["VAL-007", "WARNING", "assessments", "S1", 2, "PGA", "1.234", "decimals"]
    assert _report([]).exit_code == 0
    assert _report([warning]).exit_code == 0
    assert _report([warning, error]).exit_code == 1
    assert _report([error], readable=False).exit_code == 2
    assert (_report([warning, error]).n_errors, _report([warning, error]).n_warnings) == (1, 1)


def test_write_validation_report__files_counts_and_escaping(tmp_path: Path, tables):
    set_cell(tables, "subjects", 1, "SEX", "<script>alert(1)</script>")
    set_cell(tables, "assessments", 2, "PGA", "1.234")
    report = run(write_tables(tmp_path / "export", tables))
    out = tmp_path / "report"
    write_validation_report(report, out)
    issues = pl.read_csv(out / "issues.csv", infer_schema=False)
    assert issues.columns == [
        "RULE",
        "SEVERITY",
        "TABLE",
        "USUBJID",
        "ROW",
        "COLUMN",
        "VALUE",
        "MESSAGE",
        "SITEID",
        "RECKEY",
        "QUERYID",
        "FIRSTCUT",
        "CATEGORY",
        "STATUS",
    ]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["by_rule"] == {"VAL-005": 1, "VAL-007": 1}
    assert summary["by_severity"] == {"ERROR": 1, "WARNING": 1}
    assert summary["by_table"] == {"assessments": 1, "subjects": 1}
    assert summary["by_subject"] == {"S1": 2}
    assert summary["exit_code"] == 1
    page = (out / "report.html").read_text()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "VAL-005" in page and "is not in the allowed set" in page
    assert "Issues by subject" in page


def test_validation_report__summary_line():
    line = _report([["VAL-005", "ERROR", "subjects", "S1", 1, "SEX", "X", "bad"]]).summary()
    assert line == "Validation: the export has errors: 1 error(s), 0 warning(s), 1 rule(s) hit."
