"""Disease-activity summaries, change from baseline and the mixed model (checked against R)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from outcomes.analysis.activity import (
    analyze_mixed_change,
    create_change_from_baseline,
    summarize_continuous,
)
from outcomes.errors import InputDataError


def _advisit() -> pl.DataFrame:
    return pl.DataFrame(
        [
            # USUBJID DOSELVL AVISIT      AVISITN ANL01FL ABLFL  SLEDAI2K GCDOSE SRCSEQ  scenario
            ("S1", "DL1", "BASELINE", 0, False, True, 10.0, 20.0, 1),  # baseline record
            ("S1", "DL1", "MONTH 3", 3, True, False, 4.0, 5.0, 2),  # analysis record
            ("S1", "DL1", "MONTH 3", 3, False, False, 8.0, 5.0, 3),  # not chosen: ignored
            ("S2", "DL2", "BASELINE", 0, False, True, 12.0, 10.0, 4),
            ("S2", "DL2", "MONTH 3", 3, True, False, None, 0.0, 5),  # score missing
            ("S3", "DL2", "MONTH 3", 3, True, False, 6.0, 2.5, 6),  # no baseline
        ],
        schema={
            "USUBJID": pl.String,
            "DOSELVL": pl.String,
            "AVISIT": pl.String,
            "AVISITN": pl.Int64,
            "ANL01FL": pl.Boolean,
            "ABLFL": pl.Boolean,
            "SLEDAI2K": pl.Float64,
            "GCDOSE": pl.Float64,
            "SRCSEQ": pl.Int64,
        },
        orient="row",
    ).with_columns(
        pl.lit("ASSESSMENTS").alias("SRCDOM"),
        pl.lit(dt.date(2026, 1, 1)).alias("ADT"),
        pl.lit(0).alias("ADY"),
    )


def test_create_change_from_baseline__values_and_missing():
    out = create_change_from_baseline(_advisit(), params=["SLEDAI2K"])
    expected = pl.DataFrame(
        {
            "USUBJID": ["S1", "S1", "S2", "S2", "S3"],
            "AVISITN": [0, 3, 0, 3, 3],
            "AVAL": [10.0, 4.0, 12.0, None, 6.0],
            "BASE": [10.0, 10.0, 12.0, 12.0, None],
            "CHG": [0.0, -6.0, 0.0, None, None],
            "SRCSEQ": [1, 2, 4, 5, 6],
        }
    )
    assert_frame_equal(out.select(expected.columns), expected)


def test_create_change_from_baseline__gc_base_from_adsl():
    """GCDOSE: BASE = adsl GCDOSEBL (SLE dose on LDSTDT - 1, endpoints.md §16.5)."""
    adsl = pl.DataFrame({"USUBJID": ["S1", "S2", "S3"], "GCDOSEBL": [15.0, 10.0, None]})
    out = create_change_from_baseline(
        _advisit(), params=["GCDOSE"], adsl=adsl, base_from_adsl={"GCDOSE": "GCDOSEBL"}
    )
    visit3 = out.filter(pl.col("AVISITN") == 3)
    assert visit3["BASE"].to_list() == [15.0, 10.0, None]
    assert visit3["CHG"].to_list() == [-10.0, -10.0, None]


def test_create_change_from_baseline__unknown_parameter_raises():
    with pytest.raises(InputDataError, match="lacks parameter column"):
        create_change_from_baseline(_advisit(), params=["C3"])


def test_summarize_continuous__matches_r_type7():
    """R: ``q <- c(3,1,4,1,5,9,2,6); quantile(q, c(.25,.5,.75), type = 7); sd(q); mean(q)`` →
    1.75, 3.5, 5.25; 2.74837614394; 3.875."""
    df = pl.DataFrame({"g": ["A"] * 8, "v": [3.0, 1, 4, 1, 5, 9, 2, 6]})
    row = summarize_continuous(df, value="v", by=["g"]).row(0, named=True)
    assert (row["n"], row["mean"], row["median"], row["q1"], row["q3"]) == (
        8,
        3.875,
        3.5,
        1.75,
        5.25,
    )
    assert row["sd"] == pytest.approx(2.74837614394, abs=1e-10)
    assert (row["min"], row["max"]) == (1.0, 9.0)
    assert "R type 7" in row["method"]


def test_summarize_continuous__one_value_and_all_missing():
    df = pl.DataFrame({"g": ["A", "B", "B"], "v": [2.0, None, None]})
    out = summarize_continuous(df, value="v", by=["g"])
    assert out.row(0, named=True)["sd"] is None and out.row(0, named=True)["median"] == 2.0
    assert out.row(1, named=True)["n"] == 0 and out.row(1, named=True)["mean"] is None


def test_analyze_mixed_change__matches_nlme_reml():
    """R: ``d <- data.frame(id = rep(c("A","B","C","D","E","F"), each = 4), t = rep(c(1,3,6,12), 6),
    chg = c(-2,-4,-6,-8, 0,-2,-2,-6, -4,-4,-10,-12, -1,-3,-3,-4, 2,0,-2,-2, -6,-8,-8,-14));
    lme(chg ~ t, random = ~1 | id, data = d, method = "REML")``: fixed effects -1.718599033816
    (SE 1.3755670483585), -0.513285024155 (SE 0.0681390396579); variances 10.02987354041 and
    1.92217249236; logLik -50.7196370557. R's p-values use t with 17 df; here Wald z."""
    d = pl.DataFrame(
        {
            "id": [s for s in "ABCDEF" for _ in range(4)],
            "t": [1.0, 3, 6, 12] * 6,
            "chg": [
                -2,
                -4,
                -6,
                -8,
                0,
                -2,
                -2,
                -6,
                -4,
                -4,
                -10,
                -12,
                -1,
                -3,
                -3,
                -4,
                2,
                0,
                -2,
                -2,
                -6,
                -8,
                -8,
                -14,
            ],
        }
    )
    res = analyze_mixed_change(d, response="chg", time="t", subject="id")
    assert res.table["coef"].to_list() == pytest.approx(
        [-1.718599033816, -0.513285024155], abs=1e-5
    )
    assert res.table["se"].to_list() == pytest.approx([1.3755670483585, 0.0681390396579], abs=1e-5)
    assert res.loglik == pytest.approx(-50.7196370557, abs=1e-5)
    assert "tau^2 = 10.03, sigma^2 = 1.922" in res.note
    assert "missing at random" in res.note


def test_analyze_mixed_change__one_subject_raises():
    d = pl.DataFrame({"id": ["A", "A"], "t": [1.0, 2.0], "chg": [1.0, 2.0]})
    with pytest.raises(InputDataError, match="fewer than two subjects"):
        analyze_mixed_change(d, response="chg", time="t", subject="id")
