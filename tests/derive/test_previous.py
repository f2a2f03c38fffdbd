"""Tests of outcomes.derive.previous: previous assessment (E-13) and stability reference (§16.9)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from outcomes.derive.previous import derive_var_prvseq, derive_var_stbrefdt

D = dt.date


def _frame(rows):
    return pl.LazyFrame(
        rows,
        schema={
            "USUBJID": pl.String,
            "SRCSEQ": pl.Int64,
            "ADT": pl.Date,
            "ADY": pl.Int64,
            "ABLFL": pl.Boolean,
            "ANL01FL": pl.Boolean,
            "AVISITN": pl.Int64,
        },
        orient="row",
    )


ROWS = [
    # USUBJID SRCSEQ ADT               ADY   ABLFL  ANL01FL AVISITN
    ("S01", 1, D(2025, 3, 1), -31, False, False, None),  # screening
    ("S01", 2, D(2025, 3, 20), -12, True, True, 0),  # baseline
    ("S01", 3, D(2025, 3, 29), -3, False, False, None),  # during LD, after baseline
    ("S01", 4, D(2025, 4, 10), 9, False, False, None),  # unscheduled before D14
    ("S01", 5, D(2025, 4, 15), 14, False, True, 1),  # D14
    ("S01", 6, D(2025, 4, 20), 19, False, False, None),  # unscheduled after D14
    ("S01", 7, D(2025, 4, 29), 28, False, True, 2),  # D28
    ("S02", 8, D(2025, 3, 29), -3, False, False, None),  # no baseline: pre-infusion
    ("S02", 9, D(2025, 4, 15), 14, False, True, 1),  # D14
    ("S02", 10, D(2025, 4, 29), 28, False, True, 2),  # D28
]


def test_derive_var_prvseq__first_post_infusion_compares_with_baseline():
    src = _frame(ROWS)
    out = derive_var_prvseq(src).collect()
    assert out.columns == [*src.collect_schema().names(), "PRVSEQ"]
    # row 4 skips the LD-day row 3 and points at the baseline (2); no baseline → previous row
    assert out["PRVSEQ"].to_list() == [None, 1, 2, 2, 4, 5, 6, None, 8, 9]


def test_derive_var_stbrefdt__previous_scheduled_else_baseline():
    src = _frame(ROWS)
    out = derive_var_stbrefdt(src).collect()
    assert out.columns == [*src.collect_schema().names(), "STBREFDT"]
    bl, d14 = D(2025, 3, 20), D(2025, 4, 15)
    assert out["STBREFDT"].to_list() == [
        None,
        None,
        None,  # before infusion
        bl,
        bl,  # unscheduled before D14 and D14 itself: baseline
        d14,
        d14,  # after D14: D14
        None,
        None,  # no baseline: nothing before the first scheduled visit
        d14,  # no baseline: last earlier scheduled assessment
    ]


#: ROWS shuffled: subjects interleaved, dates out of order (the results follow each row).
SHUFFLED = [ROWS[i] for i in (9, 3, 0, 7, 5, 1, 8, 4, 2, 6)]


def test_derive_var_prvseq__rows_in_any_order_keep_their_order():
    out = derive_var_prvseq(_frame(SHUFFLED)).collect()
    assert out["SRCSEQ"].to_list() == [10, 4, 1, 8, 6, 2, 9, 5, 3, 7]
    assert out["PRVSEQ"].to_list() == [9, 2, None, None, 5, 1, 8, 4, 2, 6]


def test_derive_var_stbrefdt__rows_in_any_order_keep_their_order():
    out = derive_var_stbrefdt(_frame(SHUFFLED)).collect()
    bl, d14 = D(2025, 3, 20), D(2025, 4, 15)
    assert out["SRCSEQ"].to_list() == [10, 4, 1, 8, 6, 2, 9, 5, 3, 7]
    assert out["STBREFDT"].to_list() == [d14, bl, None, None, d14, None, None, bl, None, d14]


def test_derive_var_prvseq__same_date_ordered_by_srcseq():
    rows = [
        ("S01", 3, D(2025, 4, 15), 14, False, True, 1),
        ("S01", 2, D(2025, 3, 20), -12, True, True, 0),
        ("S01", 4, D(2025, 4, 15), 14, False, False, 1),  # same date as 3, later row
    ]
    out = derive_var_prvseq(_frame(rows)).collect()
    assert out["PRVSEQ"].to_list() == [2, None, 3]
