"""Medication rules: implausible glucocorticoid dose (CON-009), drug not in the dictionary
(CON-010), overlapping records of one drug (CON-011, D-33), missing indication after infusion
(CON-012, §16.6) and two records of one drug starting on the same day (CON-013).

The drug dictionary, "same drug" grouping, overlap detection and prednisone-equivalent doses
are those of the derivation (:mod:`outcomes.drugs`), so validation and derivation agree.
"""

from __future__ import annotations

import polars as pl

from outcomes.drugs import derive_var_drug_class, find_overlapping_records
from outcomes.drugs import dose as dz
from outcomes.drugs.params import MedicationParams
from outcomes.validate.issues import fmt, make_issues
from outcomes.validate.params import ValidationParams


def _gc_dose_issues(meds: pl.LazyFrame, *, params: ValidationParams) -> pl.LazyFrame:
    """CON-009: a GC record above ``gc_implausible_mg_per_day`` pred-eq.

    The record's pred-eq mg/day is the derivation's exact value rounded half up to
    ``medications.gc_decimals`` (§16.8), compared exactly with the limit.
    """
    drugs: MedicationParams = params.drugs
    decimals = drugs.gc_decimals
    limit = params.gc_implausible_mg_per_day
    numerator = dz.compute_predeq_numerator(params=drugs)
    fixed = dz.compute_fixed_numerator(
        numerator, denominator=drugs.predeq_denominator, decimals=decimals
    )
    above = (fixed * limit.denominator > limit.numerator * 10**decimals).fill_null(False)
    predeq = dz.compute_rounded(numerator, denominator=drugs.predeq_denominator, decimals=decimals)
    return make_issues(
        meds.filter(pl.col("DRUG").is_in(list(drugs.predeq_factors))).filter(above),
        rule="CON-009",
        table="medications",
        column="CMDOSE",
        value=pl.col("CMDOSE"),
        message=fmt(
            f"medications: {{}} gives {{}} mg/day prednisone-equivalent (above {float(limit):g})",
            pl.col("CMTRT"),
            predeq,
        ),
    )


def _overlap_issues(pairs: pl.LazyFrame) -> list[pl.LazyFrame]:
    """CON-011 on the earlier record of an overlapping pair (its CMENDT is treated as missing:
    it runs until the later record starts, as the derivation's D-33 window does) and CON-013 on
    the later record of two records starting on the same day (it is excluded)."""
    overlap = make_issues(
        pairs.filter(~pl.col("SAMEDAY")).rename({"ROW1": "ROW"}),
        rule="CON-011",
        table="medications",
        column="CMENDT",
        value=pl.col("CMENDT1").cast(pl.String),
        message=fmt(
            "medications: {} runs {} to {} while a later record of the same drug and "
            "indication (record {}) starts on {}",
            pl.col("DRUG"),
            pl.col("CMSTDT1").cast(pl.String),
            pl.col("CMENDT1").cast(pl.String),
            pl.col("ROW2"),
            pl.col("CMSTDT2").cast(pl.String),
        ),
    )
    same_day = make_issues(
        pairs.filter(pl.col("SAMEDAY")).rename({"ROW2": "ROW"}),
        rule="CON-013",
        table="medications",
        column="CMSTDT",
        value=pl.col("CMSTDT2").cast(pl.String),
        message=fmt(
            "medications: {} starts on {} like record {} of the same drug and indication",
            pl.col("DRUG"),
            pl.col("CMSTDT2").cast(pl.String),
            pl.col("ROW1"),
        ),
    )
    return [overlap, same_day]


def _unknown_drug_issues(meds: pl.LazyFrame) -> pl.LazyFrame:
    """CON-010: a name that is not in the dictionary and has no CMCLAS."""
    unknown = pl.col("CMTRT").is_not_null() & ~pl.col("DICTFL") & pl.col("CMCLAS").is_null()
    return make_issues(
        meds.filter(unknown),
        rule="CON-010",
        table="medications",
        column="CMTRT",
        value=pl.col("CMTRT"),
        message=fmt(
            "medications: {} is not in the drug dictionary and has no CMCLAS", pl.col("CMTRT")
        ),
    )


def _missing_indication_issues(meds: pl.LazyFrame, subjects: pl.DataFrame) -> pl.LazyFrame:
    """CON-012: a record active on or after the infusion day without CMINDC (§16.6)."""
    infdt = subjects.lazy().unique("USUBJID", keep="first").select("USUBJID", "INFDT")
    after = meds.join(infdt, on="USUBJID").filter(
        pl.col("CMINDC").is_null()
        & (pl.col("CMENDT").is_null() | (pl.col("CMENDT") >= pl.col("INFDT")))
        & pl.col("INFDT").is_not_null()
    )
    return make_issues(
        after,
        rule="CON-012",
        table="medications",
        column="CMINDC",
        value=None,
        message=fmt(
            "medications: {} is taken on or after the infusion ({}) without CMINDC",
            pl.col("CMTRT"),
            pl.col("INFDT").cast(pl.String),
        ),
    )


def check_medications(
    medications: pl.DataFrame, subjects: pl.DataFrame | None, *, params: ValidationParams
) -> list[pl.LazyFrame]:
    """CON-009 … CON-013 on the typed medications table (CON-012 only when ``subjects``
    could be read; without it the lymphodepletion window of the grouping is unknown)."""
    drugs = params.drugs
    meds = derive_var_drug_class(medications.lazy(), params=drugs).collect().lazy()
    known = (
        subjects.lazy().unique("USUBJID", keep="first").select("USUBJID", "INFDT")
        if subjects is not None
        else pl.LazyFrame(schema={"USUBJID": pl.String, "INFDT": pl.Date})
    )
    # records of one drug are ordered as the derivation orders them: start, then CMSEQ (SRCSEQ)
    keyed = (
        medications.lazy()
        .filter(pl.col("USUBJID").is_not_null())
        .with_columns(pl.col("CMSEQ").cast(pl.Int64).alias("SRCSEQ"))
    )
    pairs = find_overlapping_records(keyed, subjects=known, params=drugs).collect().lazy()
    out = [_gc_dose_issues(meds, params=params), _unknown_drug_issues(meds)]
    out += _overlap_issues(pairs)
    if subjects is not None:
        out.append(_missing_indication_issues(meds, subjects))
    return out
