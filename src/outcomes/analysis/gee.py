"""GEE for a binary response with an exchangeable working correlation, in whole-array passes.

The estimating equations, the moment estimates of the working correlation and the iteration
are those of statsmodels ``GEE(..., family=Binomial(), cov_struct=Exchangeable())`` with
``fit(ddof_scale=0, scale="X2")``; the inverse of the exchangeable working correlation of a
subject with k rows is R⁻¹ = (I − c_k J) / (1 − α), c_k = α / ((1 − α)(1 + (k − 1)α)), so each
step is a few sums per subject instead of a Python loop over subjects.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from outcomes.analysis.patterns import create_patterns


@dataclass(frozen=True)
class GeeFit:
    """Estimates, robust (sandwich) covariance, working correlation and convergence of a GEE."""

    params: np.ndarray
    cov_robust: np.ndarray
    alpha: float
    converged: bool


class _Clusters:
    """Rows sorted by subject: start of each subject's block and its row count."""

    def __init__(self, subject: np.ndarray) -> None:
        change = np.flatnonzero(subject[1:] != subject[:-1]) + 1
        self.starts = np.concatenate([[0], change])
        self.size = np.diff(np.append(self.starts, subject.size)).astype(float)
        self.rows = np.repeat(self.size, self.size.astype(int))

    def sums(self, values: np.ndarray) -> np.ndarray:
        """Per-subject sums of the rows (or columns) of ``values``."""
        return np.add.reduceat(values, self.starts, axis=0)

    def spread(self, per_subject: np.ndarray) -> np.ndarray:
        """Per-subject values repeated on every row of the subject."""
        return np.repeat(per_subject, self.size.astype(int), axis=0)


def _solve(clusters: _Clusters, alpha: float, sdev: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """V⁻¹ rhs for every subject, V = A^½ R A^½ (statsmodels ``covariance_matrix_solve``)."""
    c = alpha / (1.0 - alpha) / (1.0 + alpha * (clusters.rows - 1))
    if rhs.ndim == 1:
        x1 = rhs / sdev
        return (x1 / (1.0 - alpha) - c * clusters.spread(clusters.sums(x1))) / sdev
    x1 = rhs / sdev[:, None]
    out = x1 / (1.0 - alpha) - c[:, None] * clusters.spread(clusters.sums(x1))
    return out / sdev[:, None]


def _moment_alpha(clusters: _Clusters, pearson: np.ndarray) -> float:
    """Exchangeable correlation by moments: Σ_pairs r_ij r_ik / (φ · pairs), φ = Σr²/N."""
    ssr = clusters.sums(pearson**2)
    pairs = float(np.sum(0.5 * clusters.size * (clusters.size - 1)))
    scale = float(np.sum(ssr)) / pearson.size
    if pairs == 0 or scale == 0:
        raise ValueError(
            "the exchangeable correlation is not estimable: no subject has two visits with "
            "residual variation"
        )
    return float(np.sum((clusters.sums(pearson) ** 2 - ssr) / 2)) / scale / pairs


def fit_gee_exchangeable(
    x: np.ndarray, y: np.ndarray, subject: np.ndarray, *, maxiter: int = 100, ctol: float = 1e-6
) -> GeeFit:
    """Marginal logistic model by GEE, exchangeable working correlation (rows sorted by subject).

    Start: the independence (GLM) fit, on the distinct covariate patterns with their counts
    as frequency weights (the same likelihood as row by row). Then, as statsmodels: one
    Fisher-scoring step of β with the current α, stop when the norm of the score is below
    ``ctol`` after at least one update of α, else update α by moments (φ = Σr²/N,
    α = Σ_pairs r_ij r_ik / (φ · pairs), r the Pearson residuals). Robust covariance
    B⁻¹(Σ_i U_i U_i')B⁻¹ at the estimate.

    References
    ----------
    Liang & Zeger, Biometrika 1986;73:13-22. statsmodels ``GEE.fit``.
    """
    from statsmodels.genmod.families import Binomial
    from statsmodels.genmod.generalized_linear_model import GLM
    from statsmodels.tools.sm_exceptions import IterationLimitWarning

    family = Binomial()
    clusters = _Clusters(subject)
    px, py, count = create_patterns(x, y)
    start = GLM(py, px, family=family, freq_weights=count).fit()
    params = np.asarray(start.params, dtype=float)
    alpha, score_norm = 0.0, -1.0

    def state(beta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        lpr = x @ beta
        mean = family.link.inverse(lpr)
        return mean, x * family.link.inverse_deriv(lpr)[:, None], np.sqrt(family.variance(mean))

    mean, dmat, sdev = state(params)
    for iteration in range(maxiter):
        resid = y - mean
        bmat = dmat.T @ _solve(clusters, alpha, sdev, dmat)
        score = dmat.T @ _solve(clusters, alpha, sdev, resid)
        try:
            update = np.linalg.solve(bmat, score)
        except np.linalg.LinAlgError:
            update = np.linalg.pinv(bmat) @ score
        params = params + update
        mean, dmat, sdev = state(params)
        score_norm = float(np.sqrt(np.sum(score**2)))
        if score_norm < ctol and iteration > 0:  # α updated at least once
            break
        alpha = _moment_alpha(clusters, (y - mean) / sdev)
    converged = score_norm < ctol
    if not converged:
        warnings.warn(
            "Iteration limit reached prior to convergence", IterationLimitWarning, stacklevel=2
        )
    resid = y - mean
    bmat = dmat.T @ _solve(clusters, alpha, sdev, dmat)
    per_subject = clusters.sums(dmat * _solve(clusters, alpha, sdev, resid)[:, None])
    try:
        bmati = np.linalg.inv(bmat)
    except np.linalg.LinAlgError:
        bmati = np.linalg.pinv(bmat)
    return GeeFit(params, bmati @ (per_subject.T @ per_subject) @ bmati, alpha, converged)
