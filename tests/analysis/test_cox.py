"""Cox models with Efron and Breslow ties, checked against R survival::coxph (numbers typed in)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from outcomes.analysis.cox import cox, fit_cox
from outcomes.errors import InputDataError

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_cox__ovarian_no_ties_same_for_both(ties):
    """R: ``summary(coxph(Surv(futime, fustat) ~ age + rx, data = ovarian, ties = <t>))``;
    no tied event times, so both methods agree; loglik -27.0418988630."""
    res = fit_cox(
        pl.read_csv(DATA / "ovarian.csv"),
        time="futime",
        event="fustat",
        covariates=["age", "rx"],
        ties=ties,
    )
    t = res.table
    assert t["coef"].to_list() == pytest.approx([0.147326595469, -0.803973012665], abs=1e-7)
    assert t["se"].to_list() == pytest.approx([0.0461470477408, 0.6320493718795], abs=1e-7)
    assert t["lower"].to_list() == pytest.approx([1.058528825794, 0.129669416411], abs=1e-6)
    assert t["upper"].to_list() == pytest.approx([1.26842141502, 1.54468652399], abs=1e-6)
    assert t["p"].to_list() == pytest.approx([0.0014102423943, 0.2033696274524], abs=1e-7)
    assert res.loglik == pytest.approx(-27.0418988630, abs=1e-7)
    assert res.n == 26 and res.n_event == 12 and res.converged


@pytest.mark.parametrize(
    ("ties", "coef", "se", "p"),
    [
        (
            "efron",
            [-0.0339535643518, 0.1773222566922],
            [0.00508355497412, 0.18314851832605],
            [2.40416556391e-11, 3.32950325920e-01],
        ),
        (
            "breslow",
            [-0.0337574696906, 0.1735957203422],
            [0.00508223348872, 0.18309026302306],
            [3.08928605479e-11, 3.43056746141e-01],
        ),
    ],
)
def test_cox__veteran_tied_times_efron_vs_breslow(ties, coef, se, p):
    """R: ``summary(coxph(Surv(time, status) ~ karno + trt, data = veteran, ties = <t>))``."""
    res = fit_cox(
        pl.read_csv(DATA / "veteran.csv"),
        time="time",
        event="status",
        covariates=["karno", "trt"],
        ties=ties,
    )
    assert res.table["coef"].to_list() == pytest.approx(coef, abs=1e-7)
    assert res.table["se"].to_list() == pytest.approx(se, abs=1e-7)
    assert res.table["p"].to_list() == pytest.approx(p, rel=1e-5)
    assert ties.capitalize() in res.method


@pytest.mark.parametrize(
    ("ties", "coef", "se", "hr", "lower", "upper"),
    [
        ("efron", 1.57212514883, 0.412396717709, 4.81687389828, 2.14650821273, 10.8093106816),
        ("breslow", 1.50919141259, 0.409564406367, 4.52307201619, 2.0268035107, 10.0938153874),
    ],
)
def test_cox__gehan_heavy_ties(ties, coef, se, hr, lower, upper):
    """R: ``gehan$trt <- as.integer(gehan$treat == "control"); summary(coxph(Surv(time, cens) ~
    trt, data = gehan, ties = <t>))``."""
    df = pl.read_csv(DATA / "gehan.csv").with_columns(
        (pl.col("treat") == "control").cast(pl.Int64).alias("trt")
    )
    row = cox(df, time="time", event="cens", covariates=["trt"], ties=ties).row(0, named=True)
    assert row["coef"] == pytest.approx(coef, abs=1e-7)
    assert row["se"] == pytest.approx(se, abs=1e-7)
    assert row["hr"] == pytest.approx(hr, abs=1e-6)
    assert row["lower"] == pytest.approx(lower, abs=1e-6)
    assert row["upper"] == pytest.approx(upper, abs=1e-6)


def test_cox__group_without_events_is_flagged_not_crashing():
    df = pl.DataFrame({"T": [1, 2, 3, 4, 5, 6], "E": [1, 1, 1, 0, 0, 0], "X": [1, 1, 1, 0, 0, 0]})
    res = fit_cox(df, time="T", event="E", covariates=["X"], ties="efron")
    assert not res.converged
    assert "not estimable" in res.note


def test_cox__errors():
    df = pl.DataFrame({"T": [1, 2], "E": [0, 0], "X": [0, 1]})
    with pytest.raises(InputDataError, match="no events"):
        cox(df, time="T", event="E", covariates=["X"])
    with pytest.raises(InputDataError, match="ties must be"):
        cox(df, time="T", event="E", covariates=["X"], ties="exact")  # type: ignore[arg-type]
    with pytest.raises(InputDataError, match="do not vary"):
        cox(
            pl.DataFrame({"T": [1, 2], "E": [1, 0], "X": [1, 1]}),
            time="T",
            event="E",
            covariates=["X"],
        )


def test_cox__public_form_is_a_frame_with_the_documented_columns():
    df = pl.read_csv(DATA / "gehan.csv").with_columns(
        (pl.col("treat") == "control").cast(pl.Int64).alias("trt")
    )
    out = cox(df, time="time", event="cens", covariates=["trt"], ties="breslow")
    assert out.columns == [
        "term",
        "coef",
        "se",
        "hr",
        "lower",
        "upper",
        "z",
        "p",
        "method",
        "converged",
        "note",
    ]
    assert out["term"].to_list() == ["trt"]
    assert out["method"][0] == "Cox PH model, Breslow ties, Wald 95% CI and Wald p"
