"""State records and the loss-event stream shared by adrs, adepi and adtte.

Name: state stream. Inputs: advisit (per-assessment tri-state flags), derived events (rescue,
flare treatment, re-treatment), adsl (infusion, death). Output grain: one row per subject ×
state parameter × dated record (assessment, its flare, a medication event or death), ordered by
date; every row keeps SRCDOM/SRCSEQ of its source record.

A state is lost (endpoints.md §6.3 [D-17], §16.4) at the earliest of: (a) an assessment where the
flag is FALSE, (b) a flare (investigator or BILAG flare on an assessment, or an antimalarial or
NSAID newly started for SLE), (c) an SLE rescue event (§8.4; CAR-T re-treatment, E-29; a new
antimalarial for the strict drug-free state only), (d) death.
"""

from __future__ import annotations

import polars as pl

from outcomes.endpoints.runs import (
    compute_run_cum_sum,
    compute_run_forward_fill,
    compute_run_shift,
)

#: advisit flag of each state parameter (data-contract §3, docs/architecture.md).
STATE_FLAGS: dict[str, str] = {
    "DORIS": "DORISFL",
    "DFDORIS": "DFREMFL",
    "DFDORISS": "DFREMSFL",
    "LLDAS": "LLDASFL",
    "SRI4": "SRI4FL",
}
#: States that form episodes (adepi) and durations.
EPISODE_STATES: tuple[str, ...] = ("DORIS", "DFDORIS", "DFDORISS", "LLDAS")
#: Event codes that are a rescue (loss event (c)) for each state (§8.4, §16.3, E-29).
RESCUE_CODES: dict[str, tuple[str, ...]] = {
    "DORIS": ("RESCUE", "RETREAT"),
    "DFDORIS": ("RESCUE", "RETREAT"),
    "DFDORISS": ("RESCUE", "RETREAT", "RESCUEAM"),
    "LLDAS": ("RESCUE", "RETREAT"),
    "SRI4": ("RESCUE", "RETREAT"),
}
#: Event codes that are a flare (loss event (b), §16.4 iii) for every state.
FLARE_CODES: tuple[str, ...] = ("FLARETRT",)
#: Order of records on one date: medication events, the assessment, its own flare, death.
ORD_EVENT, ORD_ASSESS, ORD_FLARE, ORD_DEATH = 0, 1, 2, 3
KEYS = ["USUBJID", "PARAMCD"]
STREAM_ORDER = ["DT", "ORD", "SRCSEQ"]


def create_state_records(
    advisit: pl.LazyFrame, *, subjects: pl.LazyFrame, paramcds: tuple[str, ...]
) -> pl.LazyFrame:
    """Post-infusion assessments in long form, one row per assessment × state parameter.

    Only assessments dated after the infusion (ADT > TRTSDT, study day ≥ 1, §0 [D-02]) of
    infused subjects enter; ``STATEFL`` is the advisit flag as observed (null = not evaluable).

    Parameters
    ----------
    advisit
        Per-assessment flags (docs/architecture.md): USUBJID, ADT, AVISIT, ANL01FL, FLAREFL, the
        state flags, SRCDOM, SRCSEQ.
    subjects
        adsl with USUBJID, TRTSDT.
    paramcds
        State parameters (keys of :data:`STATE_FLAGS`).

    Returns
    -------
    pl.LazyFrame
        USUBJID, PARAMCD, ADT, AVISIT, ANL01FL, STATEFL, FLAREFL, SRCDOM, SRCSEQ.
    """
    post = advisit.join(subjects.select("USUBJID", "TRTSDT"), on="USUBJID", how="inner").filter(
        pl.col("ADT") > pl.col("TRTSDT")
    )
    parts = [
        post.select(
            "USUBJID",
            pl.lit(p).alias("PARAMCD"),
            "ADT",
            "AVISIT",
            "ANL01FL",
            pl.col(STATE_FLAGS[p]).cast(pl.Boolean).alias("STATEFL"),
            pl.col("FLAREFL").cast(pl.Boolean),
            "SRCDOM",
            pl.col("SRCSEQ").cast(pl.Int64),
        )
        for p in paramcds
    ]
    return pl.concat(parts, how="vertical")


def create_loss_events(
    events: pl.LazyFrame, *, subjects: pl.LazyFrame, paramcds: tuple[str, ...]
) -> pl.LazyFrame:
    """Loss events other than failing assessments: flares, rescues and deaths, per state.

    Medication events dated on or after the infusion count (§8.4: rescue after Day 0);
    ``FLARETRT`` is a flare for every state (§16.4 iii); the rescue codes of each state are
    :data:`RESCUE_CODES`; death (adsl DTHDT) traces to the subject record.

    Returns
    -------
    pl.LazyFrame
        USUBJID, PARAMCD, DT, ORD, REASON (``FLARE``, ``RESCUE``, ``DEATH``), SRCDOM, SRCSEQ.
    """
    ev = events.join(subjects.select("USUBJID", "TRTSDT"), on="USUBJID", how="inner").filter(
        pl.col("EVTDT") >= pl.col("TRTSDT")
    )
    parts = []
    for p in paramcds:
        reason = (
            pl.when(pl.col("EVTCD").is_in(list(FLARE_CODES)))
            .then(pl.lit("FLARE"))
            .when(pl.col("EVTCD").is_in(list(RESCUE_CODES[p])))
            .then(pl.lit("RESCUE"))
        )
        parts.append(
            ev.select(
                "USUBJID",
                pl.lit(p).alias("PARAMCD"),
                pl.col("EVTDT").alias("DT"),
                pl.lit(ORD_EVENT).alias("ORD"),
                reason.alias("REASON"),
                "SRCDOM",
                pl.col("SRCSEQ").cast(pl.Int64),
            )
            .filter(pl.col("REASON").is_not_null())
            # One record that is both a flare and a rescue of this state (a new antimalarial
            # for SLE: FLARETRT and RESCUEAM) ends it as a rescue (§6.3 (c), §8.4): one row.
            .group_by("USUBJID", "PARAMCD", "DT", "ORD", "SRCDOM", "SRCSEQ")
            .agg((pl.col("REASON") == "RESCUE").any().alias("_tmp_rescue"))
            .select(
                "USUBJID",
                "PARAMCD",
                "DT",
                "ORD",
                pl.when("_tmp_rescue")
                .then(pl.lit("RESCUE"))
                .otherwise(pl.lit("FLARE"))
                .alias("REASON"),
                "SRCDOM",
                "SRCSEQ",
            )
        )
        parts.append(
            subjects.filter(pl.col("DTHDT").is_not_null()).select(
                "USUBJID",
                pl.lit(p).alias("PARAMCD"),
                pl.col("DTHDT").alias("DT"),
                pl.lit(ORD_DEATH).alias("ORD"),
                pl.lit("DEATH").alias("REASON"),
                pl.lit("SUBJECTS").alias("SRCDOM"),
                pl.col("SRCSEQ").cast(pl.Int64),
            )
        )
    return pl.concat(parts, how="vertical")


def create_stream(records: pl.LazyFrame, *, losses: pl.LazyFrame) -> pl.LazyFrame:
    """Merge assessments and loss events into one dated stream per subject and state.

    Each row has ``DECIDE``: TRUE for an assessment in the state, FALSE for a failing assessment
    or a loss event, null for a not-evaluable assessment (skipped, §7.3). A flare recorded on an
    assessment is a separate row right after it, so a flare on a TRUE assessment ends the
    episode on that date (§16.4). ``INSTATE`` is the state after the row (the last decisive row
    carried forward; before the first decisive row the subject is not in the state).

    Returns
    -------
    pl.LazyFrame
        USUBJID, PARAMCD, DT, ORD, ISASM, STATEFL, DECIDE, REASON, SRCDOM, SRCSEQ, INSTATE,
        START, END, EPISODE; sorted by subject, state and date.
    """
    assess = records.select(
        "USUBJID",
        "PARAMCD",
        pl.col("ADT").alias("DT"),
        pl.lit(ORD_ASSESS).alias("ORD"),
        pl.lit(True).alias("ISASM"),
        "STATEFL",
        pl.col("STATEFL").alias("DECIDE"),
        pl.when(pl.col("STATEFL").not_()).then(pl.lit("FAILED_ASSESSMENT")).alias("REASON"),
        "SRCDOM",
        "SRCSEQ",
    )
    flares = records.filter(pl.col("FLAREFL")).select(
        "USUBJID",
        "PARAMCD",
        pl.col("ADT").alias("DT"),
        pl.lit(ORD_FLARE).alias("ORD"),
        pl.lit(False).alias("ISASM"),
        pl.lit(None, dtype=pl.Boolean).alias("STATEFL"),
        pl.lit(False).alias("DECIDE"),
        pl.lit("FLARE").alias("REASON"),
        "SRCDOM",
        "SRCSEQ",
    )
    other = losses.select(
        "USUBJID",
        "PARAMCD",
        "DT",
        "ORD",
        pl.lit(False).alias("ISASM"),
        pl.lit(None, dtype=pl.Boolean).alias("STATEFL"),
        pl.lit(False).alias("DECIDE"),
        "REASON",
        "SRCDOM",
        "SRCSEQ",
    )
    stream = pl.concat([assess, flares, other], how="vertical").sort([*KEYS, *STREAM_ORDER])
    return derive_vars_episode_marks(stream)


def derive_vars_episode_marks(stream: pl.LazyFrame) -> pl.LazyFrame:
    """Run-length episode marks over a sorted stream: INSTATE, START, END, EPISODE.

    ``INSTATE`` is the last decisive value carried forward (before the first decisive record
    the subject is not in the state: a starting condition, not an imputation); ``START`` and
    ``END`` mark the changes; ``EPISODE`` counts the starts (0 before the first episode).

    The stream must be sorted by USUBJID, PARAMCD, DT, ORD, SRCSEQ (:func:`create_stream` sorts
    it): each subject × state is then one contiguous run, numbered once (``rle_id``), and the
    windows follow the row order without re-sorting each group.

    Returns
    -------
    pl.LazyFrame
        Rows and order of ``stream`` plus INSTATE, START, END, EPISODE.
    """
    group = "_tmp_grp"
    instate = compute_run_forward_fill(pl.col("DECIDE"), group=group).fill_null(False)
    prev = compute_run_shift(pl.col("INSTATE"), group=group).fill_null(False)
    return (
        stream.with_columns(pl.struct(KEYS).rle_id().alias(group))
        .with_columns(instate.alias("INSTATE"))
        .with_columns(
            (pl.col("INSTATE") & prev.not_()).alias("START"),
            (pl.col("INSTATE").not_() & prev).alias("END"),
        )
        .with_columns(
            compute_run_cum_sum(pl.col("START").cast(pl.Int64), group=group).alias("EPISODE")
        )
        .drop(group)
    )
