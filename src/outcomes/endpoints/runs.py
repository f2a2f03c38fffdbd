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
