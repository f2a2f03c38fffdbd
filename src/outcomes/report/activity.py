"""Disease activity and responder rates over time, by dose level, with confidence intervals.

Means use the analysis record of each scheduled visit (``advisit.ANL01FL``); rates use ``adrs``
as written by the endpoint stage (visits due at the cut, NRI applied: endpoints.md §16.1, §16.3),
so the denominator is every ``adrs`` row of the visit and dose level.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy import stats

from outcomes.analysis.binomial import CiMethod, binomial_ci

#: Responder parameters shown as rates (data-contract.md §3, adrs).
RATE_PARAMS: tuple[str, ...] = ("DORIS", "DFDORIS", "DFDORISS", "LLDAS", "SRI4")


def summarize_activity(advisit: pl.DataFrame, *, score: str, conf_level: float) -> pl.DataFrame:
    """Mean of ``score`` at each scheduled visit by dose level, with a t-based interval.

    Returns
    -------
    pl.DataFrame
        ``DOSELVL, AVISITN, AVISIT, N, MEAN, SD, LOWER, UPPER`` sorted by dose level and visit;
        the interval is null when fewer than two values exist.
    """
    out = (
        advisit.filter(
            pl.col("ANL01FL") & pl.col("AVISITN").is_not_null() & pl.col(score).is_not_null()
        )
        .group_by("DOSELVL", "AVISITN", "AVISIT")
        .agg(
            pl.len().alias("N"), pl.col(score).mean().alias("MEAN"), pl.col(score).std().alias("SD")
        )
        .sort("DOSELVL", "AVISITN")
    )
    n = out["N"].to_numpy()
    quant = np.where(n > 1, stats.t.ppf(0.5 + conf_level / 2, np.maximum(n - 1, 1)), np.nan)
    half = pl.Series("HALF", quant, dtype=pl.Float64).fill_nan(None) * out["SD"] / np.sqrt(n)
    return out.with_columns(
        (pl.col("MEAN") - half).alias("LOWER"), (pl.col("MEAN") + half).alias("UPPER")
    )


#: The report's ``rate_ci_method`` names and the methods of :func:`binomial_ci`.
_CI_METHODS: dict[str, CiMethod] = {"clopper-pearson": "exact", "wilson": "wilson"}


def summarize_rates(
    adrs: pl.DataFrame, *, adsl: pl.DataFrame, conf_level: float, method: str
) -> pl.DataFrame:
    """Responder rate of each parameter of :data:`RATE_PARAMS` by visit and dose level, with
    the ``method`` interval (``clopper-pearson`` or ``wilson``) of :func:`binomial_ci`.

    Returns
    -------
    pl.DataFrame
        ``PARAMCD, DOSELVL, AVISITN, AVISIT, N, RESP, RATE, LOWER, UPPER`` (rates as fractions),
        sorted by parameter order, dose level and visit.
    """
    rows = adrs.filter(pl.col("PARAMCD").is_in(RATE_PARAMS) & pl.col("AVALC").is_not_null())
    if "DOSELVL" not in rows.columns:
        rows = rows.join(adsl.select("USUBJID", "DOSELVL"), on="USUBJID", how="left")
    order = pl.col("PARAMCD").replace_strict(RATE_PARAMS, list(range(len(RATE_PARAMS))))
    out = (
        rows.group_by("PARAMCD", "DOSELVL", "AVISITN", "AVISIT")
        .agg(pl.len().alias("N"), (pl.col("AVALC") == "Y").sum().alias("RESP"))
        .sort(order, "DOSELVL", "AVISITN")
        .with_columns((pl.col("RESP") / pl.col("N")).alias("RATE"))
    )
    ci = [
        binomial_ci(resp, n, method=_CI_METHODS[method], conf_level=conf_level)
        for resp, n in zip(out["RESP"], out["N"], strict=True)
    ]
    return out.with_columns(
        pl.Series("LOWER", [c[1] for c in ci], dtype=pl.Float64),
        pl.Series("UPPER", [c[2] for c in ci], dtype=pl.Float64),
    )
