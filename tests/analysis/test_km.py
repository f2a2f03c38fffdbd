"""Kaplan–Meier curves, quantiles and landmarks, checked against R survival (numbers typed in)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from outcomes.analysis.km import (
    kaplan_meier,
    landmark_day,
    landmark_rates,
    survival_quantile,
    to_event,
)
from outcomes.errors import InputDataError

DATA = Path(__file__).parent / "data"
TOL = 1e-6


def _aml() -> pl.DataFrame:
    return pl.read_csv(DATA / "aml.csv")


def _lung() -> pl.DataFrame:
    return pl.read_csv(DATA / "lung.csv").with_columns(
        (pl.col("status") == 2).cast(pl.Int8).alias("event")  # R coding: 1 = censored, 2 = dead
    )


def _approx(actual: list[float | None], expected: list[float | None], tol: float = TOL) -> None:
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected, strict=True):
        if e is None:
            assert a is None
        else:
            assert a == pytest.approx(e, abs=tol)


def test_to_event__cnsr_codes():
    df = pl.DataFrame({"CNSR": [0, 1, 2, 3, None]})
    out = df.select(
        to_event(pl.col("CNSR")).alias("E"), to_event(pl.col("CNSR"), competing=True).alias("C")
    )
    assert out["E"].to_list() == [1, 0, 0, 0, None]
    assert out["C"].to_list() == [1, 0, 2, 0, None]


@pytest.mark.parametrize(
    ("conf_type", "lower", "upper"),
    [
        (
            "log",
            [
                0.75413384508,
                0.61924898740,
                0.48842628742,
                0.37686705950,
                0.37686705950,
                0.25485995120,
                0.15487711790,
                0.15487711790,
                0.03591789849,
                0.03591789849,
            ],
            [
                1.0,
                1.0,
                1.0,
                0.9991576002,
                0.9991576002,
                0.9455849552,
                0.8752606781,
                0.8752606781,
                0.9435257695,
                0.9435257695,
            ],
        ),
        (
            "log-log",
            [
                0.508080205770,
                0.447428614682,
                0.350190385908,
                0.265752040001,
                0.265752040001,
                0.167330909777,
                0.092829574937,
                0.092829574937,
                0.011738480123,
                0.011738480123,
            ],
            [
                0.9866738227,
                0.9511622286,
                0.8990239742,
                0.8352992433,
                0.8352992433,
                0.7533997904,
                0.6570408324,
                0.6570408324,
                0.5250148427,
                0.5250148427,
            ],
        ),
        (
            "plain",
            [
                0.73920433313,
                0.59025505880,
                0.44217077872,
                0.31448249195,
                0.31448249195,
                0.16909620065,
                0.04935666056,
                0.04935666056,
                0.0,
                0.0,
            ],
            [
                1.0,
                1.0,
                0.9896474031,
                0.9127902353,
                0.9127902353,
                0.8127219812,
                0.6870069758,
                0.6870069758,
                0.4849311627,
                0.4849311627,
            ],
        ),
    ],
)
def test_kaplan_meier__aml_maintained_matches_r(conf_type, lower, upper):
    """R: ``s <- summary(survfit(Surv(time, status) ~ x, data = aml, conf.type = <type>),
    censored = TRUE)``; rows of stratum x=Maintained."""
    curve = kaplan_meier(_aml(), time="time", event="status", group="x", conf_type=conf_type)
    m = curve.filter(pl.col("group") == "Maintained")
    assert m["time"].to_list() == [9, 13, 18, 23, 28, 31, 34, 45, 48, 161]
    assert m["n_risk"].to_list() == [11, 10, 8, 7, 6, 5, 4, 3, 2, 1]
    assert m["n_event"].to_list() == [1, 1, 1, 1, 0, 1, 1, 0, 1, 0]
    assert m["n_censor"].to_list() == [0, 1, 0, 0, 1, 0, 0, 1, 0, 1]
    _approx(
        m["surv"].to_list(),
        [
            0.90909090909,
            0.81818181818,
            0.71590909091,
            0.61363636364,
            0.61363636364,
            0.49090909091,
            0.36818181818,
            0.36818181818,
            0.18409090909,
            0.18409090909,
        ],
    )
    _approx(m["lower"].to_list(), lower)
    _approx(m["upper"].to_list(), upper)


def test_kaplan_meier__curve_reaching_zero_has_null_bounds():
    """R prints NA (log, log-log) or NaN (plain) at S = 0 (aml Nonmaintained, time 45)."""
    for conf_type in ("log", "log-log", "plain"):
        curve = kaplan_meier(_aml(), time="time", event="status", group="x", conf_type=conf_type)
        last = curve.filter(pl.col("group") == "Nonmaintained").tail(1)
        assert last["surv"].item() == 0.0
        assert last["lower"].item() is None and last["upper"].item() is None
        assert last["se"].item() is None


def test_kaplan_meier__tied_times_and_censoring_at_event_time():
    df = pl.DataFrame({"T": [2, 2, 2, 5, 7], "E": [1, 1, 0, 1, 0]})
    out = kaplan_meier(df, time="T", event="E", conf_type="log")
    expected = pl.DataFrame(
        {
            "group": ["OVERALL"] * 3,
            "time": [2.0, 5.0, 7.0],
            "n_risk": [5, 2, 1],
            "n_event": [2, 1, 0],
            "n_censor": [1, 0, 1],
            "surv": [0.6, 0.3, 0.3],
        }
    )
    assert_frame_equal(out.select(expected.columns), expected)


def test_kaplan_meier__all_censored_is_flat_at_one():
    """R: ``d <- data.frame(T = c(3, 4, 5, 6), E = c(0, 0, 1, 0)); survfit(Surv(T, E) ~ 1,
    data = d, conf.type = <type>)``: at S = 1 the bounds are NA for log-log, 1 for log and plain."""
    df = pl.DataFrame({"T": [3, 4], "E": [0, 0]})
    out = kaplan_meier(df, time="T", event="E", conf_type="log-log")
    assert out["surv"].to_list() == [1.0, 1.0]
    assert out["lower"].to_list() == [None, None]
    assert out["upper"].to_list() == [None, None]
    for conf_type in ("log", "plain"):
        out = kaplan_meier(df, time="T", event="E", conf_type=conf_type)
        assert out["lower"].to_list() == [1.0, 1.0]
        assert out["upper"].to_list() == [1.0, 1.0]


def test_kaplan_meier__one_subject_and_empty_input():
    one = kaplan_meier(pl.DataFrame({"T": [10], "E": [1]}), time="T", event="E")
    assert one["surv"].to_list() == [0.0]
    empty = kaplan_meier(
        pl.DataFrame({"T": [], "E": []}, schema={"T": pl.Int64, "E": pl.Int8}), time="T", event="E"
    )
    assert empty.height == 0
    assert empty.columns == [
        "group",
        "time",
        "n_risk",
        "n_event",
        "n_censor",
        "surv",
        "se",
        "lower",
        "upper",
    ]


def test_kaplan_meier__bad_input_raises():
    with pytest.raises(InputDataError, match="column E must not be missing"):
        kaplan_meier(pl.DataFrame({"T": [1, 2], "E": [1, None]}), time="T", event="E")
    with pytest.raises(InputDataError, match=r"column E must be one of \[0, 1\]"):
        kaplan_meier(pl.DataFrame({"T": [1, 2], "E": [1, 2]}), time="T", event="E")
    with pytest.raises(InputDataError, match="must be >= 0"):
        kaplan_meier(pl.DataFrame({"T": [-1, 2], "E": [1, 0]}), time="T", event="E")
    with pytest.raises(InputDataError, match="conf_type"):
        kaplan_meier(pl.DataFrame({"T": [1], "E": [1]}), time="T", event="E", conf_type="arcsin")


@pytest.mark.parametrize(
    ("conf_type", "expected"),
    [
        # (q, estimate, lower, upper) per stratum: Maintained then Nonmaintained
        (
            "log",
            [
                (0.25, 18, 13, None),
                (0.5, 31, 18, None),
                (0.75, 48, 34, None),
                (0.25, 8, 5, 30),
                (0.5, 23, 8, None),
                (0.75, 33, 27, None),
            ],
        ),
        (
            "log-log",
            [
                (0.25, 18, 9, 34),
                (0.5, 31, 13, None),
                (0.75, 48, 31, None),
                (0.25, 8, 5, 23),
                (0.5, 23, 5, 33),
                (0.75, 33, 23, None),
            ],
        ),
        (
            "plain",
            [
                (0.25, 18, 9, 34),
                (0.5, 31, 18, 48),
                (0.75, 48, 31, None),
                (0.25, 8, 5, 27),
                (0.5, 23, 8, 33),
                (0.75, 33, 23, None),
            ],
        ),
    ],
)
def test_survival_quantile__aml_matches_r(conf_type, expected):
    """R: ``quantile(survfit(Surv(time, status) ~ x, data = aml, conf.type = <type>),
    probs = c(.25, .5, .75))``."""
    rows = []
    for q in (0.25, 0.5, 0.75):
        rows += survival_quantile(
            _aml(), time="time", event="status", group="x", q=q, conf_type=conf_type
        ).rows()
    got = sorted(rows, key=lambda r: (r[0], r[1]))
    want = [("Maintained", *e) for e in expected[:3]] + [
        ("Nonmaintained", *e) for e in expected[3:]
    ]
    assert got == [
        tuple(None if v is None else (float(v) if i > 0 else v) for i, v in enumerate(w))
        for w in want
    ]


@pytest.mark.parametrize(
    ("conf_type", "expected"),
    [
        ("log", [(6.0, 1.0, None), (9.0, 6.0, None), (None, 6.0, None)]),
        ("log-log", [(6.0, 1.0, 9.0), (9.0, 1.0, None), (None, 6.0, None)]),
        ("plain", [(6.0, 1.0, 9.0), (9.0, 6.0, None), (None, 6.0, None)]),
    ],
)
def test_survival_quantile__quantile_test1_matches_r(conf_type, expected):
    """R: ``d <- read.csv("quantile_test1.csv"); quantile(survfit(Surv(time, status) ~ 1,
    data = d, conf.type = <type>), probs = c(.25, .5, .75))`` (R drops the row with a missing
    status; here it is dropped explicitly: the function raises on missing values)."""
    data = pl.read_csv(DATA / "quantile_test1.csv").drop_nulls("status")
    got = [
        survival_quantile(data, time="time", event="status", q=q, conf_type=conf_type)
        .select("estimate", "lower", "upper")
        .row(0)
        for q in (0.25, 0.5, 0.75)
    ]
    assert got == expected


def test_survival_quantile__midpoint_on_flat_stretch():
    """S = 0.5 exactly from t = 4 to t = 8: the median is (4 + 8) / 2 = 6 (R's rule)."""
    df = pl.DataFrame({"T": [2, 4, 8, 10], "E": [1, 1, 1, 1]})
    assert survival_quantile(df, time="T", event="E", q=0.5)["estimate"].item() == 6.0


def test_survival_quantile__flat_at_end_of_follow_up_uses_last_time():
    """S = 0.5 after t = 4 and the last subject censored at 9: median (4 + 9) / 2 = 6.5."""
    df = pl.DataFrame({"T": [2, 4, 9, 9], "E": [1, 1, 0, 0]})
    assert survival_quantile(df, time="T", event="E", q=0.5)["estimate"].item() == 6.5


def test_survival_quantile__not_reached_and_all_censored():
    df = pl.DataFrame({"T": [2, 5, 7], "E": [0, 0, 0]})
    row = survival_quantile(df, time="T", event="E", q=0.5).row(0)
    assert row == ("OVERALL", 0.5, None, None, None)


def test_survival_quantile__lung_by_sex_matches_r():
    """R: ``quantile(survfit(Surv(time, status == 2) ~ sex, data = lung, conf.type =
    "log-log"), probs = c(.25, .5, .75))``."""
    expected = {
        0.25: [("1", 144, 105, 176), ("2", 226, 167, 310)],
        0.5: [("1", 270, 210, 306), ("2", 426, 345, 524)],
        0.75: [("1", 457, 371, 567), ("2", 687, 524, 765)],
    }
    for q, rows in expected.items():
        got = survival_quantile(_lung(), time="time", event="event", group="sex", q=q)
        assert got.select("group", "estimate", "lower", "upper").rows() == [
            (g, float(e), float(lo), float(hi)) for g, e, lo, hi in rows
        ]


def test_landmark_day__aval_scale():
    """endpoints.md §16.18: floor(m × 365/12) + 1."""
    assert [landmark_day(m) for m in (3, 6, 12, 24)] == [92, 183, 366, 731]


def test_landmark_rates__lung_matches_r():
    """R: ``summary(survfit(Surv(time, status == 2) ~ sex, data = lung, conf.type = "log-log"),
    times = c(92, 183, 366, 731))``."""
    out = landmark_rates(
        _lung(), time="time", event="event", group="sex", months=[3, 6, 12, 24], conf_type="log-log"
    )
    assert out["time"].to_list() == [92.0, 183.0, 366.0, 731.0] * 2
    assert out["n_risk"].to_list() == [117, 86, 35, 7, 84, 70, 30, 6]
    _approx(
        out["surv"].to_list(),
        [0.8405797, 0.6224946, 0.3360878, 0.0781241, 0.933333, 0.830537, 0.526463, 0.156027],
        1e-6,
    )
    _approx(
        out["lower"].to_list(),
        [0.7680624, 0.5359417, 0.2527291, 0.0352039, 0.8576200, 0.7346392, 0.4035798, 0.0626991],
        1e-6,
    )
    _approx(
        out["upper"].to_list(),
        [0.892000, 0.697506, 0.421302, 0.143390, 0.969484, 0.894218, 0.635316, 0.287605],
        1e-6,
    )


def test_landmark_rates__flat_at_one_after_censoring_is_null_for_loglog():
    """R: ``summary(survfit(Surv(T, E) ~ 1, data = d, conf.type = "log-log"), times = c(1, 3.5))``
    with d as above: surv 1, 1; lower 1, NA; upper 1, NA."""
    df = pl.DataFrame({"T": [3, 4, 5, 6], "E": [0, 0, 1, 0]})
    out = landmark_rates(df, time="T", event="E", months=[0.0, 0.07])  # days 1 and 3
    assert out["time"].to_list() == [1.0, 3.0]
    assert out["surv"].to_list() == [1.0, 1.0]
    assert out["lower"].to_list() == [1.0, None]


def test_landmark_rates__before_first_time_and_beyond_follow_up():
    df = pl.DataFrame({"T": [100, 150, 200], "E": [1, 0, 0]})
    out = landmark_rates(df, time="T", event="E", months=[1, 3, 12])
    # day 31: before any time -> S = 1, all 3 at risk; day 92 same; day 366: beyond last (200)
    assert out["n_risk"].to_list() == [3, 3, 0]
    assert out["surv"].to_list() == [1.0, 1.0, None]
