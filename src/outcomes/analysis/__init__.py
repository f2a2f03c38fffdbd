"""Statistical analyses: survival, response, disease activity, safety, optimal biological dose.

Public API for notebooks and checks (docs/analysis-api.md): curves and estimates are polars
frames; tests and models are frozen results (:class:`TestResult`, :class:`ModelResult`).
"""

from typing import Any

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
    """A public name of the package, importing its module on first use.

    Importing the package (or one of its modules, such as its ``params``, which the
    configuration check reads) does not load the statistics and schema libraries behind the
    public functions.
    """
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
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

    found = {
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
    globals().update(found)
    return found[name]
