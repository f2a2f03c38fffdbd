"""Optimal biological dose: toxicity and efficacy rates per dose level, isotonic estimates, a
utility score in the manner of BOIN12 / U-BOIN, and the recommended dose with its rule.

Input: one row per subject of the safety set with its dose level (label and 1-based order) and
two tri-state flags: dose-limiting toxicity and efficacy (null = not evaluable). Output grain:
one row per dose level.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from outcomes.analysis.binomial import binomial_ci
from outcomes.analysis.params import ObdParams
from outcomes.errors import InputDataError


@dataclass(frozen=True)
class ObdResult:
    """Per-dose table and the recommendation.

    Attributes
    ----------
    table
        ``DOSELVL, DOSELVLN, n, n_toxev, n_tox, n_effev, n_eff, tox_rate, tox_lower,
        tox_upper, tox_iso, eff_rate, eff_lower, eff_upper, eff_iso, utility, admissible``
        (``n_toxev``/``n_effev``: subjects evaluable for toxicity/efficacy).
    recommended
        The recommended dose level, or ``None`` when no dose is admissible.
    rule
        The rule that chose it, in words, with its configured values.
    method
        Interval, isotonic and utility methods.
    """

    table: pl.DataFrame
    recommended: str | None
    rule: str
    method: str


def compute_pava(values: Sequence[float | None], weights: Sequence[float]) -> list[float | None]:
    """Weighted pool-adjacent-violators: the non-decreasing fit closest in weighted least squares.

    Doses without subjects (weight 0 or value ``None``) are skipped and keep ``None``.

    References
    ----------
    Barlow, Bartholomew, Bremner & Brunk, Statistical Inference under Order Restrictions, 1972.
    """
    idx = [
        i for i, (v, w) in enumerate(zip(values, weights, strict=True)) if v is not None and w > 0
    ]
    blocks: list[list[float]] = []  # [weighted mean, weight, count]
    for i in idx:
        blocks.append([float(values[i]), float(weights[i]), 1.0])  # type: ignore[arg-type]
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2, c2 = blocks.pop()
            m1, w1, c1 = blocks.pop()
            blocks.append([(m1 * w1 + m2 * w2) / (w1 + w2), w1 + w2, c1 + c2])
    fitted = [m for m, _, c in blocks for _ in range(int(c))]
    out: list[float | None] = [None] * len(values)
    for i, v in zip(idx, fitted, strict=True):
        out[i] = v
    return out


def analyze_obd(
    df: pl.DataFrame, *, tox: str, eff: str, dose_levels: Sequence[str], params: ObdParams
) -> ObdResult:
    """Toxicity and efficacy per dose level and the recommended optimal biological dose.

    Rates use the subjects evaluable for each flag, with exact Clopper–Pearson intervals.
    Isotonic estimates: toxicity non-decreasing in dose (always); efficacy non-decreasing when
    ``params.eff_isotonic`` (else the observed rates), by weighted PAVA (weights = n). The
    utility of a dose is Σ u(t, e)·P(t)·P(e) over (tox, eff) ∈ {0, 1}², with the isotonic rates
    and the configured utility table (U-BOIN / BOIN12 scale 0-100). Admissible: isotonic toxicity
    <= ``tox_rate_le`` and isotonic efficacy >= ``eff_rate_ge``. Recommended: the admissible dose
    with the highest utility; ties go to the lower dose.

    Returns
    -------
    ObdResult
        One row per configured dose level (a level without subjects has n = 0, null rates and is
        not admissible); the recommendation and its rule in words.

    References
    ----------
    Lin, Zhou, Yuan et al., JCO Precis Oncol 2020;4:PO.20.00097 (BOIN12). Zhou, Lee, Yuan,
    Stat Med 2019;38:5299-316 (U-BOIN). Endpoints.md §16.18 (toxicity window Day 0-28).
    """
    for col in ("DOSELVL", tox, eff):
        if col not in df.columns:
            raise InputDataError(f"analyze_obd: column {col} is missing.")
    table = _estimates(_dose_counts(df, tox=tox, eff=eff, dose_levels=dose_levels), params)
    best = table.filter(pl.col("admissible")).sort(
        ["utility", "DOSELVLN"], descending=[True, False]
    )
    recommended = best["DOSELVL"][0] if best.height else None
    rule = (
        f"highest utility among doses with isotonic toxicity <= {params.tox_rate_le} and "
        f"isotonic efficacy >= {params.eff_rate_ge}; ties to the lower dose"
        + ("" if recommended else "; no dose is admissible")
    )
    u = params.utility
    method = (
        f"Clopper-Pearson exact {100 * params.conf_level:g}% CI; weighted PAVA (weights = n "
        f"evaluable) for toxicity{' and efficacy' if params.eff_isotonic else ''}; utility "
        f"(tox, eff) = (0,1): {u['tox0_eff1']:g}, (0,0): {u['tox0_eff0']:g}, (1,1): "
        f"{u['tox1_eff1']:g}, (1,0): {u['tox1_eff0']:g}, independence of toxicity and efficacy"
    )
    return ObdResult(table.select(TABLE_COLUMNS), recommended, rule, method)


#: Columns of :attr:`ObdResult.table`, in order.
TABLE_COLUMNS: tuple[str, ...] = (
    "DOSELVL", "DOSELVLN", "n", "n_toxev", "n_tox", "n_effev", "n_eff", "tox_rate", "tox_lower",
    "tox_upper", "tox_iso", "eff_rate", "eff_lower", "eff_upper", "eff_iso", "utility",
    "admissible",
)  # fmt: skip


def _dose_counts(
    df: pl.DataFrame, *, tox: str, eff: str, dose_levels: Sequence[str]
) -> pl.DataFrame:
    """Subjects, evaluable subjects and events per configured dose level (0 where none)."""
    levels = pl.DataFrame(
        {"DOSELVL": list(dose_levels), "DOSELVLN": list(range(1, len(dose_levels) + 1))}
    )
    counts = df.group_by("DOSELVL").agg(
        pl.len().cast(pl.Int64).alias("n"),
        pl.col(tox).is_not_null().sum().cast(pl.Int64).alias("n_toxev"),
        pl.col(tox).cast(pl.Int64).sum().cast(pl.Int64).alias("n_tox"),
        pl.col(eff).is_not_null().sum().cast(pl.Int64).alias("n_effev"),
        pl.col(eff).cast(pl.Int64).sum().cast(pl.Int64).alias("n_eff"),
    )
    return (
        levels.join(counts, on="DOSELVL", how="left")
        .with_columns(pl.col("n", "n_toxev", "n_tox", "n_effev", "n_eff").fill_null(0))
        .sort("DOSELVLN")
    )


def _estimates(counts: pl.DataFrame, params: ObdParams) -> pl.DataFrame:
    """Rates with exact CIs, isotonic estimates, utility and admissibility per dose level."""
    cols: dict[str, list[float | None]] = {}
    for kind in ("tox", "eff"):
        cis = [
            binomial_ci(x, m, method="exact", conf_level=params.conf_level)
            for x, m in zip(counts[f"n_{kind}"], counts[f"n_{kind}ev"], strict=True)
        ]
        rate = [c[0] for c in cis]
        cols[f"{kind}_rate"], cols[f"{kind}_lower"] = rate, [c[1] for c in cis]
        cols[f"{kind}_upper"] = [c[2] for c in cis]
        weights = counts[f"n_{kind}ev"].cast(pl.Float64).to_list()
        monotone = kind == "tox" or params.eff_isotonic
        cols[f"{kind}_iso"] = compute_pava(rate, weights) if monotone else rate
    t_iso, e_iso, u = pl.col("tox_iso"), pl.col("eff_iso"), params.utility
    utility = (
        (1 - t_iso) * e_iso * u["tox0_eff1"]
        + (1 - t_iso) * (1 - e_iso) * u["tox0_eff0"]
        + t_iso * e_iso * u["tox1_eff1"]
        + t_iso * (1 - e_iso) * u["tox1_eff0"]
    )
    admissible = (t_iso <= params.tox_rate_le) & (e_iso >= params.eff_rate_ge)
    return counts.with_columns(
        pl.Series(k, v, dtype=pl.Float64) for k, v in cols.items()
    ).with_columns(utility.alias("utility"), admissible.fill_null(False).alias("admissible"))
