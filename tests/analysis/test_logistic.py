"""Logistic regression (ML and Firth) and GEE, checked against R glm, brglm2 and geepack."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from outcomes.analysis.logistic import gee_binary, has_separation, logistic_regression
from outcomes.errors import InputDataError

DATA = Path(__file__).parent / "data"
SEPARATED = pl.DataFrame(
    {"dose": [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3], "y": [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]}
)


def test_logistic_regression__firth_birthwt_matches_brglm2():
    """R: ``glm(low ~ age + lwt + smoke, family = binomial, data = birthwt, method = "brglmFit",
    type = "AS_mean")``."""
    res = logistic_regression(
        pl.read_csv(DATA / "birthwt.csv"),
        response="low",
        covariates=["age", "lwt", "smoke"],
        method="firth",
    )
    assert res.table["coef"].to_list() == pytest.approx(
        [1.2604494302442, -0.0373135062913, -0.0113940762067, 0.6612861788672], abs=1e-7
    )
    assert res.table["se"].to_list() == pytest.approx(
        [1.00252867594366, 0.03246006827480, 0.00603374451174, 0.32427748812770], abs=1e-7
    )
    assert "Firth" in res.method


def test_logistic_regression__ml_birthwt_matches_glm():
    """R: ``glm(low ~ age + lwt + smoke, family = binomial, data = birthwt)``; logLik
    -111.439676488."""
    res = logistic_regression(
        pl.read_csv(DATA / "birthwt.csv"),
        response="low",
        covariates=["age", "lwt", "smoke"],
        method="auto",
    )
    assert res.table["coef"].to_list() == pytest.approx(
        [1.3682252685073, -0.0389945827435, -0.0121385423389, 0.6707637407451], abs=1e-7
    )
    assert res.table["p"].to_list() == pytest.approx(
        [0.1773412892716, 0.2334403042751, 0.0478591943887, 0.0395585358366], abs=1e-7
    )
    assert res.loglik == pytest.approx(-111.439676488, abs=1e-7)
    assert "maximum likelihood (chosen: no separation)" in res.method


def test_logistic_regression__quasi_separation_uses_firth_matches_brglm2():
    """R: ``sep <- data.frame(dose = rep(1:3, each = 4), y = c(0,0,0,0, 0,0,1,1, 1,1,1,1));
    summary(glm(y ~ dose, family = binomial, data = sep, method = "brglmFit",
    type = "AS_mean"))``."""
    res = logistic_regression(SEPARATED, response="y", covariates=["dose"], method="auto")
    assert res.table["coef"].to_list() == pytest.approx([-5.10872064306, 2.55436032153], abs=1e-7)
    assert res.table["se"].to_list() == pytest.approx([2.84985646367, 1.36660211579], abs=1e-7)
    assert res.table["p"].to_list() == pytest.approx([0.0730330914690, 0.0616043933625], abs=1e-7)
    assert "chosen: separation" in res.method
    assert res.note == "separation detected"


def test_logistic_regression__second_separated_design_matches_brglm2():
    """R: ``sep2 <- data.frame(dose = rep(1:3, each = 3), y = c(0,0,0, 0,1,1, 1,1,1));
    glm(y ~ dose, family = binomial, data = sep2, method = "brglmFit", type = "AS_mean")``.
    brglm2 stops at its default ``epsilon = 1e-6``, this fit at steps below 1e-10: the two
    differ by 5e-7, inside the 1e-4 agreement required."""
    df = pl.DataFrame({"dose": [1, 1, 1, 2, 2, 2, 3, 3, 3], "y": [0, 0, 0, 0, 1, 1, 1, 1, 1]})
    res = logistic_regression(df, response="y", covariates=["dose"], method="firth")
    assert res.table["coef"].to_list() == pytest.approx([-4.28909181348, 2.33766950738], abs=1e-6)
    assert res.table["se"].to_list() == pytest.approx([2.85044568651, 1.44205719714], abs=1e-6)


def test_logistic_regression__ml_under_separation_gives_null_with_message():
    res = logistic_regression(SEPARATED, response="y", covariates=["dose"], method="ml")
    assert res.table["coef"].to_list() == [None, None]
    assert "ML estimates do not exist" in res.note
    assert not res.converged


def test_logistic_regression__all_responders_firth_is_finite():
    df = pl.DataFrame({"dose": [1, 1, 2, 2], "y": [1, 1, 1, 1]})
    res = logistic_regression(df, response="y", covariates=["dose"], method="auto")
    assert np.isfinite(res.table["coef"].to_numpy()).all()
    assert "Firth" in res.method


def test_has_separation__cases():
    x = np.column_stack([np.ones(4), [1.0, 2.0, 3.0, 4.0]])
    assert has_separation(x, np.array([0.0, 0.0, 1.0, 1.0]))  # complete
    assert has_separation(x, np.array([0.0, 1.0, 1.0, 1.0]))
    assert not has_separation(x, np.array([0.0, 1.0, 0.0, 1.0]))  # overlap


def test_logistic_regression__bad_response_raises():
    with pytest.raises(InputDataError, match=r"one of \[0, 1\]"):
        logistic_regression(
            pl.DataFrame({"d": [1, 2], "y": [0, 2]}), response="y", covariates=["d"]
        )


def _bacteria() -> pl.DataFrame:
    return pl.read_csv(DATA / "bacteria.csv").with_columns(
        (pl.col("y") == "y").cast(pl.Int64).alias("yy"),
        (pl.col("trt") != "placebo").cast(pl.Int64).alias("drug"),
        (pl.col("trt") == "drug+").cast(pl.Int64).alias("drugplus"),
        (pl.col("trt") == "placebo").cast(pl.Int64).alias("placebo"),
    )


def test_gee_binary__bacteria_matches_geepack():
    """R: ``bac$yy <- as.integer(bac$y == "y"); bac$drug <- as.integer(bac$trt != "placebo");
    geeglm(yy ~ drug + week, id = ID, family = binomial, corstr = "exchangeable", data = bac)``
    (rows ordered by ID, week); alpha 0.138907419973."""
    res = gee_binary(
        _bacteria(), response="yy", covariates=["drug", "week"], subject="ID", order="week"
    )
    assert res.table["coef"].to_list() == pytest.approx(
        [2.549790686685, -0.885531372258, -0.118480139008], abs=1e-5
    )
    assert res.table["se"].to_list() == pytest.approx(
        [0.4670841889361, 0.4904247918311, 0.0370161549403], abs=1e-5
    )
    assert res.note == "working correlation 0.1389"


def test_gee_binary__three_arms_matches_geepack():
    """R: ``geeglm(yy ~ trt + week, id = ID, family = binomial, corstr = "exchangeable",
    data = bac)``; trt levels drug (reference), drug+, placebo."""
    res = gee_binary(
        _bacteria(),
        response="yy",
        covariates=["drugplus", "placebo", "week"],
        subject="ID",
        order="week",
    )
    assert res.table["coef"].to_list() == pytest.approx(
        [1.453199962523, 0.445354938746, 1.100791324948, -0.119079240281], abs=1e-5
    )
    assert res.table["se"].to_list() == pytest.approx(
        [0.3975859871537, 0.4986429637264, 0.5702105762740, 0.0375564614241], abs=1e-5
    )
