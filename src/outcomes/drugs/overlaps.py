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
    """Pairs of records of the same drug whose recorded dates overlap by more than one day.

    Same drug = same INN (dictionary match, case-insensitive) and same indication group, a
    record without CMINDC joining the SLE group when §16.6 counts it as SLE (§16.24). Recorded
    dates only (§16.24): record 1 runs CMSTDT1…CMENDT1 (a ONCE record without CMENDT: its start
    day; any other record without CMENDT is open and ends where the next begins, so it overlaps
    only a record starting on the same day). Record 2 starts on or after record 1 (ties ordered by
    SRCSEQ). A pair overlaps when both start on the same day (``SAMEDAY``), or record 2 starts
    before CMENDT1 (starting on CMENDT1 is the allowed shared boundary day, D-33).

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
    keyed = (
        dic.derive_vars_same_drug(medications, subjects=subjects, params=params)
        .filter(pl.col("CMSTDT").is_not_null())
        .select(
            "USUBJID",
            "DRUG",
            "INDCGRP",
            "SRCSEQ",
            "ROW",
            "CMSTDT",
            pl.when(pl.col("CMDOSFRQ") == params.once_frequency)
            .then(pl.coalesce("CMENDT", "CMSTDT"))
            .otherwise(pl.col("CMENDT"))
            .alias("CMENDT"),
        )
    )
    first = keyed.rename({c: f"{c}1" for c in ("SRCSEQ", "ROW", "CMSTDT", "CMENDT")})
    second = keyed.rename({c: f"{c}2" for c in ("SRCSEQ", "ROW", "CMSTDT", "CMENDT")})
    later = (pl.col("CMSTDT1") < pl.col("CMSTDT2")) | (
        (pl.col("CMSTDT1") == pl.col("CMSTDT2")) & (pl.col("SRCSEQ1") < pl.col("SRCSEQ2"))
    )
    overlap = (pl.col("CMSTDT1") == pl.col("CMSTDT2")) | (pl.col("CMSTDT2") < pl.col("CMENDT1"))
    return (
        first.join(second, on=["USUBJID", "DRUG", "INDCGRP"], how="inner")
        .filter((later & overlap).fill_null(False))
        .with_columns((pl.col("CMSTDT1") == pl.col("CMSTDT2")).alias("SAMEDAY"))
        .select(OVERLAP_COLUMNS)
        .sort("USUBJID", "SRCSEQ1", "SRCSEQ2")
    )
