"""Instrument scores as polars expressions: SLEDAI-2K, clinical SLEDAI-2K, SELENA-SLEDAI, BILAG.

Every expression reads the typed ``assessments`` columns of data-contract.md §1.2 (``SLEDAI_<ITEM>``
bits as Int8 0/1, ``SLEDAI_<ITEM>_NEW`` flags ``Y``/``N``, ``BILAG_<DOMAIN>`` grades ``A``–``E``)
and works row by row, so it can be used in ``select``/``with_columns`` on any frame holding them.

Missing items follow the bounds rule (endpoints.md §12 E-05, E-32, §16.12): the lower bound takes
a missing item as absent, the upper bound as present; the score itself is written only when both
bounds agree. BILAG domains follow E-31.

References
----------
Gladman DD, Ibañez D, Urowitz MB. SLEDAI-2K. J Rheumatol 2002;29:288-291 (endpoints.md §1).
Petri M et al. SELENA-SLEDAI, N Engl J Med 2005;353:2550-2558 (endpoints.md §1.3).
Yee CS et al. Numerical scoring for the BILAG-2004 index. Rheumatology 2010;49:1665-1669 (§2.3).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import polars as pl

from outcomes import contract as c

Index = Literal["sledai2k", "clinical", "selena"]
Bound = Literal["value", "lo", "hi"]
OnsetMissing = Literal["bounds", "persistent"]


def _item_points(
    item: c.SledaiItem, *, index: Index, bound: Literal["lo", "hi"], onset_missing: OnsetMissing
) -> pl.Expr:
    bit = pl.col(item.column)
    if index == "selena" and item.code in c.SELENA_ONSET_ITEMS:
        new = pl.col(f"{item.column}_NEW")
        if bound == "lo":
            present = (bit == 1) & (new == "Y")
        elif onset_missing == "bounds":
            present = (bit.is_null() | (bit == 1)) & (new.is_null() | (new == "Y"))
        else:
            present = (bit.is_null() | (bit == 1)) & (new == "Y")
    elif bound == "lo":
        present = bit == 1
    else:
        present = bit.is_null() | (bit == 1)
    return pl.when(present.fill_null(False)).then(pl.lit(item.weight)).otherwise(pl.lit(0))


def _items(index: Index) -> tuple[c.SledaiItem, ...]:
    if index == "clinical":
        return tuple(item for item in c.SLEDAI_ITEMS if not item.serological)
    return c.SLEDAI_ITEMS


def compute_sledai(
    *, index: Index, bound: Bound, onset_missing: OnsetMissing = "bounds"
) -> pl.Expr:
    """SLEDAI-family total of one assessment, or one of its bounds.

    ``sledai2k`` sums the weights of the 24 descriptors present (range 0–105). ``clinical`` is
    SLEDAI-2K without the two serological descriptors (low complement, increased DNA binding;
    0–101), so missing serology never affects it. ``selena`` scores rash, alopecia, mucosal
    ulcers and proteinuria only when new or recurrent (``SLEDAI_<ITEM>_NEW = Y``); a descriptor
    missing while its onset flag is ``N`` scores 0 at both bounds (§16.24).

    Parameters
    ----------
    index
        ``"sledai2k"``, ``"clinical"`` or ``"selena"`` (endpoints.md §1.4 [D-07]).
    bound
        ``"lo"``: missing descriptor = absent; ``"hi"``: missing descriptor = present;
        ``"value"``: the score when both bounds agree, else null (E-05).
    onset_missing
        SELENA only, a descriptor present with no onset flag (E-32, [D-06]): ``"bounds"`` takes
        it as new for the upper bound and persistent for the lower; ``"persistent"`` never
        scores it.

    Returns
    -------
    pl.Expr
        Int64 score (null for ``"value"`` when the bounds differ).

    References
    ----------
    endpoints.md §1.1–§1.3, §12 E-05, E-32, §16.12, §16.24 [D-06], [D-07].
    """
    if bound == "value":
        lo = compute_sledai(index=index, bound="lo", onset_missing=onset_missing)
        hi = compute_sledai(index=index, bound="hi", onset_missing=onset_missing)
        return pl.when(lo == hi).then(lo).otherwise(None).cast(pl.Int64)
    points = [
        _item_points(item, index=index, bound=bound, onset_missing=onset_missing)
        for item in _items(index)
    ]
    return pl.sum_horizontal(points).cast(pl.Int64)


def compute_bilag_score(*, points: Mapping[str, int]) -> pl.Expr:
    """BILAG-2004 global numeric score: sum over the nine domains of the points of each grade.

    The default scheme is Yee et al. 2010 (A = 12, B = 8, C = 1, D = 0, E = 0; range 0–108);
    the scheme comes from config ``scores.bilag_points``. Null when any domain grade is missing.

    Parameters
    ----------
    points
        Points per grade, keys ``A``–``E``.

    Returns
    -------
    pl.Expr
        Int64 score.

    References
    ----------
    endpoints.md §2.3 [R16].
    """
    mapping = {g: int(points[g]) for g in c.BILAG_GRADES}
    terms = [
        pl.col(col).replace_strict(mapping, default=None, return_dtype=pl.Int64)
        for col in c.BILAG_COLUMNS
    ]
    return pl.sum_horizontal(terms, ignore_nulls=False).cast(pl.Int64)


def compute_bilag_count(*, grade: str, bound: Bound) -> pl.Expr:
    """Number of BILAG-2004 domains graded ``grade`` at one assessment.

    Parameters
    ----------
    grade
        ``"A"`` … ``"E"``.
    bound
        ``"lo"``: missing domain = not ``grade``; ``"hi"``: missing domain = ``grade``;
        ``"value"``: the count when no domain is missing, else null.

    Returns
    -------
    pl.Expr
        Int64 count (0–9).

    References
    ----------
    endpoints.md §10.1 (nA, nB), §12 E-31.
    """
    if bound == "value":
        lo = compute_bilag_count(grade=grade, bound="lo")
        hi = compute_bilag_count(grade=grade, bound="hi")
        return pl.when(lo == hi).then(lo).otherwise(None).cast(pl.Int64)
    missing_counts = bound == "hi"
    terms = [
        (pl.col(col) == grade).fill_null(missing_counts).cast(pl.Int64) for col in c.BILAG_COLUMNS
    ]
    return pl.sum_horizontal(terms).cast(pl.Int64)


def _is_new(current: pl.Expr, baseline: pl.Expr, grade: str) -> pl.Expr:
    if grade == "A":
        return (current == "A") & (baseline != "A")
    if grade == "B":
        return (current == "B") & baseline.is_in(["C", "D", "E"])
    raise ValueError(f"compute_bilag_new: grade must be 'A' or 'B', got {grade!r}")


def compute_bilag_new(*, grade: str, bound: Bound, baseline_prefix: str) -> pl.Expr:
    """Number of domains with a new BILAG ``grade`` versus the baseline assessment.

    A domain has a new A when it is graded A now and was not A at baseline; a new B when it is
    graded B now and was C, D or E at baseline (A→B is an improvement, not a new B; E-22).
    A domain missing now is, per E-31, taken at its baseline grade for the best case (``"lo"``:
    never new) and at ``grade`` for the worst case (``"hi"``). A baseline grade that is missing
    makes every bound null (E-31: SRI then not evaluable).

    Parameters
    ----------
    grade
        ``"A"`` or ``"B"``.
    bound
        ``"lo"``, ``"hi"`` or ``"value"`` (the count when no current domain is missing).
    baseline_prefix
        The baseline grade of ``BILAG_<D>`` is read from column ``baseline_prefix + "BILAG_<D>"``.

    Returns
    -------
    pl.Expr
        Int64 count (0–9).

    References
    ----------
    endpoints.md §2.4, §12 E-22, E-31; Furie RA et al. Arthritis Rheum 2009;61:1143-1151.
    """
    if bound == "value":
        lo = compute_bilag_new(grade=grade, bound="lo", baseline_prefix=baseline_prefix)
        hi = compute_bilag_new(grade=grade, bound="hi", baseline_prefix=baseline_prefix)
        return pl.when(lo == hi).then(lo).otherwise(None).cast(pl.Int64)
    terms = []
    baseline_known = []
    for col in c.BILAG_COLUMNS:
        base = pl.col(f"{baseline_prefix}{col}")
        filled = pl.col(col).fill_null(base if bound == "lo" else pl.lit(grade))
        terms.append(_is_new(filled, base, grade).cast(pl.Int64))
        baseline_known.append(base.is_not_null())
    total = pl.sum_horizontal(terms, ignore_nulls=False)
    return pl.when(pl.all_horizontal(baseline_known)).then(total).otherwise(None).cast(pl.Int64)
