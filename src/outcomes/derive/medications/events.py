"""Medication events that can end a remission or LLDAS state (derived/events.parquet).

Name: create_events. Input: ADCM, subjects (INFDT), assessments (ASMDT). Output grain: one row
per event (a record can give several: RETREAT and RESCUE; RESCUEAM and FLARETRT).
Rules: endpoints.md §8.4 [D-25], §6.3 loss events (b)/(c), §16.4 (iii), §16.6, §16.7, E-09, E-29.
"""

from __future__ import annotations

import polars as pl

from outcomes.derive.medications.exposure import compute_sle_gc, derive_var_gc_on_date
from outcomes.drugs.params import IS_BIO_CLASSES, MedicationParams

EVENT_COLUMNS: tuple[str, ...] = ("USUBJID", "EVTDT", "EVTCD", "EVTDESC", "SRCDOM", "SRCSEQ")


def _describe(text: str) -> pl.Expr:
    return pl.concat_str(
        pl.lit(text),
        pl.col("DRUG"),
        pl.lit(" (CMSEQ "),
        pl.col("SRCSEQ").cast(pl.String),
        pl.lit(")"),
    )


def _event(
    frame: pl.LazyFrame, condition: pl.Expr, code: str, description: pl.Expr
) -> pl.LazyFrame:
    return frame.filter(condition.fill_null(False)).select(
        "USUBJID",
        pl.col("CMSTDT").alias("EVTDT"),
        pl.lit(code).alias("EVTCD"),
        description.alias("EVTDESC"),
        "SRCDOM",
        "SRCSEQ",
    )


def filter_after_day0(
    adcm: pl.LazyFrame, *, subjects: pl.LazyFrame, params: MedicationParams
) -> pl.LazyFrame:
    """Records that start after Day 0 (study day > ``rescue_start_day_gt``), with INFDT added.

    Subjects without an infusion date have no Day 0 and no events (§8.4 [D-25]).
    """
    infusion = subjects.select("USUBJID", "INFDT")
    day = (pl.col("CMSTDT") - pl.col("INFDT")).dt.total_days()
    return adcm.join(infusion, on="USUBJID", how="inner", maintain_order="left").filter(
        (day > params.rescue_start_day_gt).fill_null(False)
    )


def create_gc_rescues(
    started: pl.LazyFrame,
    *,
    adcm: pl.LazyFrame,
    assessments: pl.LazyFrame,
    params: MedicationParams,
) -> pl.LazyFrame:
    """GC rescue events: an SLE glucocorticoid record that raises the SLE GC dose (§8.4, §16.7).

    For each SLE glucocorticoid record starting after Day 0 (a start or a dose change; CRS/ICANS
    steroids are left out, E-09), the SLE GC pred-eq on its start date is compared with the SLE
    GC pred-eq on the date of the last assessment before that start; when that assessment is not
    after Day 0, on Day 0 (§16.7). A strictly higher dose (both rounded, §16.8) is a rescue on
    the record's start date. A record whose doses are unknown gives no event.
    """
    candidates = started.filter(compute_sle_gc())
    previous = (
        candidates.select("USUBJID", "SRCSEQ", "CMSTDT")
        .join(assessments.select("USUBJID", "ASMDT"), on="USUBJID", how="inner")
        .filter(pl.col("ASMDT") < pl.col("CMSTDT"))
        .group_by("USUBJID", "SRCSEQ")
        .agg(pl.col("ASMDT").max().alias("_tmp_prev"))
    )
    reference = pl.when(pl.col("_tmp_prev") > pl.col("INFDT")).then(pl.col("_tmp_prev"))
    with_ref = candidates.join(
        previous, on=["USUBJID", "SRCSEQ"], how="left", maintain_order="left"
    ).with_columns(reference.otherwise(pl.col("INFDT")).alias("_tmp_refdt"))
    doses = derive_var_gc_on_date(
        with_ref, date="CMSTDT", name="_tmp_now", adcm=adcm, params=params, sle_only=True
    )
    doses = derive_var_gc_on_date(
        doses, date="_tmp_refdt", name="_tmp_ref", adcm=adcm, params=params, sle_only=True
    )
    text = pl.concat_str(
        pl.lit("SLE glucocorticoid raised to "),
        pl.col("_tmp_now").cast(pl.String),
        pl.lit(" mg/day pred-eq from "),
        pl.col("_tmp_ref").cast(pl.String),
        pl.lit(" on "),
        pl.col("_tmp_refdt").cast(pl.String),
        pl.lit(": "),
        pl.col("DRUG"),
        pl.lit(" (CMSEQ "),
        pl.col("SRCSEQ").cast(pl.String),
        pl.lit(")"),
    )
    return _event(doses, pl.col("_tmp_now") > pl.col("_tmp_ref"), "RESCUE", text)


def create_events(
    adcm: pl.LazyFrame,
    *,
    subjects: pl.LazyFrame,
    assessments: pl.LazyFrame,
    params: MedicationParams,
) -> pl.LazyFrame:
    """Rescue, flare-treatment and re-treatment events from the medication records.

    Only records starting after Day 0 count (§8.4 [D-25]). Event date = the record's start date.

    * ``RESCUE``: a new course or a dose increase of a conventional IS or biologic given for SLE
      (a record without CMINDC counts as SLE, §16.6); an SLE glucocorticoid dose rise above the
      previous assessment's (:func:`create_gc_rescues`); plasma exchange or IVIG with CMINDC = SLE
      (§16.6); CAR-T re-treatment (E-29).
    * ``RESCUEAM``: a new antimalarial course with CMINDC = SLE (rescue for the strict drug-free
      state only, §6.3, §8.4).
    * ``FLARETRT``: a new antimalarial or NSAID course with CMINDC = SLE (SFI treatment
      criterion, loss event (b), §16.4 iii).
    * ``RETREAT``: CAR-T re-treatment (E-29), also written as a ``RESCUE`` row.

    CAR-T toxicity management is never rescue (§8.3). Records of a class counted only by a
    systemic route give events only by a systemic route (D-22).

    Parameters
    ----------
    adcm
        Output of :func:`~outcomes.derive.medications.records.create_adcm`.
    subjects
        Typed subjects table (USUBJID, INFDT).
    assessments
        Typed assessments table (USUBJID, ASMDT): the "previous assessment" of the GC rule.
    params
        The medications parameters.

    Returns
    -------
    pl.LazyFrame
        Columns :data:`EVENT_COLUMNS`, sorted by USUBJID, EVTDT, EVTCD, SRCSEQ.

    References
    ----------
    endpoints.md §6.3, §8.3 [D-24], §8.4 [D-25], §16.4, §16.6, §16.7; E-09, E-29.
    """
    started = filter_after_day0(adcm, subjects=subjects, params=params).filter(
        pl.col("EXPOFL") & ~pl.col("CARTTXFL")
    )
    sle_stated = pl.col("CMINDC") == params.sle_indication
    new = pl.col("NEWFL")
    clazz = pl.col("CLASS")
    is_bio = clazz.is_in(IS_BIO_CLASSES) & pl.col("SLEFL")
    exchange = (clazz == "PLASMA_EXCHANGE") | pl.col("DRUG").is_in(params.ivig_drugs)
    retreat = filter_after_day0(adcm, subjects=subjects, params=params)
    parts = [
        _event(started, is_bio & new, "RESCUE", _describe("new SLE immunosuppressant/biologic ")),
        _event(started, is_bio & pl.col("DOSEUPFL"), "RESCUE", _describe("dose increase of ")),
        create_gc_rescues(started, adcm=adcm, assessments=assessments, params=params),
        _event(started, exchange & sle_stated, "RESCUE", _describe("for SLE: ")),
        _event(retreat, clazz == "CART_RETREATMENT", "RESCUE", _describe("CAR-T re-treatment: ")),
        _event(retreat, clazz == "CART_RETREATMENT", "RETREAT", _describe("CAR-T re-treatment: ")),
        _event(
            started,
            (clazz == "ANTIMALARIAL") & sle_stated & new,
            "RESCUEAM",
            _describe("new antimalarial for SLE: "),
        ),
        _event(
            started,
            clazz.is_in(("ANTIMALARIAL", "NSAID")) & sle_stated & new,
            "FLARETRT",
            _describe("new antimalarial/NSAID for SLE: "),
        ),
    ]
    return pl.concat(parts, how="vertical").sort("USUBJID", "EVTDT", "EVTCD", "SRCSEQ")
