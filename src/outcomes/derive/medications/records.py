"""ADCM: one row per medication record with class, attributes, active window and daily dose.

Name: create_adcm. Input: the typed, cut-filtered ``medications`` and ``subjects`` tables.
Output grain: one row per medication record, input order (derived/adcm.parquet,
docs/architecture.md). Rules: endpoints.md §8.1-§8.3, §16.6, §16.10, §16.11, §16.23, §16.24
and decisions D-22, D-23, D-24, D-33.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from outcomes.drugs import dictionary as dic
from outcomes.drugs import dose
from outcomes.drugs.exposure import compute_window
from outcomes.drugs.params import IS_BIO_CLASSES, MedicationParams

#: Columns of derived/adcm.parquet, in order.
ADCM_COLUMNS: tuple[str, ...] = (
    "USUBJID",
    "SRCDOM",
    "SRCSEQ",
    "CMTRT",
    "DRUG",
    "CLASS",
    "DICTFL",
    "CMINDC",
    "INDCGRP",
    "CMROUTE",
    "CMDOSE",
    "CMDOSU",
    "CMDOSFRQ",
    "CMSTDT",
    "CMENDT",
    "SYSTEMFL",
    "EXPOFL",
    "SLEFL",
    "CARTTXFL",
    "GCFL",
    "ASTDT",
    "AENDT",
    "DAILYMG",
    "PREDEQ",
    "OVRFL",
    "NEWFL",
    "DOSEUPFL",
)


def compute_gc_counted(*, params: MedicationParams) -> pl.Expr:
    """``GCFL``: a systemic glucocorticoid record that counts in ``GCDOSE`` (§8.1, §8.3, E-09).

    Glucocorticoids (class GC_SYSTEMIC, or CART_TOXICITY_MGMT for a dictionary glucocorticoid)
    by a systemic route count, CRS/ICANS steroids included. With
    ``exclude_adrenal_replacement_le_pred_eq`` set, a record for adrenal insufficiency whose
    pred-eq mg/day is at or below it is left out (D-24, E-16). Needs ``DRUG``, ``CLASS``,
    ``SYSTEMFL``, ``CMINDC``.
    """
    gc_drug = pl.col("DRUG").is_in(list(params.predeq_factors))
    is_gc = (pl.col("CLASS") == "GC_SYSTEMIC") | (
        (pl.col("CLASS") == "CART_TOXICITY_MGMT") & gc_drug
    )
    limit = params.exclude_adrenal_replacement_le_pred_eq
    excluded = pl.lit(False)
    if limit is not None:
        bound = limit * params.predeq_denominator
        within = dose.compute_predeq_numerator(params=params) * bound.denominator <= bound.numerator
        excluded = (pl.col("CMINDC").is_in(params.adrenal_indications) & within).fill_null(False)
    return (is_gc & pl.col("SYSTEMFL") & ~excluded).alias("GCFL")


def derive_vars_course(medications: pl.LazyFrame, *, params: MedicationParams) -> pl.LazyFrame:
    """Add ``NEWFL`` (a new course) and ``DOSEUPFL`` (a dose increase), §8.4 [D-25], D-14.

    A record continues the previous record of the same drug and indication group when that one
    was active up to the day before this start (or later); otherwise it starts a new course.
    A continuing record is a dose increase when its average daily dose (§16.11) is higher than
    the previous record's, compared exactly. Needs ``AENDT``. Rows and order unchanged.
    """
    coursed = dic.sort_in_drug_order(medications).with_columns(compute_course(params=params))
    return dic.sort_in_input_order(coursed)


def compute_course(*, params: MedicationParams) -> list[pl.Expr]:
    """``NEWFL`` and ``DOSEUPFL`` of :func:`derive_vars_course`, on rows already in
    :func:`~outcomes.drugs.dictionary.sort_in_drug_order` with ``AENDT``."""
    mg = dose.compute_mg_numerator(params=params)
    previous_end = dic.compute_neighbour(pl.col("AENDT"), 1)
    previous_mg = dic.compute_neighbour(mg, 1)
    new = previous_end.is_null() | (previous_end < pl.col("CMSTDT") - pl.duration(days=1))
    return [new.alias("NEWFL"), (~new & (mg > previous_mg)).alias("DOSEUPFL")]


def create_adcm(
    medications: pl.LazyFrame,
    *,
    subjects: pl.LazyFrame,
    data_cut: dt.date,
    params: MedicationParams,
) -> pl.LazyFrame:
    """One row per medication record with class, flags, active window and daily doses.

    Classifies each record (§8.2 [D-23], §16.23, LD window §8.2), marks systemic route (D-22),
    SLE indication (§16.6), CAR-T toxicity management (§8.3) and glucocorticoids counted in the
    daily dose (D-24); computes the active window (§16.10, §16.24, D-33), the average daily dose
    (``DAILYMG``, §16.11), the per-record prednisone-equivalent (``PREDEQ``, §8.1/§16.8, rounded
    half up to ``gc_decimals``), whether the record is above its LLDAS C5 maximum (``OVRFL``,
    §7.1/§16.11) and whether it starts a new course or raises the dose (``NEWFL``, ``DOSEUPFL``).

    Parameters
    ----------
    medications
        Typed, cut-filtered medications table (data-contract §1.3) with SRCDOM/SRCSEQ.
    subjects
        Typed subjects table (USUBJID, INFDT).
    data_cut
        The data cut date: no record is active after it.
    params
        The medications parameters.

    Returns
    -------
    pl.LazyFrame
        One row per input record, input order, columns :data:`ADCM_COLUMNS`.

    References
    ----------
    endpoints.md §8.1-§8.3, §16.6, §16.8, §16.10, §16.11, §16.23, §16.24.
    """
    flagged = dic.derive_vars_same_drug(medications, subjects=subjects, params=params).with_columns(
        dic.compute_counts(params=params).alias("EXPOFL"),
        dic.compute_cart_toxicity(params=params),
        compute_gc_counted(params=params),
    )
    # one sort into drug order for both the window and the course (same-drug neighbours)
    ordered = dic.sort_in_drug_order(flagged)
    windowed = ordered.with_columns(compute_window(params=params, data_cut=data_cut))
    coursed = windowed.with_columns(compute_course(params=params))
    dosed = dic.sort_in_input_order(coursed).with_columns(
        (dose.compute_mg_numerator(params=params).cast(pl.Float64) / params.mg_denominator).alias(
            "DAILYMG"
        ),
        dose.compute_rounded(
            dose.compute_predeq_numerator(params=params),
            denominator=params.predeq_denominator,
            decimals=params.gc_decimals,
        ).alias("PREDEQ"),
        (pl.col("CLASS").is_in(IS_BIO_CLASSES) & dose.compute_cap_exceeded(params=params)).alias(
            "OVRFL"
        ),
    )
    return dosed.select(ADCM_COLUMNS)
