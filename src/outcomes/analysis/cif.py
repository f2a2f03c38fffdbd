"""Cumulative incidence with a competing risk (Aalen–Johansen), deterministic for tied times.

Input: one row per subject with a time and an event code (1 = event of interest, e.g. first
remission; 2 = competing event, e.g. death before achievement; 0 = censored). Output grain: one row
per group and distinct time.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from outcomes.analysis._checks import check_codes, check_columns, check_nonnegative, with_group
from outcomes.analysis.km import _z


def _gray_variance(table: pl.DataFrame) -> pl.DataFrame:
    """Add ``var``: the variance of R cmprsk ``cinc`` (Gray), a step function at cause-1 times."""
    rs = table["n_risk"].to_numpy().astype(float)
    d1 = table["n_event"].to_numpy().astype(float)
    d2 = table["n_compete"].to_numpy().astype(float)
    fk = table["surv_prev"].to_numpy()
    fkn = table["surv_all"].to_numpy()
    f = table["cif"].to_numpy()
    safe_rs1 = np.maximum(rs - 1, 1)
    inv = np.divide(1.0, fkn, out=np.zeros_like(fkn), where=fkn > 0)

    def t6(d: np.ndarray) -> np.ndarray:
        t5 = np.where(d > 1, 1 - (d - 1) / safe_rs1, 1.0)
        return fk * fk * t5 * d / (rs * rs)

    on2 = (d2 > 0) & (fkn > 0)
    a6, b6 = np.where(on2, t6(d2), 0.0), np.where(d1 > 0, t6(d1), 0.0)
    a4, b4 = f * inv, 1 + inv * f
    sums = table.select(
        "group",
        pl.Series("v1", a4 * a4 * a6 + b4 * b4 * b6),
        pl.Series("v2", inv * a4 * a6 + inv * b4 * b6),
        pl.Series("v3", inv * inv * a6 + inv * inv * b6),
    ).select(pl.col("v1", "v2", "v3").cum_sum().over("group"))  # sums restart in each group
    v1, v2, v3 = (sums[c].to_numpy() for c in ("v1", "v2", "v3"))
    at_event = v1 + f * f * v3 - 2 * f * v2
    return table.with_columns(
        pl.Series("var", np.where(d1 > 0, at_event, np.nan)).fill_nan(None)
    ).with_columns(pl.col("var").forward_fill().over("group").fill_null(0.0))


def _event_table(
    df: pl.DataFrame, *, time: str, event_code: str, group: str | None
) -> pl.DataFrame:
    """Per group and distinct time: counts, overall KM before/after, and the Aalen–Johansen F1."""
    code = pl.col(event_code)
    return (
        with_group(df, group=group)
        .group_by("group", pl.col(time).cast(pl.Float64).alias("time"))
        .agg(
            pl.len().alias("n_at"),
            (code == 1).sum().cast(pl.Int64).alias("n_event"),
            (code == 2).sum().cast(pl.Int64).alias("n_compete"),
            (code == 0).sum().cast(pl.Int64).alias("n_censor"),
        )
        .sort("group", "time")
        .with_columns(
            pl.col("n_at").cum_sum(reverse=True).over("group").cast(pl.Int64).alias("n_risk")
        )
        .with_columns(
            (1 - (pl.col("n_event") + pl.col("n_compete")) / pl.col("n_risk"))
            .cum_prod()
            .over("group")
            .alias("surv_all")
        )
        .with_columns(pl.col("surv_all").shift(1, fill_value=1.0).over("group").alias("surv_prev"))
        .with_columns(
            (pl.col("surv_prev") * pl.col("n_event") / pl.col("n_risk"))
            .cum_sum()
            .over("group")
            .alias("cif")
        )
    )


def cumulative_incidence(
    df: pl.DataFrame,
    *,
    time: str,
    event_code: str,
    group: str | None = None,
    conf_level: float = 0.95,
) -> pl.DataFrame:
    """Cumulative incidence of event 1 with event 2 as a competing risk (Aalen–Johansen).

    F1(t) = Σ_{t_j ≤ t} S(t_{j−1}) · d1_j / n_j, where S is the Kaplan–Meier estimate of being
    free of both events; events of both kinds at the same time are handled together (no random
    tie-breaking, unlike lifelines' ``AalenJohansenFitter``). The variance is the one of R
    ``cmprsk::cuminc`` (Gray's delta-method formula in ``cinc``), updated at event-1 times. The
    interval is on the log(−log) scale, F^exp(±z·√var / (F log F)) (as SAS PROC LIFETEST's CIF
    default; cmprsk reports no interval).

    Parameters
    ----------
    event_code
        Int column: 1 = event of interest, 2 = competing event, 0 = censored
        (:func:`to_event` with ``competing=True`` converts ADaM CNSR).

    Returns
    -------
    pl.DataFrame
        ``group, time, n_risk, n_event, n_compete, n_censor, cif, var, lower, upper``; one row
        per group and distinct time; ``lower``/``upper`` null where F is 0 or 1.

    References
    ----------
    Aalen & Johansen, Scand J Stat 1978;5:141-50. Gray, Ann Stat 1988;16:1141-54 (cmprsk).
    Matches R ``cmprsk::cuminc(time, code, cencode = 0)`` estimates and variances.

    Examples
    --------
    >>> df = pl.DataFrame({"T": [1, 2, 2, 3], "C": [1, 2, 1, 0]})
    >>> cumulative_incidence(df, time="T", event_code="C")["cif"].to_list()
    [0.25, 0.5, 0.5]
    """
    where = "cumulative_incidence"
    check_columns(df, columns=[time, event_code], where=where)
    check_codes(df, column=event_code, allowed=[0, 1, 2], where=where)
    check_nonnegative(df, column=time, where=where)
    z = _z(conf_level)
    table = _event_table(df, time=time, event_code=event_code, group=group)
    f, se = pl.col("cif"), pl.col("var").sqrt()
    inside = (f > 0) & (f < 1)
    return (
        _gray_variance(table)
        .with_columns(
            pl.when(inside).then(f.pow((-z * se / (f * f.log())).exp())).alias("lower"),
            pl.when(inside).then(f.pow((z * se / (f * f.log())).exp())).alias("upper"),
        )
        .select(
            "group",
            "time",
            "n_risk",
            "n_event",
            "n_compete",
            "n_censor",
            "cif",
            "var",
            "lower",
            "upper",
        )
    )
