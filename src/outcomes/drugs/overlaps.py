"""Overlapping records of the same drug (endpoints.md §8.1 [D-33], §16.10, §16.24).

For one drug (same INN and indication group) the day shared by the end of one record and the
start of the next belongs to the record that starts; any other overlap of recorded dates is a
validation error. This module finds those pairs for the validator (CON-011, CON-013) with the
same "same drug" grouping the derivation uses (:func:`~outcomes.drugs.dictionary.
derive_vars_same_drug`).
"""

from __future__ import annotations

import polars as pl

from outcomes.drugs import dictionary as dic
from outcomes.drugs.params import MedicationParams

OVERLAP_COLUMNS: tuple[str, ...] = (
    "USUBJID",
    "DRUG",
    "INDCGRP",
    "SRCSEQ1",
    "ROW1",
    "CMSTDT1",
    "CMENDT1",
    "SRCSEQ2",
    "ROW2",
    "CMSTDT2",
    "CMENDT2",
    "SAMEDAY",
)


def find_overlapping_records(
    medications: pl.LazyFrame, *, subjects: pl.LazyFrame, params: MedicationParams
) -> pl.LazyFrame:
    """Each record and the next record of the same drug, when their recorded dates overlap by
    more than the shared boundary day.

    Same drug = same INN (dictionary match, case-insensitive) and same indication group, a
    record without CMINDC joining the SLE group when §16.6 counts it as SLE (§16.24), with the
    grouping of the derivation (:func:`~outcomes.drugs.dictionary.derive_vars_same_drug`).
    Records of one drug are ordered by CMSTDT, then SRCSEQ; record 2 is the next one after
    record 1. Recorded dates only (§16.24): record 1 runs CMSTDT1…CMENDT1 (a ONCE record without
    CMENDT: its start day; any other record without CMENDT is open and ends where the next
    begins, so it overlaps only a record starting on the same day). A pair overlaps when both
    start on the same day (``SAMEDAY``), or record 2 starts before CMENDT1 (starting on CMENDT1
    is the allowed shared boundary day, D-33). A record that overlaps any later record of its
    drug overlaps the next one, so every such record is found once per next record, in
    O(n log n) (the derivation's active window, D-33, also ends a record where the next starts).

    Parameters
    ----------
    medications
        Typed medications table (data-contract §1.3) with ROW and SRCSEQ.
    subjects
        Typed subjects table (USUBJID, INFDT: the lymphodepletion window of §8.2).
    params
        The medications parameters.

    Returns
    -------
    pl.LazyFrame
        One row per overlapping pair, columns :data:`OVERLAP_COLUMNS`, sorted by USUBJID,
        SRCSEQ1, SRCSEQ2.

    References
    ----------
    endpoints.md §8.1 [D-33], §16.10, §16.24.
    """
    ends = (
        pl.when(pl.col("CMDOSFRQ") == params.once_frequency)
        .then(pl.coalesce("CMENDT", "CMSTDT"))
        .otherwise(pl.col("CMENDT"))
    )
    keyed = (
        dic.derive_vars_same_drug(medications, subjects=subjects, params=params)
        .filter(pl.col("CMSTDT").is_not_null())
        .select(*dic.SAME_DRUG, "SRCSEQ", "ROW", "CMSTDT", ends.alias("CMENDT"))
        .sort(*dic.SAME_DRUG, *dic.DRUG_ORDER)
    )
    columns = ("SRCSEQ", "ROW", "CMSTDT", "CMENDT")
    paired = keyed.rename({c: f"{c}1" for c in columns}).with_columns(
        dic.compute_neighbour(pl.col(f"{c}1"), -1).alias(f"{c}2") for c in columns
    )
    same_day = pl.col("CMSTDT1") == pl.col("CMSTDT2")
    overlap = same_day | (pl.col("CMSTDT2") < pl.col("CMENDT1"))
    return (
        paired.filter(pl.col("SRCSEQ2").is_not_null() & overlap.fill_null(False))
        .with_columns(same_day.alias("SAMEDAY"))
        .select(OVERLAP_COLUMNS)
        .sort("USUBJID", "SRCSEQ1", "SRCSEQ2")
    )
