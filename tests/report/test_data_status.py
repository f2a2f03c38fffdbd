"""The report's first section: validation status of the cut (data-contract §1.6)."""

from __future__ import annotations

import polars as pl

from outcomes.report.data_status import (
    STATUS_COLUMNS,
    describe_data_status,
    summarize_data_status,
)
from outcomes.validate.issues import ISSUE_SCHEMA


def _issues(*rows: tuple) -> pl.DataFrame:
    """Issues from (RULE, SEVERITY, TABLE, USUBJID)."""
    return pl.DataFrame([(*r, 1, "C", None, "m") for r in rows], schema=ISSUE_SCHEMA, orient="row")


ISSUES = _issues(
    ("VAL-006", "ERROR", "assessments", "S2"),
    ("VAL-006", "ERROR", "assessments", "S1"),
    ("KEY-004", "ERROR", "assessments", "S1"),
    ("VAL-012", "WARNING", "assessments", "S3"),
    ("VAL-012", "WARNING", "assessments", "S3"),
    ("CON-013", "ERROR", "medications", "S4"),
    ("STR-007", "WARNING", "adverse_events", None),
)
EXCLUDED = pl.DataFrame(
    {
        "TABLE": ["assessments", "assessments", "assessments", "medications"],
        "ACTION": ["VALUE SET MISSING", "VALUE SET MISSING", "RECORD EXCLUDED", "RECORD EXCLUDED"],
    }
)


def test_summarize_data_status__counts_subjects_and_actions_by_severity_and_table():
    out = summarize_data_status(ISSUES, EXCLUDED)
    assert out.columns == list(STATUS_COLUMNS)
    assert out.drop("RESULTS").rows() == [
        ("ERROR", "assessments", 3, 2, 1, 2, "S1, S2"),
        ("ERROR", "medications", 1, 1, 1, 0, "S4"),
        ("WARNING", "adverse_events", 1, 0, 0, 0, ""),
        ("WARNING", "assessments", 2, 1, 0, 0, ""),
    ]
    assert out["RESULTS"][1].startswith("glucocorticoid dose")
    assert out["RESULTS"][2] == "safety (adae, adsafe)"


def test_describe_data_status__names_the_subjects_with_errors():
    text = describe_data_status(summarize_data_status(ISSUES, EXCLUDED))
    assert text.startswith(
        "This cut has 4 open error(s) and 3 warning(s). Errors touch 3 subject(s): S1, S2, S4."
    )


def test_summarize_data_status__a_clean_cut_and_a_fatal_problem():
    clean = summarize_data_status(ISSUES.clear(), None)
    assert clean.is_empty()
    assert describe_data_status(clean).startswith("This cut has 0 open error(s) and 0 warning(s)")
    fatal = summarize_data_status(_issues(("STR-001", "FATAL", None, None)), None)
    assert fatal.drop("RESULTS").rows() == [("FATAL", "(export)", 1, 0, 0, 0, "")]
    assert fatal["RESULTS"].to_list() == ["the whole export"]
