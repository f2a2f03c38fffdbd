"""Statistical analyses: survival, response, disease activity, safety, optimal biological dose.

Public API for notebooks and checks (docs/analysis-api.md): curves and estimates are polars
frames; tests and models are frozen results (:class:`TestResult`, :class:`ModelResult`).
"""

from typing import Any

from outcomes.imports import load_public

__all__ = [
    "ModelResult",
    "ObdResult",
    "TestResult",
    "analyze_mixed_change",
    "analyze_obd",
    "binomial_ci",
    "cochran_armitage",
    "compute_pava",
    "cox",
    "create_change_from_baseline",
    "cumulative_incidence",
    "fit_cox",
    "gee_binary",
    "kaplan_meier",
    "landmark_day",
    "landmark_rates",
    "logistic_regression",
    "logrank",
    "logrank_trend",
    "summarize_continuous",
    "summarize_proportions",
    "survival_quantile",
    "to_event",
]


def __getattr__(name: str) -> Any:
    """A public name of the package, its module imported on first use (``load_public``)."""
    return load_public(__name__, name, __all__, _load_public)


def _load_public() -> dict[str, Any]:
    from outcomes.analysis.activity import (
        analyze_mixed_change,
        create_change_from_baseline,
        summarize_continuous,
    )
    from outcomes.analysis.binomial import binomial_ci, cochran_armitage, summarize_proportions
    from outcomes.analysis.cif import cumulative_incidence
    from outcomes.analysis.cox import cox, fit_cox
    from outcomes.analysis.km import (
        kaplan_meier,
        landmark_day,
        landmark_rates,
        survival_quantile,
        to_event,
    )
    from outcomes.analysis.logistic import gee_binary, logistic_regression
    from outcomes.analysis.logrank import logrank, logrank_trend
    from outcomes.analysis.obd import ObdResult, analyze_obd, compute_pava
    from outcomes.analysis.results import ModelResult, TestResult

    return {
        "ModelResult": ModelResult,
        "ObdResult": ObdResult,
        "TestResult": TestResult,
        "analyze_mixed_change": analyze_mixed_change,
        "analyze_obd": analyze_obd,
        "binomial_ci": binomial_ci,
        "cochran_armitage": cochran_armitage,
        "compute_pava": compute_pava,
        "cox": cox,
        "create_change_from_baseline": create_change_from_baseline,
        "cumulative_incidence": cumulative_incidence,
        "fit_cox": fit_cox,
        "gee_binary": gee_binary,
        "kaplan_meier": kaplan_meier,
        "landmark_day": landmark_day,
        "landmark_rates": landmark_rates,
        "logistic_regression": logistic_regression,
        "logrank": logrank,
        "logrank_trend": logrank_trend,
        "summarize_continuous": summarize_continuous,
        "summarize_proportions": summarize_proportions,
        "survival_quantile": survival_quantile,
        "to_event": to_event,
    }
