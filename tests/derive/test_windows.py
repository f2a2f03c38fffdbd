"""Tests of outcomes.derive.windows: ADY, baseline (§16.5) and analysis visits (§11, E-27)."""

from __future__ import annotations

import datetime as dt

import polars as pl
from polars.testing import assert_frame_equal

from outcomes.derive.windows import derive_var_ablfl, derive_var_ady, derive_vars_avisit

from .frames import VISITS

D = dt.date
INF = D(2025, 4, 1)  # infusion, Day 0
LD = D(2025, 3, 27)  # lymphodepletion start


def _frame(rows):
    return pl.LazyFrame(
        rows,
        schema={
            "USUBJID": pl.String,
            "SRCSEQ": pl.Int64,
            "VISIT": pl.String,
            "ADT": pl.Date,
            "TRTSDT": pl.Date,
            "LDFL": pl.String,
            "LDSTDT": pl.Date,
        },
        orient="row",
    )


def test_derive_var_ady__day_zero_is_infusion_and_shape():
    src = _frame(
        [
            ("S01", 1, "SCREENING", D(2025, 3, 1), INF, "Y", LD),  # before infusion: negative
            ("S01", 2, "UNSCHEDULED", INF, INF, "Y", LD),  # infusion day: Day 0
            ("S01", 3, "DAY 14", D(2025, 4, 15), INF, "Y", LD),  # Day 14
            ("S02", 4, "SCREENING", D(2025, 1, 1), None, "N", None),  # not infused: null
        ]
    )
    out = derive_var_ady(src).collect()
    assert out.columns == [*src.collect_schema().names(), "ADY"]
    assert out["ADY"].to_list() == [-31, 0, 14, None]


def test_derive_var_ablfl__latest_before_ld_within_42_days():
    src = _frame(
        [
            ("S01", 1, "SCREENING", D(2025, 2, 13), INF, "Y", LD),  # LD - 42: in window, not latest
            ("S01", 2, "BASELINE", D(2025, 3, 26), INF, "Y", LD),  # LD - 1: latest before LD
            ("S01", 3, "UNSCHEDULED", LD, INF, "Y", LD),  # on LD start: not before
            ("S02", 4, "SCREENING", D(2025, 2, 12), INF, "Y", LD),  # LD - 43: too early
            ("S03", 5, "SCREENING", D(2025, 3, 20), INF, "N", None),  # no LD: before INFDT
            ("S03", 6, "BASELINE", D(2025, 3, 31), INF, "N", None),  # INFDT - 1: baseline
            ("S04", 7, "SCREENING", D(2025, 2, 13), INF, "Y", LD),  # exactly LD - 42: qualifies
        ]
    )
    base = derive_var_ady(src)
    out = derive_var_ablfl(base, visits=VISITS).collect()
    assert out.columns == [*base.collect_schema().names(), "ABLFL"]
    assert out["ABLFL"].to_list() == [False, True, False, False, False, True, True]


def test_derive_var_ablfl__two_on_the_date_later_input_row_wins_and_no_baseline():
    src = _frame(
        [
            ("S01", 9, "BASELINE", D(2025, 3, 20), INF, "Y", LD),
            ("S01", 3, "SCREENING", D(2025, 3, 20), INF, "Y", LD),  # same date, earlier row
            ("S02", 4, "SCREENING", D(2025, 3, 20), None, "N", None),  # not infused, no LD: none
        ]
    )
    out = derive_var_ablfl(derive_var_ady(src), visits=VISITS).collect()
    assert out["ABLFL"].to_list() == [True, False, False]


def test_derive_vars_avisit__windows_label_wins_then_nearest_then_earlier():
    src = _frame(
        [
            ("S01", 1, "BASELINE", D(2025, 3, 20), INF, "Y", LD),  # baseline
            ("S01", 2, "UNSCHEDULED", D(2025, 4, 12), INF, "N", None),  # Day 11 (lower bound)
            ("S01", 3, "UNSCHEDULED", D(2025, 4, 14), INF, "N", None),  # Day 13, nearer 14
            ("S01", 4, "UNSCHEDULED", D(2025, 4, 19), INF, "N", None),  # Day 18: outside windows
            ("S01", 5, "UNSCHEDULED", D(2025, 6, 30), INF, "N", None),  # Day 90: M3, 1 from target
            ("S01", 6, "MONTH 3", D(2025, 7, 15), INF, "N", None),  # Day 105 (upper), label wins
            ("S01", 7, "UNSCHEDULED", D(2025, 4, 26), INF, "N", None),  # Day 25: D28, 3 before
            ("S01", 8, "UNSCHEDULED", D(2025, 5, 2), INF, "N", None),  # Day 31: D28, 3 after
            ("S01", 9, "UNSCHEDULED", D(2025, 6, 16), INF, "N", None),  # Day 76: just below M3
            ("S01", 10, "UNSCHEDULED", D(2025, 7, 16), INF, "N", None),  # Day 106: just above M3
        ]
    )
    src = src.with_columns(pl.lit("Y").alias("LDFL"), pl.lit(LD).alias("LDSTDT"))
    base = derive_var_ablfl(derive_var_ady(src), visits=VISITS)
    out = derive_vars_avisit(base, visits=VISITS).collect()
    assert out.columns == [*base.collect_schema().names(), "AVISIT", "AVISITN", "ANL01FL"]
    expected = pl.DataFrame(
        {
            "AVISIT": [
                "BASELINE",
                "DAY 14",
                "DAY 14",
                None,
                "MONTH 3",
                "MONTH 3",
                "DAY 28",
                "DAY 28",
                None,
                None,
            ],
            "AVISITN": [0, 1, 1, None, 3, 3, 2, 2, None, None],
            "ANL01FL": [True, False, True, False, False, True, True, False, False, False],
        },
        schema={"AVISIT": pl.String, "AVISITN": pl.Int64, "ANL01FL": pl.Boolean},
    )
    assert_frame_equal(out.select("AVISIT", "AVISITN", "ANL01FL"), expected)


def test_derive_vars_avisit__rows_in_any_order_keep_their_order():
    rows = [
        ("S01", 8, "UNSCHEDULED", D(2025, 5, 2), INF, "N", None),  # Day 31: D28, 3 after
        ("S01", 3, "UNSCHEDULED", D(2025, 4, 14), INF, "N", None),  # Day 13, nearer 14
        ("S01", 7, "UNSCHEDULED", D(2025, 4, 26), INF, "N", None),  # Day 25: D28, 3 before
        ("S01", 1, "BASELINE", D(2025, 3, 20), INF, "Y", LD),  # baseline
        ("S01", 2, "UNSCHEDULED", D(2025, 4, 12), INF, "N", None),  # Day 11
    ]
    src = _frame(rows).with_columns(pl.lit("Y").alias("LDFL"), pl.lit(LD).alias("LDSTDT"))
    base = derive_var_ablfl(derive_var_ady(src), visits=VISITS)
    out = derive_vars_avisit(base, visits=VISITS).collect()
    assert out["SRCSEQ"].to_list() == [8, 3, 7, 1, 2]
    assert out["ANL01FL"].to_list() == [False, True, True, True, False]
