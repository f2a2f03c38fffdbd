"""Window helpers over contiguous runs of rows (one run per subject × state).

Name: run windows. Input grain: any frame sorted so that each group (subject × state) is one
contiguous run of rows, numbered by an integer column (``pl.struct(keys).rle_id()``). On such a
frame the previous row of the same group is the previous row of the frame, so a shift needs no
per-group window: the value is kept unless the row starts a new run.
"""

from __future__ import annotations

import polars as pl


def compute_run_shift(expr: pl.Expr, *, group: str) -> pl.Expr:
    """The value of ``expr`` on the previous row of the same run; null on the first row of a run.

    Equals ``expr.shift(1).over(group)`` when the rows of each value of ``group`` are contiguous
    (a run number from ``rle_id`` on rows sorted by the group keys); without the per-group
    window, so it costs one pass over the frame.

    Parameters
    ----------
    expr
        The value to take from the previous row.
    group
        Name of the integer run-number column.

    Returns
    -------
    pl.Expr
        The previous row's value, null at the start of each run.
    """
    same_run = pl.col(group) == pl.col(group).shift(1)
    return pl.when(same_run).then(expr.shift(1))


def compute_run_start(*, group: str) -> pl.Expr:
    """TRUE on the first row of each run of ``group`` (and on the frame's first row)."""
    return (pl.col(group) != pl.col(group).shift(1)).fill_null(True)


def compute_run_cum_sum(expr: pl.Expr, *, group: str) -> pl.Expr:
    """Cumulative sum of ``expr`` within each run: equals ``expr.cum_sum().over(group)`` on
    contiguous runs, from two passes over the frame instead of a per-group window.

    Nulls count as 0 (as in ``cum_sum``), but a null value stays null on its own row.
    """
    value = expr.fill_null(0)
    total = value.cum_sum()
    before_run = pl.when(compute_run_start(group=group)).then(total - value).forward_fill()
    return pl.when(expr.is_not_null()).then(total - before_run)


def compute_run_forward_fill(expr: pl.Expr, *, group: str) -> pl.Expr:
    """The last non-null value of ``expr`` so far within each run: equals
    ``expr.forward_fill().over(group)`` on contiguous runs, without a per-group window."""
    source = pl.when(expr.is_not_null()).then(pl.col(group)).forward_fill()
    return pl.when(source == pl.col(group)).then(expr.forward_fill())


#: Bound of the values :func:`compute_run_cum_max` accepts (non-negative, below 2**31).
_CUM_MAX_BOUND = 1 << 31


def compute_run_cum_max(expr: pl.Expr, *, group: str) -> pl.Expr:
    """Running maximum of a non-negative integer ``expr`` within each run: equals
    ``expr.cum_max().over(group)`` on contiguous runs numbered in increasing order (``rle_id``).

    Each value is offset by its run number × 2**31 so one running maximum over the frame never
    carries a value into the next run; exact for integers in 0 .. 2**31 − 1 (day counts, gap
    counts). A value outside that range gives null, never a wrong maximum. Nulls are skipped
    (the running maximum so far is kept) and the first rows of a run before any value are null.
    """
    value = expr.cast(pl.Int64)
    valid = (value >= 0) & (value < _CUM_MAX_BOUND)
    offset = pl.col(group).cast(pl.Int64) * _CUM_MAX_BOUND
    running = pl.when(valid).then(offset + value).cum_max() - offset
    reset = running < 0  # only values of earlier runs so far
    return pl.when(valid.fill_null(True) & ~reset.fill_null(True)).then(running)
