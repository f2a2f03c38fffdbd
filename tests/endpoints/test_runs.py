"""compute_run_shift: previous row within a contiguous run, null at each run start."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_series_equal

from outcomes.endpoints.runs import compute_run_shift


def test_compute_run_shift__null_at_each_run_start():
    frame = pl.DataFrame({"G": [0, 0, 0, 1, 1, 2], "X": [10, None, 30, 40, 50, 60]})
    got = frame.select(compute_run_shift(pl.col("X"), group="G").alias("P"))["P"]
    assert_series_equal(got, pl.Series("P", [None, 10, None, None, 40, None], dtype=pl.Int64))


def test_compute_run_shift__equals_shift_over_for_contiguous_runs():
    frame = pl.DataFrame({"G": [3, 3, 5, 5, 5], "B": [True, None, False, True, None]})
    got = frame.select(compute_run_shift(pl.col("B"), group="G").alias("P"))["P"]
    assert_series_equal(got, pl.Series("P", [None, True, None, False, True], dtype=pl.Boolean))
