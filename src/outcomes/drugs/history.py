"""Eligibility criteria the medication history can check (endpoints.md §16.27).

Name: create_history_eligibility. Input: typed ``subjects`` and ``medications`` (data-contract
§1.1, §1.3) and each subject's screening neutrophil count date. Output grain: one row per
subject, one tri-state flag per criterion (``null`` = not evaluable, never passed):

- ``ELREFRFL`` treatment refractory (inclusion): at least ``refractory_min_drugs`` distinct
  conventional SLE treatments (INNs of ``refractory_classes``, plus ``refractory_drugs``) with
  an SLE indication (§16.6), each with at least ``refractory_min_days`` exposure days (§16.10)
  before CONSDT;
- ``ELWOISFL`` washout of immunosuppressants (exclusion): no IS_CONVENTIONAL drug active within
  ``washout_half_lives`` half-lives (per INN, ``medications.dictionary.<inn>.half_life_hours``)
  before CONSDT;
- ``ELWOBIFL`` washout of biologics (exclusion): no BIOLOGIC_TARGETED drug active within
  ``washout_biologic_days`` days before CONSDT;
- ``ELCSFFL`` no colony-stimulating factor (``csf_drugs``) active within ``csf_days_before_anc``
  days before the screening neutrophil count.

"Active" is the record's active window of the derivation (§16.10, §16.24, D-33:
:func:`~outcomes.drugs.exposure.derive_vars_window`), with the same drug dictionary, class and
"same drug" grouping (:func:`~outcomes.drugs.dictionary.derive_vars_same_drug`). A washout
window of N days before a date D holds the days D − N … D: a drug whose last active day is
exactly N days before D was active within it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import polars as pl

from outcomes.drugs import dictionary as dic
from outcomes.drugs.exposure import derive_vars_window
from outcomes.drugs.params import MedicationParams

#: Criterion flag columns of :func:`create_history_eligibility`, in the order of §16.27.
HISTORY_CRITERIA: tuple[str, ...] = ("ELREFRFL", "ELWOISFL", "ELWOBIFL", "ELCSFFL")
#: Columns of :func:`create_history_eligibility`.
HISTORY_COLUMNS: tuple[str, ...] = (
    "USUBJID",
    "CONSDT",
    "ELREFRFL",
    "NREFR",
    "REFRTXT",
    "REFRUNK",
    "ELWOISFL",
    "WOISTXT",
    "WOISUNK",
    "WOISROW",
    "ELWOBIFL",
    "WOBITXT",
    "WOBIROW",
    "ELCSFFL",
    "ANCDT",
    "CSFTXT",
    "CSFROW",
)
#: With no data cut, a record without CMENDT and without a later record stays open.
OPEN_END = dt.date(9999, 12, 31)
_IS = "IS_CONVENTIONAL"
_BIOLOGIC = "BIOLOGIC_TARGETED"


@dataclass(frozen=True)
class HistoryParams:
    """The §16.27 keys of config ``eligibility``."""

    refractory_min_drugs: int
    refractory_min_days: int
    refractory_classes: tuple[str, ...]
    refractory_drugs: tuple[str, ...]
    washout_half_lives: Fraction
    washout_biologic_days: int
    csf_drugs: tuple[str, ...]
    csf_days_before_anc: int

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> HistoryParams:
        """Build from config ``eligibility`` (already checked by the schema)."""
        return cls(
            refractory_min_drugs=int(section["refractory_min_drugs"]),
            refractory_min_days=int(section["refractory_min_days"]),
            refractory_classes=tuple(section["refractory_classes"]),
            refractory_drugs=tuple(d.lower() for d in section["refractory_drugs"]),
            washout_half_lives=Fraction(str(section["washout_half_lives"])),
            washout_biologic_days=int(section["washout_biologic_days"]),
            csf_drugs=tuple(d.lower() for d in section["csf_drugs"]),
            csf_days_before_anc=int(section["csf_days_before_anc"]),
        )


def _joined_text(expr: pl.Expr) -> pl.Expr:
    """The distinct texts of a group, sorted and joined with "; " (null when none)."""
    text = expr.drop_nulls().unique().sort().str.join("; ")
    return pl.when(text.str.len_chars() > 0).then(text)


def _windows(
    medications: pl.LazyFrame,
    subjects: pl.LazyFrame,
    *,
    drugs: MedicationParams,
    data_cut: dt.date | None,
) -> pl.LazyFrame:
    """Medication records with DRUG, CLASS, SLEFL, EXPOFL, ASTDT/AENDT and the subject's CONSDT
    (records that are never active are left out)."""
    grouped = dic.derive_vars_same_drug(
        medications.filter(pl.col("CMSTDT").is_not_null()), subjects=subjects, params=drugs
    ).with_columns(dic.compute_counts(params=drugs).alias("EXPOFL"))
    windowed = derive_vars_window(grouped, params=drugs, data_cut=data_cut or OPEN_END)
    return windowed.filter(pl.col("AENDT") >= pl.col("ASTDT")).join(
        subjects.select("USUBJID", "CONSDT"), on="USUBJID", how="inner"
    )


def _refractory(
    meds: pl.LazyFrame, *, params: HistoryParams, drugs: MedicationParams
) -> pl.LazyFrame:
    """NREFR, REFRTXT and REFRUNK per subject (see :func:`create_history_eligibility`)."""
    last = pl.min_horizontal("AENDT", pl.col("CONSDT") - pl.duration(days=1))
    days = ((last - pl.col("ASTDT")).dt.total_days() + 1).clip(lower_bound=0)
    conventional = pl.col("CLASS").is_in(params.refractory_classes) | pl.col("DRUG").is_in(
        params.refractory_drugs
    )
    per_drug = (
        meds.filter(conventional & pl.col("SLEFL") & pl.col("EXPOFL"))
        .group_by("USUBJID", "DRUG")
        .agg(days.sum().alias("_DAYS"))
        .filter(pl.col("_DAYS") >= params.refractory_min_days)
        .group_by("USUBJID")
        .agg(
            pl.len().cast(pl.Int64).alias("NREFR"),
            _joined_text(pl.format("{} {} days", "DRUG", "_DAYS")).alias("REFRTXT"),
        )
    )
    unknown = (
        meds.filter(
            ~pl.col("DICTFL")
            & pl.col("CMCLAS").is_null()
            & (pl.col("CMINDC") == drugs.sle_indication)
            & (pl.col("ASTDT") < pl.col("CONSDT"))
        )
        .group_by("USUBJID")
        .agg(_joined_text(pl.col("CMTRT")).alias("REFRUNK"))
    )
    return per_drug.join(unknown, on="USUBJID", how="full", coalesce=True)


def _washout_is(
    meds: pl.LazyFrame, *, params: HistoryParams, drugs: MedicationParams
) -> pl.LazyFrame:
    """WOISTXT, WOISROW and WOISUNK per subject (see :func:`create_history_eligibility`)."""
    hours = {inn: params.washout_half_lives * h for inn, h in drugs.half_lives_hours.items()}
    num = pl.col("DRUG").replace_strict(
        {k: v.numerator for k, v in hours.items()}, default=None, return_dtype=pl.Int64
    )
    den = pl.col("DRUG").replace_strict(
        {k: v.denominator for k, v in hours.items()}, default=None, return_dtype=pl.Int64
    )
    days = pl.col("DRUG").replace_strict(
        {k: f"{float(v / 24):.1f}" for k, v in hours.items()}, default=None, return_dtype=pl.String
    )
    gap = (pl.col("CONSDT") - pl.col("AENDT")).dt.total_days()
    within = (pl.col("AENDT") >= pl.col("CONSDT")) | (gap * 24 * den <= num)
    lives = f"{float(params.washout_half_lives):g}"
    text = pl.concat_str(
        pl.format("{} last active {}", "DRUG", "AENDT"),
        pl.format(f" ({lives} half-lives = {{}} days)", days).fill_null(""),
    )
    return (
        meds.filter(
            (pl.col("CLASS") == _IS) & pl.col("EXPOFL") & (pl.col("ASTDT") <= pl.col("CONSDT"))
        )
        .with_columns(within.alias("_IN"), text.alias("_TXT"))
        .group_by("USUBJID")
        .agg(
            _joined_text(pl.col("_TXT").filter(pl.col("_IN"))).alias("WOISTXT"),
            pl.col("ROW").filter(pl.col("_IN")).min().alias("WOISROW"),
            _joined_text(pl.col("DRUG").filter(pl.col("_IN").is_null())).alias("WOISUNK"),
        )
    )


def _washout_biologic(meds: pl.LazyFrame, *, params: HistoryParams) -> pl.LazyFrame:
    """WOBITXT and WOBIROW per subject (see :func:`create_history_eligibility`)."""
    start = pl.col("CONSDT") - pl.duration(days=params.washout_biologic_days)
    return (
        meds.filter(
            (pl.col("CLASS") == _BIOLOGIC)
            & pl.col("EXPOFL")
            & (pl.col("ASTDT") <= pl.col("CONSDT"))
            & (pl.col("AENDT") >= start)
        )
        .group_by("USUBJID")
        .agg(
            _joined_text(pl.format("{} active {} to {}", "DRUG", "ASTDT", "AENDT")).alias(
                "WOBITXT"
            ),
            pl.col("ROW").min().alias("WOBIROW"),
        )
    )


def _csf(meds: pl.LazyFrame, screening_anc: pl.LazyFrame, *, params: HistoryParams) -> pl.LazyFrame:
    """CSFTXT and CSFROW per subject (see :func:`create_history_eligibility`)."""
    start = pl.col("ANCDT") - pl.duration(days=params.csf_days_before_anc)
    return (
        meds.filter(pl.col("DRUG").is_in(params.csf_drugs))
        .join(screening_anc, on="USUBJID", how="inner")
        .filter((pl.col("ASTDT") <= pl.col("ANCDT")) & (pl.col("AENDT") >= start))
        .group_by("USUBJID")
        .agg(
            _joined_text(pl.format("{} active {} to {}", "DRUG", "ASTDT", "AENDT")).alias("CSFTXT"),
            pl.col("ROW").min().alias("CSFROW"),
        )
    )


def create_history_eligibility(
    subjects: pl.LazyFrame,
    *,
    medications: pl.LazyFrame,
    screening_anc: pl.LazyFrame,
    params: HistoryParams,
    drugs: MedicationParams,
    data_cut: dt.date | None,
) -> pl.LazyFrame:
    """The §16.27 eligibility criteria of each subject, from the medication history.

    Parameters
    ----------
    subjects
        Typed subjects (USUBJID, CONSDT, INFDT).
    medications
        Typed medications with ``ROW`` (the 1-based data record) and ``SRCSEQ``.
    screening_anc
        ``USUBJID`` and ``ANCDT``, the date of the screening neutrophil count (§16.20); a
        subject without one is not evaluable for the colony-stimulating factor criterion.
    params
        The §16.27 keys of config ``eligibility``.
    drugs
        The medications parameters (dictionary with half-lives, classes, exposure windows).
    data_cut
        Records are active at most to it (§16.10); None = records without an end stay open.

    Returns
    -------
    pl.LazyFrame
        One row per subject (first ``subjects`` record of each USUBJID, input order), columns
        :data:`HISTORY_COLUMNS`: the tri-state flags of :data:`HISTORY_CRITERIA` (``null`` = not
        evaluable: CONSDT missing; for ELREFRFL too few known treatments while a drug given for
        SLE before consent is not in the dictionary (``REFRUNK``); for ELWOISFL an
        immunosuppressant without a half-life that stopped before consent (``WOISUNK``); for
        ELCSFFL no screening neutrophil count), the qualifying treatments with their exposure
        days (``NREFR``, ``REFRTXT``), and the offending records in words with the row of the
        first (``WOISTXT``/``WOISROW``, ``WOBITXT``/``WOBIROW``, ``CSFTXT``/``CSFROW``).

    References
    ----------
    endpoints.md §16.27, §16.6, §16.10, §16.20, §16.24.
    """
    subj = subjects.unique("USUBJID", keep="first", maintain_order=True)
    meds = _windows(medications, subj, drugs=drugs, data_cut=data_cut)
    out = subj.select("USUBJID", "CONSDT")
    for part in (
        _refractory(meds, params=params, drugs=drugs),
        _washout_is(meds, params=params, drugs=drugs),
        _washout_biologic(meds, params=params),
        _csf(meds, screening_anc, params=params),
        screening_anc,
    ):
        out = out.join(part, on="USUBJID", how="left", maintain_order="left")
    consent = pl.col("CONSDT").is_not_null()
    nrefr = pl.col("NREFR").fill_null(0)
    return out.with_columns(
        nrefr.alias("NREFR"),
        pl.when(~consent)
        .then(None)
        .when(nrefr >= params.refractory_min_drugs)
        .then(True)
        .when(pl.col("REFRUNK").is_not_null())
        .then(None)
        .otherwise(False)
        .alias("ELREFRFL"),
        pl.when(~consent)
        .then(None)
        .when(pl.col("WOISTXT").is_not_null())
        .then(False)
        .when(pl.col("WOISUNK").is_not_null())
        .then(None)
        .otherwise(True)
        .alias("ELWOISFL"),
        pl.when(consent).then(pl.col("WOBITXT").is_null()).alias("ELWOBIFL"),
        pl.when(pl.col("ANCDT").is_not_null()).then(pl.col("CSFTXT").is_null()).alias("ELCSFFL"),
    ).select(HISTORY_COLUMNS)
