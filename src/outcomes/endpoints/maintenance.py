"""adrs maintenance parameters DFMAINT, LLMAINT and their strict variants DFMAINTS, LLMAINTS.

Name: maintenance of drug-free DORIS / LLDAS at scheduled timepoints. Inputs: visit states,
adepi, loss events. Output grain: subject × PARAMCD × maintenance visit due at the cut.
"""

from __future__ import annotations

import polars as pl

from outcomes.endpoints.params import EndpointParams
from outcomes.endpoints.runs import compute_run_cum_max, compute_run_cum_sum, compute_run_shift

#: Maintenance parameters: (state, bridged parameter, strict parameter).
MAINTENANCE: tuple[tuple[str, str, str], ...] = (
    ("DFDORIS", "DFMAINT", "DFMAINTS"),
    ("LLDAS", "LLMAINT", "LLMAINTS"),
)
_SLOT_KEYS = ["USUBJID", "PARAMCD"]
#: Number of the subject × state run once rows are sorted by _SLOT_KEYS and AVISITN.
_GROUP = "_tmp_grp"


def derive_vars_slot_gaps(states: pl.LazyFrame, *, adepi: pl.LazyFrame) -> pl.LazyFrame:
    """Per due scheduled visit: position in the first episode's range and gap bookkeeping.

    A visit whose assessment is missing or not evaluable is a gap (§6.3, §16.16). From the first
    achievement ``t1`` (STARTDT of episode 1) on, ``GAPRUN`` is the position of the visit within a
    run of consecutive gaps, ``MAXGAP`` the longest such run up to the visit and ``BADGAP`` TRUE
    once a gap directly follows ``t1`` without a scheduled TRUE visit before it (its left
    neighbour is not in the state, so it cannot be bridged).

    The rows are sorted once by subject, state and AVISITN; each subject × state is then one
    contiguous run, numbered once (``rle_id``), and the windows follow the row order.

    Returns
    -------
    pl.LazyFrame
        Rows of ``states`` sorted by USUBJID, PARAMCD, AVISITN, plus T1, ENDDT, ENDREAS,
        INRANGE, MAXGAP, BADGAP.
    """
    first = adepi.filter(pl.col("EPISODE") == 1).select(
        *_SLOT_KEYS, pl.col("STARTDT").alias("T1"), "ENDDT", "ENDREAS"
    )
    sdate = pl.coalesce("ADT", "SLOTDT")
    gap = pl.col("STATEFL").is_null()
    with_range = (
        states.join(first, on=_SLOT_KEYS, how="left", maintain_order="left")
        .sort([*_SLOT_KEYS, "AVISITN"])
        .with_columns(
            (sdate >= pl.col("T1")).fill_null(False).alias("INRANGE"),
            gap.alias("_tmp_gap"),
            pl.struct(_SLOT_KEYS).rle_id().alias(_GROUP),
        )
    )
    run = compute_run_cum_sum(pl.col("_tmp_gap").not_().cast(pl.Int64), group=_GROUP)
    prev_in = compute_run_shift(pl.col("INRANGE"), group=_GROUP).fill_null(False)
    gap_run = "_tmp_grun"
    return (
        with_range.with_columns(run.alias("_tmp_run"))
        .with_columns(pl.struct(_GROUP, "_tmp_run").rle_id().alias(gap_run))
        .with_columns(
            compute_run_cum_sum(pl.col("_tmp_gap").cast(pl.Int64), group=gap_run).alias("_tmp_pos"),
            (pl.col("INRANGE") & prev_in.not_() & gap).alias("_tmp_bad"),
        )
        .with_columns(
            compute_run_cum_max(
                pl.when(pl.col("INRANGE")).then(pl.col("_tmp_pos")).otherwise(0), group=_GROUP
            ).alias("MAXGAP"),
            compute_run_cum_sum(pl.col("_tmp_bad").cast(pl.Int64), group=_GROUP)
            .gt(0)
            .alias("BADGAP"),
        )
        .drop("_tmp_gap", "_tmp_run", gap_run, "_tmp_pos", "_tmp_bad", _GROUP)
    )


def compute_maintained(*, bridge_missing_max: int) -> pl.Expr:
    """Maintained at T: TRUE at T, still in the first episode, gaps bridgeable (§6.3, §16.16).

    T itself must be TRUE (never bridged); the first episode must not have ended on or before
    date(T) (no failing assessment, flare, rescue or death from ``t1`` through T); runs of
    missing or not-evaluable scheduled visits since ``t1`` are at most ``bridge_missing_max`` long
    and lie between TRUE scheduled visits.
    """
    sdate = pl.coalesce("ADT", "SLOTDT")
    in_episode = (pl.col("ENDREAS") == "CENSORED") | (pl.col("ENDDT") > sdate)
    return (
        pl.col("STATEFL").fill_null(False)
        & pl.col("INRANGE")
        & in_episode.fill_null(False)
        & (pl.col("MAXGAP") <= bridge_missing_max)
        & pl.col("BADGAP").not_()
    )


def create_adrs_maintenance(
    states: pl.LazyFrame, *, adepi: pl.LazyFrame, losses: pl.LazyFrame, params: EndpointParams
) -> pl.LazyFrame:
    """Maintenance of drug-free DORIS and LLDAS at each maintenance visit T (§6.3 [D-17], §7.3).

    Y when the state was first achieved at ``t1`` ≤ date(T), holds at every scheduled visit from
    ``t1`` through T (one consecutive missing or not-evaluable visit bridged for DFMAINT/LLMAINT,
    none for the strict DFMAINTS/LLMAINTS, §16.16) and no loss event lies in between. Visits that
    are NRI for the state at T (death, withdrawal, missing, not evaluable, rescue) stay NRI; with
    ``rescue_is_failure`` an achievement after a rescue does not count (§16.3). Denominator: all
    infused subjects with T due (E-17).

    Parameters
    ----------
    states
        Visit states of DFDORIS and LLDAS (every due scheduled visit).
    adepi
        Episodes of the states.
    losses
        Loss events (for the first rescue date).
    params
        Endpoint parameters.

    Returns
    -------
    pl.LazyFrame
        USUBJID, PARAMCD, AVISIT, AVISITN, ADT, RESP, VALUE, NRIREAS, SRCDOM, SRCSEQ.
    """
    rescue = (
        losses.filter(pl.col("REASON") == "RESCUE")
        .group_by(_SLOT_KEYS)
        .agg(pl.col("DT").min().alias("_tmp_r"))
    )
    # Only the maintained states enter; computed once and shared by the four parameters.
    maintained = states.filter(pl.col("PARAMCD").is_in([m[0] for m in MAINTENANCE]))
    slots = (
        derive_vars_slot_gaps(maintained, adepi=adepi)
        .join(rescue, on=_SLOT_KEYS, how="left", maintain_order="left")
        .filter(pl.col("AVISIT").is_in(list(params.maintenance_avisit)))
        .cache()
    )
    # NRI only at visits on or after the rescue (§16.3); an earlier visit stays observed.
    rescue_by_t = (pl.col("_tmp_r") <= pl.col("T1")) & (
        pl.col("_tmp_r") <= pl.coalesce("ADT", "SLOTDT")
    )
    after_rescue = pl.lit(params.rescue_is_failure) & rescue_by_t.fill_null(False)
    nri = (
        pl.when(after_rescue & pl.col("NRIREAS").is_null())
        .then(pl.lit("RESCUE"))
        .otherwise("NRIREAS")
    )
    parts = []
    for state, bridged, strict in MAINTENANCE:
        for paramcd, bridge in ((bridged, params.bridge_missing_max), (strict, 0)):
            parts.append(
                slots.filter(pl.col("PARAMCD") == state).select(
                    "USUBJID",
                    pl.lit(paramcd).alias("PARAMCD"),
                    "AVISIT",
                    "AVISITN",
                    "ADT",
                    compute_maintained(bridge_missing_max=bridge).alias("RESP"),
                    pl.lit(None, dtype=pl.Float64).alias("VALUE"),
                    nri.alias("NRIREAS"),
                    "SRCDOM",
                    "SRCSEQ",
                )
            )
    return pl.concat(parts, how="vertical")
