"""Cell formats of the tables, figures and listings (TFL): pure functions of numbers to text.

Display rounding is half up on the decimal text of the value (SAS ``ROUND``, PROC REPORT
formats): 12.5 → 13, 6.25 → 6.3, unlike binary half-to-even rounding (polars ``round``,
Python ``round``: 12.5 → 12). A value is taken by its shortest decimal text (``repr`` of the
float, endpoints.md §16.8), so 6.25 is exactly 6.25 before rounding. A statistic that cannot be
estimated (no subject, an undefined interval limit, a median not reached) prints as ``NE``.

Decimals are fixed per statistic (:data:`DECIMALS`), as in a statistical analysis plan's table
shells.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

#: The text of a statistic that cannot be estimated.
NE = "NE"

#: Decimals per statistic: percentages 1, proportions and their limits 2, means, medians and
#: their limits 1, standard deviations 2, counts 0.
DECIMALS: dict[str, int] = {
    "n": 0,
    "pct": 1,
    "proportion": 2,
    "mean": 1,
    "sd": 2,
    "median": 1,
    "min_max": 0,
    "months": 1,
    "rate": 2,
}


def is_estimable(value: float | int | Decimal | None) -> bool:
    """True for a finite number; None, NaN and infinity are not estimable."""
    if value is None:
        return False
    if isinstance(value, Decimal):
        return value.is_finite()
    return math.isfinite(value)


def format_number(value: float | int | Decimal | None, decimals: int) -> str:
    """``value`` rounded half up to ``decimals`` places, or ``NE`` when not estimable.

    Examples
    --------
    >>> format_number(12.5, 0), format_number(6.25, 1), format_number(None, 1)
    ('13', '6.3', 'NE')
    """
    if not is_estimable(value):
        return NE
    exact = value if isinstance(value, Decimal) else Decimal(repr(value))
    quantum = Decimal(1).scaleb(-decimals)
    rounded = exact.quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # no "-0.0"
    return f"{rounded:f}"


def format_n_pct(n: int | None, denominator: int | None, *, decimals: int = DECIMALS["pct"]) -> str:
    """``n (pct)`` with the percentage of ``denominator`` (``6 (37.5)``); ``0`` when n is 0.

    A zero count prints without a percentage (PROC REPORT shell convention); a missing or zero
    denominator prints the count with ``(NE)``.
    """
    if n is None:
        return NE
    if n == 0:
        return "0"
    if not denominator:
        return f"{n} ({NE})"
    pct = Decimal(n) * 100 / Decimal(denominator)
    return f"{n} ({format_number(pct, decimals)})"


def format_n_over_n_pct(
    n: int | None, denominator: int | None, *, decimals: int = DECIMALS["pct"]
) -> str:
    """``n/N (pct)`` (``6/16 (37.5)``); ``0/N`` when n is 0; ``NE`` without a denominator."""
    if n is None or not denominator:
        return NE
    if n == 0:
        return f"0/{denominator}"
    pct = Decimal(n) * 100 / Decimal(denominator)
    return f"{n}/{denominator} ({format_number(pct, decimals)})"


def format_estimate_ci(
    estimate: float | Decimal | None,
    lower: float | Decimal | None,
    upper: float | Decimal | None,
    *,
    decimals: int,
) -> str:
    """``estimate [lower, upper]`` in one cell (``0.31 [0.11, 0.59]``); ``NE`` per part.

    A missing estimate gives ``NE`` for the whole cell; a missing limit gives ``NE`` in its
    place (a median reached without an upper limit: ``5.6 [3.0, NE]``).
    """
    if not is_estimable(estimate):
        return NE
    return (
        f"{format_number(estimate, decimals)} "
        f"[{format_number(lower, decimals)}, {format_number(upper, decimals)}]"
    )


def format_mean_sd(
    mean: float | None, sd: float | None, *, decimals: int = DECIMALS["mean"]
) -> str:
    """``mean (SD)`` with the SD one decimal more than the mean; ``NE`` parts when undefined."""
    if not is_estimable(mean):
        return NE
    return f"{format_number(mean, decimals)} ({format_number(sd, decimals + 1)})"


def format_min_max(low: float | None, high: float | None, *, decimals: int = 0) -> str:
    """``min, max``; ``NE`` when no value."""
    if not is_estimable(low):
        return NE
    return f"{format_number(low, decimals)}, {format_number(high, decimals)}"


def format_header(label: str, n: int) -> str:
    """Column header with its big N: ``DL1 (N=16)``."""
    return f"{label} (N={n})"


def format_level(conf_level: float) -> str:
    """A confidence level as the tables print it: 0.95 -> ``95%``, 0.975 -> ``97.5%``."""
    return f"{conf_level * 100:g}%"
