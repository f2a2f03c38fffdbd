"""Cumulative incidence (Aalen–Johansen), checked against R cmprsk::cuminc (numbers typed in)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from outcomes.analysis.cif import cumulative_incidence
from outcomes.errors import InputDataError

DATA = Path(__file__).parent / "data"
TIES = pl.DataFrame({"t": [1, 2, 2, 2, 3, 4, 4, 5, 6, 6], "s": [1, 2, 1, 0, 1, 2, 2, 0, 1, 0]})


def test_cumulative_incidence__ties_of_both_causes_match_cmprsk():
    """R: ``ci <- cuminc(c(1,2,2,2,3,4,4,5,6,6), c(1,2,1,0,1,2,2,0,1,0), cencode = 0)``;
    ``ci[["1 1"]]`` est 0.1, 0.2, 0.316666666667, 0.491666666667 at 1, 2, 3, 6 and var
    0.01, 0.0179012345679, 0.0265980795610, 0.0507276577503."""
    out = cumulative_incidence(TIES, time="t", event_code="s")
    assert out["time"].to_list() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert out["cif"].to_list() == pytest.approx(
        [0.1, 0.2, 0.316666666667, 0.316666666667, 0.316666666667, 0.491666666667], abs=1e-10
    )
    assert out["var"].to_list() == pytest.approx(
        [0.01, 0.0179012345679, 0.0265980795610, 0.0265980795610, 0.0265980795610, 0.0507276577503],
        abs=1e-10,
    )


def test_cumulative_incidence__competing_cause_matches_cmprsk():
    """R: same call, ``ci[["1 2"]]``: est 0.1 at 2 and 0.333333333333 at 4; var
    0.0101234567901 and 0.0295217421125."""
    swapped = TIES.with_columns(pl.col("s").replace({1: 2, 2: 1}))
    out = cumulative_incidence(swapped, time="t", event_code="s")
    assert out["cif"].to_list() == pytest.approx(
        [0.0, 0.1, 0.1, 0.333333333333, 0.333333333333, 0.333333333333], abs=1e-10
    )
    assert out["var"].to_list() == pytest.approx(
        [0.0, 0.0101234567901, 0.0101234567901, 0.0295217421125, 0.0295217421125, 0.0295217421125],
        abs=1e-10,
    )
    assert out["lower"][0] is None  # F = 0: no interval


def test_cumulative_incidence__lung_matches_cmprsk_timepoints():
    """R: ``code <- ifelse(lung$status == 2, ifelse(lung$sex == 1, 1, 2), 0);
    timepoints(cuminc(lung$time, code, cencode = 0), times = c(92, 183, 366, 731))``."""
    df = pl.read_csv(DATA / "lung.csv").with_columns(
        pl.when(pl.col("status") == 2)
        .then(pl.when(pl.col("sex") == 1).then(1).otherwise(2))
        .otherwise(0)
        .alias("code")
    )
    out = cumulative_incidence(df, time="time", event_code="code").sort("time")
    at = pl.DataFrame({"time": [92.0, 183.0, 366.0, 731.0]}).join_asof(out, on="time")
    assert at["cif"].to_list() == pytest.approx(
        [0.0964912280702, 0.2302068933191, 0.409464454536, 0.594496849621], abs=1e-10
    )
    assert at["var"].to_list() == pytest.approx(
        [0.000384151561170, 0.000789902839621, 0.001231728524458, 0.00154739496784], abs=1e-12
    )


def test_cumulative_incidence__loglog_interval_brackets_estimate():
    out = cumulative_incidence(TIES, time="t", event_code="s")
    row = out.row(0, named=True)  # F = 0.1, var = 0.01
    assert row["lower"] < 0.1 < row["upper"]


def test_cumulative_incidence__all_censored_and_bad_codes():
    out = cumulative_incidence(pl.DataFrame({"t": [1, 2], "s": [0, 0]}), time="t", event_code="s")
    assert out["cif"].to_list() == [0.0, 0.0]
    assert out["var"].to_list() == [0.0, 0.0]
    with pytest.raises(InputDataError, match=r"one of \[0, 1, 2\]"):
        cumulative_incidence(pl.DataFrame({"t": [1], "s": [3]}), time="t", event_code="s")


def test_cumulative_incidence__groups_are_separate():
    df = pl.concat(
        [TIES.with_columns(pl.lit("A").alias("g")), pl.DataFrame({"t": [5], "s": [1], "g": ["B"]})]
    )
    out = cumulative_incidence(df, time="t", event_code="s", group="g")
    assert out.filter(pl.col("group") == "B")["cif"].to_list() == [1.0]
