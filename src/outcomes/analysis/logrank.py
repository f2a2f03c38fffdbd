"""Log-rank test between groups and log-rank test for trend over ordered groups.

Input: one row per subject (time, event 1/0, group). Output: a :class:`TestResult` whose table
has one row per group (n, observed and expected events).
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy import stats

from outcomes.analysis._checks import check_columns
from outcomes.analysis.km import _check_survival_input
from outcomes.analysis.results import TestResult


def _observed_expected(
    df: pl.DataFrame, *, time: str, event: str, group: str
) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Groups, sizes, observed and expected events and the hypergeometric covariance matrix."""
    labels = df.get_column(group).unique().sort().to_list()
    t = df.get_column(time).cast(pl.Float64).to_numpy()
    e = df.get_column(event).cast(pl.Int64).to_numpy()
    g = df.get_column(group).to_numpy()
    event_times = np.unique(t[e == 1])
    at_risk = np.array([(t[g == lab][:, None] >= event_times[None, :]).sum(0) for lab in labels])
    deaths = np.array(
        [((t[(g == lab) & (e == 1)][:, None]) == event_times[None, :]).sum(0) for lab in labels]
    )
    n_t, d_t = at_risk.sum(0).astype(float), deaths.sum(0).astype(float)
    share = at_risk / n_t
    expected = (share * d_t).sum(1)
    factor = np.where(n_t > 1, d_t * (n_t - d_t) / np.maximum(n_t - 1, 1), 0.0)
    cov = np.diag((share * factor).sum(1)) - (share * factor) @ share.T
    sizes = np.array([(g == lab).sum() for lab in labels])
    return [str(x) for x in labels], sizes, deaths.sum(1).astype(float), expected, cov


def _table(labels: list[str], sizes: np.ndarray, obs: np.ndarray, exp: np.ndarray) -> pl.DataFrame:
    return pl.DataFrame(
        {"group": labels, "n": sizes.astype(np.int64), "observed": obs, "expected": exp},
        schema={"group": pl.String, "n": pl.Int64, "observed": pl.Float64, "expected": pl.Float64},
    )


def logrank(df: pl.DataFrame, *, time: str, event: str, group: str) -> TestResult:
    """Log-rank (Mantel–Haenszel) test that the survival curves of the groups are equal.

    At each distinct event time the observed events per group are compared with those expected
    under equal hazards; the statistic (O − E)' V⁻ (O − E) uses the hypergeometric covariance V
    and has k − 1 degrees of freedom for k groups.

    Returns
    -------
    TestResult
        ``statistic`` = chi-square, ``df`` = k − 1, ``p``; ``table``: group, n, observed,
        expected. With fewer than two groups or no events the statistic is ``None`` and ``note``
        says why.

    References
    ----------
    Mantel, Cancer Chemother Rep 1966;50:163-70; Peto & Peto, JRSS A 1972;135:185-207.
    Matches R ``survival::survdiff(Surv(time, status) ~ group)`` (rho = 0).

    Examples
    --------
    >>> df = pl.DataFrame({"T": [1, 2, 3, 4], "E": [1, 1, 1, 0], "G": ["a", "b", "a", "b"]})
    >>> round(logrank(df, time="T", event="E", group="G").statistic, 4)
    0.6154
    """
    method = "log-rank test (R survdiff, rho = 0), chi-square with k - 1 df"
    _check_survival_input(df, time=time, event=event, where="logrank")
    check_columns(df, columns=[group], where="logrank")
    labels, sizes, obs, exp, cov = _observed_expected(df, time=time, event=event, group=group)
    table = _table(labels, sizes, obs, exp)
    if len(labels) < 2:
        return TestResult(method, None, None, None, table, "fewer than two groups with subjects")
    if obs.sum() == 0:
        return TestResult(method, None, None, None, table, "no events: the test is not defined")
    diff = (obs - exp)[:-1]
    sub = cov[:-1, :-1]
    rank = int(np.linalg.matrix_rank(sub))
    chisq = float(diff @ np.linalg.pinv(sub) @ diff)
    return TestResult(method, chisq, rank, float(stats.chi2.sf(chisq, rank)), table)


def logrank_trend(df: pl.DataFrame, *, time: str, event: str, group: str) -> TestResult:
    """Log-rank test for trend over ordered groups, with the group values as scores.

    U = Σ_k w_k (O_k − E_k) with scores w_k = the numeric group value (e.g. DOSELVLN 1, 2, 3);
    Var(U) = w' V w with the hypergeometric covariance V of the log-rank test; U²/Var(U) is
    chi-square with 1 df. With tied event times this is not the Cox score test (which uses the
    Breslow information without the (n − d)/(n − 1) factor).

    Returns
    -------
    TestResult
        ``statistic`` = chi-square (1 df), ``p``; ``table`` as :func:`logrank` plus ``score``.

    References
    ----------
    Collett, Modelling Survival Data in Medical Research, 3rd ed., §2.6.3 (test for trend).
    Matches R: ``s <- survdiff(Surv(time, status) ~ g); U <- sum(w * (s$obs - s$exp));
    U^2 / (t(w) %*% s$var %*% w)`` (survdiff has no trend option).
    """
    method = "log-rank test for trend (scores = group values), chi-square with 1 df"
    _check_survival_input(df, time=time, event=event, where="logrank_trend")
    check_columns(df, columns=[group], where="logrank_trend")
    labels, sizes, obs, exp, cov = _observed_expected(df, time=time, event=event, group=group)
    scores = np.array(sorted(df.get_column(group).unique().cast(pl.Float64).to_list()))
    table = _table(labels, sizes, obs, exp).with_columns(score=pl.Series(scores))
    if len(labels) < 2:
        return TestResult(method, None, None, None, table, "fewer than two groups with subjects")
    u = float(scores @ (obs - exp))
    var = float(scores @ cov @ scores)
    if var <= 0:
        return TestResult(method, None, None, None, table, "no events: the test is not defined")
    chisq = u * u / var
    return TestResult(method, chisq, 1, float(stats.chi2.sf(chisq, 1)), table)
