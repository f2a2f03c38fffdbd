"""Exact threshold comparisons: half-up fixed point, and magnitudes far beyond any threshold."""

from __future__ import annotations

import polars as pl

from outcomes.decimal import SATURATED, compute_fixed, to_fixed


def _fixed(values: list[float | None], decimals: int) -> list[int | None]:
    frame = pl.DataFrame({"x": values}, schema={"x": pl.Float64})
    return frame.select(compute_fixed(pl.col("x"), decimals=decimals))["x"].to_list()


def test_compute_fixed__recorded_decimals_half_up():
    assert _fixed([2.3, 2.0, 0.125, -0.125, 0.0], 2) == [230, 200, 13, -13, 0]
    assert _fixed([7.50004], 4) == [75000]
    assert _fixed([999_999_999_999.99], 2) == [99_999_999_999_999]


def test_compute_fixed__huge_values_saturate_instead_of_failing_or_turning_null():
    assert _fixed([1e12, 1e18, 1e308, -1e30, float("inf"), float("-inf")], 4) == [
        SATURATED,
        SATURATED,
        SATURATED,
        -SATURATED,
        SATURATED,
        -SATURATED,
    ]
    assert to_fixed(1e9, decimals=6) < SATURATED  # above any threshold a config can hold
    assert SATURATED - (-SATURATED) < 2**63  # a difference of two saturated values fits Int64


def test_compute_fixed__missing_and_nan_are_not_evaluable():
    assert _fixed([None, float("nan")], 2) == [None, None]


def test_compute_fixed__subnormal_is_zero():
    assert _fixed([5e-324, -5e-324], 2) == [0, 0]
