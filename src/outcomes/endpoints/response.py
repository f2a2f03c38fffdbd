"""adrs point-in-time responder parameters with non-responder imputation.

Name: adrs (DORIS, DFDORIS, DFDORISS, LLDAS, SRI4). Inputs: state records, loss events, adsl,
the scheduled visits. Output grain: subject × PARAMCD × scheduled visit due at the cut.
"""

from __future__ import annotations

import polars as pl

from outcomes.endpoints.params import EndpointParams

PARAM_LABELS: dict[str, str] = {
    "DORIS": "DORIS 2021 remission",
    "DFDORIS": "Drug-free DORIS remission (antimalarials allowed)",
    "DFDORISS": "Drug-free DORIS remission, strict (no antimalarial)",
    "LLDAS": "Lupus low disease activity state",
    "SRI4": "SRI-4 response",
    "DFMAINT": "Drug-free DORIS maintained since first achievement (1 visit bridged)",
    "DFMAINTS": "Drug-free DORIS maintained since first achievement (no bridging)",
    "LLMAINT": "LLDAS maintained since first achievement (1 visit bridged)",
    "LLMAINTS": "LLDAS maintained since first achievement (no bridging)",
    "LLDASPCT": "Time in LLDAS, % of observed follow-up",
    "LLDAS50": "Time in LLDAS >= 50% of observed follow-up",
    "LLSUST3": "Sustained LLDAS >= 3 months",
    "LLSUST6": "Sustained LLDAS >= 6 months",
    "LLSUST12": "Sustained LLDAS >= 12 months",
    "DFSUST3": "Sustained drug-free DORIS remission >= 3 months",
    "DFSUST6": "Sustained drug-free DORIS remission >= 6 months",
    "DFSUST12": "Sustained drug-free DORIS remission >= 12 months",
    "DORCONF": "Confirmed DORIS remission by this visit (2 consecutive scheduled visits)",
    "DFCONF": "Confirmed drug-free DORIS remission by this visit (2 consecutive scheduled visits)",
    "LLCONF": "Confirmed LLDAS by this visit (2 consecutive scheduled visits)",
}


def create_due_visits(subjects: pl.LazyFrame, *, schedule: pl.LazyFrame) -> pl.LazyFrame:
    """Scheduled post-infusion visits that are due at the data cut, per infused subject.

    A visit is due when the upper day of its window (§11) lies on or before the cut
    (TRTSDT + UPPERDY ≤ DCUTDT, §16.1); later visits get no row, whatever the subject's status.

    Parameters
    ----------
    subjects
        adsl of infused subjects: USUBJID, TRTSDT, DCUTDT.
    schedule
        Scheduled visits: AVISIT, AVISITN, UPPERDY.

    Returns
    -------
    pl.LazyFrame
        USUBJID, AVISIT, AVISITN, SLOTDT (TRTSDT + UPPERDY).
    """
    slot = pl.col("TRTSDT") + pl.duration(days=pl.col("UPPERDY"))
    return (
        subjects.select("USUBJID", "TRTSDT", "DCUTDT")
        .join(schedule, how="cross")
        .with_columns(slot.alias("SLOTDT"))
        .filter(pl.col("SLOTDT") <= pl.col("DCUTDT"))
        .select("USUBJID", "AVISIT", "AVISITN", "SLOTDT")
    )


def create_visit_states(
    due: pl.LazyFrame,
    *,
    records: pl.LazyFrame,
    losses: pl.LazyFrame,
    subjects: pl.LazyFrame,
    params: EndpointParams,
    paramcds: tuple[str, ...],
) -> pl.LazyFrame:
    """Each state at each due visit, with the reason for non-responder imputation.

    Non-responder (``NRIREAS``; endpoints.md §4.3 [D-11], E-17, E-18, §16.3): the visit is
    missing because the subject died (``DEATH``) or withdrew (``WITHDRAWAL``) before its window
    closed, or for no recorded reason (``MISSING``); with ``rescue_is_failure`` an SLE rescue
    (or re-treatment) started on or before the visit (``RESCUE``); the state is not evaluable
    (``NOT_EVALUABLE``). Otherwise the observed state is used.

    Parameters
    ----------
    due
        Due visits (:func:`create_due_visits`).
    records
        State records (:func:`outcomes.endpoints.stream.create_state_records`).
    losses
        Loss events (for the first rescue of each state).
    subjects
        adsl of infused subjects: USUBJID, DTHDT, EOSSTT, EOSDT, SRCSEQ.
    params
        Endpoint parameters.
    paramcds
        State parameters to write.

    Returns
    -------
    pl.LazyFrame
        USUBJID, PARAMCD, AVISIT, AVISITN, SLOTDT, ADT, STATEFL, NRIREAS, SRCDOM, SRCSEQ (the
        deciding record), ASMSEQ (SRCSEQ of the visit's assessment).
    """
    visit = records.filter(pl.col("ANL01FL") & pl.col("AVISIT").is_not_null()).select(
        "USUBJID", "PARAMCD", "AVISIT", "ADT", "STATEFL", "SRCSEQ"
    )
    rescue = (
        losses.filter(pl.col("REASON") == "RESCUE")
        .group_by("USUBJID", "PARAMCD")
        .agg(pl.col("DT", "SRCSEQ").sort_by("DT", "SRCSEQ").first())
        .rename({"DT": "_tmp_r", "SRCSEQ": "_tmp_rseq"})
    )
    states = pl.LazyFrame({"PARAMCD": list(paramcds)})
    base = (
        due.join(states, how="cross")
        .join(visit, on=["USUBJID", "PARAMCD", "AVISIT"], how="left")
        .join(rescue, on=["USUBJID", "PARAMCD"], how="left")
        .join(
            subjects.select(
                "USUBJID", "DTHDT", "EOSSTT", "EOSDT", pl.col("SRCSEQ").alias("_tmp_sseq")
            ),
            on="USUBJID",
            how="left",
        )
    )
    return base.with_columns(_nri_reason(params).alias("NRIREAS")).select(
        "USUBJID",
        "PARAMCD",
        "AVISIT",
        "AVISITN",
        "SLOTDT",
        "ADT",
        "STATEFL",
        "NRIREAS",
        _source_dom().alias("SRCDOM"),
        _source_seq().alias("SRCSEQ"),
        pl.col("SRCSEQ").alias("ASMSEQ"),
    )


def _nri_reason(params: EndpointParams) -> pl.Expr:
    missing = pl.col("ADT").is_null()
    ref = pl.coalesce("ADT", "SLOTDT")
    rescued = pl.lit(params.rescue_is_failure) & (pl.col("_tmp_r") <= ref).fill_null(False)
    withdrew = (pl.col("EOSSTT") == "DISCONTINUED") & (pl.col("EOSDT") <= pl.col("SLOTDT"))
    return (
        pl.when(missing & (pl.col("DTHDT") <= pl.col("SLOTDT")).fill_null(False))
        .then(pl.lit("DEATH"))
        .when(missing & withdrew.fill_null(False))
        .then(pl.lit("WITHDRAWAL"))
        .when(rescued)
        .then(pl.lit("RESCUE"))
        .when(missing)
        .then(pl.lit("MISSING"))
        .when(pl.col("STATEFL").is_null())
        .then(pl.lit("NOT_EVALUABLE"))
    )


def _source_dom() -> pl.Expr:
    reason = pl.col("NRIREAS")
    return (
        pl.when(reason.is_in(["DEATH", "WITHDRAWAL"]))
        .then(pl.lit("SUBJECTS"))
        .when(reason == "RESCUE")
        .then(pl.lit("MEDICATIONS"))
        .when(pl.col("ADT").is_not_null())
        .then(pl.lit("ASSESSMENTS"))
    )


def _source_seq() -> pl.Expr:
    reason = pl.col("NRIREAS")
    return (
        pl.when(reason.is_in(["DEATH", "WITHDRAWAL"]))
        .then(pl.col("_tmp_sseq"))
        .when(reason == "RESCUE")
        .then(pl.col("_tmp_rseq"))
        .when(pl.col("ADT").is_not_null())
        .then(pl.col("SRCSEQ"))
        .cast(pl.Int64)
    )


def finalize_adrs_rows(rows: pl.LazyFrame, *, subjects: pl.LazyFrame) -> pl.LazyFrame:
    """Common adrs columns from RESP (tri-state responder) or a value, and NRIREAS.

    ``AVALC`` is ``Y`` only for an observed responder; any imputation (``NRIREAS`` set) makes it
    ``N`` with ``DTYPE = "NRI"``; ``AVAL`` is 1/0, or the value for value parameters.

    Returns
    -------
    pl.LazyFrame
        USUBJID, DOSELVL, PARAMCD, AVISIT, AVISITN, ADT, AVALC, AVAL, DTYPE, NRIREAS, SRCDOM,
        SRCSEQ (the label PARAM is attached once the rows are sorted, :func:`compute_param_label`).
    """
    imputed = pl.col("NRIREAS").is_not_null()
    resp = pl.when(imputed).then(False).otherwise(pl.col("RESP"))
    avalc = pl.when(resp).then(pl.lit("Y")).when(resp.not_()).then(pl.lit("N"))
    aval = pl.coalesce(pl.col("VALUE"), resp.cast(pl.Float64))
    return rows.join(subjects.select("USUBJID", "DOSELVL"), on="USUBJID", how="left").select(
        "USUBJID",
        "DOSELVL",
        "PARAMCD",
        "AVISIT",
        pl.col("AVISITN").cast(pl.Int64),
        "ADT",
        avalc.alias("AVALC"),
        aval.alias("AVAL"),
        pl.when(imputed).then(pl.lit("NRI")).alias("DTYPE"),
        "NRIREAS",
        "SRCDOM",
        pl.col("SRCSEQ").cast(pl.Int64),
    )


#: Sustained parameter prefixes and the state each names (§16.15, §16.26).
SUSTAINED_LABELS: dict[str, str] = {"LLSUST": "LLDAS", "DFSUST": "drug-free DORIS remission"}


def compute_param_label() -> pl.Expr:
    """Label (PARAM) of each adrs PARAMCD.

    ``LLSUST<X>`` reads "Sustained LLDAS >= X months", ``DFSUST<X>`` "Sustained drug-free DORIS
    remission >= X months".
    """
    code = pl.col("PARAMCD")
    known = code.replace_strict(PARAM_LABELS, default=None, return_dtype=pl.String)
    generic = [
        pl.when(code.str.starts_with(prefix)).then(
            pl.concat_str(
                pl.lit(f"Sustained {state} >= "), code.str.strip_prefix(prefix), pl.lit(" months")
            )
        )
        for prefix, state in SUSTAINED_LABELS.items()
    ]
    return pl.coalesce(known, *generic)


def create_adrs_states(states: pl.LazyFrame, *, subjects: pl.LazyFrame) -> pl.LazyFrame:
    """Point-in-time adrs rows of DORIS, DFDORIS, DFDORISS, LLDAS and SRI4 (§16.3, §16.1).

    A not-evaluable state is a non-responder (E-18); the observed flag is otherwise used.
    """
    rows = states.with_columns(
        pl.col("STATEFL").alias("RESP"), pl.lit(None, dtype=pl.Float64).alias("VALUE")
    )
    return finalize_adrs_rows(rows, subjects=subjects)
