"""Run helpers: previous row, cumulative sum and forward fill within contiguous runs."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_series_equal

from outcomes.endpoints.runs import (
    compute_run_cum_max,
    compute_run_cum_sum,
    compute_run_forward_fill,
    compute_run_shift,
)


def test_compute_run_shift__null_at_each_run_start():
    frame = pl.DataFrame({"G": [0, 0, 0, 1, 1, 2], "X": [10, None, 30, 40, 50, 60]})
    got = frame.select(compute_run_shift(pl.col("X"), group="G").alias("P"))["P"]
    assert_series_equal(got, pl.Series("P", [None, 10, None, None, 40, None], dtype=pl.Int64))


def test_compute_run_shift__equals_shift_over_for_contiguous_runs():
    frame = pl.DataFrame({"G": [3, 3, 5, 5, 5], "B": [True, None, False, True, None]})
    got = frame.select(compute_run_shift(pl.col("B"), group="G").alias("P"))["P"]
    assert_series_equal(got, pl.Series("P", [None, True, None, False, True], dtype=pl.Boolean))


def test_compute_run_cum_sum__restarts_at_each_run_and_keeps_nulls():
    frame = pl.DataFrame({"G": [0, 0, 0, 1, 1, 2], "X": [1, None, 2, 5, 1, None]})
    got = frame.select(compute_run_cum_sum(pl.col("X"), group="G").alias("S"))["S"]
    assert_series_equal(got, pl.Series("S", [1, None, 3, 5, 6, None], dtype=pl.Int64))


def test_compute_run_forward_fill__does_not_carry_into_the_next_run():
    frame = pl.DataFrame({"G": [0, 0, 0, 1, 1, 2, 2], "X": [7, None, None, None, 4, 9, None]})
    got = frame.select(compute_run_forward_fill(pl.col("X"), group="G").alias("F"))["F"]
    assert_series_equal(got, pl.Series("F", [7, 7, 7, None, 4, 9, 9], dtype=pl.Int64))


def test_compute_run_cum_max__restarts_at_each_run():
    frame = pl.DataFrame({"G": [0, 0, 0, 1, 1, 2], "X": [3, 1, 5, 0, 2, 4]})
    got = frame.select(compute_run_cum_max(pl.col("X"), group="G").alias("M"))["M"]
    assert_series_equal(got, pl.Series("M", [3, 3, 5, 0, 2, 4], dtype=pl.Int64))


def test_compute_run_cum_max__out_of_range_value_is_null_not_a_wrong_maximum():
    frame = pl.DataFrame({"G": [0, 0, 1], "X": [2, -1, 2**31]})
    got = frame.select(compute_run_cum_max(pl.col("X"), group="G").alias("M"))["M"]
    assert_series_equal(got, pl.Series("M", [2, None, None], dtype=pl.Int64))


@pytest.mark.parametrize("seed", range(20))
def test_run_helpers_equal_the_windows_they_replace(seed):
    """On random contiguous runs with nulls: the same values as cum_sum / forward_fill .over."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 80))
    values = [None if rng.random() < 0.3 else int(v) for v in rng.integers(0, 4, n)]
    frame = pl.DataFrame(
        {"G": np.sort(rng.integers(0, 9, n)), "X": values}, schema={"G": pl.Int64, "X": pl.Int64}
    )
    got = frame.select(
        compute_run_cum_sum(pl.col("X"), group="G").alias("S"),
        compute_run_forward_fill(pl.col("X"), group="G").alias("F"),
        compute_run_cum_max(pl.col("X"), group="G").alias("M"),
    )
    want = frame.select(
        pl.col("X").cum_sum().over("G").alias("S"),
        pl.col("X").forward_fill().over("G").alias("F"),
        pl.col("X").cum_max().over("G").alias("M"),
    )
    assert_series_equal(got["S"], want["S"].cast(pl.Int64))
    assert_series_equal(got["F"], want["F"])
    assert_series_equal(got["M"], want["M"])
