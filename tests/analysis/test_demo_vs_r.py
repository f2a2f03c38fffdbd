"""The analysis functions on the demo trial, checked against R (numbers typed in, agreement 1e-4).

Snapshots of the demo cut 2027-01-31 (``tests/analysis/data/demo_*.csv``) are fixed inputs, so
these checks do not move when derivations change:

- ``demo_adtte.csv``: USUBJID, PARAMCD (TTDORIS, TTLLDAS, TTDFREM, DURDFREM), AVAL (days), CNSR
  (0 event, 1 censored, 2 death without the event), DOSELVL, DOSELVLN (adsl).
- ``demo_adrs.csv``: USUBJID, PARAMCD (DORIS, SRI4), AVISIT, AVISITN, AVALC (Y/N), DOSELVLN.
- ``demo_activity.csv``: USUBJID, AVISITN, ADY, CHG (SLEDAI-2K change from baseline, scheduled
  post-baseline visits), DOSELVLN.

R 4 with survival, cmprsk, brglm2, geepack and nlme. Every R snippet below starts from::

    library(survival); library(cmprsk); library(brglm2); library(geepack); library(nlme)
    tte <- read.csv("tests/analysis/data/demo_adtte.csv")
    tte$EVENT <- as.integer(tte$CNSR == 0)
    tte$CODE <- ifelse(tte$CNSR == 0, 1L, ifelse(tte$CNSR == 2, 2L, 0L))
    rs <- read.csv("tests/analysis/data/demo_adrs.csv"); rs$RESP <- as.integer(rs$AVALC == "Y")
    act <- read.csv("tests/analysis/data/demo_activity.csv"); act$MONTHS <- act$ADY * 12 / 365
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from outcomes import analysis as an

DATA = Path(__file__).parent / "data"
TOL = 1e-4


def _tte(paramcd: str) -> pl.DataFrame:
    return (
        pl.read_csv(DATA / "demo_adtte.csv")
        .filter(pl.col("PARAMCD") == paramcd)
        .with_columns(
            an.to_event(pl.col("CNSR")).alias("EVENT"),
            an.to_event(pl.col("CNSR"), competing=True).alias("CODE"),
        )
    )


def _adrs(paramcd: str) -> pl.DataFrame:
    return (
        pl.read_csv(DATA / "demo_adrs.csv")
        .filter(pl.col("PARAMCD") == paramcd)
        .with_columns(
            pl.when(pl.col("AVALC") == "Y")
            .then(1)
            .when(pl.col("AVALC") == "N")
            .then(0)
            .cast(pl.Int64)
            .alias("RESP")
        )
    )


def _approx(actual: list[float | None], expected: list[float | None], tol: float = TOL) -> None:
    """Element-wise agreement; a null (R NA) must be null here too."""
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected, strict=True):
        if e is None:
            assert a is None
        else:
            assert a == pytest.approx(e, abs=tol)


def _rel(actual: list[float], expected: list[float], rel: float = TOL) -> None:
    assert actual == pytest.approx(expected, rel=rel)


# --- Kaplan–Meier -------------------------------------------------------------------------------

KM_TIME = [
    *[86, 87, 91, 93, 94, 173, 176, 185, 189, 222, 265, 268, 301, 531, 552],
    *[27, 88, 93, 95, 98, 174, 175, 178, 180, 182, 189, 269, 278, 542],
    *[85, 87, 89, 92, 93, 94, 99, 174, 175, 180, 184, 191, 279, 289, 384],
]
KM_GROUP = ["DL1"] * 15 + ["DL2"] * 14 + ["DL3"] * 15
KM_NRISK = [
    *range(16, 9, -1),
    9,
    7,
    6,
    5,
    4,
    3,
    2,
    1,
    *range(15, 4, -1),
    4,
    2,
    1,
    *range(15, 0, -1),
]
KM_SURV = [
    *[0.9375, 0.9375, 0.8705357142857, 0.8035714285714, 0.7366071428571, 0.6696428571429],
    *[0.6026785714286, 0.46875, *[0.4017857142857] * 7],
    *[1.0] * 5,
    *[0.9, 0.8, 0.7, 0.7, 0.5833333333333, 0.4666666666667, *[0.2333333333333] * 3],
    *[1.0, 1.0, 0.9230769230769, 0.8461538461538, 0.8461538461538, 0.7615384615385],
    *[0.6769230769231, 0.5923076923077, 0.5076923076923, 0.4230769230769, 0.4230769230769],
    *[0.3173076923077, 0.3173076923077, 0.1586538461538, 0.1586538461538],
]
KM_BOUNDS = {
    "log": (
        [
            *[0.8260882654055, 0.8260882654055, 0.7179941722838, 0.6267798063575, 0.5449306091022],
            *[0.4697098079673, 0.39979966588, 0.2734682563604, *[0.2165824370168] * 7],
            *[1.0] * 5,
            *[0.732011642744, 0.5868177012338, 0.4665332261395, 0.4665332261395, 0.3395962190842],
            *[0.2326118915305, *[0.0701290077141] * 3],
            *[1.0, 1.0, 0.7890185758652, 0.6710951930652, 0.6710951930652, 0.558269471429],
            *[0.4596958976743, 0.3711979577254, 0.2909807904918, 0.2182922153921, 0.2182922153921],
            *[0.132853012531, 0.132853012531, 0.0308780047006, 0.0308780047006],
        ],
        [
            *[1.0] * 4,
            *[0.995704909662, 0.9546778638985, 0.9085086643574, 0.8034810526984],
            *[0.7453594226183] * 7,
            *[1.0] * 10,
            *[0.9362280507023, 0.776346995617, 0.776346995617, 0.776346995617],
            *[1.0] * 6,
            *[0.9967999592542, 0.9451248183494, 0.8858023887224, 0.8199746496627, 0.8199746496627],
            *[0.7578614114914, 0.7578614114914, 0.8151771185823, 0.8151771185823],
        ],
    ),
    "log-log": (
        [
            *[0.6323454417389, 0.6323454417389, 0.5732927838384, 0.5060170569569, 0.4407127827886],
            *[0.3787038605099, 0.3201838446537, 0.213736117369, *[0.1660093757407] * 7],
            *[None] * 5,
            *[0.4730092713621, 0.4086907816334, 0.3287165932797, 0.3287165932797, 0.229786518924],
            *[0.1495518180897, *[0.03599910420315] * 3],
            *[None, None, 0.5663594661305, 0.5122035906854, 0.5122035906854, 0.4267276234541],
            *[0.3492419715664, 0.2785368119366, 0.2141999406886, 0.1562244532368, 0.1562244532368],
            *[0.08623102001712, 0.08623102001712, 0.01134840474129, 0.01134840474129],
        ],
        [
            *[0.9909531417447, 0.9909531417447, 0.9660388972308, 0.9321994408406, 0.8922083150276],
            *[0.8473747323052, 0.7983981661368, 0.6893154911326, *[0.6293816311173] * 7],
            *[None] * 5,
            *[0.9852813933673, 0.9458726458389, 0.8919490412248, 0.8919490412248, 0.8207394971722],
            *[0.736610236678, *[0.5288279111119] * 3],
            *[None, None, 0.9887940623037, 0.9591454605286, 0.9591454605286, 0.9165482581642],
            *[0.8652561738605, 0.8068708807937, 0.7421332424389, 0.6712733754496, 0.6712733754496],
            *[0.5841184400636, 0.5841184400636, 0.4691727119589, 0.4691727119589],
        ],
    ),
    "plain": (
        [
            *[0.8188920645111, 0.8188920645111, 0.7028293304106, 0.6039074048325, 0.5145965216914],
            *[0.4321677809838, 0.3553269794895, 0.2161481125057, *[0.1535031759175] * 7],
            *[1.0] * 5,
            *[0.7140614903086, 0.5520819870782, 0.4159742349107, 0.4159742349107, 0.2677491499007],
            *[0.1417528635699, 0.0, 0.0, 0.0],
            *[1.0, 1.0, 0.7782251933682, 0.6500236769653, 0.6500236769653, 0.525081599961],
            *[0.4149589473434, 0.315527785768, 0.2251014695179, 0.143118710741, 0.143118710741],
            *[0.04105054255031, 0.04105054255031, 0.0, 0.0],
        ],
        [
            *[1.0] * 4,
            *[0.9586177640228, 0.907117933302, 0.8500301633676, 0.7213518874943],
            *[0.650068252654] * 7,
            *[1.0] * 7,
            *[0.9840257650893, 0.9840257650893, 0.8989175167659, 0.7915804697634],
            *[0.5138306910712] * 3,
            *[1.0] * 5,
            *[0.9979953231159, 0.9388872065028, 0.8690875988474, 0.7902831458667, 0.7030351354129],
            *[0.7030351354129, 0.5935648420651, 0.5935648420651, 0.4183195265662, 0.4183195265662],
        ],
    ),
}


@pytest.mark.parametrize("conf_type", ["log", "log-log", "plain"])
def test_kaplan_meier__demo_ttdoris_matches_survfit(conf_type: str):
    """R: ``f <- survfit(Surv(AVAL, EVENT) ~ DOSELVL, data = subset(tte, PARAMCD == "TTDORIS"),
    conf.type = ct)`` for ct in "log", "log-log", "plain"; ``f$time, f$n.risk, f$surv, f$lower,
    f$upper`` (every distinct time per stratum; the CNSR 2 record at 222 is a censoring here).
    R's NA (log-log where S = 1) is null here."""
    km = an.kaplan_meier(
        _tte("TTDORIS"), time="AVAL", event="EVENT", group="DOSELVL", conf_type=conf_type
    )
    lower, upper = KM_BOUNDS[conf_type]
    assert km["group"].to_list() == KM_GROUP
    assert km["time"].to_list() == [float(t) for t in KM_TIME]
    assert km["n_risk"].to_list() == KM_NRISK
    _approx(km["surv"].to_list(), KM_SURV)
    _approx(km["lower"].to_list(), lower)
    _approx(km["upper"].to_list(), upper)


def test_kaplan_meier__demo_durdfrem_group_without_events_matches_survfit():
    """R: ``f <- survfit(Surv(AVAL, EVENT) ~ DOSELVL, data = subset(tte, PARAMCD == "DURDFREM"),
    conf.type = "log-log")``; strata sizes 8, 6, 7; DL3 has no event (S = 1, bounds NA)."""
    km = an.kaplan_meier(
        _tte("DURDFREM"), time="AVAL", event="EVENT", group="DOSELVL", conf_type="log-log"
    )
    assert km["time"].to_list() == [
        *[1.0, 91.0, 119.0, 167.0, 173.0, 179.0, 291.0, 472.0],
        *[1.0, 80.0, 122.0, 181.0, 281.0, 390.0],
        *[1.0, 80.0, 277.0, 338.0, 359.0, 368.0, 463.0],
    ]
    assert km["n_risk"].to_list() == [9, 7, 6, 5, 4, 3, 2, 1, 7, 5, 4, 3, 2, 1, 8, 6, 5, 4, 3, 2, 1]
    s1, s2 = 0.8333333333333, 0.4166666666667
    _approx(km["surv"].to_list(), [1, 1, s1, s1, 0.625, s2, s2, s2, 1, 1, *[0.75] * 4, *[1] * 7])
    lo1, lo2, lo3 = 0.2731228499284, 0.05599186485205, 0.1279469175951
    _approx(
        km["lower"].to_list(),
        [None, None, lo1, lo1, 0.1418533899317, lo2, lo2, lo2, None, None, *[lo3] * 4, *[None] * 7],
    )
    up1, up2, up3 = 0.9747124266909, 0.7665222195506, 0.9605486422851
    _approx(
        km["upper"].to_list(),
        [None, None, up1, up1, 0.8930506044986, up2, up2, up2, None, None, *[up3] * 4, *[None] * 7],
    )


# --- quantiles and landmarks ----------------------------------------------------------------------

# (paramcd, conf_type) -> per group DL1, DL2, DL3: [(estimate, lower, upper) for q = .25, .5, .75]
QUANTILES = {
    ("TTDORIS", "log-log"): [
        [(94, 86, 185), (185, 94, None), (None, 185, None)],
        [(178, 174, 189), (189, 174, None), (269, 182, None)],
        [(99, 89, 175), (180, 94, 289), (289, 175, None)],
    ],
    ("TTDORIS", "log"): [
        [(94, 91, 189), (185, 173, None), (None, 189, None)],
        [(178, 174, None), (189, 178, None), (269, 189, None)],
        [(99, 92, None), (180, 99, None), (289, 180, None)],
    ],
    ("TTLLDAS", "log-log"): [
        [(88.5, 13, 94), (94, 86, None), (None, 94, None)],
        [(82, 13, 99), (99, 17, 269), (269, 99, None)],
        [(86, 16, 94), (94, 28, 99), (99, 94, None)],
    ],
    ("TTLLDAS", "log"): [
        [(88.5, 15, 185), (94, 91, None), (None, 176, None)],
        [(82, 17, 182), (99, 86, None), (269, 178, None)],
        [(86, 16, 97), (94, 89, None), (99, 95, None)],
    ],
    ("TTDFREM", "log-log"): [
        [(173, 86, 185), (185, 173, None), (None, 185, None)],
        [(178, 174, 189), (189, 174, None), (269, 182, None)],
        [(174, 89, 180), (191, 94, None), (None, 180, None)],
    ],
    ("TTDFREM", "log"): [
        [(173, 91, 189), (185, 176, None), (None, 189, None)],
        [(178, 174, None), (189, 178, None), (269, 189, None)],
        [(174, 94, None), (191, 174, None), (None, 191, None)],
    ],
}


@pytest.mark.parametrize(("paramcd", "conf_type"), list(QUANTILES))
@pytest.mark.parametrize("qi", [0, 1, 2])
def test_survival_quantile__demo_matches_quantile_survfit(paramcd: str, conf_type: str, qi: int):
    """R: ``q <- quantile(survfit(Surv(AVAL, EVENT) ~ DOSELVL, data = subset(tte, PARAMCD == p),
    conf.type = ct), probs = c(.25, .5, .75))``; ``q$quantile, q$lower, q$upper`` (NA = not
    reached; TTLLDAS DL1 q = .25 is the midpoint 88.5 of a flat stretch at exactly 0.75)."""
    res = an.survival_quantile(
        _tte(paramcd),
        time="AVAL",
        event="EVENT",
        q=[0.25, 0.5, 0.75][qi],
        group="DOSELVL",
        conf_type=conf_type,
    )
    expected = [by_group[qi] for by_group in QUANTILES[(paramcd, conf_type)]]
    assert res["group"].to_list() == ["DL1", "DL2", "DL3"]
    for col, k in (("estimate", 0), ("lower", 1), ("upper", 2)):
        _approx(res[col].to_list(), [e[k] for e in expected], tol=1e-9)


@pytest.mark.parametrize(
    ("paramcd", "n_risk", "surv", "lower", "upper"),
    [
        (
            "TTDORIS",
            [13, 9, 2, 13, 5, 1, 12, 5, 1],
            [
                *[0.8705357142857, 0.6026785714286, 0.4017857142857, 1.0, 0.5833333333333],
                *[0.2333333333333, 0.8461538461538, 0.4230769230769, 0.1586538461538],
            ],
            [
                *[0.5732927838384, 0.3201838446537, 0.1660093757407, None, 0.229786518924],
                *[0.03599910420315, 0.5122035906854, 0.1562244532368, 0.01134840474129],
            ],
            [
                *[0.9660388972308, 0.7983981661368, 0.6293816311173, None, 0.8207394971722],
                *[0.5288279111119, 0.9591454605286, 0.6712733754496, 0.4691727119589],
            ],
        ),
        (
            "TTLLDAS",
            [10, 6, 1, 9, 3, 1, 9, 2, 1],
            [
                *[
                    0.6818181818182,
                    0.4090909090909,
                    0.2727272727273,
                    0.6545454545455,
                    0.2863636363636,
                ],
                *[0.1909090909091, 0.5818181818182, 0.1662337662338, 0.1662337662338],
            ],
            [
                *[
                    0.3952553100812,
                    0.1708551285741,
                    0.08511638624689,
                    0.3570225959255,
                    0.07321555732325,
                ],
                *[0.0313844320002, 0.2940689202793, 0.02719319475944, 0.02719319475944],
            ],
            [
                *[
                    0.8538279139547,
                    0.6362627572415,
                    0.503992579056,
                    0.839965614073,
                    0.5498362002816,
                ],
                *[0.4528420346535, 0.7868967176122, 0.409351522453, 0.409351522453],
            ],
        ),
    ],
)
def test_landmark_rates__demo_matches_summary_survfit(paramcd, n_risk, surv, lower, upper):
    """R: ``summary(survfit(Surv(AVAL, EVENT) ~ DOSELVL, data = subset(tte, PARAMCD == p),
    conf.type = "log-log"), times = c(92, 183, 366))``; n.risk, surv, lower, upper by stratum
    (3, 6, 12 months → days 92, 183, 366, §16.18)."""
    res = an.landmark_rates(
        _tte(paramcd),
        time="AVAL",
        event="EVENT",
        months=[3, 6, 12],
        group="DOSELVL",
        conf_type="log-log",
    )
    assert res["time"].to_list() == [92.0, 183.0, 366.0] * 3
    assert res["n_risk"].to_list() == n_risk
    _approx(res["surv"].to_list(), surv)
    _approx(res["lower"].to_list(), lower)
    _approx(res["upper"].to_list(), upper)


# --- log-rank, trend, Cox -------------------------------------------------------------------------

# paramcd -> (chisq, p, expected DL1..DL3, trend chisq, trend p)
LOGRANK = {
    "TTDORIS": (
        0.8083275021347,
        0.6675348027822,
        [9.772076537227, 8.192886191507, 7.035037271266],
        0.4702871239075,
        0.4928551077816,
    ),
    "TTLLDAS": (
        0.7659951438172,
        0.681814554792,
        [12.33805066831, 10.80436436013, 8.85758497156],
        0.6159539405324,
        0.4325548129061,
    ),
    "TTDFREM": (
        0.1713528495699,
        0.9178911900125,
        [9.323168468237, 7.569753974927, 7.107077556835],
        0.09422427667885,
        0.7588740231577,
    ),
    "DURDFREM": (
        3.574379297155,
        0.1674300463675,
        [1.363203463203, 1.075108225108, 1.561688311688],
        3.551640528641,
        0.05948660934322,
    ),
}


@pytest.mark.parametrize("paramcd", list(LOGRANK))
def test_logrank__demo_matches_survdiff(paramcd: str):
    """R: ``sd <- survdiff(Surv(AVAL, EVENT) ~ DOSELVL, data = subset(tte, PARAMCD == p));
    sd$chisq; pchisq(sd$chisq, 2, lower.tail = FALSE); sd$exp``."""
    chisq, p, expected, _, _ = LOGRANK[paramcd]
    res = an.logrank(_tte(paramcd), time="AVAL", event="EVENT", group="DOSELVL")
    assert res.df == 2
    _rel([res.statistic, res.p], [chisq, p])
    _rel(res.table["expected"].to_list(), expected)


@pytest.mark.parametrize("paramcd", list(LOGRANK))
def test_logrank_trend__demo_matches_survdiff_score(paramcd: str):
    """R: ``sd <- survdiff(Surv(AVAL, EVENT) ~ DOSELVL, data = subset(tte, PARAMCD == p));
    w <- c(1, 2, 3); U <- sum(w * (sd$obs - sd$exp)); X2 <- U^2 / drop(t(w) %*% sd$var %*% w);
    pchisq(X2, 1, lower.tail = FALSE)``."""
    _, _, _, chisq, p = LOGRANK[paramcd]
    res = an.logrank_trend(_tte(paramcd), time="AVAL", event="EVENT", group="DOSELVLN")
    assert res.df == 1
    _rel([res.statistic, res.p], [chisq, p])


# (paramcd, ties) -> (coef, se, z, p, lower HR, upper HR, loglik)
COX = {
    ("TTDORIS", "efron"): (
        *[0.1639303448394, 0.2448409881954, 0.66953799708, 0.5031523507446],
        *[0.7290965063121, 1.903719994118, -77.59310409198],
    ),
    ("TTDORIS", "breslow"): (
        *[0.1656751745604, 0.2454090100852, 0.6750981738725, 0.4996133937749],
        *[0.7295570960638, 1.909168860552, -77.92189937831],
    ),
    ("TTLLDAS", "efron"): (
        *[0.1739566337636, 0.2216071219313, 0.7849776317997, 0.4324666834461],
        *[0.7707545229874, 1.837302772162, -101.5197699948],
    ),
    ("TTLLDAS", "breslow"): (
        *[0.1711291094302, 0.2214901384664, 0.7726263147202, 0.4397435663139],
        *[0.7687545163938, 1.831695066087, -101.9299047794],
    ),
    ("TTDFREM", "efron"): (
        *[0.07338497912114, 0.2473038971677, 0.296740083604, 0.7666649523057],
        *[0.6627736481697, 1.747334896451, -75.70446180416],
    ),
    ("TTDFREM", "breslow"): (
        *[0.07497109427396, 0.247850413318, 0.3024852501568, 0.7622821758294],
        *[0.6631150400906, 1.751984206521, -76.03562929085],
    ),
    ("DURDFREM", "efron"): (
        *[-1.461176716433, 0.9326673952388, -1.566664304866, 0.1171931784233],
        *[0.037284737415, 1.44313493835, -8.238757092655],
    ),
    ("DURDFREM", "breslow"): (
        *[-1.461176716433, 0.9326673952388, -1.566664304866, 0.1171931784233],
        *[0.037284737415, 1.44313493835, -8.238757092655],
    ),
}


@pytest.mark.parametrize(("paramcd", "ties"), list(COX))
def test_cox__demo_matches_coxph(paramcd: str, ties: str):
    """R: ``m <- coxph(Surv(AVAL, EVENT) ~ DOSELVLN, data = subset(tte, PARAMCD == p),
    ties = t)``; ``summary(m)$coefficients[1, c(1, 3, 4, 5)]``, ``summary(m)$conf.int[1, 3:4]``,
    ``m$loglik[2]`` (DURDFREM: no tied event times, so Efron = Breslow)."""
    coef, se, z, p, lower, upper, loglik = COX[(paramcd, ties)]
    fit = an.fit_cox(_tte(paramcd), time="AVAL", event="EVENT", covariates=["DOSELVLN"], ties=ties)
    row = fit.table.row(0, named=True)
    assert row["term"] == "DOSELVLN"
    _rel([row["coef"], row["se"], row["z"], row["p"]], [coef, se, z, p])
    _rel([row["lower"], row["upper"]], [lower, upper])
    assert fit.loglik == pytest.approx(loglik, rel=TOL)
    assert fit.converged


# --- cumulative incidence -------------------------------------------------------------------------

CIF = {
    "TTDORIS": {
        "DL1": (
            [86, 87, 91, 93, 94, 173, 176, 185, 189, 222, 265, 268, 301, 531, 552],
            [
                *[
                    0.0625,
                    0.0625,
                    0.1294642857143,
                    0.1964285714286,
                    0.2633928571429,
                    0.3303571428571,
                ],
                *[0.3973214285714, 0.53125, *[0.5982142857143] * 7],
            ],
            [
                *[0.00390625, 0.00390625, 0.007852359693878, 0.01117498358441, 0.01387430593424],
                *[0.01595058410192, 0.01740418868378, 0.01837583705319, *[0.01798483053908] * 7],
            ],
        ),
        "DL2": (
            [27, 88, 93, 95, 98, 174, 175, 178, 180, 182, 189, 269, 278, 542],
            [
                *[0, 0, 0, 0, 0, 0.1, 0.2, 0.3, 0.3, 0.4166666666667, 0.5333333333333],
                *[0.7666666666667] * 3,
            ],
            [
                *[0, 0, 0, 0, 0, 0.01, 0.0179012345679, 0.02370563271605, 0.02370563271605],
                *[0.03007335605281, 0.03285805898491, *[0.02636266289438] * 3],
            ],
        ),
        "DL3": (
            [85, 87, 89, 92, 93, 94, 99, 174, 175, 180, 184, 191, 279, 289, 384],
            [
                *[0, 0, 0.07692307692308, 0.1538461538462, 0.1538461538462, 0.2384615384615],
                *[0.3230769230769, 0.4076923076923, 0.4923076923077, 0.5769230769231],
                *[0.5769230769231, 0.6826923076923, 0.6826923076923, 0.8413461538462],
                *[0.8413461538462],
            ],
            [
                *[0, 0, 0.005917159763314, 0.01088921761999, 0.01088921761999, 0.0159800295858],
                *[0.01978595952955, 0.02230838857842, 0.0235495998202, 0.02351365207764],
                *[0.02351365207764, 0.02441355947119, 0.02441355947119, 0.03127443276721],
                *[0.03127443276721],
            ],
        ),
    },
    "TTLLDAS": {
        "DL1": (
            [13, 15, 16, 86, 87, 91, 93, 94, 176, 185, 189, 222, 265, 301, 531],
            [
                *[0.0625, 0.125, 0.1875, 0.25, 0.25, 0.3181818181818, 0.4545454545455],
                *[0.5227272727273, 0.5909090909091, 0.6590909090909, *[0.7272727272727] * 5],
            ],
            [
                *[0.00390625, 0.007309027777778, 0.01020842191043, 0.01260455032605],
                *[0.01260455032605, 0.01506574407111, 0.01790653901543, 0.01835845426427],
                *[0.01813660427984, 0.0172436244138, *[0.01568467995541] * 5],
            ],
        ),
        "DL2": (
            [13, 17, 27, 82, 86, 93, 95, 98, 99, 178, 182, 269, 278, 542],
            [
                *[0.06666666666667, 0.2, 0.2, 0.2727272727273, 0.3454545454545, 0.3454545454545],
                *[0.4272727272727, 0.4272727272727, 0.5227272727273, 0.6181818181818],
                *[0.7136363636364, *[0.8090909090909] * 3],
            ],
            [
                *[0.004444444444444, 0.01147043432758, 0.01147043432758, 0.01476895398973],
                *[0.01725210893003, 0.01725210893003, 0.01990286077559, 0.01990286077559],
                *[0.02293300134209, 0.02378869110687, 0.02249270899555, *[0.01910832980151] * 3],
            ],
        ),
        "DL3": (
            [16, 28, 85, 86, 89, 92, 93, 94, 95, 97, 99, 174, 184, 384],
            [
                *[0.1333333333333, 0.2, 0.2, 0.2727272727273, 0.3454545454545, 0.4181818181818],
                *[0.4181818181818, 0.5012987012987, 0.5844155844156, 0.6675324675325],
                *[0.7506493506494, *[0.8337662337662] * 3],
            ],
            [
                *[0.008253968253968, 0.01147741147741, 0.01147741147741, 0.01477472022927],
                *[0.01725677958405, 0.01892424253636, 0.01892424253636, 0.02081194138782],
                *[0.02136115333394, 0.02057955439279, 0.01848441560501, *[0.01512371208351] * 3],
            ],
        ),
    },
}


@pytest.mark.parametrize("paramcd", list(CIF))
@pytest.mark.parametrize("group", ["DL1", "DL2", "DL3"])
def test_cumulative_incidence__demo_matches_cuminc(paramcd: str, group: str):
    """R: ``d <- subset(tte, PARAMCD == p); ci <- cuminc(d$AVAL, d$CODE, group = d$DOSELVL,
    cencode = 0); tp <- timepoints(ci[paste(g, "1")], sort(unique(d$AVAL[d$DOSELVL == g])));
    tp$est[1, ]; tp$var[1, ]`` (CNSR 2, death without the event, is the competing event)."""
    times, cif, var = CIF[paramcd][group]
    res = an.cumulative_incidence(
        _tte(paramcd), time="AVAL", event_code="CODE", group="DOSELVL"
    ).filter(pl.col("group") == group)
    assert res["time"].to_list() == [float(t) for t in times]
    _approx(res["cif"].to_list(), cif)
    _approx(res["var"].to_list(), var, tol=1e-6)


# --- response proportions -------------------------------------------------------------------------

# rows: PARAMCD (DORIS, SRI4) x AVISITN (1, 2, 3, 6, 9, 12, 18) x DOSELVLN (1, 2, 3)
PROP_X = [0, 0, 0, 0, 0, 0, 4, 0, 4, 8, 5, 8, 6, 5, 4, 2, 4, 5, 2, 2, 3]
PROP_X += [10, 11, 11, 9, 9, 12, 9, 8, 14, 11, 8, 9, 7, 6, 7, 5, 5, 5, 2, 3, 3]
PROP_N = [16, 15, 15, 16, 15, 15, 16, 15, 15, 15, 11, 12, 13, 7, 8, 7, 6, 6, 3, 3, 3] * 2
PROP_CI = {
    "exact": (
        [
            *[0.0] * 6,
            *[0.07266203825288, 0.0, 0.07787154629104, 0.2658613472774, 0.1674880940637],
            *[0.3488755064188, 0.1922324418013, 0.2904208637373, 0.1570127704871],
            *[0.03669256617609, 0.2227780955035, 0.3587654210023, 0.09429932405025],
            *[0.09429932405025, 0.2924017738213, 0.3543460943021, 0.448996758963],
            *[0.448996758963, 0.2987768990832, 0.3228697662063, 0.5191088661931],
            *[0.2987768990832, 0.2658613472774, 0.6805154334217, 0.448996758963],
            *[0.3902574404276, 0.4281415381218, 0.2513454822703, 0.4212768029568],
            *[0.4734903291248, 0.2904208637373, 0.3587654210023, 0.3587654210023],
            *[0.09429932405025, 0.2924017738213, 0.2924017738213],
        ],
        [
            *[0.2059072142078, 0.2180193609105, 0.2180193609105, 0.2059072142078, 0.2180193609105],
            *[0.2180193609105, 0.5237708198961, 0.2180193609105, 0.551003241037, 0.7873332704807],
            *[0.7662064023407, 0.9007539088504, 0.7486545177297, 0.9633074338239],
            *[0.8429872295129, 0.7095791362627, 0.9567281317073, 0.9957892554855],
            *[0.9915962413404, 0.9915962413404, 1.0, 0.8480163249189, 0.922128453709],
            *[0.922128453709, 0.8024658594673, 0.8366356761405, 0.9566879948942],
            *[0.8024658594673, 0.7873332704807, 0.9983135697586, 0.922128453709],
            *[0.9397822658271, 0.945139355472, 0.8077675581987, 0.9963897031381],
            *[0.9968402764687, 0.9633074338239, 0.9957892554855, 0.9957892554855],
            *[0.9915962413404, 1.0, 1.0],
        ],
    ),
    "wilson": (
        [
            *[0.0] * 6,
            *[0.1018206749121, 0.0, 0.1089745332569, 0.301169800255, 0.2127127162246],
            *[0.3906220888728, 0.2320606780954, 0.3589344518326, 0.2152160622139],
            *[0.08221892400406, 0.2999933151384, 0.4364971778135, 0.207659600802],
            *[0.207659600802, 0.438502968245, 0.386410405455, 0.4804956594402],
            *[0.4804956594402, 0.3317855639881, 0.3574683012062, 0.5481455128483],
            *[0.3317855639881, 0.301169800255, 0.7018347012622, 0.4804956594402],
            *[0.4343546988239, 0.4676946650664, 0.2914379571451, 0.4868721707257],
            *[0.5291118177871, 0.3589344518326, 0.4364971778135, 0.4364971778135],
            *[0.207659600802, 0.438502968245, 0.438502968245],
        ],
        [
            *[0.1936076805344, 0.2038833010358, 0.2038833010358, 0.1936076805344, 0.2038833010358],
            *[0.2038833010358, 0.4949831653551, 0.2038833010358, 0.5195043405598, 0.7519046463426],
            *[0.7199084625907, 0.8618799089088, 0.7085620428549, 0.9177810759959],
            *[0.7847839377861, 0.6410655481674, 0.9032285888942, 0.9699466302517],
            *[0.9385080552796, 0.9385080552796, 1.0, 0.8151876744114, 0.8910254667431],
            *[0.8910254667431, 0.7690134759451, 0.8017550385866, 0.9295245065302],
            *[0.7690134759451, 0.7519046463426, 0.9881331045067, 0.8910254667431],
            *[0.9025394070998, 0.9110583316059, 0.7679393219046, 0.9743203756553],
            *[0.9775825085499, 0.9177810759959, 0.9699466302517, 0.9699466302517],
            *[0.9385080552796, 1.0, 1.0],
        ],
    ),
}


@pytest.mark.parametrize("method", ["exact", "wilson"])
def test_summarize_proportions__demo_matches_binom_and_prop_test(method: str):
    """R: ``cells <- aggregate(RESP ~ PARAMCD + AVISITN + DOSELVLN, data = rs,
    FUN = function(v) c(sum(v), length(v)))``, ordered by PARAMCD, AVISITN, DOSELVLN;
    exact: ``binom.test(x, n)$conf.int``; wilson: ``prop.test(x, n, correct = FALSE)$conf.int``."""
    rs = pl.concat([_adrs("DORIS"), _adrs("SRI4")])
    res = an.summarize_proportions(
        rs, response="RESP", by=["PARAMCD", "AVISITN", "DOSELVLN"], method=method
    )
    lower, upper = PROP_CI[method]
    assert res["responders"].to_list() == PROP_X
    assert res["n"].to_list() == PROP_N
    _approx(res["estimate"].to_list(), [x / n for x, n in zip(PROP_X, PROP_N, strict=True)])
    _approx(res["lower"].to_list(), lower)
    _approx(res["upper"].to_list(), upper)


@pytest.mark.parametrize(
    ("paramcd", "chisq", "p"),
    [
        (
            "DORIS",
            [
                *[None, None, 0.00679593721145, 0.4154086413326, 0.09207086578312, 4.058388765706],
                *[0.9642857142857],
            ],
            [
                *[None, None, 0.9342988370624, 0.5192369797464, 0.7615608036811, 0.04395241794369],
                *[0.3261094520205],
            ],
        ),
        (
            "SRI4",
            [
                *[
                    0.4383834586466,
                    1.898105263158,
                    4.729018675722,
                    0.008540525354685,
                    3.108348134991,
                ],
                *[0.2896341463415, 1.6875],
            ],
            [
                *[0.5079037247074, 0.1682905537744, 0.02965780193512, 0.9263683516835],
                *[0.07789192161121, 0.5904550733058, 0.1939308522824],
            ],
        ),
    ],
)
def test_cochran_armitage__demo_matches_prop_trend_test(paramcd, chisq, p):
    """R, per visit v of c(1, 2, 3, 6, 9, 12, 18): ``cc <- cells[cells$PARAMCD == p &
    cells$AVISITN == v, ]; prop.trend.test(cc$RESP[, 1], cc$RESP[, 2], score = cc$DOSELVLN)``
    (cells as in the proportions test). DORIS at days 14 and 28 has no responder: R gives an
    error (NaN in lm.wfit); here statistic and p are None with a note."""
    cells = (
        _adrs(paramcd)
        .group_by("AVISITN", "DOSELVLN")
        .agg(pl.col("RESP").sum().alias("x"), pl.len().alias("n"))
        .sort("AVISITN", "DOSELVLN")
    )
    stats, ps = [], []
    for visit in [1, 2, 3, 6, 9, 12, 18]:
        sub = cells.filter(pl.col("AVISITN") == visit)
        res = an.cochran_armitage(
            sub["x"].to_list(), sub["n"].to_list(), scores=sub["DOSELVLN"].to_list()
        )
        stats.append(res.statistic)
        ps.append(res.p)
    _approx(stats, chisq, tol=1e-8)
    _approx(ps, p, tol=1e-8)


# --- logistic regression, GEE ---------------------------------------------------------------------

# (paramcd, AVISITN) -> (coef, se, p, loglik) of (Intercept), DOSELVLN
LOGISTIC_ML = {
    ("DORIS", 3): (
        [-1.635765326351, 0.03906740996736],
        [1.022609732872, 0.473947026295],
        [0.1096876094676, 0.9343048535005],
        -21.25030050585,
    ),
    ("DORIS", 6): (
        [-0.2709829194606, 0.252344633719],
        [0.8152258544386, 0.3925909015461],
        [0.739585529433, 0.5203750382882],
        -25.92017897424,
    ),
    ("DORIS", 9): (
        [-0.1042807319398, 0.1361022095092],
        [0.8982316016429, 0.448914535648],
        [0.9075767801546, 0.761752179595],
        -19.29051425325,
    ),
    ("DORIS", 12): (
        [-2.123509689041, 1.304862619744],
        [1.353259741008, 0.6956566615853],
        [0.116605733032, 0.06069265065301],
        -10.75960968713,
    ),
    ("SRI4", 3): (
        [-0.9598310476043, 0.9000694361372],
        [0.8294666644079, 0.4296037489822],
        [0.2472043363547, 0.03616073409431],
        -26.58626606069,
    ),
    ("SRI4", 6): (
        [0.9518546675419, 0.04062365622276],
        [0.9159354686659, 0.4396177968975],
        [0.2987043550613, 0.9263748687562],
        -21.89642277879,
    ),
    ("SRI4", 9): (
        [-0.7918858539636, 1.029613037849],
        [1.030916113305, 0.6206979889064],
        [0.4424051958737, 0.09715635566583],
        -15.05120468422,
    ),
    ("SRI4", 12): (
        [0.6172914765851, 0.3760170649964],
        [1.389015824317, 0.7043538102551],
        [0.656746729138, 0.5934474949353],
        -9.631597928716,
    ),
}


@pytest.mark.parametrize(("paramcd", "visit"), list(LOGISTIC_ML))
def test_logistic_regression__demo_ml_matches_glm(paramcd: str, visit: int):
    """R: ``m <- glm(RESP ~ DOSELVLN, family = binomial, data = subset(rs, PARAMCD == p &
    AVISITN == v), control = glm.control(epsilon = 1e-14, maxit = 100));
    summary(m)$coefficients[, c(1, 2, 4)]; logLik(m)``; no separation, so ``"auto"`` chooses
    maximum likelihood. With glm's default ``epsilon = 1e-8`` R stops one IRLS step earlier and
    its SEs differ by up to 1.3e-4 relative (SRI4 month 3: p 0.0361560 instead of 0.0361607;
    docs/methods-vs-R.md)."""
    coef, se, p, loglik = LOGISTIC_ML[(paramcd, visit)]
    res = an.logistic_regression(
        _adrs(paramcd).filter(pl.col("AVISITN") == visit),
        response="RESP",
        covariates=["DOSELVLN"],
        method="auto",
    )
    assert "maximum likelihood (chosen: no separation)" in res.method
    _rel(res.table["coef"].to_list(), coef)
    _rel(res.table["se"].to_list(), se)
    _rel(res.table["p"].to_list(), p)
    assert res.loglik == pytest.approx(loglik, rel=TOL)


@pytest.mark.parametrize(
    ("paramcd", "visit", "method", "coef", "se", "p"),
    [
        (
            "DORIS",
            1,
            "auto",
            [-3.910953235924, 0.03056921920061],
            [2.716575635313, 1.257649779936],
            [0.1499627863247, 0.9806080302182],
        ),
        (
            "SRI4",
            18,
            "auto",
            [-0.4522978142832, 1.124768395292],
            [2.23526107998, 1.309890484228],
            [0.8396456547952, 0.3905206121397],
        ),
        (
            "DORIS",
            12,
            "firth",
            [-1.818810024632, 1.116364314395],
            [1.304283413819, 0.6577715629462],
            [0.1631697225977, 0.08966045907075],
        ),
    ],
)
def test_logistic_regression__demo_firth_matches_brglm2(paramcd, visit, method, coef, se, p):
    """R: ``m <- glm(RESP ~ DOSELVLN, family = binomial, data = subset(rs, PARAMCD == p &
    AVISITN == v), method = "brglmFit", type = "AS_mean", epsilon = 1e-12, maxit = 1000);
    summary(m)$coefficients[, c(1, 2, 4)]`` (converged; the warnings come from the separated
    start). DORIS day 14 has no responder and SRI4 month 18 is separated: ``"auto"`` chooses
    Firth; DORIS month 12 is not separated and Firth is requested."""
    res = an.logistic_regression(
        _adrs(paramcd).filter(pl.col("AVISITN") == visit),
        response="RESP",
        covariates=["DOSELVLN"],
        method=method,
    )
    assert "Firth" in res.method
    _rel(res.table["coef"].to_list(), coef)
    _rel(res.table["se"].to_list(), se)
    _rel(res.table["p"].to_list(), p)


@pytest.mark.parametrize(
    ("paramcd", "coef", "se", "p", "alpha"),
    [
        (
            "DORIS",
            [-3.05251248843, 0.249655595049, 0.295193182629],
            [0.724263933691, 0.3151904453367, 0.05519261311563],
            [2.501757880913e-05, 0.428314868734, 8.872620615996e-08],
            0.2269509971335,
        ),
        (
            "SRI4",
            [-0.3786146195376, 0.5354740732883, 0.05024024113988],
            [0.5627218191887, 0.2453944970798, 0.03603251364491],
            [0.5010571480172, 0.02910253171982, 0.1632261315258],
            0.1918999253362,
        ),
    ],
)
def test_gee_binary__demo_matches_geeglm(paramcd, coef, se, p, alpha):
    """R: ``d <- subset(rs, PARAMCD == p); d <- d[order(d$USUBJID, d$AVISITN), ];
    d$id <- factor(d$USUBJID); g <- geeglm(RESP ~ DOSELVLN + AVISITN, id = id, data = d,
    family = binomial, corstr = "exchangeable"); summary(g)$coefficients[, c(1, 2, 4)];
    g$geese$alpha``."""
    res = an.gee_binary(
        _adrs(paramcd),
        response="RESP",
        covariates=["DOSELVLN", "AVISITN"],
        subject="USUBJID",
        order="AVISITN",
    )
    assert res.table["term"].to_list() == ["(Intercept)", "DOSELVLN", "AVISITN"]
    _rel(res.table["coef"].to_list(), coef)
    _rel(res.table["se"].to_list(), se)
    _rel(res.table["p"].to_list(), p)
    assert res.note == f"working correlation {alpha:.4f}"


# --- mixed model of SLEDAI-2K change --------------------------------------------------------------


@pytest.mark.parametrize(
    ("covariates", "coef", "se", "p", "loglik"),
    [
        (
            ["DOSELVLN"],
            [-5.647658466388, -0.2247332197477, -0.3173014669316],
            [1.450938781056, 0.05134137659118, 0.6679222795852],
            [9.925054748321e-05, 1.201949066431e-05, 0.6347460127077],
            -614.7199953215,
        ),
        (
            [],
            [-6.276130694161, -0.2243067956793],
            [0.5910341696554, 0.05131543401393],
            [2.434215162481e-26, 1.23601167738e-05],
            -615.3445768368,
        ),
    ],
)
def test_analyze_mixed_change__demo_matches_lme(covariates, coef, se, p, loglik):
    """R: ``m <- lme(CHG ~ MONTHS + DOSELVLN, random = ~ 1 | USUBJID, data = act,
    method = "REML", control = lmeControl(tolerance = 1e-10, msTol = 1e-10)); s <-
    summary(m)$tTable; s[, 1:2]; 2 * pnorm(-abs(s[, 1] / s[, 2])); logLik(m)`` (and ``CHG ~
    MONTHS``). R's own p-values use t with 172/44 df (0.000141766, 2.0808e-05, 0.637096); here
    Wald z, so ``p`` is compared with the normal-theory value (docs/methods-vs-R.md)."""
    act = pl.read_csv(DATA / "demo_activity.csv").with_columns(
        (pl.col("ADY") * 12 / 365).alias("MONTHS")
    )
    res = an.analyze_mixed_change(
        act, response="CHG", time="MONTHS", subject="USUBJID", covariates=covariates
    )
    assert res.n == 219
    assert res.table["term"].to_list() == ["(Intercept)", "MONTHS", *covariates]
    _rel(res.table["coef"].to_list(), coef)
    _rel(res.table["se"].to_list(), se)
    _rel(res.table["p"].to_list(), p)
    assert res.loglik == pytest.approx(loglik, rel=TOL)


# R: F^exp(-/+ z * sqrt(var) / (F * log(F))) from the cuminc estimates; NA where F is 0 or 1.
CIF_BOUNDS = {
    "DL2": (
        [
            *[None] * 5,
            *[0.004545066812297, 0.02638847058182, 0.06227065053221, 0.06227065053221],
            *[0.1083033908628, 0.1630196327904, 0.2816102140057, 0.2816102140057, 0.2816102140057],
        ],
        [
            *[None] * 5,
            *[0.3741952903672, 0.4903524867667, 0.5932600039042, 0.5932600039042, 0.7083564085882],
            *[0.8042486951942, 0.9458128506863, 0.9458128506863, 0.9458128506863],
        ],
    ),
    "DL3": (
        [
            *[None, None, 0.004057094692412, 0.02219007484118, 0.02219007484118, 0.05185830954358],
            *[0.09030801458656, 0.1356874372992, 0.186705884895, 0.2421673106638, 0.2421673106638],
            *[0.2904697543259, 0.2904697543259, 0.1532819121641, 0.1532819121641],
        ],
        [
            *[None, None, 0.3028273266928, 0.3984999916984, 0.3984999916984, 0.4993467496093],
            *[0.5880681125018, 0.668281502106, 0.7413832256651, 0.8078769210812, 0.8078769210812],
            *[0.8888217779558, 0.8888217779558, 0.9842135554499, 0.9842135554499],
        ],
    ),
}


@pytest.mark.parametrize("group", ["DL2", "DL3"])
def test_cumulative_incidence__demo_loglog_interval_per_group(group: str):
    """R: ``d <- subset(tte, PARAMCD == "TTDORIS"); ci <- cuminc(d$AVAL, d$CODE,
    group = d$DOSELVL, cencode = 0); tp <- timepoints(ci[paste(g, "1")],
    sort(unique(d$AVAL[d$DOSELVL == g]))); F <- tp$est[1, ]; v <- tp$var[1, ];
    z <- qnorm(0.975); F^exp(-z * sqrt(v) / (F * log(F))); F^exp(z * sqrt(v) / (F * log(F)))``
    (the interval of docs/methods-vs-R.md from cmprsk's variance; groups after the first)."""
    lower, upper = CIF_BOUNDS[group]
    res = an.cumulative_incidence(
        _tte("TTDORIS"), time="AVAL", event_code="CODE", group="DOSELVL"
    ).filter(pl.col("group") == group)
    _approx(res["lower"].to_list(), lower)
    _approx(res["upper"].to_list(), upper)
