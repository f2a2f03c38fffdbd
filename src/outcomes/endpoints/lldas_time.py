"""adrs time in LLDAS (LLDASPCT, LLDAS50) and sustained states (LLSUST<X>, DFSUST<X>).

Name: cumulative LLDAS and sustained LLDAS / drug-free DORIS. Inputs: state records and stream,
advisit baseline, visit states, adsl. Output grain: subject × PARAMCD × (scheduled visit |
OVERALL).
"""

from __future__ import annotations

import polars as pl

from outcomes.decimal import to_fixed
from outcomes.endpoints.params import EndpointParams
from outcomes.endpoints.runs import (
    compute_run_cum_max,
    compute_run_cum_sum,
    compute_run_forward_fill,
    compute_run_shift,
    compute_run_start,
)

_ASOF = {"by": "USUBJID", "strategy": "backward", "check_sortedness": False}
#: Sustained parameters: state -> PARAMCD prefix (§16.15 for LLDAS, §16.26 for drug-free DORIS).
SUSTAINED_PREFIX: dict[str, str] = {"LLDAS": "LLSUST", "DFDORIS": "DFSUST"}


def compute_baseline_lldas() -> pl.Expr:
    """Day-0 LLDAS state: the baseline's criteria with C2 taken as TRUE (§16.14).

    A baseline still not evaluable then counts as FALSE on Day 0 (§16.14).
    """
    state = pl.col("LLC1FL") & pl.col("LLC3FL") & pl.col("LLC4FL") & pl.col("LLC5FL")
    return state.fill_null(False)


def create_lldas_time_points(
    records: pl.LazyFrame, *, baseline: pl.LazyFrame, subjects: pl.LazyFrame
) -> pl.LazyFrame:
    """Cumulative time in LLDAS at each evaluable post-infusion assessment (trapezoid, §7.3).

    Between consecutive evaluable assessments (Day 0 = infusion with the baseline state) an
    interval counts fully when LLDAS holds at both ends, half at one end, zero otherwise;
    not-evaluable assessments are skipped ([D-21], §16.14). ``INX2`` is twice the days in LLDAS
    (an integer) and ``OBSDAYS`` the days from Day 0 to the assessment.

    Returns
    -------
    pl.LazyFrame
        USUBJID, ADT, SRCSEQ, INX2, OBSDAYS; sorted by subject and date.
    """
    bl = baseline.select("USUBJID", compute_baseline_lldas().cast(pl.Int64).alias("_tmp_bl"))
    points = (
        records.filter((pl.col("PARAMCD") == "LLDAS") & pl.col("STATEFL").is_not_null())
        .join(subjects.select("USUBJID", "TRTSDT"), on="USUBJID", how="inner")
        .join(bl, on="USUBJID", how="left")
        .sort("USUBJID", "ADT", "SRCSEQ")
    )
    # Sorted by subject and date: each subject is one run of rows, windows follow the row order.
    group = "_tmp_grp"
    state = pl.col("STATEFL").cast(pl.Int64)
    prev_state = compute_run_shift(state, group=group).fill_null(pl.col("_tmp_bl").fill_null(0))
    prev_date = compute_run_shift(pl.col("ADT"), group=group).fill_null(pl.col("TRTSDT"))
    seg = (pl.col("ADT") - prev_date).dt.total_days() * (prev_state + state)
    return points.with_columns(pl.col("USUBJID").rle_id().alias(group)).select(
        "USUBJID",
        "ADT",
        "SRCSEQ",
        compute_run_cum_sum(seg, group=group).alias("INX2"),
        (pl.col("ADT") - pl.col("TRTSDT")).dt.total_days().alias("OBSDAYS"),
    )


def _targets(
    states: pl.LazyFrame, *, subjects: pl.LazyFrame, params: EndpointParams
) -> pl.LazyFrame:
    """Timepoints: each due visit from the first configured one (date(T)), and OVERALL (cut)."""
    first = (
        states.filter(pl.col("AVISIT") == params.lldas_time_first_avisit)
        .select(pl.col("AVISITN").first().alias("_tmp_first"))
        .unique()
    )
    visits = (
        states.filter(pl.col("PARAMCD") == "LLDAS")
        .join(first, how="cross")
        .filter(pl.col("AVISITN") >= pl.col("_tmp_first"))
        .select("USUBJID", "AVISIT", "AVISITN", pl.coalesce("ADT", "SLOTDT").alias("_tmp_tdt"))
    )
    overall = subjects.select(
        "USUBJID",
        pl.lit("OVERALL").alias("AVISIT"),
        pl.lit(params.overall_avisitn, dtype=pl.Int64).alias("AVISITN"),
        pl.col("DCUTDT").alias("_tmp_tdt"),
    )
    return pl.concat([visits, overall], how="vertical").sort("_tmp_tdt")


def create_adrs_lldas_time(
    states: pl.LazyFrame,
    *,
    points: pl.LazyFrame,
    subjects: pl.LazyFrame,
    params: EndpointParams,
) -> pl.LazyFrame:
    """LLDASPCT and LLDAS50 at each due visit from the first configured visit, and OVERALL.

    Percentage = time in LLDAS / observed time from Day 0 to the last evaluable assessment on or
    before date(T) (the visit's assessment date, or its window's upper day when missing; the cut
    for OVERALL). LLDAS50 = percentage ≥ ``lldas50_pct_ge`` (inclusive, compared exactly).
    Without an evaluable assessment LLDASPCT is null and LLDAS50 is N (NRI) (§7.3 [D-21], §16.14;
    Franklyn 2016, Ann Rheum Dis 75:1615).

    Returns
    -------
    pl.LazyFrame
        USUBJID, PARAMCD, AVISIT, AVISITN, ADT, RESP, VALUE, NRIREAS, SRCDOM, SRCSEQ.
    """
    pct_fixed = to_fixed(params.lldas50_pct_ge, decimals=2)
    joined = _targets(states, subjects=subjects, params=params).join_asof(
        points.sort("ADT"), left_on="_tmp_tdt", right_on="ADT", **_ASOF
    )
    none = pl.col("ADT").is_null()
    pct = 100.0 * pl.col("INX2") / (2.0 * pl.col("OBSDAYS"))
    ge = pl.col("INX2") * 100 * 100 >= 2 * pct_fixed * pl.col("OBSDAYS")
    common = [
        "USUBJID",
        "AVISIT",
        "AVISITN",
        "ADT",
        pl.when(none.not_()).then(pl.lit("ASSESSMENTS")).alias("SRCDOM"),
        "SRCSEQ",
    ]
    pct_rows = joined.select(
        *common,
        pl.lit("LLDASPCT").alias("PARAMCD"),
        pl.lit(None, dtype=pl.Boolean).alias("RESP"),
        pct.alias("VALUE"),
        pl.lit(None, dtype=pl.String).alias("NRIREAS"),
    )
    ge_rows = joined.select(
        *common,
        pl.lit("LLDAS50").alias("PARAMCD"),
        ge.alias("RESP"),
        pl.lit(None, dtype=pl.Float64).alias("VALUE"),
        pl.when(none).then(pl.lit("NO_EVALUABLE")).alias("NRIREAS"),
    )
    cols = [
        "USUBJID",
        "PARAMCD",
        "AVISIT",
        "AVISITN",
        "ADT",
        "RESP",
        "VALUE",
        "NRIREAS",
        "SRCDOM",
        "SRCSEQ",
    ]
    return pl.concat([pct_rows.select(cols), ge_rows.select(cols)], how="vertical")


def create_sustained_points(
    stream: pl.LazyFrame, *, states: pl.LazyFrame, params: EndpointParams
) -> pl.LazyFrame:
    """Longest sustained span (days) reached by each TRUE assessment (§7.3, §16.15, §16.26).

    For LLDAS and drug-free DORIS alike: a run is consecutive TRUE assessments (scheduled or
    unscheduled, not-evaluable skipped) inside one episode of the state (so no loss event
    inside); more than ``bridge_missing_max`` missing or not-evaluable scheduled visits between
    two TRUE assessments break it. ``BESTSPAN`` is the longest last-minus-first span of any run up
    to the assessment.

    Returns
    -------
    pl.LazyFrame
        USUBJID, PARAMCD (the state), ADT, SRCSEQ, BESTSPAN; sorted by subject, state and date.
    """
    keys = ["USUBJID", "PARAMCD"]
    sustained = pl.col("PARAMCD").is_in(list(SUSTAINED_PREFIX))
    gaps = (
        states.filter(sustained & pl.col("STATEFL").is_null())
        .select(*keys, pl.coalesce("ADT", "SLOTDT").alias("_tmp_gdt"))
        .sort(*keys, "_tmp_gdt")
        .with_columns(pl.int_range(1, pl.len() + 1).over(keys).alias("_tmp_ngap"))
        .sort("_tmp_gdt")
    )
    trues = (
        stream.filter(sustained & pl.col("ISASM") & pl.col("STATEFL") & pl.col("INSTATE"))
        .select(*keys, pl.col("DT").alias("ADT"), "SRCSEQ", "EPISODE")
        .sort("ADT")
        .join_asof(gaps, left_on="ADT", right_on="_tmp_gdt", **{**_ASOF, "by": keys})
        .with_columns(pl.col("_tmp_ngap").fill_null(0))
        .sort(*keys, "ADT", "SRCSEQ")
    )
    # Sorted by subject, state and date: a subject's state, its episode (episodes follow the
    # dates) and a run of TRUE assessments are each a contiguous run of rows, numbered by rle_id.
    subject, episode, run = "_tmp_sgrp", "_tmp_egrp", "_tmp_rgrp"
    between = pl.col("_tmp_ngap") - compute_run_shift(pl.col("_tmp_ngap"), group=episode)
    new_run = between.is_null() | (between > params.bridge_missing_max)
    run_start = pl.when(compute_run_start(group=run)).then(pl.col("ADT"))
    span = (pl.col("ADT") - compute_run_forward_fill(run_start, group=run)).dt.total_days()
    return (
        trues.with_columns(
            pl.struct(keys).rle_id().alias(subject),
            pl.struct(*keys, "EPISODE").rle_id().alias(episode),
        )
        .with_columns(compute_run_cum_sum(new_run.cast(pl.Int64), group=subject).alias("_tmp_run"))
        .with_columns(pl.struct(subject, "_tmp_run").rle_id().alias(run))
        .with_columns(span.alias("_tmp_span"))
        .select(
            *keys,
            "ADT",
            "SRCSEQ",
            compute_run_cum_max(pl.col("_tmp_span"), group=subject).alias("BESTSPAN"),
        )
    )


def create_adrs_sustained(
    states: pl.LazyFrame, *, points: pl.LazyFrame, subjects: pl.LazyFrame, params: EndpointParams
) -> pl.LazyFrame:
    """LLSUST<X> and DFSUST<X>: a sustained run of at least floor(X × 365/12) days by date(T).

    Sustained LLDAS (§16.15) and sustained drug-free DORIS (§16.26, the same rule on the
    drug-free DORIS flag) are written at every due scheduled visit and once with AVISIT =
    OVERALL (up to the cut); N when no run is long enough (observed, no imputation).

    Returns
    -------
    pl.LazyFrame
        USUBJID, PARAMCD, AVISIT, AVISITN, ADT, RESP, VALUE, NRIREAS, SRCDOM, SRCSEQ.
    """
    keys = ["USUBJID", "PARAMCD"]
    visits = states.filter(pl.col("PARAMCD").is_in(list(SUSTAINED_PREFIX))).select(
        *keys, "AVISIT", "AVISITN", pl.coalesce("ADT", "SLOTDT").alias("_tmp_tdt")
    )
    overall = subjects.join(pl.LazyFrame({"PARAMCD": list(SUSTAINED_PREFIX)}), how="cross").select(
        *keys,
        pl.lit("OVERALL").alias("AVISIT"),
        pl.lit(params.overall_avisitn, dtype=pl.Int64).alias("AVISITN"),
        pl.col("DCUTDT").alias("_tmp_tdt"),
    )
    joined = (
        pl.concat([visits, overall], how="vertical")
        .sort("_tmp_tdt")
        .join_asof(points.sort("ADT"), left_on="_tmp_tdt", right_on="ADT", **{**_ASOF, "by": keys})
    )
    prefix = pl.col("PARAMCD").replace_strict(SUSTAINED_PREFIX, return_dtype=pl.String)
    parts = [
        joined.select(
            "USUBJID",
            pl.concat_str(prefix, pl.lit(str(m))).alias("PARAMCD"),
            "AVISIT",
            "AVISITN",
            "ADT",
            (pl.col("BESTSPAN") >= params.sustained_days(m)).fill_null(False).alias("RESP"),
            pl.lit(None, dtype=pl.Float64).alias("VALUE"),
            pl.lit(None, dtype=pl.String).alias("NRIREAS"),
            pl.when(pl.col("ADT").is_not_null()).then(pl.lit("ASSESSMENTS")).alias("SRCDOM"),
            "SRCSEQ",
        )
        for m in params.sustained_months
    ]
    return pl.concat(parts, how="vertical")
