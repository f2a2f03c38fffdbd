"""Kaplan–Meier estimates, confidence intervals, quantiles and landmark rates.

Name: survival curves. Input: one row per subject with a time (AVAL, days) and an event indicator
(1 = event, 0 = censored; see :func:`to_event` for ADaM CNSR). Output grain: one row per group and
distinct time (curve), per group and probability (quantiles), per group and landmark (rates).
"""

from __future__ import annotations

import math
from statistics import NormalDist
from typing import Literal

import numpy as np
import polars as pl

from outcomes.analysis._checks import check_codes, check_columns, check_nonnegative, with_group
from outcomes.errors import InputDataError

ConfType = Literal["log", "log-log", "plain"]
CONF_TYPES: tuple[str, ...] = ("log", "log-log", "plain")
#: Tolerance of R survival's ``findq`` (``sqrt(.Machine$double.eps)``).
_QUANTILE_TOL = math.sqrt(np.finfo(float).eps)


def to_event(cnsr: pl.Expr, *, competing: bool = False) -> pl.Expr:
    """Event indicator from the ADaM censoring code.

    ADaM ``CNSR`` is 0 for an event and positive for a censoring reason (data-contract §3:
    1 = censored, 2 = death before achievement, 3 = rescue before achievement). Survival
    functions here take ``event`` = 1 for an event, 0 for censored (lifelines' convention).
    With ``competing=True`` the code is 1 = event, 2 = competing event (CNSR 2, death before
    achievement), 0 = censored, as :func:`cumulative_incidence` expects.

    Returns
    -------
    pl.Expr
        Int8 expression; null where ``CNSR`` is null.
    """
    code = pl.when(cnsr == 0).then(1)
    if competing:
        code = code.when(cnsr == 2).then(2)
    return code.when(cnsr.is_not_null()).then(0).otherwise(None).cast(pl.Int8)


def _check_survival_input(df: pl.DataFrame, *, time: str, event: str, where: str) -> None:
    check_columns(df, columns=[time, event], where=where)
    check_codes(df, column=event, allowed=[0, 1], where=where)
    check_nonnegative(df, column=time, where=where)


def _z(conf_level: float) -> float:
    if not 0 < conf_level < 1:
        raise InputDataError(f"conf_level must lie strictly between 0 and 1, got {conf_level}.")
    return NormalDist().inv_cdf(1 - (1 - conf_level) / 2)


def compute_km_bounds(*, conf_type: str, z: float) -> tuple[pl.Expr, pl.Expr]:
    """Pointwise bounds from ``surv`` and ``se`` (Greenwood standard error of log S).

    ``log``: exp(log S ± z·se), upper capped at 1 (R ``survfit`` default). ``log-log``:
    S^exp(∓z·se/log S) (SAS default; null where S = 1, as R). ``plain``: S ± z·S·se within
    [0, 1]. Bounds are null where S = 0 (the variance is infinite there; R prints NA).
    """
    s, se = pl.col("surv"), pl.col("se")
    if conf_type == "log":
        lower, upper = s * (-z * se).exp(), (s * (z * se).exp()).clip(upper_bound=1.0)
    elif conf_type == "log-log":
        lower = pl.when(s < 1).then(s.pow((-z * se / s.log()).exp()))
        upper = pl.when(s < 1).then(s.pow((z * se / s.log()).exp()))
    elif conf_type == "plain":
        lower, upper = (s - z * s * se).clip(0.0, 1.0), (s + z * s * se).clip(0.0, 1.0)
    else:
        raise InputDataError(f"conf_type must be one of {CONF_TYPES}, got {conf_type!r}.")
    zero = s == 0
    return (
        pl.when(zero).then(None).otherwise(lower).alias("lower"),
        pl.when(zero).then(None).otherwise(upper).alias("upper"),
    )


def kaplan_meier(
    df: pl.DataFrame,
    *,
    time: str,
    event: str,
    group: str | None = None,
    conf_type: ConfType = "log-log",
    conf_level: float = 0.95,
) -> pl.DataFrame:
    """Kaplan–Meier product-limit estimate with Greenwood pointwise confidence intervals.

    S(t) = Π_{t_j ≤ t} (1 − d_j / n_j) over distinct times t_j with d_j events among n_j at risk;
    Var(log S) = Σ d_j / (n_j (n_j − d_j)) (Greenwood). Ties: all subjects with time t_j are
    at risk at t_j, censorings at t_j after the events (the usual convention).

    Parameters
    ----------
    df
        One row per subject; ``time`` >= 0 and ``event`` ∈ {0, 1} without missing values.
    time, event
        Column names; ``event`` = 1 for an event (use :func:`to_event` on ADaM CNSR).
    group
        Optional grouping column (e.g. DOSELVL); ``None`` gives one curve labelled ``OVERALL``.
    conf_type
        ``"log-log"`` (SAS PROC LIFETEST default), ``"log"`` (R ``survfit`` default) or ``"plain"``.
    conf_level
        Two-sided level of the pointwise intervals.

    Returns
    -------
    pl.DataFrame
        ``group, time, n_risk, n_event, n_censor, surv, se, lower, upper``: one row per group and
        distinct time (censoring times included), sorted by group and time. ``se`` is the
        Greenwood standard error of log S (R's ``std.err``); ``se``, ``lower`` and ``upper`` are
        null where S = 0 (infinite variance; R prints NA). An empty input gives an empty
        frame with these columns.

    Raises
    ------
    InputDataError
        Missing time/event, event codes other than 0/1, negative times, bad conf_type.

    References
    ----------
    Kaplan & Meier, JASA 1958;53:457-81. Greenwood, 1926. Kalbfleisch & Prentice (2002) §1.4.
    Checked against R ``survival::survfit`` (tests/analysis/test_km.py).

    Examples
    --------
    >>> df = pl.DataFrame({"AVAL": [5, 8, 8, 12], "EVENT": [1, 1, 0, 0]})
    >>> kaplan_meier(df, time="AVAL", event="EVENT")["surv"].to_list()
    [0.75, 0.5, 0.5]
    """
    where = "kaplan_meier"
    _check_survival_input(df, time=time, event=event, where=where)
    z = _z(conf_level)
    lower, upper = compute_km_bounds(conf_type=conf_type, z=z)
    d, n = pl.col("n_event"), pl.col("n_risk")
    greenwood = pl.when(n > d).then(d / (n * (n - d))).otherwise(float("inf"))
    return (
        with_group(df, group=group)
        .group_by("group", pl.col(time).cast(pl.Float64).alias("time"))
        .agg(pl.len().alias("n_at"), pl.col(event).cast(pl.Int64).sum().alias("n_event"))
        .sort("group", "time")
        .with_columns(
            pl.col("n_at").cum_sum(reverse=True).over("group").cast(pl.Int64).alias("n_risk"),
            (pl.col("n_at") - pl.col("n_event")).cast(pl.Int64).alias("n_censor"),
        )
        .with_columns(
            (1 - d / n).cum_prod().over("group").alias("surv"),
            greenwood.cum_sum().over("group").sqrt().alias("se"),
        )
        .with_columns(lower, upper)
        .with_columns(pl.when(pl.col("surv") > 0).then(pl.col("se")).alias("se"))
        .select("group", "time", "n_risk", "n_event", "n_censor", "surv", "se", "lower", "upper")
    )


def _findq(x: np.ndarray, y: np.ndarray, p: float, xmax: float) -> float:
    """R survival's ``findq``: first x where y = 1 − S reaches p; midpoint on a flat stretch."""
    tol = _QUANTILE_TOL
    if np.all(np.isnan(y)) or np.nanmax(y) < p:
        return math.nan
    _, first = np.unique(np.where(np.isnan(y), -1.0, y), return_index=True)
    keep = np.sort(first)
    x, y = x[keep], y[keep]
    valid = ~np.isnan(y)

    def first_at_least(shift: float) -> int | None:
        hits = np.flatnonzero(valid & (y + shift >= p))
        return int(hits[0]) if hits.size else None

    i1, i2 = first_at_least(tol), first_at_least(-tol)
    if p == 0:
        return float(x[0])
    if not np.isnan(y[-1]) and abs(p - y[-1]) < tol and i1 is not None:
        return float((x[i1] + xmax) / 2)
    if i1 is None or i2 is None:
        return math.nan
    return float((x[i1] + x[i2]) / 2)


def survival_quantile(
    df: pl.DataFrame,
    *,
    time: str,
    event: str,
    q: float = 0.5,
    group: str | None = None,
    conf_type: ConfType = "log-log",
    conf_level: float = 0.95,
) -> pl.DataFrame:
    """Time by which a fraction ``q`` of subjects had the event (median for q = 0.5), with CI.

    The estimate is the smallest time with 1 − S(t) >= q; where the curve sits exactly at 1 − q
    on a flat stretch the midpoint of that stretch is taken (R ``quantile.survfit`` rule,
    tolerance sqrt(machine eps)); where the flat stretch is the end of follow-up, the midpoint
    with the last observed time. The confidence interval inverts the pointwise band of
    :func:`kaplan_meier` (Brookmeyer & Crowley 1982): the lower limit is the same rule applied
    to the lower band, the upper limit to the upper band, as R's ``quantile(survfit(...))``.

    Returns
    -------
    pl.DataFrame
        ``group, q, estimate, lower, upper`` (Float64); null where not reached.

    References
    ----------
    Brookmeyer & Crowley, Biometrics 1982;38:29-41. Checked against R
    ``quantile(survfit(...), probs=)`` (tests/analysis/test_km.py).

    Examples
    --------
    >>> df = pl.DataFrame({"AVAL": [5, 8, 8, 12], "EVENT": [1, 1, 0, 0]})
    >>> survival_quantile(df, time="AVAL", event="EVENT", q=0.5)["estimate"].to_list()
    [10.0]
    """
    if not 0 <= q <= 1:
        raise InputDataError(f"survival_quantile: q must lie within [0, 1], got {q}.")
    curve = kaplan_meier(
        df, time=time, event=event, group=group, conf_type=conf_type, conf_level=conf_level
    )
    rows = []
    for (label,), part in curve.group_by("group", maintain_order=True):
        x = np.concatenate([[0.0], part["time"].to_numpy()])
        xmax = float(x[-1])

        def read(
            col: str, x: np.ndarray = x, part: pl.DataFrame = part, xmax: float = xmax
        ) -> float:
            y = np.concatenate([[0.0], 1 - part[col].fill_null(np.nan).to_numpy()])
            return _findq(x, y, q, xmax)

        rows.append((label, q, read("surv"), read("lower"), read("upper")))
    schema = {
        "group": pl.String,
        "q": pl.Float64,
        "estimate": pl.Float64,
        "lower": pl.Float64,
        "upper": pl.Float64,
    }
    return pl.DataFrame(rows, schema=schema, orient="row").fill_nan(None)


def landmark_day(months: float) -> int:
    """Landmark on the AVAL scale (AVAL = ADT − STARTDT + 1): floor(m × 365 / 12) + 1 (§16.18)."""
    return math.floor(months * 365 / 12) + 1


def landmark_rates(
    df: pl.DataFrame,
    *,
    time: str,
    event: str,
    months: list[float],
    group: str | None = None,
    conf_type: ConfType = "log-log",
    conf_level: float = 0.95,
) -> pl.DataFrame:
    """Kaplan–Meier survival with CI and the number at risk at landmark times.

    The landmark for m months is t = floor(m × 365/12) + 1 on the AVAL scale (endpoints.md
    §16.18: 92, 183, 366, 731 days for 3, 6, 12, 24 months). S(t) is the step function's value
    at t (the last distinct time <= t; 1 with bounds 1 before the first, as R). The number at
    risk counts subjects with time >= t (R ``summary(survfit, times=)``). Beyond a group's last
    observed time S(t) is null (not estimable) unless the curve has already reached 0. Log-log
    bounds are null where S(t) = 1 after the first time (R prints NA there too).

    Returns
    -------
    pl.DataFrame
        ``group, months, time, n_risk, surv, lower, upper``, sorted by group and time.

    References
    ----------
    Checked against R ``summary(survfit(...), times=c(92, 183, 366, 731))``.
    """
    curve = kaplan_meier(
        df, time=time, event=event, group=group, conf_type=conf_type, conf_level=conf_level
    )
    marks = pl.DataFrame(
        {"months": [float(m) for m in months], "time": [float(landmark_day(m)) for m in months]}
    )
    data = with_group(df, group=group).select("group", pl.col(time).cast(pl.Float64).alias("t"))
    risk = (
        data.join(marks, how="cross")
        .group_by("group", "time")
        .agg(
            (pl.col("t") >= pl.col("time")).sum().cast(pl.Int64).alias("n_risk"),
            pl.col("t").max().alias("tmax"),
        )
    )
    steps = curve.select("group", "time", "surv", "lower", "upper").sort("time")
    beyond = (pl.col("time") > pl.col("tmax")) & (pl.col("surv") > 0)
    before = pl.col("surv").is_null()  # landmark before the group's first time: S = 1
    return (
        risk.join(marks, on="time")
        .sort("time")
        .join_asof(steps, on="time", by="group", strategy="backward", check_sortedness=False)
        .with_columns(
            pl.when(before).then(1.0).when(beyond).then(None).otherwise(pl.col(c)).alias(c)
            for c in ("surv", "lower", "upper")
        )
        .select("group", "months", "time", "n_risk", "surv", "lower", "upper")
        .sort("group", "time")
    )
