"""Exact threshold comparisons on recorded precision (endpoints.md §0 [D-01], §16.8).

Binary floats cannot hold 2.3 or 0.3 exactly, so ``2.3 - 2.0 < 0.3`` is true in IEEE doubles.
Values are therefore compared as integers in units of ``10**-decimals``: each float is taken by
its shortest decimal text (the recorded value, e.g. ``repr(2.3) == "2.3"``), converted to an exact
decimal and rounded half up to the stated number of decimals. Differences and comparisons of
these integers are exact.

A value of magnitude :data:`SATURATION_ABOVE` or more (no measurement or dose comes near it; the
validation flags it as implausible) is held as ``±SATURATED`` units: it still compares above (or
below) every configured threshold, as the recorded value would, without overflowing Int64 or
falling back to null. Infinities saturate the same way; NaN stays null (not evaluable).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import polars as pl

#: Decimal scale used while converting text to an exact decimal before rounding.
_WORK_SCALE = 12
#: Magnitude from which a value is held as ``±SATURATED`` units instead of exactly.
SATURATION_ABOVE = 1e12
#: Units a saturated value is held as: far above any threshold, and twice it still fits Int64.
SATURATED = 2**60


def compute_fixed(expr: pl.Expr, *, decimals: int) -> pl.Expr:
    """Round half up to ``decimals`` places and return the value in units of ``10**-decimals``.

    Parameters
    ----------
    expr
        A Float64 (or numeric) expression; null stays null.
    decimals
        Number of decimals kept (PGA: 2, prednisone-equivalent dose: 4; [D-01]).

    Returns
    -------
    pl.Expr
        Int64 expression, e.g. PGA 2.30 → 230 with ``decimals=2``.
    """
    value = expr.cast(pl.Float64).fill_nan(None)
    huge = value.abs() >= SATURATION_ABOVE
    small = pl.when(huge.not_()).then(value)
    exact = small.cast(pl.String).str.to_decimal(scale=_WORK_SCALE)
    scaled = exact * (10**decimals)
    half = pl.lit("0.5").str.to_decimal(scale=_WORK_SCALE)
    rounded = pl.when(scaled >= 0).then(scaled + half).otherwise(scaled - half).cast(pl.Int64)
    return (  # the first branch names the result after ``expr``
        pl.when(huge.fill_null(False).not_())
        .then(rounded)
        .when(value > 0)
        .then(pl.lit(SATURATED, dtype=pl.Int64))
        .otherwise(pl.lit(-SATURATED, dtype=pl.Int64))
    )


def to_fixed(value: float | int | str | Decimal, *, decimals: int) -> int:
    """A configured threshold in units of ``10**-decimals`` (half up), e.g. 0.3 → 30."""
    exact = Decimal(str(value)) * (Decimal(10) ** decimals)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
