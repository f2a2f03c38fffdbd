"""ICAHT grades from absolute neutrophil (ANC) and platelet (PLT) counts (endpoints.md §9.3).

Name: immune effector cell-associated haematotoxicity. Inputs: validated labs (long format),
adsl. Output grain: one row per infused subject.

With non-daily counts each draw's value is held until the next draw (step function, [D-27]);
days are counted from Day 0 to Day 30 inclusive for early grading. Counts are compared with
thresholds in exact decimals (3 places of 10^9/L, [D-01]).
"""

from __future__ import annotations

import polars as pl

from outcomes.decimal import compute_fixed, to_fixed
from outcomes.endpoints.params import IcahtParams

_DEC = 3


def create_held_counts(
    labs: pl.LazyFrame, *, subjects: pl.LazyFrame, test: str, last_day: int
) -> pl.LazyFrame:
    """Held value of one test on every study day 0..``last_day`` (step function, [D-27]).

    The value on a day is the latest draw on or before it (a draw before Day 0 holds into
    Day 0); null before the first draw. Values are integers in 10^-3 × 10^9/L.

    Returns
    -------
    pl.LazyFrame
        USUBJID, DAY, VALUE (Int64, null when no draw yet).
    """
    draws = (
        labs.filter(pl.col("LBTESTCD") == test)
        .select(
            "USUBJID",
            pl.col("LBDT").alias("_tmp_dt"),
            compute_fixed(pl.col("LBSTRESN"), decimals=_DEC).alias("VALUE"),
        )
        .drop_nulls("VALUE")
        .sort("_tmp_dt")
    )
    grid = (
        subjects.select("USUBJID", "TRTSDT", pl.int_ranges(0, last_day + 1).alias("DAY"))
        .explode("DAY")
        # Days ascend within each subject (int_ranges): join_asof needs the dates sorted only
        # within each ``by`` group, so the grid is not sorted as a whole.
        .with_columns((pl.col("TRTSDT") + pl.duration(days=pl.col("DAY"))).alias("_tmp_dt"))
    )
    return grid.join_asof(
        draws, on="_tmp_dt", by="USUBJID", strategy="backward", check_sortedness=False
    ).select("USUBJID", "DAY", "VALUE")


def _days(condition: pl.Expr) -> pl.Expr:
    return condition.fill_null(False).sum()


def _late_draws(
    labs: pl.LazyFrame, *, subjects: pl.LazyFrame, test: str, params: IcahtParams
) -> pl.LazyFrame:
    day = (pl.col("LBDT") - pl.col("TRTSDT")).dt.total_days()
    return (
        labs.filter(pl.col("LBTESTCD") == test)
        .join(subjects.select("USUBJID", "TRTSDT"), on="USUBJID", how="inner")
        .filter(day.is_between(params.early_last_day + 1, params.late_last_day))
        .select("USUBJID", compute_fixed(pl.col("LBSTRESN"), decimals=_DEC).alias("VALUE"))
        .drop_nulls("VALUE")
    )


def create_icaht_anc(
    labs: pl.LazyFrame, *, subjects: pl.LazyFrame, params: IcahtParams
) -> pl.LazyFrame:
    """Neutrophil ICAHT, early (Day 0–30) and late (after Day 30) grades (§9.3, E-26).

    Early: days with ANC ≤ 0.5 ×10^9/L: 1–6 → 1, 7–13 → 2, ≥14 → 3; grade 4 when ANC ≤ 0.1 for
    ≥7 days or ANC never above 0.5 on any of Days 0–30 (every day known). Late (Day 31 to
    ``late_last_day``): the highest grade whose threshold (≤1.5, ≤1.0, ≤0.5, ≤0.1) at least
    ``late_min_values`` draws reach; fewer draws → not graded (null). No count at all → null.
    Reference: Rejeski K, et al. Blood 2023;142:865-877 (table pending verification, §15.5).

    Returns
    -------
    pl.LazyFrame
        USUBJID, ICAHTEGR, ICAHTLGR.
    """
    le, prof = (
        to_fixed(params.anc_early_le, decimals=_DEC),
        to_fixed(params.anc_early_profound_le, decimals=_DEC),
    )
    held = create_held_counts(labs, subjects=subjects, test="ANC", last_day=params.early_last_day)
    early = held.group_by("USUBJID").agg(
        _days(pl.col("VALUE") <= le).alias("_tmp_le"),
        _days(pl.col("VALUE") <= prof).alias("_tmp_prof"),
        _days(pl.col("VALUE") > le).alias("_tmp_above"),
        pl.col("VALUE").count().alias("_tmp_known"),
    )
    late_thr = [to_fixed(t, decimals=_DEC) for t in params.anc_late_le]
    late = (
        _late_draws(labs, subjects=subjects, test="ANC", params=params)
        .group_by("USUBJID")
        .agg(
            pl.len().alias("_tmp_n"),
            *((pl.col("VALUE") <= t).sum().alias(f"_tmp_g{g}") for g, t in enumerate(late_thr, 1)),
        )
    )
    lgr = pl.when(pl.col("_tmp_n") < params.late_min_values).then(None)
    for g in (4, 3, 2, 1):
        lgr = lgr.when(pl.col(f"_tmp_g{g}") >= params.late_min_values).then(g)
    return _grades(
        subjects,
        early.select("USUBJID", compute_anc_early_grade(params).alias("ICAHTEGR")),
        late.select("USUBJID", lgr.otherwise(0).alias("ICAHTLGR")),
    )


def create_icaht_plt(
    labs: pl.LazyFrame, *, subjects: pl.LazyFrame, params: IcahtParams
) -> pl.LazyFrame:
    """Thrombocytopenia (T-ICAHT) early (Day 0–30) and late (Day 31–100) grades (§9.3).

    Early: days with PLT < 50 ×10^9/L 1–6 → 1, ≥7 → 2; days < 20 1–13 → 3, ≥14 → 4. Late (held
    days in Day 31..``late_last_day``, graded only with at least ``late_min_values`` draws in the
    window): any day < 100 → 1, < 50 → 2, < 20 for 1–13 days → 3, ≥14 → 4.
    Reference: Rejeski K, et al. Blood 2023;142:865-877; T-ICAHT table [R34b].

    Returns
    -------
    pl.LazyFrame
        USUBJID, TICAHTEG, TICAHTLG.
    """
    g1, g3 = (to_fixed(t, decimals=_DEC) for t in params.plt_early_lt)
    # Read by the early and the late grade: computed once per collect.
    held = create_held_counts(
        labs, subjects=subjects, test="PLT", last_day=params.late_last_day
    ).cache()
    early_days = pl.col("DAY") <= params.early_last_day
    early = (
        held.filter(early_days)
        .group_by("USUBJID")
        .agg(
            _days(pl.col("VALUE") < g1).alias("_tmp_50"),
            _days(pl.col("VALUE") < g3).alias("_tmp_20"),
            pl.col("VALUE").count().alias("_tmp_known"),
        )
    )
    l1, l2, l3 = (to_fixed(t, decimals=_DEC) for t in params.plt_late_lt)
    late_days = (
        held.filter(early_days.not_())
        .group_by("USUBJID")
        .agg(
            _days(pl.col("VALUE") < l1).alias("_tmp_100"),
            _days(pl.col("VALUE") < l2).alias("_tmp_50"),
            _days(pl.col("VALUE") < l3).alias("_tmp_20"),
        )
    )
    n_draws = (
        _late_draws(labs, subjects=subjects, test="PLT", params=params)
        .group_by("USUBJID")
        .agg(pl.len().alias("_tmp_n"))
    )
    late = late_days.join(n_draws, on="USUBJID", how="left").select(
        "USUBJID", compute_plt_late_grade(params).alias("TICAHTLG")
    )
    early_grade = early.select("USUBJID", compute_plt_early_grade(params).alias("TICAHTEG"))
    return _grades(subjects, early_grade, late)


def _grades(subjects: pl.LazyFrame, early: pl.LazyFrame, late: pl.LazyFrame) -> pl.LazyFrame:
    out = (
        subjects.select("USUBJID")
        .join(early, on="USUBJID", how="left", maintain_order="left")
        .join(late, on="USUBJID", how="left", maintain_order="left")
    )
    return out.with_columns(pl.all().exclude("USUBJID").cast(pl.Int64))


def create_icaht(
    labs: pl.LazyFrame, *, subjects: pl.LazyFrame, params: IcahtParams
) -> pl.LazyFrame:
    """ICAHT (neutrophil) and T-ICAHT (platelet) early and late grades per infused subject.

    Returns
    -------
    pl.LazyFrame
        USUBJID, ICAHTEGR, ICAHTLGR, TICAHTEG, TICAHTLG (null = not gradable: no counts).
    """
    anc = create_icaht_anc(labs, subjects=subjects, params=params)
    plt = create_icaht_plt(labs, subjects=subjects, params=params)
    return anc.join(plt, on="USUBJID", how="left", maintain_order="left")


def compute_anc_early_grade(params: IcahtParams) -> pl.Expr:
    """Early neutrophil grade from the day counts ``_tmp_le``, ``_tmp_prof``, ``_tmp_above``
    and ``_tmp_known`` (rules: :func:`create_icaht_anc`)."""
    n_days = params.early_last_day + 1
    never_above = (pl.col("_tmp_known") == n_days) & (pl.col("_tmp_above") == 0)
    egr = (
        pl.when(pl.col("_tmp_known") == 0)
        .then(None)
        .when((pl.col("_tmp_prof") >= params.anc_early_profound_g4_days_ge) | never_above)
        .then(4)
        .when(pl.col("_tmp_le") >= params.anc_early_g3_days_ge)
        .then(3)
        .when(pl.col("_tmp_le") >= params.anc_early_g2_days_ge)
        .then(2)
        .when(pl.col("_tmp_le") >= 1)
        .then(1)
        .otherwise(0)
    )
    return egr


def compute_plt_early_grade(params: IcahtParams) -> pl.Expr:
    """Early T-ICAHT grade from day counts ``_tmp_50``, ``_tmp_20`` and ``_tmp_known``."""
    egr = (
        pl.when(pl.col("_tmp_known") == 0)
        .then(None)
        .when(pl.col("_tmp_20") >= params.plt_early_g4_days_ge)
        .then(4)
        .when(pl.col("_tmp_20") >= 1)
        .then(3)
        .when(pl.col("_tmp_50") >= params.plt_early_g2_days_ge)
        .then(2)
        .when(pl.col("_tmp_50") >= 1)
        .then(1)
        .otherwise(0)
    )
    return egr


def compute_plt_late_grade(params: IcahtParams) -> pl.Expr:
    """Late T-ICAHT grade from day counts and the number of late draws ``_tmp_n``."""
    lgr = (
        pl.when(pl.col("_tmp_n").fill_null(0) < params.late_min_values)
        .then(None)
        .when(pl.col("_tmp_20") >= params.plt_late_g4_days_ge)
        .then(4)
        .when(pl.col("_tmp_20") >= 1)
        .then(3)
        .when(pl.col("_tmp_50") >= 1)
        .then(2)
        .when(pl.col("_tmp_100") >= 1)
        .then(1)
        .otherwise(0)
    )
    return lgr
