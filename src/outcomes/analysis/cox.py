"""Cox proportional-hazards regression with Efron or Breslow handling of tied event times.

Input: one row per subject (time, event 1/0, numeric covariates). Output: a :class:`ModelResult`
with one row per covariate (coef, se, HR with Wald CI, Wald p).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import polars as pl
from scipy import stats

from outcomes.analysis._checks import check_columns
from outcomes.analysis.km import _check_survival_input, _z
from outcomes.analysis.results import ModelResult
from outcomes.errors import InputDataError

Ties = Literal["efron", "breslow"]
_MAX_ITER = 50
_EPS = 1e-9


def _partial_likelihood(
    beta: np.ndarray, x: np.ndarray, t: np.ndarray, e: np.ndarray, ties: str
) -> tuple[float, np.ndarray, np.ndarray]:
    """Log partial likelihood, score and information; rows sorted by time ascending."""
    w = np.exp(x @ beta)
    wx = w[:, None] * x
    wxx = w[:, None, None] * x[:, :, None] * x[:, None, :]
    # suffix sums: totals over subjects with time >= the row's time (first row of its tie group)
    s0, s1, s2 = (np.cumsum(a[::-1], axis=0)[::-1] for a in (w, wx, wxx))
    first = np.searchsorted(t, t, side="left")
    ev = np.flatnonzero(e == 1)
    tie_id = np.searchsorted(np.unique(t[ev]), t[ev])
    d = np.bincount(tie_id)[tie_id].astype(float)
    rank = np.arange(ev.size) - np.searchsorted(tie_id, tie_id, side="left")
    frac = rank / d if ties == "efron" else np.zeros(ev.size)
    e0 = np.bincount(tie_id, weights=w[ev])[tie_id]
    e1 = np.stack([np.bincount(tie_id, weights=wx[ev, k])[tie_id] for k in range(x.shape[1])], 1)
    p = x.shape[1]
    e2 = np.stack(
        [np.bincount(tie_id, weights=wxx[ev, i, j])[tie_id] for i in range(p) for j in range(p)], 1
    ).reshape(-1, p, p)
    den = s0[first[ev]] - frac * e0
    num1 = s1[first[ev]] - frac[:, None] * e1
    num2 = s2[first[ev]] - frac[:, None, None] * e2
    loglik = float(np.sum(x[ev] @ beta - np.log(den)))
    mean = num1 / den[:, None]
    score = np.sum(x[ev] - mean, axis=0)
    info = np.sum(num2 / den[:, None, None] - mean[:, :, None] * mean[:, None, :], axis=0)
    return loglik, score, info


def _newton(
    x: np.ndarray, t: np.ndarray, e: np.ndarray, ties: str
) -> tuple[np.ndarray, float, np.ndarray, bool]:
    beta = np.zeros(x.shape[1])
    loglik, score, info = _partial_likelihood(beta, x, t, e, ties)
    for _ in range(_MAX_ITER):
        step = np.linalg.solve(info, score)
        new = beta + step
        new_ll, new_score, new_info = _partial_likelihood(new, x, t, e, ties)
        halvings = 0
        while new_ll < loglik and halvings < 30:
            new = (beta + new) / 2
            new_ll, new_score, new_info = _partial_likelihood(new, x, t, e, ties)
            halvings += 1
        done = abs(1 - loglik / new_ll) < _EPS if new_ll != 0 else abs(new_ll - loglik) < _EPS
        beta, loglik, score, info = new, new_ll, new_score, new_info
        if done:
            return beta, loglik, info, True
    return beta, loglik, info, False


def _table(
    terms: list[str], beta: np.ndarray, se: np.ndarray, infinite: np.ndarray, conf_level: float
) -> pl.DataFrame:
    """Coefficient table; every number of a diverging term is null (not estimable)."""
    z = _z(conf_level)
    ok = ~infinite
    b = np.where(ok, beta, 0.0)
    s = np.where(ok, se, 1.0)
    cols = {
        "coef": b,
        "se": s,
        "hr": np.exp(b),
        "lower": np.exp(b - z * s),
        "upper": np.exp(b + z * s),
        "z": b / s,
        "p": 2 * stats.norm.sf(np.abs(b / s)),
    }
    return pl.DataFrame(
        {
            "term": terms,
            **{k: pl.Series(k, np.where(ok, v, np.nan)).fill_nan(None) for k, v in cols.items()},
        }
    )


def fit_cox(
    df: pl.DataFrame,
    *,
    time: str,
    event: str,
    covariates: list[str],
    ties: Ties = "efron",
    conf_level: float = 0.95,
) -> ModelResult:
    """Cox proportional-hazards model fitted by Newton–Raphson on the partial likelihood.

    The hazard of a subject is h0(t)·exp(β'x). Tied event times: ``"efron"`` (Efron 1977, R's
    default) or ``"breslow"`` (Breslow 1974, SAS PROC PHREG's default). Covariates are centred
    for the fit (as R does; estimates are unchanged); iteration stops when the relative change
    of the log partial likelihood is below 1e-9 (R ``coxph.control(eps = 1e-9)``), with step
    halving. Standard errors from the inverse information at the estimate; Wald CI and p.

    Parameters
    ----------
    covariates
        Numeric columns (code a dose level as DOSELVLN or as 0/1 indicators beforehand).

    Returns
    -------
    ModelResult
        ``table``: term, coef, se, hr, lower, upper, z, p. ``converged`` is False and
        ``note`` explains when an estimate diverges (e.g. a group without events: monotone
        likelihood, the HR is 0 or infinite).

    References
    ----------
    Cox, JRSS B 1972;34:187-220. Efron, JASA 1977;72:557-65. Breslow, Biometrics 1974;30:89-99.
    Matches R ``survival::coxph(Surv(time, status) ~ x, ties = "efron" | "breslow")``.
    """
    where = "fit_cox"
    _check_survival_input(df, time=time, event=event, where=where)
    check_columns(df, columns=covariates, where=where)
    if ties not in ("efron", "breslow"):
        raise InputDataError(f"cox: ties must be 'efron' or 'breslow', got {ties!r}.")
    if not covariates:
        raise InputDataError("cox: at least one covariate is needed.")
    data = df.sort(time)
    x = data.select(pl.col(c).cast(pl.Float64) for c in covariates).to_numpy()
    t = data.get_column(time).cast(pl.Float64).to_numpy()
    e = data.get_column(event).cast(pl.Int64).to_numpy()
    n_event = int(e.sum())
    if n_event == 0:
        raise InputDataError("cox: no events in the data; the model is not estimable.")
    constant = [c for c, s in zip(covariates, x.std(axis=0), strict=True) if s == 0]
    if constant:
        raise InputDataError(f"cox: covariate(s) {constant} do not vary; drop them.")
    x = x - x.mean(axis=0)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        beta, loglik, info, converged = _newton(x, t, e, ties)
        se = np.sqrt(np.abs(np.diag(np.linalg.pinv(info))))
    # monotone likelihood: the estimate runs off and its SE explodes (> 10 per covariate SD)
    sd = x.std(axis=0)
    infinite = (np.abs(beta * sd) > 20) | (se * sd > 10) | ~np.isfinite(beta) | ~np.isfinite(se)
    diverged = bool(infinite.any()) or not converged
    table = _table(covariates, beta, se, infinite, conf_level)
    note = (
        "estimate diverges (monotone likelihood, e.g. a group without events): HR not estimable"
        if diverged
        else ""
    )
    level = f"{100 * conf_level:g}%"
    method = f"Cox PH model, {ties.capitalize()} ties, Wald {level} CI and Wald p"
    return ModelResult(
        method, table, int(t.size), n_event, loglik, converged and not diverged, note
    )


def cox(
    df: pl.DataFrame,
    *,
    time: str,
    event: str,
    covariates: list[str],
    ties: Ties = "efron",
    conf_level: float = 0.95,
) -> pl.DataFrame:
    """Cox proportional-hazards model as a coefficient table (the public one-call form).

    Same model as :func:`fit_cox`; returns its table with the method, convergence and note
    written beside every term.

    Returns
    -------
    pl.DataFrame
        ``term, coef, se, hr, lower, upper, z, p, method, converged, note``; one row per
        covariate. Not-estimable terms have null numbers and say why in ``note``.

    Examples
    --------
    >>> cox(tte, time="AVAL", event="EVENT", covariates=["DOSELVLN"])  # doctest: +SKIP
    """
    res = fit_cox(
        df, time=time, event=event, covariates=covariates, ties=ties, conf_level=conf_level
    )
    return res.table.with_columns(
        pl.lit(res.method).alias("method"),
        pl.lit(res.converged).alias("converged"),
        pl.lit(res.note).alias("note"),
    )
