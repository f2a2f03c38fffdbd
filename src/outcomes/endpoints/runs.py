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
