"""One validation report from the shards' reports: rows of the export's files, a file's issue
once, counts summed, query ids of one run (outcomes.validate.combine)."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from outcomes.validate.combine import (
    ReportParts,
    combine_reports,
    map_source_rows,
    read_report_parts,
    sum_checked,
    write_report_parts,
)
from outcomes.validate.excluded import EXCLUDED_SCHEMA
from outcomes.validate.issues import concat_issues, make_issue
from outcomes.validate.report import ValidationReport

BOM = "subjects.csv: starts with a UTF-8 byte-order mark (ignored)."


def _rows(table: str, pairs: list[tuple[int, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "TABLE": [table] * len(pairs),
            "ROW": [p[0] for p in pairs],
            "SOURCEROW": [p[1] for p in pairs],
        },
        schema={"TABLE": pl.String, "ROW": pl.Int64, "SOURCEROW": pl.Int64},
    )


def _weight(usubjid: str, row: int) -> pl.DataFrame:
    return make_issue(
        "VAL-004", "subjects", message="WEIGHT", usubjid=usubjid, row=row, column="WEIGHT",
        value="seventy",
    )  # fmt: skip


def _excluded(usubjid: str, row: int) -> pl.DataFrame:
    return pl.DataFrame(
        [["Q", "VAL-004", "subjects", usubjid, row, "WEIGHT", "VALUE SET MISSING"]],
        schema=EXCLUDED_SCHEMA,
        orient="row",
    )


def _parts(issues: list[pl.DataFrame], excluded: pl.DataFrame, checked: int) -> ReportParts:
    report = ValidationReport(concat_issues(issues), readable=True, sites=("01",))
    return ReportParts(
        issues=report.issues,
        excluded=excluded,
        rules=pl.DataFrame({"RULE": ["VAL-004", "STR-007"], "CHECKED": [checked, None]}),
        readable=True,
        sites=("01",),
        rows_per_group=200,
        data_cut="2027-01-31",
        workbook_max_rows=5000,
    )


def test_map_source_rows__shard_rows_become_export_rows_unknown_kept():
    frame = pl.DataFrame(
        {"TABLE": ["subjects", "subjects", "labs", None], "ROW": [1, 2, 7, None]},
        schema={"TABLE": pl.String, "ROW": pl.Int64},
    )
    rows = _rows("subjects", [(1, 4), (2, 9)])
    got = map_source_rows(frame, rows)
    assert got["ROW"].to_list() == [4, 9, 7, None]
    assert got.columns == ["TABLE", "ROW"]


def test_sum_checked__counts_added_none_when_no_shard_counts():
    rules = [
        pl.DataFrame({"RULE": ["A", "B"], "CHECKED": [2, None]}),
        pl.DataFrame({"RULE": ["A", "B"], "CHECKED": [3, None]}),
    ]
    assert sum_checked(rules) == {"A": 5, "B": None}


def test_combine_reports__export_rows_file_issue_once_counts_summed():
    bom = make_issue("STR-007", "subjects", message=BOM)
    shard0 = _parts([_weight("S-1", 2), bom], _excluded("S-1", 2), checked=2)
    shard1 = _parts([_weight("S-2", 1), bom], _excluded("S-2", 1), checked=1)
    maps = [_rows("subjects", [(1, 1), (2, 3)]), _rows("subjects", [(1, 2)])]
    report = combine_reports([shard0, shard1], maps)
    issues = report.issues
    assert issues["RULE"].to_list() == ["STR-007", "VAL-004", "VAL-004"]
    assert issues["ROW"].to_list() == [None, 2, 3]
    assert issues["USUBJID"].to_list() == [None, "S-2", "S-1"]
    assert report.excluded["ROW"].to_list() == [2, 3]
    assert report.excluded["USUBJID"].to_list() == ["S-2", "S-1"]
    weight = report.rule_results.filter(pl.col("RULE") == "VAL-004").row(0, named=True)
    assert (weight["CHECKED"], weight["FAILED"], weight["ISSUES"]) == (3, 2, 2)
    assert report.sites == ("01",)
    assert report.data_cut == "2027-01-31"
    assert report.workbook_max_rows == 5000
    whole = ValidationReport(
        concat_issues([_weight("S-1", 3), _weight("S-2", 2), bom]), readable=True
    )
    assert issues["QUERYID"].to_list() == whole.issues["QUERYID"].to_list()


def test_report_parts__written_and_read_back(tmp_path):
    parts = _parts([_weight("S-1", 2)], _excluded("S-1", 2), checked=2)
    report = ValidationReport(
        parts.issues,
        readable=True,
        excluded=parts.excluded,
        sites=("01",),
        data_cut="2027-01-31",
        workbook_max_rows=None,
    )
    write_report_parts(report, tmp_path)
    back = read_report_parts(tmp_path)
    assert back.workbook_max_rows is None
    assert_frame_equal(back.issues, report.issues)
    assert_frame_equal(back.excluded, report.excluded)
    assert (back.readable, back.sites, back.data_cut) == (True, ("01",), "2027-01-31")
    assert back.rules["RULE"].to_list() == report.rule_results["RULE"].to_list()
