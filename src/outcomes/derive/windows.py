"""Study day, baseline and analysis visits of each assessment (endpoints.md §11, §16.5).

Input grain: one row per assessment with ``USUBJID, SRCSEQ, VISIT, ADT`` and the subject's
``TRTSDT`` (infusion), ``LDFL`` and ``LDSTDT``. Every function adds columns; rows and order
are unchanged.
"""

from __future__ import annotations

import polars as pl

from outcomes.derive.params import VisitParams

_ROW = "_tmp_row"


def derive_var_ady(advisit: pl.LazyFrame) -> pl.LazyFrame:
    """Add ``ADY``, the study day of the assessment: ADT − TRTSDT (Day 0 = infusion).

    Day 1 is the day after infusion; lymphodepletion and screening fall on negative days. Null
    for a subject not infused.

    References
    ----------
    endpoints.md §0 [D-02].
    """
    return advisit.with_columns(
        (pl.col("ADT") - pl.col("TRTSDT")).dt.total_days().cast(pl.Int64).alias("ADY")
    )


def compute_baseline_anchor() -> pl.Expr:
    """The date baseline is counted back from: LDSTDT with lymphodepletion, else TRTSDT (§16.5)."""
    return pl.when(pl.col("LDFL") == "Y").then(pl.col("LDSTDT")).otherwise(pl.col("TRTSDT"))


def derive_var_ablfl(advisit: pl.LazyFrame, *, visits: VisitParams) -> pl.LazyFrame:
    """Add ``ABLFL``: TRUE on the subject's baseline assessment, FALSE on every other row.

    Baseline is the assessment with the latest ADT before the start of lymphodepletion (before
    the infusion when LDFL = N), no earlier than that date minus ``baseline_window_days``,
    whatever its VISIT label; of two on that date, the later input row (larger SRCSEQ). A
    subject with no qualifying assessment has no baseline (all FALSE).

    References
    ----------
    endpoints.md §4.3 [D-11], §16.5, §16.24.
    """
    anchor = compute_baseline_anchor()
    eligible = (
        (pl.col("ADT") < anchor)
        & (pl.col("ADT") >= anchor - pl.duration(days=visits.baseline_window_days))
    ).fill_null(False)
    # The latest (ADT, SRCSEQ) among eligible rows, as two group maxima: no ordered window.
    # Two steps: a window nested in another window's expression is evaluated per group.
    eligible_adt = pl.when(eligible).then(pl.col("ADT"))
    on_latest_date = eligible & (pl.col("ADT") == eligible_adt.max().over("USUBJID"))
    latest_seq = pl.when(pl.col("ABLFL")).then(pl.col("SRCSEQ")).max().over("USUBJID")
    return advisit.with_columns(on_latest_date.fill_null(False).alias("ABLFL")).with_columns(
        pl.col("ABLFL") & (pl.col("SRCSEQ") == latest_seq).fill_null(False)
    )


def _window_expr(visits: VisitParams, field: str) -> pl.Expr:
    expr = pl.lit(None)
    for w in reversed(visits.windows):
        inside = pl.col("ADY").is_between(w.lower_day, w.upper_day, closed="both")
        expr = pl.when(inside).then(pl.lit(getattr(w, field))).otherwise(expr)
    return expr


def derive_vars_avisit(advisit: pl.LazyFrame, *, visits: VisitParams) -> pl.LazyFrame:
    """Add ``AVISIT``, ``AVISITN`` and ``ANL01FL`` (the one record analysed per scheduled visit).

    The baseline record (``ABLFL``) gets the baseline label; every other assessment whose study
    day lies inside a configured window (inclusive) gets that window's label, else null. Within
    one subject and window, ``ANL01FL`` marks the record whose VISIT equals the window label,
    else the one closest to the target day; a tie goes to the earlier date (then the earlier
    input row). The baseline record has ``ANL01FL`` TRUE; all other rows FALSE.

    References
    ----------
    endpoints.md §11 [D-31], §12 E-27, §16.5.
    """
    label = pl.when(pl.col("ABLFL")).then(pl.lit(visits.baseline_label))
    number = pl.when(pl.col("ABLFL")).then(pl.lit(visits.baseline_avisitn))
    target = _window_expr(visits, "target_day")
    with_visit = advisit.with_columns(
        label.otherwise(_window_expr(visits, "label")).cast(pl.String).alias("AVISIT"),
        number.otherwise(_window_expr(visits, "avisitn")).cast(pl.Int64).alias("AVISITN"),
        pl.when(pl.col("ABLFL")).then(None).otherwise(target).cast(pl.Int64).alias("_tmp_target"),
    )
    keys = [
        (pl.col("VISIT") != pl.col("AVISIT")).fill_null(True),
        (pl.col("ADY") - pl.col("_tmp_target")).abs(),
        pl.col("ADT"),
        pl.col("SRCSEQ"),
    ]
    # The first row of each (subject, window) in key order, found by a group-by of the key
    # columns only and joined back by row number: an ordered window over the wide frame costs
    # several times more.
    with_visit = with_visit.with_row_index(_ROW).cache()
    sort_keys = [f"_tmp_key{i}" for i in range(len(keys))]
    first = (
        with_visit.select(
            _ROW, "USUBJID", "AVISITN", *[k.alias(n) for k, n in zip(keys, sort_keys, strict=True)]
        )
        .group_by("USUBJID", "AVISITN")
        .agg(pl.col(_ROW).sort_by(sort_keys).first())
        .select(_ROW, pl.lit(True).alias("_tmp_first"))
    )
    chosen = with_visit.select(_ROW).join(first, on=_ROW, how="left", maintain_order="left")
    return (
        pl.concat([with_visit, chosen.select("_tmp_first")], how="horizontal")
        .with_columns(
            (pl.col("ABLFL") | (pl.col("_tmp_target").is_not_null() & pl.col("_tmp_first")))
            .fill_null(False)
            .alias("ANL01FL")
        )
        .drop(_ROW, "_tmp_target", "_tmp_first")
    )
