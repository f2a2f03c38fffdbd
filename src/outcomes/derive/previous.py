"""Reference assessments of each assessment: the previous one and the stability reference date.

Input grain: one row per assessment with ``USUBJID, SRCSEQ, ADT, ADY, ABLFL, ANL01FL, AVISITN``.
Rows and order are unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

_ORDER = ["ADT", "SRCSEQ"]
_ROW = "_tmp_row"
_SUBJECT_START = "_tmp_subject_start"


def _with_last_before(
    advisit: pl.LazyFrame,
    values: Mapping[str, tuple[pl.Expr, pl.Expr]],
    *,
    any_of: Mapping[str, pl.Expr] | None = None,
) -> pl.LazyFrame:
    """``advisit`` plus, for each ``name: (value, candidate)``, the ``value`` of the latest
    earlier row of the same subject (by ADT, SRCSEQ) where ``candidate`` holds and ``value`` is
    not null; plus, for each ``name: flag`` of ``any_of``, whether the flag holds on any row of
    the subject. Rows and order are unchanged.

    The key columns and the marked values are sorted once by subject and date; the latest
    earlier candidate is the forward-filled position of the rows before, kept when it lies in
    the same subject; the results are put back in row order. This is the ordered window
    ``value.shift(1).forward_fill().over("USUBJID", order_by=["ADT", "SRCSEQ"])`` computed on
    a narrow frame, without a window over the wide one.
    """
    advisit = advisit.cache()  # read twice: computed once per collect
    any_of = dict(any_of or {})
    position = pl.int_range(pl.len(), dtype=pl.UInt32)
    marked = {f"_tmp_value_{name}": pl.when(cand).then(val) for name, (val, cand) in values.items()}
    narrow = (
        advisit.select(position.alias(_ROW), "USUBJID", *_ORDER, **marked, **any_of)
        .sort("USUBJID", *_ORDER, maintain_order=True)
        .with_columns(
            pl.when((pl.col("USUBJID") != pl.col("USUBJID").shift()).fill_null(True))
            .then(position)
            .forward_fill()
            .alias(_SUBJECT_START)
        )
    )
    results = []
    for name in values:
        value = pl.col(f"_tmp_value_{name}")
        last = pl.when(value.is_not_null()).then(position).shift(1).forward_fill()
        results.append(
            pl.when(last >= pl.col(_SUBJECT_START))
            .then(value.gather(last.fill_null(0)))
            .alias(name)
        )
    results += [pl.col(name).any().over(_SUBJECT_START).alias(name) for name in any_of]
    found = narrow.select(_ROW, *results).sort(_ROW).drop(_ROW)
    return pl.concat([advisit, found], how="horizontal")


def derive_var_prvseq(advisit: pl.LazyFrame) -> pl.LazyFrame:
    """Add ``PRVSEQ``: SRCSEQ of the immediately preceding assessment (scheduled or unscheduled).

    For a post-infusion assessment (ADY > 0) of a subject with a baseline, the preceding
    assessment is taken among the baseline and the post-infusion assessments, so the first
    post-infusion assessment is compared with the baseline. Otherwise (pre-infusion rows, or no
    baseline) it is the assessment just before in date order. Null for the first assessment.

    References
    ----------
    endpoints.md §7.2 C2 [D-20], §12 E-13, §16.24 (no baseline).
    """
    post = (pl.col("ADY") > 0).fill_null(False)
    chain = pl.col("ABLFL") | post
    found = _with_last_before(
        advisit,
        {
            "_tmp_prev_any": (pl.col("SRCSEQ"), pl.lit(True)),
            "_tmp_prev_chain": (pl.col("SRCSEQ"), chain),
        },
        any_of={"_tmp_has_baseline": pl.col("ABLFL")},
    )
    return found.with_columns(
        pl.when(post & pl.col("_tmp_has_baseline"))
        .then(pl.col("_tmp_prev_chain"))
        .otherwise(pl.col("_tmp_prev_any"))
        .cast(pl.Int64)
        .alias("PRVSEQ")
    ).drop("_tmp_prev_any", "_tmp_prev_chain", "_tmp_has_baseline")


def derive_var_stbrefdt(advisit: pl.LazyFrame) -> pl.LazyFrame:
    """Add ``STBREFDT``: the date IS/biologic stability is measured from (DORIS, D-14).

    For a post-infusion assessment: the date of the previous scheduled assessment (the record
    analysed for an earlier scheduled visit, ``ANL01FL``) or, before the first post-infusion
    scheduled visit, the baseline assessment (unscheduled assessments included). A subject
    without a baseline starts at the last earlier scheduled assessment. Null before infusion
    and when no reference exists.

    References
    ----------
    endpoints.md §5.1 [D-14], §16.9, §16.24.
    """
    scheduled = pl.col("ANL01FL") & (pl.col("AVISITN") > 0).fill_null(False)
    found = _with_last_before(
        advisit, {"_tmp_reference": (pl.col("ADT"), pl.col("ABLFL") | scheduled)}
    )
    post = (pl.col("ADY") > 0).fill_null(False)
    return found.with_columns(
        pl.when(post).then(pl.col("_tmp_reference")).otherwise(None).cast(pl.Date).alias("STBREFDT")
    ).drop("_tmp_reference")


_POSITION = "_tmp_pos"


def _gather_from(
    advisit: pl.LazyFrame,
    positions: pl.LazyFrame,
    *,
    columns: Sequence[str],
    prefix: str,
    found: str | None = None,
) -> pl.LazyFrame:
    """``advisit`` plus the ``columns`` of the row at each row's ``_POSITION`` (one column of
    ``positions``, aligned with ``advisit``; null gives nulls), as ``prefix + column``; with
    ``found``, also a Boolean column of that name: whether the row has such a position."""
    position = pl.col(_POSITION)
    extra = [] if found is None else [position.is_not_null().alias(found)]
    return (
        pl.concat([advisit, positions.select(_POSITION)], how="horizontal")
        .with_columns(*[pl.col(c).gather(position).alias(f"{prefix}{c}") for c in columns], *extra)
        .drop(_POSITION)
    )


def with_previous(advisit: pl.LazyFrame, *, columns: Sequence[str], prefix: str) -> pl.LazyFrame:
    """Add the ``columns`` of the assessment ``PRVSEQ`` points to, as ``prefix + column``.

    A helper for criteria that compare with the previous assessment; callers drop the added
    columns before returning. Rows and order are unchanged: the position of the previous
    assessment (same USUBJID, SRCSEQ = PRVSEQ) is found by a join of the key columns only, and
    the values are gathered from that position, so the wide frame itself is never joined.
    SRCSEQ identifies a record within its subject (the export's row number), as in every
    validated table.
    """
    advisit = advisit.cache()  # read three times: computed once per collect
    rows = advisit.select("USUBJID", pl.col("SRCSEQ").alias("PRVSEQ")).with_row_index(_POSITION)
    previous = advisit.select("USUBJID", "PRVSEQ").join(
        rows, on=["USUBJID", "PRVSEQ"], how="left", maintain_order="left"
    )
    return _gather_from(advisit, previous, columns=columns, prefix=prefix)


def with_baseline(
    advisit: pl.LazyFrame, *, columns: Sequence[str], prefix: str, found: str | None = None
) -> pl.LazyFrame:
    """Add the baseline (``ABLFL``) values of ``columns`` to every row as ``prefix + column``.

    The baseline row of each subject is taken once (the first ABLFL row in row order); its
    position is joined to the key column only and the values gathered from it: rows and order
    are unchanged; subjects without a baseline get nulls. With ``found``, a Boolean column of
    that name tells whether the subject has a baseline row (TRUE or FALSE, never null).
    """
    advisit = advisit.cache()  # read three times: computed once per collect
    baseline = (
        advisit.select("USUBJID", "ABLFL")
        .with_row_index(_POSITION)
        .filter(pl.col("ABLFL"))
        .group_by("USUBJID", maintain_order=True)
        .agg(pl.col(_POSITION).first())
    )
    positions = advisit.select("USUBJID").join(
        baseline, on="USUBJID", how="left", maintain_order="left"
    )
    return _gather_from(advisit, positions, columns=columns, prefix=prefix, found=found)
