"""Summary tables of the report: counts typed by hand from tests/report/conftest.py."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from outcomes.report.summaries import summarize_baseline, summarize_disposition

from .report_builders import SUBJECTS, _adsl, _advisit

DL = ("DL1", "DL2", "DL3")


def test_summarize_disposition__stages_visits_and_reasons():
    actual = summarize_disposition(_adsl(SUBJECTS), advisit=_advisit(SUBJECTS), dose_levels=DL)
    expected = pl.DataFrame(
        [
            ("Enrolled", 2, 3, 0, 1, 6),
            ("Infused (safety set)", 2, 3, 0, 0, 5),
            ("Efficacy set", 2, 2, 0, 0, 4),
            ("Seen at BASELINE", 2, 3, 0, 0, 5),
            ("Seen at MONTH 3", 2, 1, 0, 0, 3),  # S04's Day 29 record is outside every window
            ("Seen at MONTH 6", 1, 0, 0, 0, 1),
            ("Left study: DISCONTINUED (ADVERSE EVENT)", 0, 0, 0, 1, 1),
            ("Left study: DISCONTINUED (DEATH)", 0, 1, 0, 0, 1),
            ("Left study: DISCONTINUED (WITHDRAWAL BY SUBJECT)", 0, 1, 0, 0, 1),
        ],
        schema=["STAGE", "DL1", "DL2", "DL3", "NOT INFUSED", "TOTAL"],
        orient="row",
    )
    assert_frame_equal(actual, expected)


def test_summarize_disposition__without_advisit_and_without_uninfused():
    adsl = _adsl(SUBJECTS).filter(pl.col("DOSELVL").is_not_null())
    actual = summarize_disposition(adsl, advisit=None, dose_levels=DL)
    assert actual.columns == ["STAGE", "DL1", "DL2", "DL3", "TOTAL"]
    assert actual["STAGE"].to_list()[:3] == ["Enrolled", "Infused (safety set)", "Efficacy set"]
    assert actual.filter(pl.col("STAGE") == "Enrolled")["TOTAL"].item() == 5


def test_summarize_baseline__mean_sd_and_percent():
    actual = summarize_baseline(_adsl(SUBJECTS), dose_levels=DL)
    row = {r["CHARACTERISTIC"]: r for r in actual.iter_rows(named=True)}
    assert actual.columns == ["CHARACTERISTIC", "DL1", "DL2", "TOTAL"]  # DL3 has nobody
    assert row["N"]["TOTAL"] == "5"  # S05 (not infused) is not in the safety set
    assert row["Female, n (%)"]["DL2"] == "2 (66.7)"
    assert row["AGE, mean (SD)"]["DL1"] == "35.0 (7.07)"  # ages 30, 40
    assert row["GCDOSEBL, mean (SD)"]["DL2"] == "9.2 (10.10)"  # 7.5, 20, 0
