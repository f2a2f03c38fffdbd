"""Active window of each medication record (endpoints.md §16.10, §16.24, D-33).

The one implementation of "from when to when a record is active", used by the medication
derivation (:func:`~outcomes.derive.medications.records.create_adcm`) and by the eligibility
criteria the medication history can check (§16.27, :mod:`outcomes.drugs.history`).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from outcomes.drugs import dictionary as dic
from outcomes.drugs.params import MedicationParams


def compute_recorded_end(*, params: MedicationParams, data_cut: dt.date) -> pl.Expr:
    """Last active day from the record alone (§16.10, §16.24), before next-record truncation.

    ONCE: the start date, or start + exposure_days − 1 for classes in ``once_exposure_classes``;
    otherwise CMENDT plus the frequency's tail (QW 6, Q2W 13, Q4W 27 days); no CMENDT: the cut.
    """
    exposure = {d.inn: d.exposure_days for d in params.dictionary if d.exposure_days is not None}
    days = pl.col("DRUG").replace_strict(
        exposure, default=params.once_exposure_days_default, return_dtype=pl.Int64
    )
    once_days = pl.when(pl.col("CLASS").is_in(params.once_exposure_classes)).then(days).otherwise(1)
    tails = {k: f.tail_days for k, f in params.frequencies.items()}
    tail = pl.col("CMDOSFRQ").replace_strict(tails, default=0, return_dtype=pl.Int64)
    return (
        pl.when(pl.col("CMDOSFRQ") == params.once_frequency)
        .then(pl.col("CMSTDT") + pl.duration(days=once_days - 1))
        .when(pl.col("CMENDT").is_not_null())
        .then(pl.col("CMENDT") + pl.duration(days=tail))
        .otherwise(pl.lit(data_cut))
    )


def derive_vars_window(
    medications: pl.LazyFrame, *, params: MedicationParams, data_cut: dt.date
) -> pl.LazyFrame:
    """Add ``ASTDT``/``AENDT``, the first and last active day of each record (§16.10, D-33).

    A record of the same drug (same INN and indication group, §16.10/§16.24) that starts later
    ends this one on the day before it starts: the shared boundary day belongs to the record that
    starts, an open record runs until the next one, and a tail or ONCE exposure window is cut
    short. Nothing is active after the data cut. ``AENDT < ASTDT`` means never active.
    Rows and order unchanged.
    """
    windowed = dic.sort_in_drug_order(medications).with_columns(
        compute_window(params=params, data_cut=data_cut)
    )
    return dic.sort_in_input_order(windowed)


def compute_window(*, params: MedicationParams, data_cut: dt.date) -> list[pl.Expr]:
    """``ASTDT`` and ``AENDT`` of :func:`derive_vars_window`, on rows already in
    :func:`~outcomes.drugs.dictionary.sort_in_drug_order` (so a caller that needs more
    same-drug neighbours sorts once)."""
    next_start = dic.compute_neighbour(pl.col("CMSTDT"), -1)
    end = pl.min_horizontal(
        compute_recorded_end(params=params, data_cut=data_cut),
        next_start - pl.duration(days=1),
        pl.lit(data_cut),
    )
    return [pl.col("CMSTDT").alias("ASTDT"), end.alias("AENDT")]
