"""adrs confirmed achievement DORCONF, DFCONF, LLCONF (endpoints.md §6.3 [D-17], E-19, §16.22).

Name: confirmed achievement. Inputs: visit states, the state stream. Output grain: subject ×
PARAMCD × scheduled visit due at the cut.
"""

from __future__ import annotations

import polars as pl

from outcomes.endpoints.params import EndpointParams
from outcomes.endpoints.runs import (
    compute_run_cum_sum,
    compute_run_forward_fill,
    compute_run_shift,
)

#: Confirmed-achievement parameter of each state.
CONFIRMED: dict[str, str] = {"DORIS": "DORCONF", "DFDORIS": "DFCONF", "LLDAS": "LLCONF"}
_KEYS = ["USUBJID", "PARAMCD"]
#: Number of the subject × state run once rows are sorted by _KEYS and AVISITN.
_GROUP = "_tmp_grp"


def create_adrs_confirmed(
    states: pl.LazyFrame, *, stream: pl.LazyFrame, params: EndpointParams
) -> pl.LazyFrame:
    """Confirmed achievement by each scheduled visit.

    Confirmed = the state is TRUE at two consecutive scheduled assessments with no loss event
    between them (both in the same episode); the confirmation date is the earlier of the two
    (§6.3 [D-17]). The row of visit v is Y once a confirming pair has its later visit at or
    before v (cumulative achievement, E-19); ``ADT``/``SRCSEQ`` give the confirmation date and
    its assessment. With ``rescue_is_failure``, a pair starting on or after an SLE rescue does
    not count (§16.3).

    Returns
    -------
    pl.LazyFrame
        USUBJID, PARAMCD, AVISIT, AVISITN, ADT, RESP, VALUE, NRIREAS, SRCDOM, SRCSEQ; sorted by
        USUBJID, state and AVISITN.
    """
    first_pair = compute_first_confirming_pair(rescue_is_failure=params.rescue_is_failure)
    prev = {c: compute_run_shift(pl.col(c), group=_GROUP) for c in ("ADT", "ASMSEQ")}
    confirmed = (
        _with_episodes(states, stream=stream)
        .sort([*_KEYS, "AVISITN"])
        .with_columns(pl.struct(_KEYS).rle_id().alias(_GROUP))
        .with_columns(first_pair.alias("_tmp_first"))
        .with_columns(
            pl.when("_tmp_first").then(prev["ADT"]).alias("_tmp_cdt"),
            pl.when("_tmp_first").then(prev["ASMSEQ"]).alias("_tmp_cseq"),
        )
        .with_columns(
            compute_run_forward_fill(pl.col("_tmp_cdt"), group=_GROUP),
            compute_run_forward_fill(pl.col("_tmp_cseq"), group=_GROUP),
        )
    )
    done = pl.col("_tmp_cdt").is_not_null()
    return confirmed.select(
        "USUBJID",
        pl.col("PARAMCD").replace_strict(CONFIRMED, return_dtype=pl.String),
        "AVISIT",
        "AVISITN",
        pl.col("_tmp_cdt").alias("ADT"),
        done.alias("RESP"),
        pl.lit(None, dtype=pl.Float64).alias("VALUE"),
        pl.lit(None, dtype=pl.String).alias("NRIREAS"),
        pl.when(done).then(pl.lit("ASSESSMENTS")).alias("SRCDOM"),
        pl.col("_tmp_cseq").alias("SRCSEQ"),
    )


def _with_episodes(states: pl.LazyFrame, *, stream: pl.LazyFrame) -> pl.LazyFrame:
    """Visit states with the episode of their assessment, first rescue date and ``_tmp_ok``."""
    stream = stream.filter(pl.col("PARAMCD").is_in(list(CONFIRMED)))
    episode = stream.filter(pl.col("ISASM")).select(
        *_KEYS, "SRCSEQ", pl.col("EPISODE").alias("_tmp_epi"), pl.col("INSTATE").alias("_tmp_in")
    )
    rescue = (
        stream.filter(pl.col("REASON") == "RESCUE")
        .group_by(_KEYS)
        .agg(pl.col("DT").min().alias("_tmp_r"))
    )
    observed = (
        pl.col("ADT").is_not_null()
        & pl.col("STATEFL").fill_null(False)
        & pl.col("_tmp_in").fill_null(False)
    )
    return (
        states.filter(pl.col("PARAMCD").is_in(list(CONFIRMED)))
        .join(
            episode,
            left_on=[*_KEYS, "ASMSEQ"],
            right_on=[*_KEYS, "SRCSEQ"],
            how="left",
            maintain_order="left",
        )
        .join(rescue, on=_KEYS, how="left", maintain_order="left")
        .with_columns(observed.alias("_tmp_ok"))
    )


def compute_first_confirming_pair(*, rescue_is_failure: bool) -> pl.Expr:
    """TRUE at the later visit of the first pair of consecutive scheduled visits in the state.

    Both visits observed TRUE in the same episode (no loss event between them); with
    ``rescue_is_failure`` the earlier one must precede the first rescue (§6.3, §16.3). Rows must
    be sorted by USUBJID, PARAMCD, AVISITN with ``_tmp_grp`` numbering each subject × state.
    """
    prev = {c: compute_run_shift(pl.col(c), group=_GROUP) for c in ("_tmp_ok", "_tmp_epi", "ADT")}
    after_rescue = pl.lit(rescue_is_failure) & (pl.col("_tmp_r") <= prev["ADT"]).fill_null(False)
    same_episode = prev["_tmp_epi"] == pl.col("_tmp_epi")
    pair = (prev["_tmp_ok"] & pl.col("_tmp_ok") & same_episode).fill_null(
        False
    ) & after_rescue.not_()
    return pair & (compute_run_cum_sum(pair.cast(pl.Int64), group=_GROUP) == 1)
