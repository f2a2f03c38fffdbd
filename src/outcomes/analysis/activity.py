"""Disease activity over time: values and change from baseline by visit and dose level, and a
linear mixed model of the change.

Input: ``advisit`` (one row per assessment; ANL01FL marks the record of each scheduled visit,
ABLFL the baseline) and ``adsl`` (baseline glucocorticoid dose). Output grain: one row per
parameter × visit × dose level (descriptive), one row per model term (mixed model).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import polars as pl

from outcomes.analysis._checks import check_columns
from outcomes.analysis.km import _z
from outcomes.analysis.lmm import fit_random_intercept
from outcomes.analysis.results import ModelResult
from outcomes.errors import InputDataError

#: Quantile definition used for medians and quartiles (R ``quantile(type = 7)``, linear).
QUANTILE_METHOD = "quantiles: linear interpolation (R type 7; SAS PCTLDEF=5 differs)"


def create_change_from_baseline(
    advisit: pl.DataFrame | pl.LazyFrame,
    *,
    params: Sequence[str],
    adsl: pl.DataFrame | None = None,
    base_from_adsl: Mapping[str, str] | None = None,
) -> pl.DataFrame:
    """Long frame of scheduled-visit values with baseline and change from baseline.

    One row per subject × parameter × analysis visit, taken from the record chosen for the
    visit (``ANL01FL``) plus the baseline record (``ABLFL``; endpoints.md §16.5). BASE is the
    baseline record's value, or for parameters in ``base_from_adsl`` an ``adsl`` column (the
    glucocorticoid dose: GCDOSEBL, the SLE dose on LDSTDT − 1, §16.5). CHG = AVAL − BASE; null
    when either is missing.

    A lazy ``advisit`` (e.g. ``pl.scan_parquet``) is read only for the chosen records and the
    columns above, so one parameter at a time costs the memory of that parameter alone.

    Returns
    -------
    pl.DataFrame
        ``USUBJID, DOSELVL, PARAMCD, AVISIT, AVISITN, ADY, AVAL, BASE, CHG, SRCDOM, SRCSEQ``,
        sorted by PARAMCD, USUBJID, AVISITN.
    """
    keys = ["USUBJID", "DOSELVL", "AVISIT", "AVISITN", "ADY", "SRCDOM", "SRCSEQ"]
    source = advisit.lazy()
    _check_flags(source, where="create_change_from_baseline")
    present = source.collect_schema().names()
    absent = [p for p in params if p not in present]
    if absent:
        raise InputDataError(
            f"create_change_from_baseline: advisit lacks parameter column(s) {absent}."
        )
    chosen = source.filter(pl.col("ANL01FL") | pl.col("ABLFL"))
    long = chosen.select(*keys, "ABLFL", *[pl.col(p).cast(pl.Float64) for p in params]).unpivot(
        index=[*keys, "ABLFL"], on=list(params), variable_name="PARAMCD", value_name="AVAL"
    )
    base = (
        long.filter(pl.col("ABLFL"))
        .group_by("USUBJID", "PARAMCD")
        .agg(pl.col("AVAL").last().alias("BASE"))
    )
    out = long.join(base, on=["USUBJID", "PARAMCD"], how="left")
    if base_from_adsl:
        out = _override_base(out, adsl, base_from_adsl)
    return (
        out.with_columns((pl.col("AVAL") - pl.col("BASE")).alias("CHG"))
        .select(
            "USUBJID",
            "DOSELVL",
            "PARAMCD",
            "AVISIT",
            "AVISITN",
            "ADY",
            "AVAL",
            "BASE",
            "CHG",
            "SRCDOM",
            "SRCSEQ",
        )
        .sort("PARAMCD", "USUBJID", "AVISITN", maintain_order=True)
        .collect()
    )


def _check_flags(source: pl.LazyFrame, *, where: str) -> None:
    """:func:`check_columns` of USUBJID, ANL01FL and ABLFL, loading them only when one is
    absent or has a missing value (the counts come from the scan)."""
    columns = ["USUBJID", "ANL01FL", "ABLFL"]
    present = source.collect_schema().names()
    if any(c not in present for c in columns):
        check_columns(source.head(0).collect(), columns=columns, where=where)
    if any(source.select(pl.col(columns).null_count()).collect().row(0)):
        check_columns(source.select(columns).collect(), columns=columns, where=where)


def _override_base(
    long: pl.LazyFrame, adsl: pl.DataFrame | None, base_from_adsl: Mapping[str, str]
) -> pl.LazyFrame:
    """BASE of each mapped parameter replaced by its adsl column (e.g. GCDOSE ← GCDOSEBL)."""
    where = "create_change_from_baseline"
    if adsl is None:
        raise InputDataError(f"{where}: base_from_adsl needs adsl.")
    check_columns(adsl, columns=["USUBJID"], where=where)
    absent = {p: c for p, c in base_from_adsl.items() if c not in adsl.columns}
    if absent:
        raise InputDataError(f"{where}: adsl lacks the baseline column(s) {absent}.")
    over = pl.concat(
        adsl.select("USUBJID", pl.lit(p).alias("PARAMCD"), pl.col(c).cast(pl.Float64).alias("B2"))
        for p, c in base_from_adsl.items()
    )
    mapped = pl.col("PARAMCD").is_in(list(base_from_adsl))
    return (
        long.join(over.lazy(), on=["USUBJID", "PARAMCD"], how="left", maintain_order="left")
        .with_columns(pl.when(mapped).then(pl.col("B2")).otherwise(pl.col("BASE")).alias("BASE"))
        .drop("B2")
    )


def summarize_continuous(df: pl.DataFrame, *, value: str, by: Sequence[str]) -> pl.DataFrame:
    """n, mean, SD, median, Q1, Q3, min and max of ``value`` per combination of ``by``.

    Missing values are excluded (``n`` counts non-missing). SD uses n − 1 and is null for n < 2;
    all statistics are null for n = 0. Quartiles: R type 7 (linear interpolation).

    Returns
    -------
    pl.DataFrame
        ``*by, n, mean, sd, median, q1, q3, min, max, method``, sorted by ``by``.
    """
    v = pl.col(value).drop_nulls()
    return (
        df.group_by(list(by))
        .agg(
            v.count().cast(pl.Int64).alias("n"),
            v.mean().alias("mean"),
            v.std(ddof=1).alias("sd"),
            v.median().alias("median"),
            v.quantile(0.25, interpolation="linear").alias("q1"),
            v.quantile(0.75, interpolation="linear").alias("q3"),
            v.min().cast(pl.Float64).alias("min"),
            v.max().cast(pl.Float64).alias("max"),
        )
        .with_columns(pl.lit(QUANTILE_METHOD).alias("method"))
        .sort(list(by))
    )


MIXED_ASSUMPTIONS = (
    "linear mixed model CHG ~ months (+ dose level when several), random intercept per subject, "
    "REML; assumes a linear mean trend in time, normal residuals and random intercepts, an "
    "exchangeable within-subject correlation and data missing at random; exploratory with few "
    "subjects per dose level"
)


def _wald_table(
    terms: list[str], beta: np.ndarray, se: np.ndarray, *, usable: bool, conf_level: float
) -> pl.DataFrame:
    """Wald table of fixed effects; all numbers null when the fit is not usable."""
    from scipy import stats

    z = _z(conf_level)
    ok = usable and bool(np.all(np.isfinite(se)))
    b, s = (beta, se) if ok else (np.full(beta.size, np.nan), np.full(beta.size, np.nan))
    return pl.DataFrame(
        {
            "term": terms,
            "coef": b,
            "se": s,
            "ratio": [None] * b.size,
            "lower": b - z * s,
            "upper": b + z * s,
            "z": b / s,
            "p": 2 * stats.norm.sf(np.abs(b / s)),
        },
        schema_overrides={"ratio": pl.Float64},
    ).with_columns(pl.col(pl.Float64).fill_nan(None))


def analyze_mixed_change(
    df: pl.DataFrame,
    *,
    response: str,
    time: str,
    subject: str,
    covariates: Sequence[str] = (),
    conf_level: float = 0.95,
) -> ModelResult:
    """Linear mixed model of change from baseline over time with a random intercept per subject.

    y_ij = β0 + β1·time_ij + γ'x_i + u_i + ε_ij, u_i ~ N(0, τ²), ε_ij ~ N(0, σ²), fitted by REML
    from per-subject sums (:func:`~outcomes.analysis.lmm.fit_random_intercept`, the estimator
    of statsmodels ``MixedLM``, in time linear in the rows). Wald CIs from the model-based
    standard errors sqrt(diag((X'V⁻¹X)⁻¹)) at the REML variances, as ``nlme::lme``. The model's
    assumptions and limits are stated in ``note`` and printed with the result.

    Returns
    -------
    ModelResult
        ``table``: term, coef, se, ratio (null: not a ratio scale), lower, upper, z, p; the
        variance components in ``note``. Raises when fewer than two subjects have data.

    References
    ----------
    Laird & Ware, Biometrics 1982;38:963-74. Compared with R ``nlme::lme(chg ~ time,
    random = ~ 1 | id, method = "REML")``.
    """
    where = "analyze_mixed_change"
    used = list(dict.fromkeys([subject, time, response, *covariates]))
    data = df.select(used).drop_nulls().sort(subject, time)
    if data.get_column(subject).n_unique() < 2:
        raise InputDataError(f"{where}: fewer than two subjects with {response}; no model fitted.")
    x = data.select(pl.col(c).cast(pl.Float64) for c in (time, *covariates)).to_numpy()
    x = np.column_stack([np.ones(data.height), x])
    groups = data.get_column(subject).rle_id().to_numpy()  # sorted: one id per subject
    fit = fit_random_intercept(x, data.get_column(response).cast(pl.Float64).to_numpy(), groups)
    tau2, sigma2 = fit.tau2, fit.sigma2
    usable = bool(np.isfinite(fit.loglik)) and np.isfinite(tau2) and sigma2 > 0
    se = np.sqrt(np.diag(np.linalg.inv(fit.xtvx))) if usable else np.full(fit.beta.size, np.nan)
    usable = usable and bool(np.all(np.isfinite(se)))
    terms = ["(Intercept)", time, *covariates]
    table = _wald_table(terms, fit.beta, se, usable=usable, conf_level=conf_level)
    note = f"{MIXED_ASSUMPTIONS}; tau^2 = {tau2:.4g}, sigma^2 = {sigma2:.4g}"
    if not usable:
        note += "; the fit failed (non-finite likelihood or standard errors): no estimates"
    return ModelResult(
        f"MixedLM REML, Wald {100 * conf_level:g}% CI",
        table,
        data.height,
        data.get_column(subject).n_unique(),
        fit.loglik if usable else None,
        usable,
        note,
    )
