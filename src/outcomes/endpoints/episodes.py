"""adepi: one row per episode of DORIS, drug-free DORIS (both variants) and LLDAS.

Name: adepi, episodes of remission / low disease activity. Input: the state stream
(:func:`outcomes.endpoints.stream.create_stream`). Output grain: subject × PARAMCD × EPISODE.
"""

from __future__ import annotations

import polars as pl

from outcomes.endpoints.stream import KEYS

#: Loss reasons by precedence when several fall on the date that ends an episode (§16.25).
LOSS_PRECEDENCE: tuple[str, ...] = ("DEATH", "RESCUE", "FLARE", "FAILED_ASSESSMENT")


def compute_loss_rank() -> pl.Expr:
    """Rank of a stream row's loss reason by :data:`LOSS_PRECEDENCE` (0 first; null otherwise)."""
    ranks = {reason: k for k, reason in enumerate(LOSS_PRECEDENCE)}
    return pl.col("REASON").replace_strict(ranks, default=None, return_dtype=pl.Int64)


def create_episodes(stream: pl.LazyFrame) -> pl.LazyFrame:
    """Episodes of a state: from an assessment in the state to the first loss event.

    An episode starts at a post-infusion assessment where the state holds and the subject was
    not already in it; not-evaluable assessments are skipped. It ends at the earliest loss event
    (endpoints.md §6.3 [D-17], §16.4): a failing assessment (``FAILED_ASSESSMENT``), a flare
    (``FLARE``), an SLE rescue (``RESCUE``) or death (``DEATH``); ``ENDDT`` is that event's date.
    Without a loss event the episode is censored (``CENSORED``) at its last assessment in the
    state (§16.17, [D-18]). Data after the cut do not exist (§16.2). When several loss events
    fall on ``ENDDT``, ``ENDREAS`` names one by the precedence DEATH, RESCUE, FLARE,
    FAILED_ASSESSMENT (§16.25) and ``ENSRCDOM``/``ENSRCSEQ`` point to that record; the date does
    not change.

    Parameters
    ----------
    stream
        The state stream of the episode states.

    Returns
    -------
    pl.LazyFrame
        USUBJID, PARAMCD, EPISODE, STARTDT, ENDDT, ENDREAS, STSRCSEQ, ENSRCDOM, ENSRCSEQ,
        LSTINDT (last assessment in the state), LSTINSEQ (its SRCSEQ).

    References
    ----------
    van Vollenhoven R, et al. DORIS definition of remission in SLE. Lupus Sci Med 2021;8:e000538.
    Franklyn K, et al. LLDAS. Ann Rheum Dis 2016;75:1615-21.
    """
    intrue = pl.col("INSTATE") & pl.col("ISASM") & pl.col("STATEFL")
    ended = pl.col("END")
    enddt = pl.col("DT").filter(ended).first()
    # Loss rows of this episode on its end date, best reason first (§16.25).
    on_end = pl.col("DECIDE").not_().fill_null(False) & (pl.col("DT") == enddt)
    episodes = (
        stream.filter(pl.col("EPISODE") > 0)
        .with_columns(compute_loss_rank().alias("_tmp_rank"))
        .group_by([*KEYS, "EPISODE"], maintain_order=True)
        .agg(
            pl.col("DT").filter(pl.col("START")).first().alias("STARTDT"),
            pl.col("SRCSEQ").filter(pl.col("START")).first().alias("STSRCSEQ"),
            pl.col("DT").filter(intrue).last().alias("LSTINDT"),
            pl.col("SRCSEQ").filter(intrue).last().alias("LSTINSEQ"),
            enddt.alias("_tmp_enddt"),
            *(
                pl.col(col).filter(on_end).sort_by(pl.col("_tmp_rank").filter(on_end)).first()
                for col in ("REASON", "SRCDOM", "SRCSEQ")
            ),
        )
    )
    censored = pl.col("_tmp_enddt").is_null()
    return episodes.select(
        *KEYS,
        "EPISODE",
        "STARTDT",
        pl.coalesce("_tmp_enddt", "LSTINDT").alias("ENDDT"),
        pl.when(censored).then(pl.lit("CENSORED")).otherwise("REASON").alias("ENDREAS"),
        "STSRCSEQ",
        pl.when(censored).then(pl.lit("ASSESSMENTS")).otherwise("SRCDOM").alias("ENSRCDOM"),
        pl.coalesce("SRCSEQ", "LSTINSEQ").alias("ENSRCSEQ"),
        "LSTINDT",
        "LSTINSEQ",
    ).sort([*KEYS, "EPISODE"])
