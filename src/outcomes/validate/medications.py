"""Medication rules: implausible glucocorticoid dose (CON-009), drug not in the dictionary
(CON-010), overlapping records of one drug (CON-011, D-33) and missing indication after
infusion (CON-012, §16.6).
"""

from __future__ import annotations

import polars as pl

from outcomes.decimal import compute_fixed, to_fixed
from outcomes.validate.issues import fmt, make_issues
from outcomes.validate.params import DrugLookup, ValidationParams

PREDEQ_DECIMALS = 4


def derive_vars_drug(medications: pl.LazyFrame, *, drugs: DrugLookup) -> pl.LazyFrame:
    """Add ``_INN`` (dictionary INN or null), ``_DRUG`` (INN, else the lower-case name),
    ``_CLASS`` (§8.2 class from CMCLAS, else from the dictionary) and ``_INDC`` (CMINDC; a
    record without it joins the SLE records when its class counts as SLE activity, §16.24)."""
    name = pl.col("CMTRT").str.strip_chars().str.to_lowercase()
    inn = name.replace_strict(dict(drugs.names), default=None, return_dtype=pl.String)
    by_cmclas = pl.col("CMCLAS").replace_strict(
        dict(drugs.cmclas_class), default=None, return_dtype=pl.String
    )
    by_inn = pl.col("_INN").replace_strict(
        dict(drugs.classes), default=None, return_dtype=pl.String
    )
    return (
        medications.with_columns(inn.alias("_INN"))
        .with_columns(
            pl.coalesce(pl.col("_INN"), name).alias("_DRUG"),
            pl.coalesce(by_cmclas, by_inn).alias("_CLASS"),
        )
        .with_columns(
            pl.when(pl.col("CMINDC").is_null() & pl.col("_CLASS").is_in(drugs.sle_classes))
            .then(pl.lit("SLE"))
            .otherwise(pl.col("CMINDC"))
            .alias("_INDC")
        )
    )


def compute_predeq_per_day(*, drugs: DrugLookup) -> pl.Expr:
    """Prednisone-equivalent mg/day of one GC record: dose × mg per unit × administrations per
    day × 5 / equivalent_mg, null for a drug without an equivalent (§8.1, §16.8)."""
    factor = pl.col("_INN").replace_strict(
        {k: float(v) for k, v in drugs.predeq.items()}, default=None, return_dtype=pl.Float64
    )
    unit = pl.col("CMDOSU").replace_strict(
        {k: float(v) for k, v in drugs.unit_to_mg.items()}, default=None, return_dtype=pl.Float64
    )
    per_day = pl.col("CMDOSFRQ").replace_strict(
        {k: float(v) for k, v in drugs.per_day.items()}, default=None, return_dtype=pl.Float64
    )
    return pl.col("CMDOSE") * unit * per_day * factor


def _overlaps(meds: pl.LazyFrame) -> pl.LazyFrame:
    """Records starting before the latest end of an earlier record of the same drug and
    indication (a shared boundary day is allowed, D-33).

    Rows are sorted by group and start date; the running maximum of the end dates restarts at
    each group because every end is offset by its group number (vectorised segmented maximum).
    """
    keys = ["USUBJID", "_DRUG", "_INDC"]
    offset, span = 10**6, 10**8  # days are shifted to be positive and below span
    group = pl.any_horizontal([pl.col(k).ne_missing(pl.col(k).shift()) for k in keys]).cum_sum()
    end = pl.col("CMENDT").cast(pl.Int64).fill_null(-offset) + offset
    running = (pl.col("_GRP") * span + end).cum_max().shift()
    previous = pl.when(running // span == pl.col("_GRP")).then(running % span - offset)
    return (
        meds.filter(pl.col("CMSTDT").is_not_null() & pl.col("_DRUG").is_not_null())
        .select("ROW", *keys, "CMTRT", "CMSTDT", "CMENDT")
        .sort([*keys, "CMSTDT", "ROW"], nulls_last=True)
        .with_columns(group.cast(pl.Int64).alias("_GRP"))
        .with_columns(previous.cast(pl.Int32).cast(pl.Date).alias("_PREVEND"))
        .filter(pl.col("CMSTDT") < pl.col("_PREVEND"))
    )


def _gc_dose_issues(meds: pl.LazyFrame, *, params: ValidationParams) -> pl.LazyFrame:
    """CON-009: a GC record above ``gc_implausible_mg_per_day`` pred-eq (exact at 4 decimals)."""
    drugs = params.drugs
    limit = to_fixed(str(float(params.gc_implausible_mg_per_day)), decimals=PREDEQ_DECIMALS)
    predeq = compute_predeq_per_day(drugs=drugs)
    above = (compute_fixed(predeq, decimals=PREDEQ_DECIMALS) > limit).fill_null(False)
    return make_issues(
        meds.filter(pl.col("_INN").is_in(list(drugs.predeq))).filter(above),
        rule="CON-009",
        table="medications",
        column="CMDOSE",
        value=pl.col("CMDOSE"),
        message=fmt(
            "medications: {} gives {} mg/day prednisone-equivalent (above "
            f"{float(params.gc_implausible_mg_per_day):g})",
            pl.col("CMTRT"),
            predeq.round(4),
        ),
    )


def _overlap_issues(meds: pl.LazyFrame) -> pl.LazyFrame:
    """CON-011: overlapping records of one drug and indication (D-33)."""
    return make_issues(
        _overlaps(meds),
        rule="CON-011",
        table="medications",
        column="CMSTDT",
        value=pl.col("CMSTDT").cast(pl.String),
        message=fmt(
            "medications: {} starts on {} while an earlier record of the same drug and "
            "indication runs to {}",
            pl.col("CMTRT"),
            pl.col("CMSTDT").cast(pl.String),
            pl.col("_PREVEND").cast(pl.String),
        ),
    )


def _unknown_drug_issues(meds: pl.LazyFrame) -> pl.LazyFrame:
    """CON-010: a name that is not in the dictionary and has no CMCLAS."""
    unknown = pl.col("CMTRT").is_not_null() & pl.col("_INN").is_null() & pl.col("CMCLAS").is_null()
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
    """CON-009 … CON-012 on the typed medications table (CON-012 only when ``subjects``
    could be read)."""
    meds = derive_vars_drug(medications.lazy(), drugs=params.drugs).collect().lazy()
    out = [
        _gc_dose_issues(meds, params=params),
        _overlap_issues(meds),
        _unknown_drug_issues(meds),
    ]
    if subjects is not None:
        out.append(_missing_indication_issues(meds, subjects))
    return out
