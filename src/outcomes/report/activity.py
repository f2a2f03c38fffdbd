"""Disease activity and responder rates over time, by dose level, with confidence intervals.

Means use the analysis record of each scheduled visit (``advisit.ANL01FL``); rates use ``adrs``
as written by the endpoint stage (visits due at the cut, NRI applied: endpoints.md §16.1, §16.3),
so the denominator is every ``adrs`` row of the visit and dose level.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy import stats

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


def compute_proportion_ci(
    events: np.ndarray, n: np.ndarray, *, conf_level: float, method: str
) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided interval for ``events / n``: Clopper–Pearson (exact) or Wilson (score).

    References
    ----------
    Clopper CJ, Pearson ES. Biometrika 1934;26:404-13. Wilson EB. JASA 1927;22:209-12.
    R: ``binom.test(x, n)$conf.int``; ``prop.test(x, n, correct = FALSE)$conf.int``.
    """
    alpha = 1 - conf_level
    if method == "clopper-pearson":
        a = np.where(events > 0, events, 1.0)  # placeholder shape where the bound is 0 or 1
        b = np.where(events < n, n - events, 1.0)
        lower = np.where(events > 0, stats.beta.ppf(alpha / 2, a, n - events + 1), 0.0)
        upper = np.where(events < n, stats.beta.ppf(1 - alpha / 2, events + 1, b), 1.0)
        return lower, upper
    z = stats.norm.ppf(1 - alpha / 2)
    p = events / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return np.clip(centre - half, 0, 1), np.clip(centre + half, 0, 1)


def summarize_rates(
    adrs: pl.DataFrame, *, adsl: pl.DataFrame, conf_level: float, method: str
) -> pl.DataFrame:
    """Responder rate of each parameter of :data:`RATE_PARAMS` by visit and dose level.

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
    lower, upper = compute_proportion_ci(
        out["RESP"].to_numpy().astype(float),
        out["N"].to_numpy().astype(float),
        conf_level=conf_level,
        method=method,
    )
    return out.with_columns(pl.Series("LOWER", lower), pl.Series("UPPER", upper))
