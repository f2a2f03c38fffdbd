"""Issues as site queries (data-contract §3, revision 2): SITEID, RECKEY, a QUERYID that does
not depend on the row number, CATEGORY, FIRSTCUT and STATUS; cut-to-cut tracking; the action
of an ERROR in a site's words. Hand-typed frames and expected values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from outcomes.errors import ExportReadError
from outcomes.validate.issues import ISSUE_SCHEMA
from outcomes.validate.queries import (
    create_record_keys,
    create_site_map,
    derive_query_columns,
    phrase_actions,
)
from outcomes.validate.tracking import (
    check_previous_folder,
    list_previous_inputs,
    read_previous_issues,
    track_queries,
)

from .conftest import run, set_cell, write_tables

CUT = dt.date(2026, 6, 30)


def _issues(*rows: tuple) -> pl.DataFrame:
    """Issues from (RULE, SEVERITY, TABLE, USUBJID, ROW, COLUMN, VALUE)."""
    return pl.DataFrame([(*r, "m") for r in rows], schema=ISSUE_SCHEMA, orient="row")


def _raw_assessments(*rows: tuple[int, str, str]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema={"ROW": pl.Int64, "VISIT": pl.String, "ASMDT": pl.String}, orient="row"
    )


SUBJECTS = pl.DataFrame(
    {"ROW": [1, 2], "USUBJID": ["S1", "S2"], "SITEID": [" 01 ", "02"]},
    schema_overrides={"ROW": pl.Int64},
)


def _queries(issues: pl.DataFrame, assessments: pl.DataFrame) -> pl.DataFrame:
    raw = {"subjects": SUBJECTS, "assessments": assessments}
    return derive_query_columns(
        issues,
        record_keys=create_record_keys(raw),
        sites=create_site_map(SUBJECTS),
        data_cut=CUT,
    )


def test_record_keys__as_a_site_knows_the_record():
    raw = {
        "subjects": SUBJECTS,
        "assessments": _raw_assessments((3, "DAY 14", "2026-02-20")),
        "medications": pl.DataFrame({"ROW": [1], "CMSEQ": [" 4"]}),
        "adverse_events": pl.DataFrame(
            {"ROW": [2], "AESEQ": [None]}, schema_overrides={"AESEQ": pl.String}
        ),
        "labs": pl.DataFrame({"ROW": [7], "LBTESTCD": ["ANC"], "LBDT": ["2026-01-10"]}),
    }
    keys = create_record_keys(raw)
    assert sorted(keys.select("TABLE", "ROW", "RECKEY").iter_rows()) == [
        ("adverse_events", 2, "AESEQ="),
        ("assessments", 3, "VISIT=DAY 14, ASMDT=2026-02-20"),
        ("labs", 7, "LBTESTCD=ANC, LBDT=2026-01-10"),
        ("medications", 1, "CMSEQ=4"),
        ("subjects", 1, "USUBJID=S1"),
        ("subjects", 2, "USUBJID=S2"),
    ]


def test_query_id__same_problem_on_another_row_keeps_its_id():
    issue = ("VAL-006", "ERROR", "assessments", "S1", 3, "PGA", "9")
    first = _queries(_issues(issue), _raw_assessments((3, "DAY 14", "2026-02-20")))
    # a later cut: two records were added above, the record is now row 5
    moved = ("VAL-006", "ERROR", "assessments", "S1", 5, "PGA", "9")
    later = _queries(
        _issues(moved),
        _raw_assessments((1, "SCREENING", "2026-01-10"), (5, "DAY 14", "2026-02-20")),
    )
    row = first.row(0, named=True)
    assert row["QUERYID"] == "QDB93B5FF44A0"  # SHA-256 of the identity text, first 12 digits
    assert later["QUERYID"].item() == "QDB93B5FF44A0"
    assert (row["RECKEY"], row["SITEID"], row["CATEGORY"]) == (
        "VISIT=DAY 14, ASMDT=2026-02-20",
        "01",
        "SITE QUERY",
    )
    assert (row["FIRSTCUT"], row["STATUS"]) == ("2026-06-30", "NEW")


def test_query_id__another_column_value_change_or_record_differs():
    keys = _raw_assessments((3, "DAY 14", "2026-02-20"), (4, "DAY 28", "2026-03-06"))
    found = _queries(
        _issues(
            ("VAL-006", "ERROR", "assessments", "S1", 3, "PGA", "9"),
            ("VAL-012", "WARNING", "assessments", "S1", 3, "SLEDAI_RASH", None),
            ("VAL-006", "ERROR", "assessments", "S1", 4, "PGA", "9"),
        ),
        keys,
    )
    assert found["QUERYID"].n_unique() == 3
    # the value is not part of the identity: a corrected-but-still-wrong value keeps the query
    changed = _queries(_issues(("VAL-006", "ERROR", "assessments", "S1", 3, "PGA", "7")), keys)
    assert changed["QUERYID"].item() == "QDB93B5FF44A0"


def test_query_id__duplicate_identity_numbered_in_row_order():
    keys = _raw_assessments((3, "DAY 14", "2026-02-20"), (8, "DAY 14", "2026-02-20"))
    found = _queries(
        _issues(
            ("KEY-004", "ERROR", "assessments", "S1", 3, "ASMDT", "2026-02-20"),
            ("KEY-004", "ERROR", "assessments", "S1", 8, "ASMDT", "2026-02-20"),
        ),
        keys,
    )
    first, second = found["QUERYID"].to_list()
    assert second == first + "-2"
    assert not first.endswith("-2")


def test_query_columns__absent_records_subject_rows_and_file_problems():
    found = _queries(
        _issues(
            ("CON-007", "WARNING", "assessments", "S1", None, "VISIT", "MONTH 3"),
            ("ELG-003", "WARNING", "labs", "S2", None, "LBSTRESN", "ANC"),
            ("CON-005", "WARNING", "subjects", "S2", None, None, None),
            ("DAT-008", "WARNING", "subjects", "S2", 2, "INFDT", "2026-07-01"),
            ("STR-010", "WARNING", None, None, None, None, "lab.csv"),
            ("KEY-005", "ERROR", "assessments", "S9", 4, "USUBJID", "S9"),
        ),
        _raw_assessments((4, "DAY 28", "2026-03-06")),
    )
    got = {
        r["RULE"]: (r["RECKEY"], r["SITEID"], r["CATEGORY"]) for r in found.iter_rows(named=True)
    }
    assert got == {
        "CON-007": ("VISIT=MONTH 3", "01", "SITE QUERY"),
        "ELG-003": ("LBTESTCD=ANC", "02", "SITE QUERY"),
        "CON-005": ("USUBJID=S2", "02", "SITE QUERY"),
        "DAT-008": ("USUBJID=S2", "02", "ANALYSIS NOTE"),
        "STR-010": (None, None, "DATA MANAGEMENT"),
        "KEY-005": ("VISIT=DAY 28, ASMDT=2026-03-06", None, "SITE QUERY"),
    }
    ids = dict(found.select("RULE", "QUERYID").iter_rows())
    assert ids["CON-007"] == "Q97350BF82717"
    assert ids["STR-010"] == "QACEB750652CA"  # file problem: the file name identifies it


def test_query_columns__no_cut_leaves_firstcut_empty():
    found = derive_query_columns(_issues(("STR-001", "FATAL", "labs", None, None, None, None)))
    assert found.select("FIRSTCUT", "STATUS", "SITEID").row(0) == (None, "NEW", None)


# -- tracking -------------------------------------------------------------------------------
def _tracked(rows: list[tuple[str, str | None, str]]) -> pl.DataFrame:
    """Issues with (QUERYID, FIRSTCUT, STATUS); the other columns are fixed."""
    base = _issues(
        *[("VAL-006", "ERROR", "assessments", "S1", i, "PGA", "9") for i in range(len(rows))]
    )
    return base.with_columns(
        pl.lit("01").alias("SITEID"),
        pl.lit("VISIT=DAY 14").alias("RECKEY"),
        pl.Series("QUERYID", [r[0] for r in rows], dtype=pl.String),
        pl.Series("FIRSTCUT", [r[1] for r in rows], dtype=pl.String),
        pl.lit("SITE QUERY").alias("CATEGORY"),
        pl.Series("STATUS", [r[2] for r in rows], dtype=pl.String),
    )


def test_track_queries__open_keeps_firstcut_new_and_resolved():
    previous = _tracked(
        [("QA", "2026-01-31", "OPEN"), ("QB", "2026-03-31", "NEW"), ("QC", None, "NEW")]
    )
    current = _tracked(
        [("QA", "2026-06-30", "NEW"), ("QC", "2026-06-30", "NEW"), ("QD", "2026-06-30", "NEW")]
    )
    tracked, resolved = track_queries(current, previous, previous_cut="2026-03-31")
    assert tracked.select("QUERYID", "FIRSTCUT", "STATUS").rows() == [
        ("QA", "2026-01-31", "OPEN"),
        ("QC", "2026-03-31", "OPEN"),  # the previous file left FIRSTCUT empty: its cut
        ("QD", "2026-06-30", "NEW"),
    ]
    assert resolved.select("QUERYID", "FIRSTCUT", "STATUS").rows() == [
        ("QB", "2026-03-31", "RESOLVED")
    ]


def test_read_previous_issues__run_folder_or_validate_folder_and_clear_errors(tmp_path: Path):
    frame = _tracked([("QA", "2026-01-31", "OPEN")])
    run_dir = tmp_path / "cut-1"
    (run_dir / "validation").mkdir(parents=True)
    frame.write_csv(run_dir / "validation" / "issues.csv")
    (run_dir / "validation" / "summary.json").write_text('{"data_cut": "2026-01-31"}')
    found, cut = read_previous_issues(run_dir)
    assert (found["QUERYID"].to_list(), found["ROW"].to_list(), cut) == (["QA"], [0], "2026-01-31")
    assert list_previous_inputs(str(run_dir)) == [str(run_dir / "validation" / "issues.csv")]
    assert list_previous_inputs(None) == [] and list_previous_inputs(str(tmp_path)) == []
    with pytest.raises(ExportReadError, match="holds neither"):
        read_previous_issues(tmp_path / "nowhere")
    old = tmp_path / "old"
    old.mkdir()
    _issues(("VAL-006", "ERROR", "assessments", "S1", 1, "PGA", "9")).write_csv(old / "issues.csv")
    with pytest.raises(ExportReadError, match="has no QUERYID column"):
        read_previous_issues(old)
    with pytest.raises(ExportReadError, match="this cut's own output folder"):
        check_previous_folder(run_dir, out=run_dir)
    check_previous_folder(run_dir, out=tmp_path / "cut-2")


# -- the action of an ERROR in a site's words; excluded.csv carries the same query id ---------
def test_error_actions__message_in_site_words_and_excluded_has_the_query_id(tmp_path: Path, tables):
    set_cell(tables, "assessments", 3, "PGA", "9")  # out of range: value not used
    set_cell(tables, "medications", 2, "CMSEQ", "1")  # duplicate CMSEQ: record not used
    report = run(write_tables(tmp_path / "export", tables), data_cut=CUT)
    issues = report.issues
    pga = issues.filter(pl.col("RULE") == "VAL-006").row(0, named=True)
    assert pga["MESSAGE"].endswith(
        "The value of PGA is not used in the analysis until it is corrected."
    )
    assert (pga["RECKEY"], pga["SITEID"]) == ("VISIT=DAY 14, ASMDT=2026-02-20", "01")
    dup = issues.filter(pl.col("RULE") == "KEY-002").row(0, named=True)
    assert dup["MESSAGE"].endswith("This record is not used in the analysis until it is corrected.")
    assert dup["RECKEY"] == "CMSEQ=1"
    excluded = dict(report.excluded.select("RULE", "QUERYID").iter_rows())
    assert excluded == {"VAL-006": pga["QUERYID"], "KEY-002": dup["QUERYID"]}
    assert "record dropped" not in " ".join(issues["MESSAGE"].to_list())


def test_phrase_actions__subject_record_excluded():
    issues = derive_query_columns(
        _issues(("VAL-001", "ERROR", "subjects", "S1", 1, "CONSDT", None))
    )
    excluded = pl.DataFrame(
        {
            "QUERYID": issues["QUERYID"],
            "TABLE": ["subjects"],
            "ROW": [1],
            "COLUMN": ["CONSDT"],
            "ACTION": ["RECORD EXCLUDED"],
        }
    )
    assert phrase_actions(issues, excluded)["MESSAGE"].item() == (
        "m. This subject is not analysed until the record is corrected."
    )
