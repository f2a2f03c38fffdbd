"""Flares recorded or derived on each assessment (loss events (b) of §6.3, §16.4).

Input grain: one row per assessment with ``FLARE``, BILAG grades, ``SELENALO, SELENAHI`` and
``PRVSEQ``. Rows and order are unchanged; flags are three-valued.
"""

from __future__ import annotations

import polars as pl

from outcomes import contract as c
from outcomes.derive.compare import compute_bounded_ge
from outcomes.derive.lldas import compute_grade_rank
from outcomes.derive.params import FlareCriteria
from outcomes.derive.previous import with_previous

_PREV = "_tmp_prev_"
_NULL_STR = pl.lit(None, dtype=pl.String)
_RANK = "_tmp_rank_"


def compute_bilag_severity_label(
    *, worse: list[pl.Expr], worse_a: list[pl.Expr], worse_b: list[pl.Expr]
) -> pl.Expr:
    """Severity label of a BILAG flare versus the previous assessment (§2.4 [D-09], [R39]).

    ``SEVERE`` when a domain is new/worse A; ``MODERATE`` with ≥ 2 domains new/worse B;
    ``MILD`` otherwise (one new/worse B, or a configured worse C); ``NONE`` when no domain
    worsened to a configured grade; null when that is not evaluable, or when a domain not
    comparable (missing now or before) could still make the label more severe.

    ``worse``, ``worse_a`` and ``worse_b``: one tri-state flag per BILAG domain, worse than at
    the previous assessment to a configured grade, to A and to B (§2.4 [D-09], [R39]).
    """
    n_b = pl.sum_horizontal([w.fill_null(False).cast(pl.Int64) for w in worse_b])
    n_b_max = pl.sum_horizontal([w.fill_null(True).cast(pl.Int64) for w in worse_b])
    flare, severe = pl.any_horizontal(worse), pl.any_horizontal(worse_a)
    return (
        pl.when(flare.is_null())
        .then(_NULL_STR)
        .when(~flare)
        .then(pl.lit("NONE"))
        .when(severe.is_null() | (~severe & (n_b < 2) & (n_b_max >= 2)))
        .then(_NULL_STR)  # an ungraded domain could raise the label: not evaluable
        .when(severe)
        .then(pl.lit("SEVERE"))
        .when(n_b >= 2)
        .then(pl.lit("MODERATE"))
        .otherwise(pl.lit("MILD"))
    )


def with_bilag_worse(
    frame: pl.LazyFrame, *, grades: tuple[str, ...], prefix: str
) -> tuple[pl.LazyFrame, dict[str, list[pl.Expr]]]:
    """Add per-domain worse flags (to ``grades``, to A, to B) as temporary columns.

    Each grade is ranked once per domain and assessment (the same rule as
    :func:`outcomes.derive.lldas.compute_bilag_worse`), so the flags and the severity label
    read columns instead of re-ranking the grades in every branch.

    Returns
    -------
    tuple[pl.LazyFrame, dict[str, list[pl.Expr]]]
        Rows and order of ``frame`` plus the temporary columns (callers drop the columns of
        :func:`_bilag_worse_names`), and the flag columns by kind (``worse``, ``worse_a``,
        ``worse_b``), one per BILAG domain.

    References
    ----------
    endpoints.md §2.4 [D-09]; Petri MA et al. Ann Rheum Dis 2013;72(Suppl 3):A473 [R39].
    """
    kinds = {"worse": grades, "worse_a": ("A",), "worse_b": ("B",)}
    ranked = frame.with_columns(
        *[compute_grade_rank(pl.col(col)).alias(f"{_RANK}{col}") for col in c.BILAG_COLUMNS],
        *[
            compute_grade_rank(pl.col(f"{prefix}{col}")).alias(f"{_RANK}{prefix}{col}")
            for col in c.BILAG_COLUMNS
        ],
    )
    flags = ranked.with_columns(
        (
            pl.col(col).is_in(list(g)) & (pl.col(f"{_RANK}{col}") < pl.col(f"{_RANK}{prefix}{col}"))
        ).alias(f"_tmp_{kind}_{col}")
        for kind, g in kinds.items()
        for col in c.BILAG_COLUMNS
    )
    columns = {kind: [pl.col(f"_tmp_{kind}_{col}") for col in c.BILAG_COLUMNS] for kind in kinds}
    return flags, columns


def _bilag_worse_names(*, prefix: str) -> list[str]:
    """Names of the temporary columns added by :func:`with_bilag_worse`."""
    ranks = [f"{_RANK}{p}{col}" for p in ("", prefix) for col in c.BILAG_COLUMNS]
    kinds = ("worse", "worse_a", "worse_b")
    return ranks + [f"_tmp_{kind}_{col}" for kind in kinds for col in c.BILAG_COLUMNS]


def compute_sfi_score_severity(*, flare: FlareCriteria, prefix: str) -> pl.Expr:
    """SELENA Flare Index by score (D-19): ``SEVERE`` if the new SELENA-SLEDAI > 12, else
    ``MILD/MODERATE``, when ``SFISCFL`` holds; ``NONE`` when it does not; null if undecided."""
    severe = (
        pl.when(pl.col("SELENALO") > flare.sfi_severe_gt)
        .then(pl.lit("SEVERE"))
        .when(pl.col("SELENAHI") <= flare.sfi_severe_gt)
        .then(pl.lit("MILD/MODERATE"))
        .otherwise(_NULL_STR)
    )
    return (
        pl.when(pl.col("SFISCFL").is_null())
        .then(_NULL_STR)
        .when(~pl.col("SFISCFL"))
        .then(pl.lit("NONE"))
        .otherwise(severe)
    )


def derive_vars_flares(advisit: pl.LazyFrame, *, flare: FlareCriteria) -> pl.LazyFrame:
    """Add the flare flags of each assessment, compared with the previous assessment.

    ``INVFLRFL``: the investigator declared a flare (``FLARE`` in the configured levels, default
    MILD/MODERATE/SEVERE); null when ``FLARE`` is missing. ``BILFLRFL``: a BILAG domain is worse
    to A or B than at the previous assessment ([D-09]), with its severity ``BILFLRSV``.
    ``FLAREFL`` = INVFLRFL OR BILFLRFL, a loss event (b) on ADT (§16.4 i–ii). ``SFISCFL``: the
    SELENA-SLEDAI rose by ≥ 3 points versus the previous assessment (decided on bounds,
    §16.12), with ``SFISEV`` the score severity ([D-19]); reported, not a loss event (§16.4).

    New columns: ``INVFLRFL, BILFLRFL, BILFLRSV, FLAREFL, SFISCFL, SFISEV``.

    References
    ----------
    endpoints.md §2.4 [D-09], §6.3, §6.4 [D-19], §16.4, §16.12; Petri MA et al. Ann Rheum Dis
    2013;72(Suppl 3):A473 [R39].
    """
    columns = [*c.BILAG_COLUMNS, "SELENALO", "SELENAHI"]
    with_prev, worse = with_bilag_worse(
        with_previous(advisit, columns=columns, prefix=_PREV),
        grades=flare.bilag_worse_grades,
        prefix=_PREV,
    )
    rise_lo = pl.col("SELENALO") - pl.col(f"{_PREV}SELENAHI")
    rise_hi = pl.col("SELENAHI") - pl.col(f"{_PREV}SELENALO")
    flags = with_prev.with_columns(
        pl.col("FLARE").is_in(list(flare.investigator_levels)).alias("INVFLRFL"),
        pl.any_horizontal(worse["worse"]).alias("BILFLRFL"),
        compute_bilag_severity_label(**worse).alias("BILFLRSV"),
    ).with_columns(
        (pl.col("INVFLRFL") | pl.col("BILFLRFL")).alias("FLAREFL"),
        compute_bounded_ge(rise_lo, rise_hi, threshold=flare.sfi_rise_ge).alias("SFISCFL"),
    )
    return (
        flags.with_columns(compute_sfi_score_severity(flare=flare, prefix=_PREV).alias("SFISEV"))
        .drop([f"{_PREV}{col}" for col in columns])
        .drop(_bilag_worse_names(prefix=_PREV))
    )
