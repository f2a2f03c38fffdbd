"""Typed, frozen results of the analysis functions (tests and models).

Curves and tables of estimates are returned as polars frames; a test or a model is returned as
one of these dataclasses, each with the method text that is printed beside the result.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import polars as pl

from outcomes.errors import InputDataError


@dataclass(frozen=True)
class TestResult:
    """A hypothesis test.

    Attributes
    ----------
    method
        What was computed, e.g. ``"log-rank test (survdiff, rho = 0)"``.
    statistic, df, p
        Chi-square (or z) statistic, degrees of freedom, two-sided p-value; ``None`` when the test
        is not defined for the data (``note`` says why).
    table
        Per-group detail (e.g. observed and expected events); may be empty.
    note
        Empty, or why the statistic is missing.
    """

    __test__ = False

    method: str
    statistic: float | None
    df: int | None
    p: float | None
    table: pl.DataFrame
    note: str = ""

    def to_frame(self) -> pl.DataFrame:
        """One row: ``method, statistic, df, p, note``."""
        return pl.DataFrame(
            {
                "method": [self.method],
                "statistic": [self.statistic],
                "df": [self.df],
                "p": [self.p],
                "note": [self.note],
            },
            schema={
                "method": pl.String,
                "statistic": pl.Float64,
                "df": pl.Int64,
                "p": pl.Float64,
                "note": pl.String,
            },
        )


@dataclass(frozen=True)
class ModelResult:
    """A fitted regression model.

    Attributes
    ----------
    method
        Model, estimator and interval method, e.g. ``"Cox PH, Breslow ties, Wald CI"``.
    table
        ``term, coef, se, <ratio>, lower, upper, z, p`` where the exp(coef) column is named ``hr``
        for Cox models and ``ratio`` (an odds ratio) for logistic models.
    n, n_event
        Observations used and events (responders for a logistic model).
    loglik
        Log (partial or penalised) likelihood at the estimate; null when not applicable.
    converged
        Whether the fit met its convergence criterion.
    note
        Empty, or a warning about the fit (separation, infinite coefficient, ...).
    """

    method: str
    table: pl.DataFrame
    n: int
    n_event: int
    loglik: float | None
    converged: bool
    note: str = ""


_Fitted = TypeVar("_Fitted", bound=Any)


def fit_or_note(fit: Callable[[], _Fitted]) -> tuple[_Fitted | None, str]:
    """Run a model fit; a data problem or a numerical failure becomes a note, not a crash.

    Returns the result (None when it could not be fitted) and its note: the result's own note
    and every warning raised while fitting, or ``not fitted: <reason>`` for an input the model
    cannot use (:class:`~outcomes.errors.InputDataError`), a singular matrix or a value error.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            res = fit()
        except (InputDataError, np.linalg.LinAlgError, ValueError) as exc:
            return None, f"not fitted: {exc}"
    return res, "; ".join([res.note, *sorted({str(w.message) for w in caught})]).strip("; ")
