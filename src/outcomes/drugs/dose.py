"""Exact daily doses of medication records (endpoints.md §8.1, §16.8, §16.11; [D-01]).

Every dose is held as an Int128 numerator over one common denominator fixed by the parameters
(:attr:`MedicationParams.mg_denominator`, :attr:`MedicationParams.predeq_denominator`), so that
sums and comparisons are exact rationals: the recorded dose is taken from its decimal text
(§16.8), multiplied by the unit factor (g x 1000, ug / 1000), the administrations per day
(QOD 1/2, QW 1/7, ...) and, for glucocorticoids, 5 / equivalent_mg. A day's total is rounded
half up once, after summing (§16.8).
"""

from __future__ import annotations

from fractions import Fraction

import polars as pl

from outcomes.decimal import SATURATION_ABOVE
from outcomes.drugs.params import DOSE_SCALE_DECIMALS, MedicationParams

_INT = pl.Int128


def _scaled(values: dict[str, Fraction], scale: int) -> dict[str, int]:
    """Integer factors: each value times ``scale`` (which clears every denominator)."""
    out = {}
    for key, value in values.items():
        product = value * scale
        out[key] = product.numerator // product.denominator
    return out


def compute_dose_scaled() -> pl.Expr:
    """CMDOSE as an integer in units of 10^-9 of its unit, from its decimal text (§16.8).

    A dose of :data:`~outcomes.decimal.SATURATION_ABOVE` units or more (validation reports it
    as implausible, VAL-013) enters as that bound: every daily dose built from it is then far
    above every threshold, as the recorded dose would be, and the exact Int128 arithmetic
    cannot overflow.
    """
    dose = pl.col("CMDOSE").cast(pl.Float64)
    text = dose.clip(upper_bound=SATURATION_ABOVE).cast(pl.String)
    decimal = text.str.to_decimal(scale=DOSE_SCALE_DECIMALS)
    return (decimal * (10**DOSE_SCALE_DECIMALS)).cast(_INT)


def compute_mg_numerator(*, params: MedicationParams) -> pl.Expr:
    """Average mg/day of a record x ``params.mg_denominator`` (Int128; §16.11).

    Average daily dose = CMDOSE x mg per unit x administrations per day (QOD / 2, QW / 7,
    Q2W / 14, Q4W / 28); a ONCE record counts its dose on its day(s). Null when the unit or
    frequency is not configured.
    """
    units = _scaled(dict(params.unit_to_mg), params.unit_scale)
    per_day = {k: f.per_day for k, f in params.frequencies.items()}
    frequencies = _scaled(per_day, params.frequency_scale)
    unit = pl.col("CMDOSU").replace_strict(units, default=None, return_dtype=_INT)
    frequency = pl.col("CMDOSFRQ").replace_strict(frequencies, default=None, return_dtype=_INT)
    return compute_dose_scaled() * unit * frequency


def compute_predeq_numerator(*, params: MedicationParams) -> pl.Expr:
    """Prednisone-equivalent mg/day of a record x ``params.predeq_denominator`` (Int128).

    pred-eq = average mg/day x 5 / equivalent_mg (§8.1, §16.8), exact. Null for drugs without
    ``equivalent_mg``. Needs ``DRUG``.
    """
    factors = _scaled(params.predeq_factors, params.predeq_scale)
    factor = pl.col("DRUG").replace_strict(factors, default=None, return_dtype=_INT)
    return compute_mg_numerator(params=params) * factor


def compute_fixed_numerator(numerator: pl.Expr, *, denominator: int, decimals: int) -> pl.Expr:
    """numerator / denominator rounded half up, in units of 10^-decimals (Int128; §16.8).

    Doses are never negative, so half up is floor((2 N 10^d + D) / 2D) in exact integers.
    """
    return (numerator * (2 * 10**decimals) + denominator) // (2 * denominator)


def compute_rounded(numerator: pl.Expr, *, denominator: int, decimals: int) -> pl.Expr:
    """numerator / denominator rounded half up to ``decimals`` places, as Float64 (§16.8).

    The Float64 is parsed from the rounded decimal's text, so it is the double nearest to that
    decimal and its shortest text is the decimal itself
    (:func:`outcomes.decimal.compute_fixed` recovers it exactly).
    """
    fixed = compute_fixed_numerator(numerator, denominator=denominator, decimals=decimals)
    if decimals == 0:
        return fixed.cast(pl.Float64)
    scale = 10**decimals
    text = pl.concat_str(
        (fixed // scale).cast(pl.String),
        pl.lit("."),
        (fixed % scale).cast(pl.String).str.zfill(decimals),
    )
    return text.cast(pl.Float64)


def compute_cap_exceeded(*, params: MedicationParams) -> pl.Expr:
    """True when the average daily dose is above the drug's maintenance maximum (§7.1, §16.11).

    The maximum is inclusive (a dose equal to it passes); methotrexate's 30 mg/week is 30/7
    mg/day. A drug without a configured maximum is never above it (§16.11). Needs ``DRUG``.
    """
    caps = {
        d.inn: d.max_mg_per_day * params.mg_denominator
        for d in params.dictionary
        if d.max_mg_per_day is not None
    }
    num = pl.col("DRUG").replace_strict(
        {k: v.numerator for k, v in caps.items()}, default=None, return_dtype=_INT
    )
    den = pl.col("DRUG").replace_strict(
        {k: v.denominator for k, v in caps.items()}, default=None, return_dtype=_INT
    )
    exceeded = compute_mg_numerator(params=params) * den > num
    return pl.when(num.is_null()).then(False).otherwise(exceeded)
