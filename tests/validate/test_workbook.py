"""``validation/issues.xlsx`` read back with openpyxl: every sheet's counts agree with
``issues.csv``; ``sites/<SITEID>.csv``; formula-safe cells; identical bytes on a rerun; the
HTML report's rule catalogue, filters and query-id anchors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from outcomes.validate import write_validation_report
from outcomes.validate.catalogue import RULES
from outcomes.validate.report import site_file_name, write_site_queries
from outcomes.validate.workbook import site_sheet_names, write_issues_workbook

from .conftest import run, set_cell, write_tables

CUT = dt.date(2026, 3, 6)


@pytest.fixture()
def written(tmp_path: Path, tables) -> Path:
    """The mini export with problems at two sites (S2 moved to site 02) and a formula-like
    value, validated and written."""
    set_cell(tables, "subjects", 2, "SITEID", "02")
    set_cell(tables, "subjects", 2, "SEX", "=HYPERLINK(1)")  # VAL-005, formula-like
    set_cell(tables, "assessments", 3, "PGA", "9")  # VAL-006 at site 01
    set_cell(tables, "assessments", 4, "PGA", "1.234")  # VAL-007: an analysis note
    set_cell(tables, "labs", 7, "LBDT", "2026-03-07")  # DAT-008: PT after the cut
    out = tmp_path / "validation"
    write_validation_report(run(write_tables(tmp_path / "export", tables), data_cut=CUT), out)
    return out


def _sheet(book: openpyxl.Workbook, name: str) -> pl.DataFrame:
    rows = list(book[name].iter_rows(values_only=True))
    return pl.DataFrame(rows[1:], schema=list(rows[0]), orient="row", infer_schema_length=None)


def test_workbook__every_sheet_agrees_with_issues_csv(written: Path):
    issues = pl.read_csv(written / "issues.csv", infer_schema=False)
    book = openpyxl.load_workbook(written / "issues.xlsx")
    assert book.sheetnames == ["Summary", "Issue Summary", "Details", "Rules", "Site 01", "Site 02"]
    details = _sheet(book, "Details")
    assert details.height == issues.height == 4
    assert sorted(details["QUERYID"]) == sorted(issues["QUERYID"])
    assert details["VALUE"].to_list().count("'=HYPERLINK(1)") == 1  # neutralised as in the CSV
    per_rule = dict(_sheet(book, "Issue Summary").select("RULE", "ISSUES").iter_rows())
    assert per_rule == {"DAT-008": 1, "VAL-005": 1, "VAL-006": 1, "VAL-007": 1}
    assert per_rule == dict(issues.group_by("RULE").len().iter_rows())
    rules = _sheet(book, "Rules")
    assert rules["RULE"].to_list() == list(RULES)
    assert rules.filter(pl.col("ISSUES") > 0).height == len(per_rule)
    assert set(rules.filter(pl.col("ISSUES") == 0)["RESULT"]) <= {"PASSED", "NOT CHECKED"}
    key_004 = rules.filter(pl.col("RULE") == "KEY-004").row(0, named=True)
    assert (key_004["CHECKED"], key_004["FAILED"], key_004["RESULT"]) == (5, 0, "PASSED")
    val_006 = rules.filter(pl.col("RULE") == "VAL-006").row(0, named=True)
    assert (val_006["FAILED"], val_006["ISSUES"], val_006["RESULT"]) == (1, 1, "FAILED")
    summary = list(book["Summary"].iter_rows(values_only=True))
    severity_at = next(i for i, r in enumerate(summary) if r[0] == "SEVERITY")
    assert summary[severity_at + 1][:2] == ("ERROR", 2)
    assert summary[severity_at + 2][:2] == ("WARNING", 2)
    site_at = next(i for i, r in enumerate(summary) if r[0] == "SITEID")
    assert [r[:2] for r in summary[site_at + 1 : site_at + 3]] == [("01", 3), ("02", 1)]
    for site in ("01", "02"):
        sheet = _sheet(book, f"Site {site}")
        expected = issues.filter((pl.col("SITEID") == site) & (pl.col("CATEGORY") == "SITE QUERY"))
        assert sorted(sheet["QUERYID"]) == sorted(expected["QUERYID"])
    assert book["Details"].freeze_panes == "A2"
    assert book["Details"].auto_filter.ref == "A1:N5"


def test_workbook__rerun_gives_identical_bytes(written: Path, tmp_path: Path, tables):
    first = (written / "issues.xlsx").read_bytes()
    set_cell(tables, "subjects", 2, "SITEID", "02")
    set_cell(tables, "subjects", 2, "SEX", "=HYPERLINK(1)")
    set_cell(tables, "assessments", 3, "PGA", "9")
    set_cell(tables, "assessments", 4, "PGA", "1.234")
    set_cell(tables, "labs", 7, "LBDT", "2026-03-07")
    again = tmp_path / "again"
    write_validation_report(run(write_tables(tmp_path / "export-2", tables), data_cut=CUT), again)
    assert (again / "issues.xlsx").read_bytes() == first


@pytest.mark.parametrize(
    ("max_rows", "listed", "site_sheets"), [(4, 4, True), (None, 4, True), (3, 3, False)]
)
def test_workbook__at_most_workbook_max_rows_issues(
    written: Path, tmp_path: Path, max_rows, listed, site_sheets
):
    """4 issues: a limit of 4 (or none) lists them all with the site sheets; a limit of 3 lists
    the first 3 in the order of issues.csv and leaves the site sheets out, and says so."""
    issues = pl.read_csv(written / "issues.csv", infer_schema=False)
    path = tmp_path / "limited.xlsx"
    rules = _sheet(openpyxl.load_workbook(written / "issues.xlsx"), "Rules")
    write_issues_workbook(
        path,
        issues=issues,
        rules=rules,
        resolved=pl.DataFrame(),
        sites=["01", "02"],
        data_cut="2026-03-06",
        max_rows=max_rows,
    )
    book = openpyxl.load_workbook(path)
    details = _sheet(book, "Details")
    assert details["QUERYID"].to_list() == issues["QUERYID"].to_list()[:listed]
    assert ("Site 01" in book.sheetnames) is site_sheets
    summary = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if r[0]}
    assert summary["Issues"] == "4"
    assert summary["Issues on the Details sheet (all are in issues.csv)"] == str(listed)
    if site_sheets:
        assert summary["Site sheets"] == "one per site"
    else:
        assert summary["Site sheets"] == (
            "left out: more than 3 issues (validation.workbook_max_rows); "
            "each site's queries are in sites/<SITEID>.csv"
        )


def test_site_files__site_queries_only_one_file_per_site(written: Path):
    issues = pl.read_csv(written / "issues.csv", infer_schema=False)
    files = sorted(p.name for p in (written / "sites").iterdir())
    assert files == ["01.csv", "02.csv"]
    site_01 = pl.read_csv(written / "sites" / "01.csv", infer_schema=False)
    assert set(site_01["RULE"]) == {"VAL-006"}  # the PGA decimals and the cut are notes
    assert site_01.columns == issues.columns
    site_02 = pl.read_csv(written / "sites" / "02.csv", infer_schema=False)
    assert site_02.select("RULE", "VALUE").rows() == [("VAL-005", "'=HYPERLINK(1)")]


def test_site_files__names_are_safe_and_stale_files_go(tmp_path: Path):
    assert site_file_name("01") == "01.csv"
    assert site_file_name(None) == "NO_SITE.csv"
    odd = site_file_name("../x y")
    assert odd.startswith(".._x_y-") and "/" not in odd and len(odd) == len(".._x_y-") + 12
    (tmp_path / "09.csv").write_text("old")
    issues = pl.DataFrame(
        {
            "SITEID": [None, "01"],
            "CATEGORY": ["SITE QUERY", "ANALYSIS NOTE"],
            "RULE": ["KEY-005", "DAT-008"],
        }
    )
    written = write_site_queries(issues, ("01",), tmp_path)
    assert sorted(p.name for p in written) == ["01.csv", "NO_SITE.csv"]
    assert not (tmp_path / "09.csv").exists()
    assert pl.read_csv(tmp_path / "01.csv").height == 0


def test_site_sheet_names__valid_and_unique():
    names = site_sheet_names(["01", "A/B", "A?B", "x" * 40])
    assert names == {
        "01": "Site 01",
        "A/B": "Site A_B",
        "A?B": "Site A_B (2)",
        "x" * 40: "Site " + "x" * 26,
    }


def test_report_html__catalogue_filters_and_query_anchors(written: Path):
    page = (written / "report.html").read_text(encoding="utf-8")
    issues = pl.read_csv(written / "issues.csv", infer_schema=False)
    for rule in RULES:
        assert f"data-rule='{rule}'" in page  # every rule, fired or passed
    assert "<tr class='rule passed' data-severity='ERROR' data-rule='KEY-004'>" in page
    assert "id='f-site'" in page and "id='f-severity'" in page and "id='f-rule'" in page
    assert "<option value='02'>02</option>" in page
    assert "(no site)" not in page  # every issue here has a site
    for qid in issues["QUERYID"]:
        assert f"<td id='{qid}'><a href='#{qid}'>{qid}</a></td>" in page
    assert "http://" not in page and "https://" not in page  # self-contained, no network


def test_report_html__issues_without_a_site_get_their_own_filter_choice(tmp_path: Path, tables):
    tables["labs"][1][0][0] = "S9"  # a lab record of a subject not in subjects (KEY-005)
    out = tmp_path / "v"
    write_validation_report(run(write_tables(tmp_path / "export", tables)), out)
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "<option value='(no site)'>(no site)</option>" in page
    assert (
        "<tr class='issue' data-site='(no site)' data-severity='ERROR' data-rule='KEY-005'>" in page
    )
    assert sorted(p.name for p in (out / "sites").iterdir()) == ["01.csv", "NO_SITE.csv"]


def test_unreadable_export__every_validation_file_is_still_written(tmp_path: Path):
    out = tmp_path / "v"
    write_validation_report(run(tmp_path / "missing-export"), out)
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "excluded.csv",
        "issues.csv",
        "issues.xlsx",
        "report.html",
        "resolved.csv",
        "sites",
        "summary.json",
    ]
    assert list((out / "sites").iterdir()) == []
    book = openpyxl.load_workbook(out / "issues.xlsx")
    assert book.sheetnames == ["Summary", "Issue Summary", "Details", "Rules"]
    assert _sheet(book, "Details")["RULE"].to_list() == ["STR-004"]
