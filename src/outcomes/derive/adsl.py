"""ADSL — one row per enrolled subject: treatment, analysis sets, baseline, disposition.

Inputs: validated ``subjects``; ``adam/advisit`` (baseline and last assessment); eligibility
(one row per subject with ``ELIGFL``, from ``outcomes.eligibility.create_eligibility``); the
baseline glucocorticoid dose (one row per subject with ``GCDOSEBL``, medications stage).
Output grain: one row per subject, in the order of ``subjects``; ``SRCDOM = SUBJECTS`` and
``SRCSEQ`` (the subject's row in the export).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from outcomes.schemas.adam import ADSL

#: Baseline copies of advisit scores written to adsl (docs/architecture.md).
BASELINE_SCORES: dict[str, str] = {
    "SLEDAI2K": "SLEDAIBL",
    "SELENA": "SELENABL",
    "CSLEDAI": "CSLEDBL",
    "BILAGSC": "BILAGBL",
    "PGA": "PGABL",
}

#: Column order of adsl: the order of its schema (the data dictionary).
ADSL_ORDER: tuple[str, ...] = tuple(ADSL.columns)


def create_baseline_summary(advisit: pl.LazyFrame) -> pl.LazyFrame:
    """One row per subject with a baseline: BLDT, BLSEQ and the baseline scores (§16.5)."""
    return advisit.filter(pl.col("ABLFL")).select(
        "USUBJID",
        pl.col("ADT").alias("BLDT"),
        pl.col("SRCSEQ").alias("BLSEQ"),
        *[pl.col(src).alias(dst) for src, dst in BASELINE_SCORES.items()],
    )


def create_adsl(
    subjects: pl.LazyFrame,
    *,
    advisit: pl.LazyFrame,
    eligibility: pl.LazyFrame,
    gc_baseline: pl.LazyFrame,
    dose_levels: Sequence[str],
    data_cut: dt.date,
) -> pl.LazyFrame:
    """Build ADSL.

    Analysis sets (§16.19): ``SAFFL`` = infused (INFDT present); ``EFFFL`` = SAFFL and a
    baseline assessment exists (§16.5); ``ELIGFL`` = eligibility per §10 (null when not
    assessable). ``DOSELVLN`` is the 1-based position of DOSELVL in ``study.dose_levels``.
    ``DTHFL`` = a death date is recorded. ``LSTASMDT`` = last assessment on or before the cut.

    Parameters
    ----------
    subjects
        Validated subjects table.
    advisit
        ADVISIT (its ``ABLFL`` record gives BLDT, BLSEQ and the baseline scores).
    eligibility
        ``USUBJID, ELIGFL`` (Boolean), one row per subject.
    gc_baseline
        ``USUBJID, GCDOSEBL``: SLE glucocorticoid pred-eq on LDSTDT − 1 (INFDT − 1), §16.5.
    dose_levels
        Configured dose levels, lowest first.
    data_cut
        The data cut date (``DCUTDT``).

    Returns
    -------
    pl.LazyFrame
        One row per subject, columns :data:`ADSL_ORDER`.

    References
    ----------
    endpoints.md §4.3, §10, §16.5, §16.19; data-contract.md §3.
    """
    order = {level: i + 1 for i, level in enumerate(dose_levels)}
    last = advisit.group_by("USUBJID").agg(pl.col("ADT").max().alias("LSTASMDT"))
    if "QRYFL" not in subjects.collect_schema().names():
        subjects = subjects.with_columns(pl.lit(None, dtype=pl.String).alias("QRYFL"))
    joined = (
        subjects.drop("ROW", strict=False)
        .join(create_baseline_summary(advisit), on="USUBJID", how="left", maintain_order="left")
        .join(last, on="USUBJID", how="left", maintain_order="left")
        .join(
            eligibility.select("USUBJID", "ELIGFL"), on="USUBJID", how="left", maintain_order="left"
        )
        .join(
            gc_baseline.select("USUBJID", "GCDOSEBL"),
            on="USUBJID",
            how="left",
            maintain_order="left",
        )
    )
    return joined.with_columns(
        pl.col("DOSELVL")
        .replace_strict(order, default=None, return_dtype=pl.Int64)
        .alias("DOSELVLN"),
        pl.col("INFDT").alias("TRTSDT"),
        pl.col("INFDT").is_not_null().alias("SAFFL"),
        (pl.col("INFDT").is_not_null() & pl.col("BLDT").is_not_null()).alias("EFFFL"),
        pl.col("ELIGFL").cast(pl.Boolean),
        pl.lit(data_cut, dtype=pl.Date).alias("DCUTDT"),
        pl.col("DTHDT").is_not_null().alias("DTHFL"),
    ).select(ADSL_ORDER)
