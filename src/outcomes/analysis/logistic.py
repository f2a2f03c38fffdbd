"""Logistic regression of response on dose: maximum likelihood or Firth's penalised likelihood,
and GEE over visits for repeated binary responses.

Input: one row per subject (or subject × visit for GEE) with a 0/1 response and numeric
covariates. Output: a :class:`ModelResult` (one row per term, odds ratios with Wald CI).
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import polars as pl
from scipy import stats

from outcomes.analysis._checks import check_codes, check_columns
from outcomes.analysis.gee import fit_gee_exchangeable
from outcomes.analysis.km import _z
from outcomes.analysis.patterns import create_patterns
from outcomes.analysis.results import ModelResult
from outcomes.errors import InputDataError

LogisticMethod = Literal["auto", "firth", "ml"]
_MAX_ITER = 100
_TOL = 1e-10


def _design(
    df: pl.DataFrame, *, response: str, covariates: list[str], where: str
) -> tuple[np.ndarray, np.ndarray]:
    check_columns(df, columns=[response, *covariates], where=where)
    check_codes(df, column=response, allowed=[0, 1], where=where)
    x = df.select(pl.col(c).cast(pl.Float64) for c in covariates).to_numpy()
    y = df.get_column(response).cast(pl.Float64).to_numpy()
    if y.size == 0:
        raise InputDataError(f"{where}: no observations.")
    return np.column_stack([np.ones(y.size), x]), y


def _table(terms: list[str], beta: np.ndarray, se: np.ndarray, conf_level: float) -> pl.DataFrame:
    z = _z(conf_level)
    zval = beta / se
    return pl.DataFrame(
        {
            "term": terms,
            "coef": beta,
            "se": se,
            "ratio": np.exp(beta),
            "lower": np.exp(beta - z * se),
            "upper": np.exp(beta + z * se),
            "z": zval,
            "p": 2 * stats.norm.sf(np.abs(zval)),
        }
    )


def has_separation(x: np.ndarray, y: np.ndarray, weight: np.ndarray | None = None) -> bool:
    """Whether a hyperplane separates responders from non-responders (complete or quasi-complete).

    Checked with the linear programme of Konis (2007): maximise Σ w_i|x_i'b| subject to
    (2y_i − 1)·x_i'b >= 0; separation exists when a non-zero b satisfies every constraint.
    ``weight`` (default 1) counts repeated rows, as from :func:`create_patterns`: the programme
    is then the one of the rows one by one.
    """
    from scipy.optimize import linprog

    if np.all(y == y[0]):
        return True
    w = np.ones(y.size) if weight is None else weight
    sign = 2 * y - 1
    a = -(sign[:, None] * x)
    res = linprog(
        c=-((w * sign)[:, None] * x).sum(0),
        A_ub=a,
        b_ub=np.zeros(y.size),
        bounds=[(-1, 1)] * x.shape[1],
        method="highs",
    )
    return bool(res.status == 0 and -res.fun > 1e-8)


def _fit(
    x: np.ndarray, y: np.ndarray, weight: np.ndarray, *, firth: bool
) -> tuple[np.ndarray, np.ndarray, float, bool]:
    """Newton–Raphson (Fisher scoring) with Firth's modified score when ``firth``; row i counts
    ``weight[i]`` times."""
    beta = np.zeros(x.shape[1])
    for _ in range(_MAX_ITER):
        pi = 1 / (1 + np.exp(-(x @ beta)))
        w = weight * pi * (1 - pi)
        info = x.T @ (w[:, None] * x)
        cov = np.linalg.inv(info)
        adj = np.zeros_like(y)
        if firth:
            h = np.einsum("ij,jk,ik->i", x, cov, x) * w
            adj = h * (0.5 - pi)
        step = cov @ (x.T @ (weight * (y - pi) + adj))
        beta = beta + step
        if np.max(np.abs(step)) < _TOL:
            pi = 1 / (1 + np.exp(-(x @ beta)))
            w = weight * pi * (1 - pi)
            info = x.T @ (w[:, None] * x)
            loglik = float(np.sum(weight * (y * np.log(pi) + (1 - y) * np.log1p(-pi))))
            if firth:
                loglik += 0.5 * float(np.linalg.slogdet(info)[1])
            return beta, np.sqrt(np.diag(np.linalg.inv(info))), loglik, True
    return beta, np.full(beta.size, np.nan), float("nan"), False


def logistic_regression(
    df: pl.DataFrame,
    *,
    response: str,
    covariates: list[str],
    method: LogisticMethod = "auto",
    conf_level: float = 0.95,
) -> ModelResult:
    """Logistic regression of a 0/1 response, by maximum likelihood or Firth's penalised likelihood.

    Firth (1993): the score is modified to U*(β) = X'(y − π + h(½ − π)), h the diagonal of the
    hat matrix W^½X(X'WX)⁻¹X'W^½, i.e. the likelihood is penalised by the Jeffreys prior
    |X'WX|^½; estimates stay finite under separation, which is expected with a few subjects
    per dose level. ``"auto"`` uses Firth when the data are (quasi-)completely separated (linear
    programme, Konis 2007) and plain ML otherwise; the choice is stated in ``method``. Both are
    computed on the distinct covariate patterns with their counts (:func:`create_patterns`;
    the same likelihood, penalty and programme as row by row). Standard
    errors from the inverse Fisher information at the estimate, Wald CI and p (profile
    penalised-likelihood intervals are not computed).

    Returns
    -------
    ModelResult
        ``table``: term (``(Intercept)`` and the covariates), coef, se, ratio (OR), lower,
        upper, z, p; ``loglik`` is the (penalised) log likelihood.

    References
    ----------
    Firth, Biometrika 1993;80:27-38. Heinze & Schemper, Stat Med 2002;21:2409-19. Matches R
    ``glm(y ~ x, family = binomial, method = "brglmFit", type = "AS_mean")`` (brglm2) for Firth
    and ``glm(y ~ x, family = binomial)`` for ML.
    """
    where = "logistic_regression"
    if method not in ("auto", "firth", "ml"):
        raise InputDataError(f"{where}: method must be auto, firth or ml, got {method!r}.")
    x, y = _design(df, response=response, covariates=covariates, where=where)
    px, py, count = create_patterns(x, y)
    separated = has_separation(px, py, count)
    use_firth = method == "firth" or (method == "auto" and separated)
    note = "separation detected" if separated else ""
    if separated and not use_firth:
        note += ": ML estimates do not exist; use method 'firth' or 'auto'"
        return ModelResult(
            "logistic regression, ML",
            _table(
                ["(Intercept)", *covariates],
                np.full(x.shape[1], np.nan),
                np.full(x.shape[1], np.nan),
                conf_level,
            ).with_columns(pl.col(pl.Float64).fill_nan(None)),
            int(y.size),
            int(y.sum()),
            None,
            False,
            note,
        )
    beta, se, loglik, converged = _fit(px, py, count, firth=use_firth)
    name = "Firth penalised likelihood (Jeffreys prior)" if use_firth else "maximum likelihood"
    why = f" (chosen: {'separation' if separated else 'no separation'})" if method == "auto" else ""
    level = f"{100 * conf_level:g}%"
    table = _table(["(Intercept)", *covariates], beta, se, conf_level)
    return ModelResult(
        f"logistic regression, {name}{why}, Wald {level} CI",
        table,
        int(y.size),
        int(y.sum()),
        loglik,
        converged,
        note,
    )


def gee_binary(
    df: pl.DataFrame,
    *,
    response: str,
    covariates: list[str],
    subject: str,
    order: str,
    conf_level: float = 0.95,
) -> ModelResult:
    """Marginal logistic model over repeated visits by GEE, exchangeable working correlation.

    Robust (sandwich) standard errors; the exchangeable correlation is estimated by moments as
    in geepack: dispersion φ = Σr²/N and α = Σ_{pairs} r_ij r_ik / (φ · number of pairs), with
    Pearson residuals r and no degrees-of-freedom correction (statsmodels ``ddof_scale=0``).
    Rows are ordered by subject and ``order`` (e.g. AVISITN) before the fit. Fitted in
    whole-array passes by :func:`~outcomes.analysis.gee.fit_gee_exchangeable` (the iteration of
    statsmodels ``GEE``, in time linear in the rows).

    Returns
    -------
    ModelResult
        ``table`` as :func:`logistic_regression` (ratio = OR) with robust SEs; ``note`` gives the
        estimated working correlation.

    References
    ----------
    Liang & Zeger, Biometrika 1986;73:13-22. Compared with R ``geepack::geeglm(y ~ x,
    id = ID, family = binomial, corstr = "exchangeable")``.
    """
    where = "gee_binary"
    check_columns(df, columns=[subject, order], where=where)
    used = [c for c in dict.fromkeys([subject, order, response, *covariates]) if c in df.columns]
    data = df.select(used).sort(subject, order)
    x, y = _design(data, response=response, covariates=covariates, where=where)
    groups = data.get_column(subject).rle_id().to_numpy()  # sorted: one id per subject
    fit = fit_gee_exchangeable(x, y, groups, maxiter=100)
    alpha = fit.alpha
    table = _table(
        ["(Intercept)", *covariates], fit.params, np.sqrt(np.diag(fit.cov_robust)), conf_level
    )
    level = f"{100 * conf_level:g}%"
    return ModelResult(
        f"GEE logistic, exchangeable working correlation, robust SE, Wald {level} CI",
        table,
        int(y.size),
        int(y.sum()),
        None,
        fit.converged,
        f"working correlation {alpha:.4f}",
    )
