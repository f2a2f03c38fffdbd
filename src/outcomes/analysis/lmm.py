"""Linear mixed model with a random intercept per subject, fitted by REML from per-subject sums.

With one random intercept the marginal covariance of subject i is V_i = σ²(I + λJ), λ = τ²/σ²,
whose inverse is (I − c_i J)/σ² with c_i = λ / (1 + n_i λ). Every quantity of the REML
criterion is then a function of X'X, X'y, y'y and the per-subject sums of X and y, so the
fit costs one pass over the rows and a one-dimensional root search for λ (the fixed effects
and σ² are profiled out), whatever the number of subjects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy.optimize import brentq

#: Largest variance ratio τ²/σ² searched; beyond it the within-subject variance is negligible.
_MAX_RATIO = 1e12


@dataclass(frozen=True)
class RandomInterceptFit:
    """REML estimates of y = Xβ + u_subject + ε.

    Attributes
    ----------
    beta
        Fixed effects (GLS at the REML variances).
    tau2, sigma2
        Random-intercept and residual variances.
    loglik
        REML log likelihood (as ``nlme::lme(method = "REML")``).
    xtvx
        X'V⁻¹X at the estimate (its inverse is the model-based covariance of ``beta``).
    """

    beta: np.ndarray
    tau2: float
    sigma2: float
    loglik: float
    xtvx: np.ndarray


class _SubjectSums:
    """X'X, X'y, y'y and per-subject row counts and sums of X and y."""

    def __init__(self, x: np.ndarray, y: np.ndarray, subject: np.ndarray) -> None:
        # subject codes 0..G-1 in sorted order (as np.unique's inverse), by a sort in polars
        inv = pl.Series(subject).rank("dense").to_numpy().astype(np.int64) - 1
        groups = int(inv.max()) + 1
        self.n = np.bincount(inv, minlength=groups).astype(float)
        sx = np.zeros((groups, x.shape[1]))
        np.add.at(sx, inv, x)
        sy = np.bincount(inv, weights=y, minlength=groups)
        self.p = x.shape[1]
        # per subject: s_i s_i' (flattened), s_i t_i and t_i², so each Σ_i w_i(...) is one product
        self.sxx = np.einsum("gi,gj->gij", sx, sx).reshape(groups, -1)
        self.sxy, self.syy = sx * sy[:, None], sy**2
        self.xtx, self.xty, self.yty = x.T @ x, x.T @ y, float(y @ y)
        self.nobs = x.shape[0]

    def between(self, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
        """Σ_i w_i s_i s_i', Σ_i w_i s_i t_i and Σ_i w_i t_i² (s_i, t_i: subject sums of X, y)."""
        return (
            (weight @ self.sxx).reshape(self.p, self.p),
            weight @ self.sxy,
            float(weight @ self.syy),
        )

    def criterion(self, ratio: float) -> tuple[float, float, np.ndarray, np.ndarray, float]:
        """−2 REML log likelihood less (N − p)(1 + log 2π), and its derivative in λ; then β,
        X'H⁻¹X and σ² at λ (H = V/σ²)."""
        c = ratio / (1 + self.n * ratio)
        ba, bb, bq = self.between(c)
        a, b, q = self.xtx - ba, self.xty - bb, self.yty - bq
        beta = np.linalg.solve(a, b)
        rss = q - float(b @ beta)
        dof = self.nobs - self.p
        dc = 1 / (1 + self.n * ratio) ** 2
        da, db, dq = (-v for v in self.between(dc))
        drss = dq - 2 * float(db @ beta) + float(beta @ da @ beta)
        logdet_h = float(np.sum(np.log1p(self.n * ratio)))
        value = dof * np.log(rss / dof) + logdet_h + float(np.linalg.slogdet(a)[1])
        deriv = dof * drss / rss + float(np.sum(self.n / (1 + self.n * ratio)))
        deriv += float(np.trace(np.linalg.solve(a, da)))
        return value, deriv, beta, a, rss / dof


def fit_random_intercept(x: np.ndarray, y: np.ndarray, subject: np.ndarray) -> RandomInterceptFit:
    """REML fit of a linear model with a random intercept per ``subject``.

    The profiled REML criterion is minimised over λ = τ²/σ² >= 0 by a root search of its
    derivative (Brent, to machine precision); λ = 0 (τ² on the boundary) when the derivative is
    non-negative there. Same estimator as statsmodels ``MixedLM(..., groups).fit(reml=True)``
    and R ``nlme::lme(y ~ x, random = ~ 1 | subject, method = "REML")``.

    References
    ----------
    Laird & Ware, Biometrics 1982;38:963-74. Harville, JASA 1977;72:320-38 (REML).
    """
    sums = _SubjectSums(x, y, subject)
    if sums.criterion(0.0)[1] >= 0:
        ratio = 0.0
    else:
        high = 1.0
        while sums.criterion(high)[1] < 0 and high < _MAX_RATIO:
            high *= 4
        ratio = (
            brentq(lambda r: sums.criterion(r)[1], 0.0, high, xtol=1e-14, rtol=1e-15)
            if sums.criterion(high)[1] >= 0
            else high
        )
    value, _, beta, a, sigma2 = sums.criterion(ratio)
    dof = sums.nobs - sums.p
    loglik = -0.5 * (value + dof * (1 + np.log(2 * np.pi)))
    return RandomInterceptFit(beta, ratio * sigma2, sigma2, float(loglik), a / sigma2)
