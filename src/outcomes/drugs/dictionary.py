"""Drug dictionary look-up and record attributes (endpoints.md §8.2 [D-23], §8.3, §16.6, §16.23).

Adds to medication records: the INN, the §8.2 class, whether the drug was found, the route and
indication attributes that decide which daily dose, exposure flag or rescue rule a record feeds.
"""

from __future__ import annotations

import polars as pl

from outcomes.drugs.params import MedicationParams

#: Indication group of a record without CMINDC that no rule assigns to SLE (§16.10 grouping).
NO_INDICATION = "(MISSING)"
#: Columns that make two records "the same drug" (§16.10, §16.24), after
#: :func:`derive_vars_same_drug`; records of one drug are ordered by start, then SRCSEQ.
SAME_DRUG: tuple[str, ...] = ("USUBJID", "DRUG", "INDCGRP")
DRUG_ORDER: tuple[str, ...] = ("CMSTDT", "SRCSEQ")
_POSITION = "_tmp_pos"


def derive_var_drug_class(medications: pl.LazyFrame, *, params: MedicationParams) -> pl.LazyFrame:
    """Add ``DRUG``, ``CLASS`` and ``DICTFL`` from the drug dictionary and CMCLAS.

    CMTRT is matched case-insensitively (surrounding blanks ignored) against the dictionary INNs
    and their aliases; ``DRUG`` is the INN, or the lower-case CMTRT when not found. ``CLASS`` is
    the class CMCLAS maps to (§16.23) when CMCLAS is given and mapped, else the dictionary class,
    else ``OTHER``. The lymphodepletion window rule of §8.2 needs the infusion date and is applied
    by :func:`~outcomes.derive.medications.records.create_adcm`.

    Parameters
    ----------
    medications
        Typed medications table (CMTRT, CMCLAS).
    params
        The medications parameters (dictionary, CMCLAS mapping).

    Returns
    -------
    pl.LazyFrame
        Rows and order unchanged, plus ``DRUG`` (String), ``CLASS`` (String), ``DICTFL``
        (Boolean: CMTRT found in the dictionary).

    References
    ----------
    endpoints.md §8.2 [D-23], §16.23; data-contract.md §1.3.
    """
    names = params.names
    classes = {d.inn: d.drug_class for d in params.dictionary}
    cmclas = {k: v for k, v in params.cmclas_class.items() if v is not None}
    name = pl.col("CMTRT").str.strip_chars().str.to_lowercase()
    inn = name.replace_strict(names, default=None, return_dtype=pl.String)
    return medications.with_columns(
        inn.fill_null(name).alias("DRUG"),
        pl.coalesce(
            pl.col("CMCLAS").replace_strict(cmclas, default=None, return_dtype=pl.String),
            inn.replace_strict(classes, default=None, return_dtype=pl.String),
            pl.lit("OTHER"),
        ).alias("CLASS"),
        inn.is_not_null().alias("DICTFL"),
    )


def compute_systemic(*, params: MedicationParams) -> pl.Expr:
    """``SYSTEMFL``: the route is systemic (oral, IV, IM, SC; §8.1 [D-22], §16.23)."""
    return pl.col("CMROUTE").is_in(params.systemic_routes).fill_null(False).alias("SYSTEMFL")


def compute_counts(*, params: MedicationParams) -> pl.Expr:
    """True when a record counts for doses, exposure and rescue given its route (§8.1 [D-22]).

    Classes listed in ``systemic_only_classes`` count only by a systemic route; other classes
    count by any route. Needs ``CLASS`` and ``SYSTEMFL``.
    """
    return pl.col("SYSTEMFL") | ~pl.col("CLASS").is_in(params.systemic_only_classes)


def compute_sle(*, params: MedicationParams) -> pl.Expr:
    """``SLEFL``: the record counts as given for SLE activity (§8.4 [D-25], §16.6).

    CMINDC = SLE; or no CMINDC and the class is one of ``missing_indication_sle_classes`` (IS,
    biologic, glucocorticoid) given by a route that counts for it (a topical glucocorticoid is
    not GC_SYSTEMIC, §16.23). IVIG, plasma exchange, NSAIDs and antimalarials need CMINDC = SLE.
    Needs ``CLASS`` and ``SYSTEMFL``.
    """
    missing_counts = (
        pl.col("CMINDC").is_null()
        & pl.col("CLASS").is_in(params.missing_indication_sle_classes)
        & compute_counts(params=params)
    )
    return ((pl.col("CMINDC") == params.sle_indication).fill_null(False) | missing_counts).alias(
        "SLEFL"
    )


def compute_cart_toxicity(*, params: MedicationParams) -> pl.Expr:
    """``CARTTXFL``: CAR-T toxicity management, by class or indication (§8.2, §8.3 [D-24]).

    Such records never count as SLE rescue; their glucocorticoids still count in ``GCDOSE`` on the
    days they are active (E-09). Needs ``CLASS``.
    """
    by_indication = pl.col("CMINDC").is_in(params.cart_toxicity_indications).fill_null(False)
    return (by_indication | (pl.col("CLASS") == "CART_TOXICITY_MGMT")).alias("CARTTXFL")


def compute_indication_group(*, params: MedicationParams) -> pl.Expr:
    """``INDCGRP``: the indication part of "same drug" (§16.10, §16.24).

    CMINDC, except that a record without CMINDC which counts as SLE (§16.6) joins the SLE group.
    Needs ``SLEFL``.
    """
    return (
        pl.when(pl.col("CMINDC").is_null() & pl.col("SLEFL"))
        .then(pl.lit(params.sle_indication))
        .otherwise(pl.col("CMINDC").fill_null(NO_INDICATION))
        .alias("INDCGRP")
    )


def derive_var_ld_class(
    medications: pl.LazyFrame, *, subjects: pl.LazyFrame, params: MedicationParams
) -> pl.LazyFrame:
    """Set ``CLASS`` to LYMPHODEPLETION for LD drugs started inside the LD window (§8.2, §8.3).

    Fludarabine and cyclophosphamide (``ld_drugs``) started on study Day −5 … Day −1 (Day 0 =
    INFDT) are lymphodepletion unless CMCLAS says otherwise; cyclophosphamide outside the window
    keeps its dictionary class (IS_CONVENTIONAL). Without an infusion date the window is unknown
    and the class is left as it is. Rows and order unchanged; ``CLASS`` is overwritten.
    """
    infusion = subjects.select("USUBJID", pl.col("INFDT").alias("_tmp_infdt"))
    day = (pl.col("CMSTDT") - pl.col("_tmp_infdt")).dt.total_days()
    in_window = day.is_between(params.ld_window_first_day, params.ld_window_last_day)
    is_ld = pl.col("DRUG").is_in(params.ld_drugs) & pl.col("CMCLAS").is_null() & in_window
    return (
        medications.join(infusion, on="USUBJID", how="left", maintain_order="left")
        .with_columns(
            pl.when(is_ld.fill_null(False))
            .then(pl.lit("LYMPHODEPLETION"))
            .otherwise(pl.col("CLASS"))
            .alias("CLASS")
        )
        .drop("_tmp_infdt")
    )


def derive_vars_same_drug(
    medications: pl.LazyFrame, *, subjects: pl.LazyFrame, params: MedicationParams
) -> pl.LazyFrame:
    """Add the attributes that decide "same drug": ``DRUG``, ``CLASS`` (with the LD window),
    ``DICTFL``, ``SYSTEMFL``, ``SLEFL`` and ``INDCGRP`` (§8.2, §16.6, §16.10, §16.24).

    The one implementation of the grouping used by the derivation (active windows, courses)
    and by the validator (overlapping and same-day records of one drug, CON-011, CON-013):
    two records are of the same drug when they share ``USUBJID``, ``DRUG`` and ``INDCGRP``.
    A route matters through ``SLEFL`` (a topical glucocorticoid without CMINDC is not SLE
    activity, so it is not grouped with an oral SLE course); cyclophosphamide started in the
    lymphodepletion window is LYMPHODEPLETION, not the SLE immunosuppressant.

    Parameters
    ----------
    medications
        Typed medications table (CMTRT, CMCLAS, CMROUTE, CMINDC, CMSTDT).
    subjects
        Typed subjects table (USUBJID, INFDT).
    params
        The medications parameters.

    Returns
    -------
    pl.LazyFrame
        Rows and order unchanged, plus the six columns above.

    References
    ----------
    endpoints.md §8.2 [D-23], §16.6, §16.10, §16.23, §16.24.
    """
    classified = derive_var_ld_class(
        derive_var_drug_class(medications, params=params), subjects=subjects, params=params
    )
    return (
        classified.with_columns(compute_systemic(params=params))
        .with_columns(compute_sle(params=params))
        .with_columns(compute_indication_group(params=params))
    )


def sort_in_drug_order(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Rows sorted by :data:`SAME_DRUG` then :data:`DRUG_ORDER`; the input position is kept
    (:func:`sort_in_input_order` restores it)."""
    return frame.with_row_index(_POSITION).sort(*SAME_DRUG, *DRUG_ORDER)


def sort_in_input_order(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Undo :func:`sort_in_drug_order`."""
    return frame.sort(_POSITION).drop(_POSITION)


def compute_neighbour(expr: pl.Expr, offset: int) -> pl.Expr:
    """``expr`` of the previous (offset 1) or next (offset -1) record of the same drug, else
    null. Needs rows in :func:`sort_in_drug_order`."""
    same = pl.all_horizontal([pl.col(k).eq_missing(pl.col(k).shift(offset)) for k in SAME_DRUG])
    return pl.when(same).then(expr.shift(offset))
