"""adtte: time to first achievement (TTDORIS, TTDFREM, TTLLDAS) and durations (DUR*).

Name: adtte. Inputs: the state stream, adepi, adsl. Output grain: subject × PARAMCD.
``AVAL = ADT − STARTDT + 1`` days; every row carries SRCDOM/SRCSEQ of the record whose date is
ADT (an assessment, a medication record, or the subject record for infusion or death).
"""

from __future__ import annotations

import polars as pl

from outcomes.endpoints.params import EndpointParams
from outcomes.endpoints.stream import KEYS

#: Time-to-event parameter of each state: (time to first achievement, duration).
TTE_PARAMS: dict[str, tuple[str, str]] = {
    "DORIS": ("TTDORIS", "DURDORIS"),
    "DFDORIS": ("TTDFREM", "DURDFREM"),
    "LLDAS": ("TTLLDAS", "DURLLDAS"),
}


def _first_dates(stream: pl.LazyFrame) -> pl.LazyFrame:
    """Per subject and state: first TRUE assessment, first rescue, last evaluable assessment."""
    true_asm = pl.col("ISASM") & pl.col("STATEFL")
    rescue = pl.col("REASON") == "RESCUE"
    evaluable = pl.col("ISASM") & pl.col("STATEFL").is_not_null()
    return stream.group_by(KEYS).agg(
        pl.col("DT").filter(true_asm).first().alias("_tmp_t1"),
        pl.col("SRCSEQ").filter(true_asm).first().alias("_tmp_t1seq"),
        pl.col("DT").filter(rescue).first().alias("_tmp_r"),
        pl.col("SRCSEQ").filter(rescue).first().alias("_tmp_rseq"),
        pl.col("DT").filter(evaluable).last().alias("_tmp_last"),
        pl.col("SRCSEQ").filter(evaluable).last().alias("_tmp_lastseq"),
    )


def create_adtte_first(
    stream: pl.LazyFrame, *, subjects: pl.LazyFrame, params: EndpointParams
) -> pl.LazyFrame:
    """Time from infusion to first achievement of DORIS, drug-free DORIS and LLDAS.

    Event (CNSR 0) at the first post-infusion assessment in the state (§6.3 [D-17]). With
    ``rescue_is_failure``, a subject rescued on or before that date is censored at the rescue
    start with CNSR 3 (§16.3). A subject who dies first is censored at death with CNSR 2; any
    other never-achiever is censored (CNSR 1) at the last evaluable assessment, or at STARTDT
    (AVAL 1) without one ([D-32], §16.2, E-34).

    Parameters
    ----------
    stream
        State stream (must be sorted by date within subject and state).
    subjects
        adsl of infused subjects: USUBJID, TRTSDT, DTHDT, SRCSEQ (subject record), DOSELVL.
    params
        Endpoint parameters.

    Returns
    -------
    pl.LazyFrame
        USUBJID, DOSELVL, PARAMCD, PARAM, STARTDT, ADT, AVAL, CNSR, EVNTDESC, CNSDTDSC, SRCDOM,
        SRCSEQ.
    """
    codes = pl.LazyFrame(
        {"_tmp_state": list(TTE_PARAMS), "PARAMCD": [v[0] for v in TTE_PARAMS.values()]}
    )
    base = subjects.join(codes, how="cross").join(
        _first_dates(stream).rename({"PARAMCD": "_tmp_state"}),
        on=["USUBJID", "_tmp_state"],
        how="left",
    )
    return (
        base.with_columns(_first_case(params).alias("_tmp_case"))
        .with_columns(*_first_choice())
        .select(
            "USUBJID",
            "DOSELVL",
            "PARAMCD",
            _param_label(),
            pl.col("TRTSDT").alias("STARTDT"),
            "ADT",
            ((pl.col("ADT") - pl.col("TRTSDT")).dt.total_days() + 1).alias("AVAL"),
            "CNSR",
            "EVNTDESC",
            pl.when(pl.col("CNSR") > 0).then(pl.col("EVNTDESC")).alias("CNSDTDSC"),
            "SRCDOM",
            pl.col("SRCSEQ").cast(pl.Int64),
        )
    )


#: Outcomes of time to first achievement, in the order of :func:`_first_case`:
#: (ADT column, SRCDOM, SRCSEQ column, EVNTDESC, CNSR).
_FIRST_CHOICES: tuple[tuple[str, str, str, str, int], ...] = (
    ("_tmp_r", "MEDICATIONS", "_tmp_rseq", "SLE RESCUE BEFORE ACHIEVEMENT", 3),
    ("_tmp_t1", "ASSESSMENTS", "_tmp_t1seq", "FIRST ASSESSMENT IN STATE", 0),
    ("DTHDT", "SUBJECTS", "SRCSEQ", "DEATH BEFORE ACHIEVEMENT", 2),
    ("_tmp_last", "ASSESSMENTS", "_tmp_lastseq", "LAST EVALUABLE ASSESSMENT", 1),
    ("TRTSDT", "SUBJECTS", "SRCSEQ", "NO EVALUABLE ASSESSMENT: INFUSION DATE", 1),
)


def _first_case(params: EndpointParams) -> pl.Expr:
    """Index into :data:`_FIRST_CHOICES`: rescue, achievement, death, last evaluable, none."""
    r, t1, dth = pl.col("_tmp_r"), pl.col("_tmp_t1"), pl.col("DTHDT")
    rescued = (
        pl.lit(params.rescue_is_failure)
        & r.is_not_null()
        & (t1.is_null() | (r <= t1))
        & (dth.is_null() | (r < dth))
    )
    return (
        pl.when(rescued)
        .then(0)
        .when(t1.is_not_null())
        .then(1)
        .when(dth.is_not_null())
        .then(2)
        .when(pl.col("_tmp_last").is_not_null())
        .then(3)
        .otherwise(4)
    )


def _first_choice() -> list[pl.Expr]:
    """ADT, SRCDOM, SRCSEQ, EVNTDESC and CNSR of the chosen outcome (``_tmp_case``)."""
    exprs = []
    for k, name in enumerate(("ADT", "SRCDOM", "SRCSEQ", "EVNTDESC", "CNSR")):
        values = [pl.col(c[k]) if k in (0, 2) else pl.lit(c[k]) for c in _FIRST_CHOICES]
        expr = pl.when(pl.col("_tmp_case") == 0).then(values[0])
        for i, value in enumerate(values[1:], start=1):
            expr = expr.when(pl.col("_tmp_case") == i).then(value)
        exprs.append(expr.alias(name))
    return [*exprs[:4], exprs[4].cast(pl.Int64)]


def create_other_losses(stream: pl.LazyFrame) -> pl.LazyFrame:
    """Dates with a loss event other than death, per subject and state: USUBJID, PARAMCD, DT.

    A death that shares its date with another loss event is not a death "without prior loss"
    of [D-18]: the other loss ends the episode on that date (§16.25 only names the reason).
    """
    loss = pl.col("DECIDE").not_().fill_null(False) & (pl.col("REASON") != "DEATH")
    return stream.filter(loss).select(*KEYS, "DT").unique()


def create_adtte_duration(
    adepi: pl.LazyFrame,
    *,
    first: pl.LazyFrame,
    subjects: pl.LazyFrame,
    params: EndpointParams,
    other_losses: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """Duration of the first episode, for subjects with a first-achievement event (CNSR 0).

    STARTDT is the first achievement; the event (CNSR 0) is the first loss event (failing
    assessment, flare, rescue or death); otherwise censored (CNSR 1) at the last assessment in
    the state (§6.3, §16.17, E-21). A death without prior loss is an event by default
    (``duration_death = "event"``, [D-18]); with ``"censor"`` it censors the duration (CNSR 1)
    at the last assessment in the state, the competing-risk reading of [D-18]; a death on the
    date of another loss event (``other_losses``, :func:`create_other_losses`) stays an event
    (§16.25: the precedence names the reason, the date and CNSR do not change).

    Returns
    -------
    pl.LazyFrame
        The columns of :func:`create_adtte_first`, PARAMCD ``DURDORIS``, ``DURDFREM``,
        ``DURLLDAS``.
    """
    codes = pl.LazyFrame(
        {
            "PARAMCD": list(TTE_PARAMS),
            "_tmp_tt": [v[0] for v in TTE_PARAMS.values()],
            "_tmp_dur": [v[1] for v in TTE_PARAMS.values()],
        }
    )
    achievers = first.filter(pl.col("CNSR") == 0).select(
        "USUBJID", pl.col("PARAMCD").alias("_tmp_tt")
    )
    episodes = adepi.filter(pl.col("EPISODE") == 1)
    if other_losses is None:
        episodes = episodes.with_columns(pl.lit(False).alias("_tmp_other"))
    else:
        shared = other_losses.select(
            *KEYS, pl.col("DT").alias("ENDDT"), pl.lit(True).alias("_tmp_other")
        )
        episodes = episodes.join(shared, on=[*KEYS, "ENDDT"], how="left").with_columns(
            pl.col("_tmp_other").fill_null(False)
        )
    return (
        episodes.join(codes, on="PARAMCD", how="inner")
        .join(achievers, on=["USUBJID", "_tmp_tt"], how="inner")
        .join(subjects.select("USUBJID", "DOSELVL"), on="USUBJID", how="left")
        .with_columns(pl.col("_tmp_dur").alias("PARAMCD"))
        .select("USUBJID", "DOSELVL", "PARAMCD", _param_label(), "STARTDT", *_duration_end(params))
    )


def _duration_end(params: EndpointParams) -> list[pl.Expr]:
    """ADT, AVAL, CNSR, EVNTDESC, CNSDTDSC, SRCDOM, SRCSEQ of a first episode (adepi row).

    With ``duration_death = "censor"`` an episode ended by death (no prior loss) is censored at
    its last assessment in the state (LSTINDT, LSTINSEQ) [D-18].
    """
    death = (
        (pl.col("ENDREAS") == "DEATH")
        & pl.col("_tmp_other").not_()
        & pl.lit(params.duration_death == "censor")
    )
    censored = (pl.col("ENDREAS") == "CENSORED") | death
    adt = pl.when(death).then("LSTINDT").otherwise("ENDDT")
    return [
        adt.alias("ADT"),
        ((adt - pl.col("STARTDT")).dt.total_days() + 1).cast(pl.Int64).alias("AVAL"),
        pl.when(censored).then(1).otherwise(0).cast(pl.Int64).alias("CNSR"),
        pl.when(death)
        .then(pl.lit("DEATH WITHOUT PRIOR LOSS"))
        .when(censored)
        .then(pl.lit("LAST ASSESSMENT IN STATE"))
        .otherwise(pl.concat_str(pl.lit("LOSS: "), pl.col("ENDREAS")))
        .alias("EVNTDESC"),
        pl.when(censored).then(pl.lit("LAST ASSESSMENT IN STATE")).alias("CNSDTDSC"),
        pl.when(death).then(pl.lit("ASSESSMENTS")).otherwise("ENSRCDOM").alias("SRCDOM"),
        pl.when(death).then("LSTINSEQ").otherwise("ENSRCSEQ").cast(pl.Int64).alias("SRCSEQ"),
    ]


_LABELS = {
    "TTDORIS": "Time to first DORIS remission (days)",
    "TTDFREM": "Time to first drug-free DORIS remission (days)",
    "TTLLDAS": "Time to first LLDAS (days)",
    "DURDORIS": "Duration of first DORIS remission (days)",
    "DURDFREM": "Duration of first drug-free DORIS remission (days)",
    "DURLLDAS": "Duration of first LLDAS episode (days)",
}


def _param_label() -> pl.Expr:
    return pl.col("PARAMCD").replace_strict(_LABELS, return_dtype=pl.String).alias("PARAM")


def create_tte(
    stream: pl.LazyFrame, *, adepi: pl.LazyFrame, subjects: pl.LazyFrame, params: EndpointParams
) -> pl.LazyFrame:
    """adtte: first-achievement times and first-episode durations of every infused subject.

    Parameters
    ----------
    stream
        State stream of DORIS, DFDORIS and LLDAS.
    adepi
        Episodes (:func:`outcomes.endpoints.episodes.create_episodes`).
    subjects
        adsl of infused subjects with SRCSEQ of the subject record.
    params
        Endpoint parameters.

    Returns
    -------
    pl.LazyFrame
        One row per subject × PARAMCD (DUR* for achievers only), sorted by subject and PARAMCD.
    """
    first = create_adtte_first(stream, subjects=subjects, params=params)
    durations = create_adtte_duration(
        adepi,
        first=first,
        subjects=subjects,
        params=params,
        other_losses=create_other_losses(stream),
    )
    return pl.concat([first, durations], how="vertical").sort("USUBJID", "PARAMCD")
