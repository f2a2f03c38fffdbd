"""ICAHT grades from absolute neutrophil (ANC) and platelet (PLT) counts (endpoints.md §9.3).

Name: immune effector cell-associated haematotoxicity. Inputs: validated labs (long format),
adsl. Output grain: one row per infused subject.

With non-daily counts each draw's value is held until the next draw (step function, [D-27]);
days are counted from Day 0 to Day 30 inclusive for early grading, as the overlap of each
draw's holding interval with the window (no daily grid). Counts are compared with
thresholds in exact decimals (3 places of 10^9/L, [D-01]).
"""

from __future__ import annotations

import polars as pl

from outcomes.decimal import compute_fixed, to_fixed
from outcomes.endpoints.params import IcahtParams

_DEC = 3


def create_held_intervals(
    labs: pl.LazyFrame, *, subjects: pl.LazyFrame, test: str, last_day: int
) -> pl.LazyFrame:
    """Study-day intervals over which each draw of one test holds its value ([D-27]).

    A draw holds from its study day until the day before the subject's next draw (a draw
    before Day 0 holds into Day 0), on days 0..``last_day``; before the first draw the value is
    unknown. Of two draws on one day the later input row holds. Intervals that fall outside
    0..``last_day`` or are superseded the same day are dropped; the intervals of a subject do
    not overlap. Values are integers in 10^-3 × 10^9/L. Equivalent to a daily grid with each
    day's latest draw, without building the grid.

    Returns
    -------
    pl.LazyFrame
        USUBJID, VALUE (Int64), START, END (study days, START ≤ END).
    """
    same_subject = pl.col("USUBJID") == pl.col("USUBJID").shift(-1)
    next_day = pl.when(same_subject).then(pl.col("_tmp_day").shift(-1))
    return (
        labs.filter(pl.col("LBTESTCD") == test)
        .select(
            "USUBJID",
            "LBDT",
            compute_fixed(pl.col("LBSTRESN"), decimals=_DEC).alias("VALUE"),
        )
        .drop_nulls("VALUE")
        # Input order kept through the join and the (stable) sort: same-day draws stay in it.
        .join(
            subjects.select("USUBJID", "TRTSDT"), on="USUBJID", how="inner", maintain_order="left"
        )
        .select(
            "USUBJID",
            "VALUE",
            (pl.col("LBDT") - pl.col("TRTSDT")).dt.total_days().alias("_tmp_day"),
        )
        .sort("USUBJID", "_tmp_day", maintain_order=True)
        .with_columns(
            pl.col("_tmp_day").clip(lower_bound=0).alias("START"),
            (next_day - 1).fill_null(last_day).clip(upper_bound=last_day).alias("END"),
        )
        .filter(pl.col("START") <= pl.col("END"))
        .select("USUBJID", "VALUE", "START", "END")
    )


def compute_days_held(condition: pl.Expr, *, first: int, last: int) -> pl.Expr:
    """Days of ``first``..``last`` on which a held value meets ``condition`` (aggregation over
    the intervals of :func:`create_held_intervals`)."""
    lo = pl.max_horizontal(pl.col("START"), pl.lit(first))
    hi = pl.min_horizontal(pl.col("END"), pl.lit(last))
    days = (hi - lo + 1).clip(lower_bound=0)
    return pl.when(condition).then(days).otherwise(0).sum()


def _day_counts(
    subjects: pl.LazyFrame, intervals: pl.LazyFrame, counts: list[pl.Expr]
) -> pl.LazyFrame:
    """``counts`` per subject, 0 for every subject without a held value."""
    names = [c.meta.output_name() for c in counts]
    summed = intervals.group_by("USUBJID").agg(counts)
    return (
        subjects.select("USUBJID")
        .join(summed, on="USUBJID", how="left", maintain_order="left")
        .with_columns(pl.col(names).fill_null(0))
    )


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
    last = params.early_last_day
    held = create_held_intervals(labs, subjects=subjects, test="ANC", last_day=last)
    early = _day_counts(
        subjects,
        held,
        [
            compute_days_held(pl.col("VALUE") <= le, first=0, last=last).alias("_tmp_le"),
            compute_days_held(pl.col("VALUE") <= prof, first=0, last=last).alias("_tmp_prof"),
            compute_days_held(pl.col("VALUE") > le, first=0, last=last).alias("_tmp_above"),
            compute_days_held(pl.lit(True), first=0, last=last).alias("_tmp_known"),
        ],
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
    early_last, late_last = params.early_last_day, params.late_last_day
    # Read by the early and the late grade: computed once per collect.
    held = create_held_intervals(labs, subjects=subjects, test="PLT", last_day=late_last).cache()
    value = pl.col("VALUE")
    early = _day_counts(
        subjects,
        held,
        [
            compute_days_held(value < g1, first=0, last=early_last).alias("_tmp_50"),
            compute_days_held(value < g3, first=0, last=early_last).alias("_tmp_20"),
            compute_days_held(pl.lit(True), first=0, last=early_last).alias("_tmp_known"),
        ],
    )
    l1, l2, l3 = (to_fixed(t, decimals=_DEC) for t in params.plt_late_lt)
    late_window = {"first": early_last + 1, "last": late_last}
    late_days = _day_counts(
        subjects,
        held,
        [
            compute_days_held(value < l1, **late_window).alias("_tmp_100"),
            compute_days_held(value < l2, **late_window).alias("_tmp_50"),
            compute_days_held(value < l3, **late_window).alias("_tmp_20"),
        ],
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
