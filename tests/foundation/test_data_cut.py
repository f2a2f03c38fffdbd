"""filter_by_data_cut: records after the cut are dropped, later dates blanked (§16.2)."""

from __future__ import annotations

import datetime as dt

import polars as pl
from polars.testing import assert_frame_equal

from outcomes.ingest.data_cut import filter_by_data_cut

CUT = dt.date(2025, 6, 30)
D = dt.date


def test_filter_by_data_cut__assessments_on_the_cut_are_kept():
    frame = pl.LazyFrame(
        {"USUBJID": ["S1", "S1", "S1"], "ASMDT": [D(2025, 6, 29), D(2025, 6, 30), D(2025, 7, 1)]}
    )
    out = filter_by_data_cut(frame, table="assessments", data_cut=CUT).collect()
    assert out["ASMDT"].to_list() == [D(2025, 6, 29), D(2025, 6, 30)]


def test_filter_by_data_cut__medication_running_at_the_cut_stays_ongoing():
    frame = pl.LazyFrame(
        {
            "CMSTDT": [D(2025, 6, 1), D(2025, 6, 1), D(2025, 7, 2)],
            "CMENDT": [D(2025, 6, 30), D(2025, 7, 15), None],
        }
    )
    out = filter_by_data_cut(frame, table="medications", data_cut=CUT).collect()
    expected = pl.DataFrame(
        {"CMSTDT": [D(2025, 6, 1), D(2025, 6, 1)], "CMENDT": [D(2025, 6, 30), None]}
    )
    assert_frame_equal(out, expected)


def test_filter_by_data_cut__ae_resolved_after_the_cut_is_ongoing():
    frame = pl.LazyFrame({"AESTDT": [D(2025, 6, 20)], "AEENDT": [D(2025, 7, 3)]})
    out = filter_by_data_cut(frame, table="adverse_events", data_cut=CUT).collect()
    assert out["AEENDT"].to_list() == [None]


def test_filter_by_data_cut__subject_ending_after_the_cut_is_on_study():
    frame = pl.LazyFrame(
        {
            "USUBJID": ["S1", "S2", "S3"],
            "CONSDT": [D(2025, 1, 1), D(2025, 1, 1), D(2025, 7, 1)],
            "LDSTDT": [D(2025, 2, 1), D(2025, 2, 1), None],
            "INFDT": [D(2025, 2, 6), D(2025, 2, 6), None],
            "EOSSTT": ["DISCONTINUED", "DISCONTINUED", "ONGOING"],
            "EOSDT": [D(2025, 6, 1), D(2025, 8, 1), None],
            "DCSREAS": ["WITHDRAWAL BY SUBJECT", "DEATH", None],
            "DTHDT": [None, D(2025, 8, 1), None],
            "LSTALVDT": [D(2025, 6, 1), None, None],
        }
    )
    out = filter_by_data_cut(frame, table="subjects", data_cut=CUT).collect()
    assert out["USUBJID"].to_list() == ["S1", "S2"]  # S3 consented after the cut
    assert out["EOSSTT"].to_list() == ["DISCONTINUED", "ONGOING"]
    assert out["DCSREAS"].to_list() == ["WITHDRAWAL BY SUBJECT", None]
    assert out["DTHDT"].to_list() == [None, None]
    assert out["EOSDT"].to_list() == [D(2025, 6, 1), None]
