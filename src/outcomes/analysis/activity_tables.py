"""Disease-activity tables: descriptive statistics by visit and dose level, and mixed models.

Input: ``advisit`` and ``adsl``. Output: an :class:`ActivityTables` (summary of AVAL and CHG per
PARAMCD × visit × dose level and OVERALL; mixed-model terms per configured parameter).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from outcomes.analysis._checks import OVERALL
from outcomes.analysis.activity import (
    analyze_mixed_change,
    create_change_from_baseline,
    summarize_continuous,
)
from outcomes.analysis.params import ActivityParams
from outcomes.analysis.results import fit_or_note

#: Months per study day for the mixed model's time axis (365/12 days per month, §16.18).
_MONTHS_PER_DAY = 12 / 365


@dataclass(frozen=True)
class ActivityTables:
    """Descriptive statistics (``summary``) and mixed-model terms (``mixed``)."""

    summary: pl.DataFrame
    mixed: pl.DataFrame


def _mixed(long: pl.DataFrame, param: str, conf_level: float) -> pl.DataFrame:
    sub = long.filter((pl.col("PARAMCD") == param) & (pl.col("AVISITN") > 0)).with_columns(
        (pl.col("ADY") * _MONTHS_PER_DAY).alias("MONTHS")
    )
    several = sub.get_column("DOSELVLN").drop_nulls().n_unique() > 1
    covariates = ["DOSELVLN"] if several else []
    res, note = fit_or_note(
        lambda: analyze_mixed_change(
            sub,
            response="CHG",
            time="MONTHS",
            subject="USUBJID",
            covariates=covariates,
            conf_level=conf_level,
        )
    )
    if res is None:
        return pl.DataFrame({"PARAMCD": [param], "note": [note]})
    return res.table.with_columns(
        pl.lit(param).alias("PARAMCD"),
        pl.lit(res.method).alias("method"),
        pl.lit(note).alias("note"),
        pl.lit(res.n).alias("n"),
    )


def _summary(long: pl.DataFrame, value: str) -> pl.DataFrame:
    """:func:`summarize_continuous` of ``value`` per PARAMCD × visit × dose level and OVERALL
    (each group's rows in the same order as in one frame of both, so the same sums)."""
    keys = ["PARAMCD", "AVISITN", "AVISIT", "DOSELVL"]
    rows = long.filter(pl.col("AVISITN").is_not_null()).select(*keys, value)
    parts = [rows, rows.with_columns(pl.lit(OVERALL).alias("DOSELVL"))]
    return (
        pl.concat([summarize_continuous(part, value=value, by=keys) for part in parts])
        .sort(keys)
        .with_columns(pl.lit(value).alias("STAT"))
    )


def analyze_disease_activity(
    advisit: pl.DataFrame | pl.LazyFrame, adsl: pl.DataFrame, *, params: ActivityParams
) -> ActivityTables:
    """Values and change from baseline by visit and dose level, and a mixed model of change.

    Scheduled-visit records (ANL01FL) and the baseline (ABLFL) of each configured parameter;
    BASE from the baseline record or, for GCDOSE, adsl GCDOSEBL (§16.5). n, mean, SD, median,
    quartiles (R type 7), min, max of AVAL and CHG per PARAMCD × visit × dose level and OVERALL.
    The mixed model: CHG after baseline ~ months since infusion (ADY × 12/365) (+ DOSELVLN when
    several dose levels), random intercept per subject (REML).

    One parameter at a time is read (``advisit`` may be lazy, e.g. ``pl.scan_parquet``: only
    the columns of :func:`create_change_from_baseline` are loaded), so the memory is that of
    one parameter, not of advisit; the tables are those of all parameters at once.
    """
    values = ("AVAL", "CHG")
    summaries: dict[str, list[pl.DataFrame]] = {v: [] for v in values}
    mixed: dict[str, pl.DataFrame] = {}
    dose = adsl.select("USUBJID", "DOSELVLN")
    empty: pl.DataFrame | None = None
    for param in sorted(set(params.params)) or [None]:
        long = create_change_from_baseline(
            advisit,
            params=[] if param is None else [param],
            adsl=adsl,
            base_from_adsl=params.base_from_adsl,
        ).join(dose, on="USUBJID", how="left")
        for v in values:
            summaries[v].append(_summary(long, v))
        if param in params.mixed_params:
            mixed[param] = _mixed(long, param, params.conf_level)
        empty = long.clear()
    keys = ["PARAMCD", "AVISITN", "AVISIT", "DOSELVL"]
    summary = pl.concat([pl.concat(summaries[v]) for v in values]).select(
        "PARAMCD", "AVISITN", "AVISIT", "DOSELVL", "STAT", pl.exclude(*keys, "STAT")
    )
    models = [
        mixed[p] if p in mixed else _mixed(empty, p, params.conf_level)  # type: ignore[arg-type]
        for p in params.mixed_params
    ]
    mixed_frame = (
        pl.concat(models, how="diagonal_relaxed")
        if models
        else pl.DataFrame({"PARAMCD": []}, schema={"PARAMCD": pl.String})
    )
    return ActivityTables(summary, mixed_frame.select("PARAMCD", pl.exclude("PARAMCD")))
