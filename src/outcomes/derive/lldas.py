"""Lupus Low Disease Activity State (LLDAS) on each assessment, criterion by criterion.

Input grain: one row per assessment with the SLEDAI bits, ``SDK2KLO, SDK2KHI``, ``PGA``, BILAG
grades, ``HAEMOLYSIS``, ``PRVSEQ`` (previous assessment) and the medication columns ``GCDOSE,
ISOVRFL, INVFL``. Rows and order are unchanged; flags are three-valued.
"""

from __future__ import annotations

import polars as pl

from outcomes import contract as c
from outcomes.derive.compare import DOSE_DECIMALS, compute_bounded_le, compute_compare
from outcomes.derive.params import LldasCriteria
from outcomes.derive.previous import with_previous

_PREV = "_tmp_prev_"
_GRADE_RANK = {"A": 1, "B": 2, "C": 3, "D": 4, "E": 5}


def compute_lldas_c1(*, lldas: LldasCriteria) -> pl.Expr:
    """LLDAS criterion 1: SLEDAI-2K ≤ 4 with no major-organ item, no haemolysis, no GI activity.

    SLEDAI-2K is decided on its bounds (E-05). No descriptor flagged ``LLDAS_MAJOR`` (renal,
    CNS, cardiopulmonary, vasculitis, fever) may be present. Haemolysis: ``HAEMOLYSIS = Y``
    fails, ``N`` passes; when missing, [D-34] takes it as absent if BILAG haematological is D or
    E, else not evaluable (or always not evaluable with ``haemolysis_missing: not_evaluable``).
    GI activity = BILAG GI graded A, B or C.

    References
    ----------
    endpoints.md §7.1 [R4], §7.2 [D-20], [D-34], §16.12, §16.13.
    """
    score = compute_bounded_le(pl.col("SDK2KLO"), pl.col("SDK2KHI"), threshold=lldas.sledai_le)
    major = ~pl.any_horizontal([pl.col(i.column) == 1 for i in c.SLEDAI_ITEMS if i.lldas_major])
    if lldas.haemolysis_missing == "bilag_haem_de":
        fallback = pl.when(pl.col("BILAG_HAEM").is_in(["D", "E"])).then(pl.lit(True))
    else:
        fallback = pl.when(pl.lit(False)).then(pl.lit(True))
    no_haem = (
        pl.when(pl.col("HAEMOLYSIS") == "Y")
        .then(pl.lit(False))
        .when(pl.col("HAEMOLYSIS") == "N")
        .then(pl.lit(True))
        .otherwise(fallback.otherwise(pl.lit(None, dtype=pl.Boolean)))
    )
    no_gi = pl.col("BILAG_GI").is_in(["D", "E"])
    return pl.all_horizontal(score, major, no_haem, no_gi)


def compute_grade_rank(expr: pl.Expr) -> pl.Expr:
    """Rank of a BILAG grade: A = 1 (most active) … E = 5; null for a missing or other value."""
    return expr.replace_strict(_GRADE_RANK, default=None, return_dtype=pl.Int64)


def compute_bilag_worse(column: str, *, grades: tuple[str, ...], prefix: str) -> pl.Expr:
    """A BILAG domain graded one of ``grades`` now and worse than at the previous assessment."""
    now, prev = pl.col(column), pl.col(f"{prefix}{column}")
    return now.is_in(list(grades)) & (compute_grade_rank(now) < compute_grade_rank(prev))


def compute_lldas_c2(*, include_bilag: bool, prefix: str) -> pl.Expr:
    """LLDAS criterion 2: no SLEDAI-2K descriptor present now that was absent before.

    Compares with the immediately preceding assessment (columns ``prefix + SLEDAI_<ITEM>``);
    all 24 descriptors, serology included. Three-valued: new(i) = present now AND NOT present
    before; C2 = NOT any new(i). With ``include_bilag`` a BILAG domain worse to A, B or C also
    fails it.

    References
    ----------
    endpoints.md §7.2 [D-20], §12 E-13, §16.12.
    """
    new = [(pl.col(col) == 1) & ~(pl.col(f"{prefix}{col}") == 1) for col in c.SLEDAI_COLUMNS]
    if include_bilag:
        new += [
            compute_bilag_worse(col, grades=("A", "B", "C"), prefix=prefix)
            for col in c.BILAG_COLUMNS
        ]
    return ~pl.any_horizontal(new)


def derive_vars_lldas(
    advisit: pl.LazyFrame,
    *,
    lldas: LldasCriteria,
    pga_decimals: int,
    dose_decimals: int = DOSE_DECIMALS,
) -> pl.LazyFrame:
    """Add the five LLDAS criteria and ``LLDASFL`` (Franklyn 2016).

    C1 activity (see :func:`compute_lldas_c1`); C2 nothing new versus the previous assessment
    (see :func:`compute_lldas_c2`); C3 PGA ≤ 1; C4 prednisone-equivalent ≤ 7.5 mg/day on the
    assessment date; C5 no immunosuppressant or biologic above its maintenance maximum
    (``ISOVRFL``) and no investigational drug (``INVFL``; the CAR-T product and
    lymphodepletion are not investigational here, E-12). ``LLDASFL`` is their three-valued AND.

    New columns: ``LLC1FL, LLC2FL, LLC3FL, LLC4FL, LLC5FL, LLDASFL``.

    References
    ----------
    endpoints.md §7.1, §7.2 [D-20], [D-34], §12 E-12..E-14, §16.11–§16.13; Franklyn K et al.
    Ann Rheum Dis 2016;75:1615-1621 [R4].
    """
    previous_columns = [*c.SLEDAI_COLUMNS, *c.BILAG_COLUMNS]
    with_prev = with_previous(advisit, columns=previous_columns, prefix=_PREV)
    flags = with_prev.with_columns(
        compute_lldas_c1(lldas=lldas).alias("LLC1FL"),
        compute_lldas_c2(include_bilag=lldas.c2_include_bilag, prefix=_PREV).alias("LLC2FL"),
        compute_compare(
            pl.col("PGA"), op="le", threshold=lldas.pga_le, decimals=pga_decimals
        ).alias("LLC3FL"),
        compute_compare(
            pl.col("GCDOSE"),
            op="le",
            threshold=lldas.prednisone_mg_per_day_le,
            decimals=dose_decimals,
        ).alias("LLC4FL"),
        (~pl.col("ISOVRFL") & ~pl.col("INVFL")).alias("LLC5FL"),
    ).drop([f"{_PREV}{col}" for col in previous_columns])
    return flags.with_columns(
        pl.all_horizontal("LLC1FL", "LLC2FL", "LLC3FL", "LLC4FL", "LLC5FL").alias("LLDASFL")
    )
