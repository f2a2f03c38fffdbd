"""Response proportions with exact and Wilson intervals, and the Cochran–Armitage trend test.

Input: responder rows (one per subject and visit: a 0/1 or Y/N response, a dose level, a visit).
Output grain: one row per parameter × visit × dose level (and OVERALL) for the proportions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import polars as pl
from scipy import stats

from outcomes.analysis.km import _z
from outcomes.analysis.results import TestResult
from outcomes.errors import InputDataError

CiMethod = Literal["exact", "wilson"]


def binomial_ci(
    successes: int, n: int, *, method: CiMethod, conf_level: float = 0.95
) -> tuple[float | None, float | None, float | None]:
    """Proportion with a two-sided confidence interval (never the Wald interval).

    ``"exact"``: Clopper–Pearson, the beta quantiles B(α/2; x, n − x + 1) and
    B(1 − α/2; x + 1, n − x), with 0 and 1 at x = 0 and x = n. ``"wilson"``: the score interval
    without continuity correction, (p + z²/2n ± z·√(p(1 − p)/n + z²/4n²)) / (1 + z²/n).

    Returns
    -------
    tuple
        ``(estimate, lower, upper)``; all ``None`` when n = 0 (no subject: not estimable).

    Raises
    ------
    InputDataError
        When n < 0 or successes outside [0, n], or an unknown method.

    References
    ----------
    Clopper & Pearson, Biometrika 1934;26:404-13. Wilson, JASA 1927;22:209-12. Matches R
    ``binom.test(x, n)$conf.int`` and ``prop.test(x, n, correct = FALSE)$conf.int``.

    Examples
    --------
    >>> [round(v, 4) for v in binomial_ci(3, 10, method="exact")]
    [0.3, 0.0667, 0.6525]
    """
    if n < 0 or not 0 <= successes <= n:
        raise InputDataError(f"binomial_ci: need 0 <= successes <= n, got {successes} of {n}.")
    if n == 0:
        return None, None, None
    alpha = 1 - conf_level
    p = successes / n
    if method == "exact":
        lower = (
            0.0
            if successes == 0
            else float(stats.beta.ppf(alpha / 2, successes, n - successes + 1))
        )
        upper = (
            1.0
            if successes == n
            else float(stats.beta.ppf(1 - alpha / 2, successes + 1, n - successes))
        )
        return p, lower, upper
    if method == "wilson":
        z = _z(conf_level)
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        lower = 0.0 if successes == 0 else max(0.0, centre - half)
        upper = 1.0 if successes == n else min(1.0, centre + half)
        return p, lower, upper
    raise InputDataError(f"binomial_ci: method must be 'exact' or 'wilson', got {method!r}.")


def summarize_proportions(
    df: pl.DataFrame,
    *,
    response: str,
    by: Sequence[str],
    method: CiMethod,
    conf_level: float = 0.95,
) -> pl.DataFrame:
    """Responders, denominator and proportion with CI per combination of the ``by`` columns.

    The denominator counts rows with a non-missing response (subjects with the visit due;
    endpoints.md §16.19); a missing response is excluded and counted in ``n_missing``.

    Parameters
    ----------
    response
        Boolean, or 0/1 integer column (1 = responder).

    Returns
    -------
    pl.DataFrame
        ``*by, n, responders, n_missing, estimate, lower, upper, method``, sorted by ``by``.
    """
    return summarize_counts(
        count_responders(df, response=response, by=by).sort(list(by)),
        method=method,
        conf_level=conf_level,
    )


def count_responders(df: pl.DataFrame, *, response: str, by: Sequence[str]) -> pl.DataFrame:
    """``*by, n, responders, n_missing`` (Int64) per combination of ``by``, unsorted: rows with
    a non-missing response, responders among them, rows with a missing response."""
    return df.group_by(list(by)).agg(
        pl.col(response).is_not_null().sum().cast(pl.Int64).alias("n"),
        pl.col(response).cast(pl.Int64).sum().cast(pl.Int64).alias("responders"),
        pl.col(response).is_null().sum().cast(pl.Int64).alias("n_missing"),
    )


def summarize_counts(
    counts: pl.DataFrame, *, method: CiMethod, conf_level: float = 0.95
) -> pl.DataFrame:
    """``counts`` (as from :func:`count_responders`) with ``estimate, lower, upper, method``:
    the proportion responders / n and its interval by ``method`` (:func:`binomial_ci`)."""
    cis = [
        binomial_ci(x, n, method=method, conf_level=conf_level)
        for x, n in zip(counts["responders"], counts["n"], strict=True)
    ]
    label = {"exact": "Clopper-Pearson exact", "wilson": "Wilson score (no continuity correction)"}
    return counts.with_columns(
        pl.Series("estimate", [c[0] for c in cis], dtype=pl.Float64),
        pl.Series("lower", [c[1] for c in cis], dtype=pl.Float64),
        pl.Series("upper", [c[2] for c in cis], dtype=pl.Float64),
        pl.lit(f"{label[method]} {100 * conf_level:g}% CI").alias("method"),
    )


def cochran_armitage(
    successes: Sequence[int], n: Sequence[int], *, scores: Sequence[float]
) -> TestResult:
    """Cochran–Armitage test for a linear trend of proportions over ordered groups.

    χ² = [Σ n_i (p_i − p̄)(s_i − s̄)]² / [p̄(1 − p̄) Σ n_i (s_i − s̄)²] with s̄ weighted by n_i,
    1 df (the form of R ``prop.trend.test``, without the N/(N − 1) factor of some texts).
    Groups with n_i = 0 are dropped.

    Returns
    -------
    TestResult
        ``statistic`` χ², ``df`` 1, two-sided ``p``; ``None`` with a note when every group has
        the same outcome (p̄ = 0 or 1) or fewer than two groups have subjects.

    References
    ----------
    Cochran, Biometrics 1954;10:417-51; Armitage, Biometrics 1955;11:375-86. Matches R
    ``prop.trend.test(x, n, score)``.
    """
    method = "Cochran-Armitage trend test (R prop.trend.test), chi-square 1 df"
    x, m, s = (np.asarray(v, dtype=float) for v in (successes, n, scores))
    if not x.size == m.size == s.size:
        raise InputDataError("cochran_armitage: successes, n and scores must have equal lengths.")
    table = pl.DataFrame({"score": s, "n": m.astype(np.int64), "responders": x.astype(np.int64)})
    keep = m > 0
    x, m, s = x[keep], m[keep], s[keep]
    if x.size < 2:
        return TestResult(method, None, None, None, table, "fewer than two groups with subjects")
    pbar = x.sum() / m.sum()
    if pbar in (0.0, 1.0):
        return TestResult(method, None, None, None, table, "all or no responders: no trend test")
    sbar = (m * s).sum() / m.sum()
    num = ((x - m * pbar) * (s - sbar)).sum() ** 2
    den = pbar * (1 - pbar) * (m * (s - sbar) ** 2).sum()
    chisq = float(num / den)
    return TestResult(method, chisq, 1, float(stats.chi2.sf(chisq, 1)), table)
