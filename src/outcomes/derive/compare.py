"""Threshold comparisons used by the per-visit criteria, exact and three-valued.

Continuous values (PGA, prednisone-equivalent dose) are compared as integers on their recorded
precision (endpoints.md §0 [D-01], §16.8): PGA on 0.01, doses on 0.0001. Scores known only by
bounds (E-05) give a decision only when both bounds agree; otherwise null (not evaluable).
"""

from __future__ import annotations

from typing import Literal

import polars as pl

from outcomes.decimal import compute_fixed, to_fixed

#: Decimals of prednisone-equivalent doses before comparison when no ``medications.gc_decimals``
#: is given (its default; §0 [D-01], §16.8).
DOSE_DECIMALS = 4

Operator = Literal["lt", "le", "eq", "ge", "gt"]


def compute_compare(expr: pl.Expr, *, op: Operator, threshold: float, decimals: int) -> pl.Expr:
    """``expr op threshold`` in exact decimals rounded half up to ``decimals`` places.

    Parameters
    ----------
    expr
        A numeric expression (null stays null: not evaluable).
    op
        ``"lt"``, ``"le"``, ``"eq"``, ``"ge"`` or ``"gt"``.
    threshold
        The configured threshold.
    decimals
        Recorded precision (PGA 2, doses 4; [D-01]).

    Returns
    -------
    pl.Expr
        Boolean, null where ``expr`` is null.
    """
    value = compute_fixed(expr, decimals=decimals)
    limit = pl.lit(to_fixed(threshold, decimals=decimals), dtype=pl.Int64)
    return _apply(value, op, limit)


def _apply(value: pl.Expr, op: Operator, limit: pl.Expr) -> pl.Expr:
    if op == "lt":
        return value < limit
    if op == "le":
        return value <= limit
    if op == "eq":
        return value == limit
    if op == "ge":
        return value >= limit
    if op == "gt":
        return value > limit
    raise ValueError(f"compute_compare: unknown operator {op!r}")


def compute_bounded_le(lo: pl.Expr, hi: pl.Expr, *, threshold: int) -> pl.Expr:
    """``score <= threshold`` for a score known by bounds ``[lo, hi]`` (E-05).

    TRUE when the upper bound satisfies it, FALSE when the lower bound does not, else null.
    """
    return (
        pl.when(hi <= threshold)
        .then(pl.lit(True))
        .when(lo > threshold)
        .then(pl.lit(False))
        .otherwise(pl.lit(None, dtype=pl.Boolean))
    )


def compute_bounded_ge(lo: pl.Expr, hi: pl.Expr, *, threshold: int) -> pl.Expr:
    """``value >= threshold`` for a value known by bounds ``[lo, hi]`` (E-05, §16.12)."""
    return (
        pl.when(lo >= threshold)
        .then(pl.lit(True))
        .when(hi < threshold)
        .then(pl.lit(False))
        .otherwise(pl.lit(None, dtype=pl.Boolean))
    )
