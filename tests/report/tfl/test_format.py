"""Cell formats: hand-typed expected strings (half-up rounding, n (%), estimate [CI], NE)."""

from __future__ import annotations

import math

import pytest

from outcomes.report.tfl.format import (
    format_estimate_ci,
    format_header,
    format_level,
    format_mean_sd,
    format_n_over_n_pct,
    format_n_pct,
    format_number,
)


def test_n_pct():
    assert format_n_pct(6, 16) == "6 (37.5)"
    assert format_n_pct(0, 16) == "0"
    assert format_n_pct(1, 3) == "1 (33.3)"
    assert format_n_pct(2, 0) == "2 (NE)"
    assert format_n_over_n_pct(6, 16) == "6/16 (37.5)"


def test_estimate_ci_in_one_cell():
    assert format_estimate_ci(0.3125, 0.1102, 0.5866, decimals=2) == "0.31 [0.11, 0.59]"
    assert format_estimate_ci(5.61, 3.0, None, decimals=1) == "5.6 [3.0, NE]"
    assert format_estimate_ci(None, None, None, decimals=1) == "NE"


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (12.5, 0, "13"),
        (6.25, 1, "6.3"),
        (0.125, 2, "0.13"),
        (2.675, 2, "2.68"),  # binary 2.67499999... rounds to 2.67 in float arithmetic
        (-12.5, 0, "-13"),
        (-0.04, 1, "0.0"),
        (37.5, 1, "37.5"),
        (None, 1, "NE"),
        (math.nan, 1, "NE"),
        (math.inf, 1, "NE"),
    ],
)
def test_half_up_rounding(value, decimals, expected):
    assert format_number(value, decimals) == expected


def test_mean_sd_and_header():
    assert format_mean_sd(4.25, 1.125) == "4.3 (1.13)"
    assert format_mean_sd(None, None) == "NE"
    assert format_header("DL1", 16) == "DL1 (N=16)"


@pytest.mark.parametrize(
    ("level", "text"), [(0.95, "95%"), (0.9, "90%"), (0.975, "97.5%"), (0.99, "99%")]
)
def test_format_level(level: float, text: str):
    assert format_level(level) == text
