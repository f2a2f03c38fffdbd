"""Medications on assessment dates: daily GC dose, class exposure, C5 caps and IS stability.

Rules: endpoints.md §5.1 [D-14], §6.2, §7.2 (C4, C5), §8.1, §8.3, §16.5, §16.8-§16.11, §16.24,
E-09, E-11. Each assessment is matched to the ADCM records of its subject by a join on USUBJID
and a date-range filter, aggregated by assessment and joined back: vectorised, no per-subject
loops.
"""

from __future__ import annotations

import polars as pl

from outcomes.drugs import dose
from outcomes.drugs.params import IS_BIO_CLASSES, MedicationParams

MEDICATION_COLUMNS: tuple[str, ...] = (
    "GCDOSE",
    "GCSLEDOS",
    "ISFL",
    "BIOFL",
    "AMFL",
    "INVFL",
    "ISOVRFL",
    "ISSTBLFL",
)
_ROW = "_tmp_row"


def compute_sle_gc() -> pl.Expr:
    """A glucocorticoid record given for SLE: counted GC, SLE indication, not CAR-T toxicity."""
    return pl.col("GCFL") & pl.col("SLEFL") & ~pl.col("CARTTXFL")


def _records(adcm: pl.LazyFrame, *, params: MedicationParams) -> pl.LazyFrame:
    return adcm.select(
        "USUBJID",
        "CLASS",
        "EXPOFL",
        "GCFL",
        "SLEFL",
        "CARTTXFL",
        "OVRFL",
        "NEWFL",
        "DOSEUPFL",
        "CMSTDT",
        "ASTDT",
        "AENDT",
        dose.compute_predeq_numerator(params=params).alias("_tmp_pe"),
    )


def _gc_sum(mask: pl.Expr, name: str) -> list[pl.Expr]:
    """Exact sum of the pred-eq numerators of the masked records and whether one is unknown."""
    pe = pl.col("_tmp_pe")
    return [
        pe.filter(mask).sum().alias(f"_tmp_{name}"),
        (mask & pe.is_null()).any().alias(f"_tmp_{name}_unk"),
    ]


def _gc_value(name: str, *, date: str, params: MedicationParams) -> pl.Expr:
    """Rounded day total (§16.8); 0 with no active record (E-11); null when a dose is unknown."""
    total = pl.col(f"_tmp_{name}").fill_null(0)
    rounded = dose.compute_rounded(
        total, denominator=params.predeq_denominator, decimals=params.gc_decimals
    )
    unknown = pl.col(f"_tmp_{name}_unk").fill_null(False) | pl.col(date).is_null()
    return pl.when(unknown).then(None).otherwise(rounded).alias(name)


def _class_active(active: pl.Expr, classes: tuple[str, ...]) -> pl.Expr:
    return (active & pl.col("EXPOFL") & pl.col("CLASS").is_in(classes)).any()


def _active() -> pl.Expr:
    return (pl.col("ASTDT") <= pl.col("ADT")) & (pl.col("ADT") <= pl.col("AENDT"))


def _moved() -> pl.Expr:
    """An IS/biologic record started a new course or raised the dose in (STABREFDT, ADT]."""
    started = (pl.col("STABREFDT") < pl.col("CMSTDT")) & (pl.col("CMSTDT") <= pl.col("ADT"))
    change = pl.col("NEWFL") | pl.col("DOSEUPFL")
    return started & change & pl.col("EXPOFL") & pl.col("CLASS").is_in(IS_BIO_CLASSES)


def _moved_unknown() -> pl.Expr:
    """Whether a record moved cannot be told (a dose is unknown) although the dates are known."""
    known_dates = pl.col("STABREFDT").is_not_null() & pl.col("ADT").is_not_null()
    return _moved().is_null() & known_dates


def _kept_for_stability() -> pl.Expr:
    return _moved().fill_null(False) | _moved_unknown()


def _aggregations(has_reference: bool) -> list[pl.Expr]:
    active = _active()
    is_bio = active & pl.col("EXPOFL") & pl.col("CLASS").is_in(IS_BIO_CLASSES)
    aggs = [
        *_gc_sum(active & pl.col("GCFL"), "GCDOSE"),
        *_gc_sum(active & compute_sle_gc(), "GCSLEDOS"),
        _class_active(active, ("IS_CONVENTIONAL",)).alias("ISFL"),
        _class_active(active, ("BIOLOGIC_TARGETED",)).alias("BIOFL"),
        _class_active(active, ("ANTIMALARIAL",)).alias("AMFL"),
        _class_active(active, ("INVESTIGATIONAL",)).alias("INVFL"),
        (is_bio & pl.col("OVRFL")).any().alias("_tmp_ovr"),
        (is_bio & pl.col("OVRFL").is_null()).any().alias("_tmp_ovr_unk"),
    ]
    if has_reference:
        aggs.append(_moved().fill_null(False).any().alias("_tmp_moved"))
        aggs.append(_moved_unknown().any().alias("_tmp_moved_unk"))
    return aggs


def _finish(joined: pl.LazyFrame, *, params: MedicationParams, has_reference: bool) -> pl.LazyFrame:
    no_date = pl.col("ADT").is_null()
    flags = [
        pl.when(no_date).then(None).otherwise(pl.col(f).fill_null(False)).alias(f)
        for f in ("ISFL", "BIOFL", "AMFL", "INVFL")
    ]
    over = (
        pl.when(no_date)
        .then(None)
        .when(pl.col("_tmp_ovr").fill_null(False))
        .then(True)
        .when(pl.col("_tmp_ovr_unk").fill_null(False))
        .then(None)
        .otherwise(False)
    )
    stable = pl.lit(None, dtype=pl.Boolean)
    if has_reference:
        unknown = no_date | pl.col("STABREFDT").is_null()
        stable = (
            pl.when(unknown)
            .then(None)
            .when(pl.col("_tmp_moved").fill_null(False))
            .then(False)
            .when(pl.col("_tmp_moved_unk").fill_null(False))
            .then(None)
            .otherwise(True)
        )
    return joined.with_columns(
        _gc_value("GCDOSE", date="ADT", params=params),
        _gc_value("GCSLEDOS", date="ADT", params=params),
        *flags,
        over.alias("ISOVRFL"),
        stable.alias("ISSTBLFL"),
    )


def derive_vars_medications(
    advisit: pl.LazyFrame, *, adcm: pl.LazyFrame, params: MedicationParams
) -> pl.LazyFrame:
    """Add the medication state on each assessment date ADT.

    * ``GCDOSE``: prednisone-equivalent mg/day of every systemic glucocorticoid active on ADT,
      CRS/ICANS steroids included (E-09), summed exactly and rounded half up once (§8.1, §16.8);
      0 when none is active (E-11); null when ADT or a counted dose is unknown.
    * ``GCSLEDOS``: the same for glucocorticoids given for SLE (§16.6; CAR-T toxicity excluded).
    * ``ISFL``, ``BIOFL``, ``AMFL``, ``INVFL``: a conventional IS, biologic, antimalarial or
      investigational record is active on ADT, whatever its indication (§16.10, §16.24);
      lymphodepletion, CAR-T product and CAR-T toxicity drugs are other classes.
    * ``ISOVRFL``: an active IS/biologic is above its maintenance maximum (LLDAS C5, §7.1, §16.11).
    * ``ISSTBLFL``: no IS/biologic record started a new course or raised the dose in
      (STABREFDT, ADT] (D-14, §16.9); null when ``STABREFDT`` is missing or absent from
      ``advisit``, or when no change is found but a dose change cannot be told (dose unknown).
      Antimalarials and investigational drugs do not enter stability (§16.24).

    Parameters
    ----------
    advisit
        Assessments with ``USUBJID``, ``ADT`` and optionally ``STABREFDT``.
    adcm
        Output of :func:`~outcomes.derive.medications.records.create_adcm`.
    params
        The medications parameters.

    Returns
    -------
    pl.LazyFrame
        Rows and order unchanged, plus :data:`MEDICATION_COLUMNS`.

    References
    ----------
    endpoints.md §5.1 [D-14], §7.1, §7.2, §8.1, §8.3 [D-24], §16.8-§16.11, §16.24; E-09, E-11.
    """
    advisit = advisit.cache()  # read twice below: computed once per collect
    names = advisit.collect_schema().names()
    has_reference = "STABREFDT" in names
    keys = ["USUBJID", "ADT", *(["STABREFDT"] if has_reference else [])]
    # Each assessment is matched by its row number: the aggregation groups on an integer
    # instead of (subject, dates), and the result is joined back on that number.
    rows = advisit.select(keys).with_row_index(_ROW)
    summary = (
        rows.join(_records(adcm, params=params), on="USUBJID", how="inner")
        .filter(_active().fill_null(False) | (_kept_for_stability() if has_reference else False))
        .group_by(_ROW)
        .agg(_aggregations(has_reference))
    )
    joined = rows.join(summary, on=_ROW, how="left", maintain_order="left")
    finished = _finish(joined, params=params, has_reference=has_reference)
    return pl.concat([advisit, finished.select(MEDICATION_COLUMNS)], how="horizontal").select(
        *names, *MEDICATION_COLUMNS
    )


def derive_var_gc_on_date(
    frame: pl.LazyFrame,
    *,
    date: str,
    name: str,
    adcm: pl.LazyFrame,
    params: MedicationParams,
    sle_only: bool,
) -> pl.LazyFrame:
    """Add column ``name``: the daily prednisone-equivalent dose on the date in column ``date``.

    All counted systemic glucocorticoids, or those given for SLE only (``sle_only``; CRS/ICANS
    steroids left out, §8.4), summed exactly and rounded half up (§16.8); 0 when none is active
    (E-11); null when the date or a dose is unknown. Rows and order unchanged.
    """
    mask = compute_sle_gc() if sle_only else pl.col("GCFL")
    # only the records the mask counts can change the sum: the others are left out before the
    # records are matched to the dates
    summary = (
        frame.select("USUBJID", pl.col(date).alias("ADT"))
        .unique()
        .join(_records(adcm.filter(mask), params=params), on="USUBJID", how="inner")
        .filter(_active())
        .group_by("USUBJID", "ADT")
        .agg(_gc_sum(mask, name))
        .rename({"ADT": date})
    )
    joined = frame.join(
        summary, on=["USUBJID", date], how="left", maintain_order="left", nulls_equal=True
    )
    value = _gc_value(name, date=date, params=params)
    return joined.with_columns(value).select(*frame.collect_schema().names(), name)


def derive_var_gcdosebl(
    adsl: pl.LazyFrame, *, adcm: pl.LazyFrame, params: MedicationParams
) -> pl.LazyFrame:
    """Add ``GCDOSEBL``: SLE glucocorticoid pred-eq mg/day on the day before lymphodepletion.

    The baseline GC dose is the dose for SLE on LDSTDT − 1, or on TRTSDT − 1 (infusion) when
    there was no lymphodepletion (§16.5: ``LDFL = N`` when the column is given, else no
    LDSTDT); null when neither date is known.

    Parameters
    ----------
    adsl
        One row per subject with ``USUBJID``, ``LDSTDT``, ``TRTSDT`` and optionally ``LDFL``.
    adcm
        Output of :func:`~outcomes.derive.medications.records.create_adcm`.
    params
        The medications parameters.

    Returns
    -------
    pl.LazyFrame
        Rows and order unchanged, plus ``GCDOSEBL`` (Float64).

    References
    ----------
    endpoints.md §16.5, §16.8.
    """
    anchor = pl.coalesce("LDSTDT", "TRTSDT")
    if "LDFL" in adsl.collect_schema().names():  # LDFL = N: INFDT - 1 even if LDSTDT is filled
        anchor = pl.when(pl.col("LDFL") == "Y").then(pl.col("LDSTDT")).otherwise(pl.col("TRTSDT"))
    reference = (anchor - pl.duration(days=1)).alias("_tmp_bldt")
    return derive_var_gc_on_date(
        adsl.with_columns(reference),
        date="_tmp_bldt",
        name="GCDOSEBL",
        adcm=adcm,
        params=params,
        sle_only=True,
    ).drop("_tmp_bldt")
