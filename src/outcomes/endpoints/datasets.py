"""The subject-level efficacy datasets adrs, adepi and adtte, each from advisit, events and adsl.

Name: efficacy endpoints. Inputs: adam/advisit (per-assessment tri-state flags), derived/events
(rescue, flare treatment, re-treatment), adam/adsl (infused subjects, with SRCSEQ of the subject
record). Output grains: adrs subject × PARAMCD × visit; adepi subject × PARAMCD × episode; adtte
subject × PARAMCD.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from outcomes.endpoints.confirmed import create_adrs_confirmed
from outcomes.endpoints.episodes import create_episodes
from outcomes.endpoints.lldas_time import (
    create_adrs_lldas_time,
    create_adrs_sustained,
    create_lldas_time_points,
    create_sustained_points,
)
from outcomes.endpoints.maintenance import create_adrs_maintenance
from outcomes.endpoints.params import EndpointParams
from outcomes.endpoints.response import (
    compute_param_label,
    create_adrs_states,
    create_due_visits,
    create_visit_states,
    finalize_adrs_rows,
)
from outcomes.endpoints.stream import (
    EPISODE_STATES,
    STATE_FLAGS,
    create_loss_events,
    create_state_records,
    create_stream,
)
from outcomes.endpoints.tte import create_tte


def filter_infused(subjects: pl.LazyFrame) -> pl.LazyFrame:
    """Subjects of the safety set (SAFFL: infused, §16.19) with an infusion date."""
    return subjects.filter(pl.col("SAFFL").fill_null(False) & pl.col("TRTSDT").is_not_null())


def create_state_stream(
    advisit: pl.LazyFrame,
    *,
    subjects: pl.LazyFrame,
    events: pl.LazyFrame,
    paramcds: tuple[str, ...] = EPISODE_STATES,
) -> pl.LazyFrame:
    """The state stream (assessments and loss events in date order) of the given states."""
    infused = filter_infused(subjects).cache()
    records = create_state_records(advisit, subjects=infused, paramcds=paramcds)
    losses = create_loss_events(events, subjects=infused, paramcds=paramcds)
    return create_stream(records, losses=losses).cache()


_TTE_STATES: tuple[str, ...] = ("DORIS", "DFDORIS", "LLDAS")


@dataclass(frozen=True)
class EfficacyDatasets:
    """The lazy plans of adrs, adepi and adtte, built on one shared state stream."""

    adrs: pl.LazyFrame
    adepi: pl.LazyFrame
    adtte: pl.LazyFrame


def create_adepi(
    advisit: pl.LazyFrame, *, subjects: pl.LazyFrame, events: pl.LazyFrame
) -> pl.LazyFrame:
    """adepi: every episode of DORIS, DFDORIS, DFDORISS and LLDAS (§6.3, §16.17).

    See :func:`outcomes.endpoints.episodes.create_episodes` for the rule.
    """
    stream = create_state_stream(advisit, subjects=subjects, events=events)
    return derive_var_qryfl(create_episodes(stream), subjects=subjects)


def create_adtte(
    advisit: pl.LazyFrame, *, subjects: pl.LazyFrame, events: pl.LazyFrame, params: EndpointParams
) -> pl.LazyFrame:
    """adtte: TTDORIS, TTDFREM, TTLLDAS for every infused subject; DUR* for achievers.

    See :func:`outcomes.endpoints.tte.create_tte` for the rules (§6.3 [D-17, D-18, D-32], §16.2,
    §16.3).
    """
    stream = create_state_stream(advisit, subjects=subjects, events=events, paramcds=_TTE_STATES)
    adtte = create_tte(
        stream, adepi=create_episodes(stream), subjects=filter_infused(subjects), params=params
    )
    return derive_var_qryfl(adtte, subjects=subjects)


def create_adrs(
    advisit: pl.LazyFrame,
    *,
    subjects: pl.LazyFrame,
    events: pl.LazyFrame,
    schedule: pl.LazyFrame,
    params: EndpointParams,
) -> pl.LazyFrame:
    """adrs: responder parameters at every scheduled post-infusion visit due at the cut.

    Point-in-time DORIS, DFDORIS, DFDORISS, LLDAS and SRI4 with NRI (§4.3, §16.1, §16.3);
    maintenance DFMAINT, LLMAINT and strict DFMAINTS, LLMAINTS (§6.3, §16.16); LLDASPCT and
    LLDAS50 (§7.3, §16.14); LLSUST<X> (§16.15); confirmed achievement DORCONF, DFCONF, LLCONF
    (§6.3).

    Parameters
    ----------
    advisit
        Per-assessment flags (docs/architecture.md), including ABLFL and LLC1FL..LLC5FL.
    subjects
        adsl: USUBJID, DOSELVL, SAFFL, TRTSDT, DCUTDT, DTHDT, EOSSTT, EOSDT, SRCSEQ.
    events
        derived/events: USUBJID, EVTDT, EVTCD, SRCDOM, SRCSEQ.
    schedule
        Scheduled post-infusion visits: AVISIT, AVISITN, UPPERDY.
    params
        Endpoint parameters.

    Returns
    -------
    pl.LazyFrame
        USUBJID, DOSELVL, PARAMCD, PARAM, AVISIT, AVISITN, ADT, AVALC, AVAL, DTYPE, NRIREAS,
        SRCDOM, SRCSEQ; sorted by subject, PARAMCD and AVISITN.
    """
    return create_efficacy(
        advisit, subjects=subjects, events=events, schedule=schedule, params=params
    ).adrs


def create_efficacy(
    advisit: pl.LazyFrame,
    *,
    subjects: pl.LazyFrame,
    events: pl.LazyFrame,
    schedule: pl.LazyFrame,
    params: EndpointParams,
) -> EfficacyDatasets:
    """adrs, adepi and adtte from one state stream of every state (collect them together).

    The stream, the visit states and the episodes are cached once and shared: collected with
    ``pl.collect_all``, each is computed once for the three datasets. The datasets equal those
    of :func:`create_adrs`, :func:`create_adepi` and :func:`create_adtte` (each state's stream
    and episodes depend on that state's records only).

    Parameters
    ----------
    advisit, subjects, events, schedule, params
        As for :func:`create_adrs`.

    Returns
    -------
    EfficacyDatasets
        The three lazy plans.
    """
    # Intermediates used by several parameters are cached: computed once per collect.
    infused = filter_infused(subjects).cache()
    paramcds = tuple(STATE_FLAGS)
    records = create_state_records(advisit, subjects=infused, paramcds=paramcds).cache()
    losses = create_loss_events(events, subjects=infused, paramcds=paramcds).cache()
    stream = create_stream(records, losses=losses).cache()
    due = create_due_visits(infused, schedule=schedule)
    states = create_visit_states(
        due, records=records, losses=losses, subjects=infused, params=params, paramcds=paramcds
    ).cache()
    episodes = create_episodes(stream.filter(pl.col("PARAMCD").is_in(list(EPISODE_STATES)))).cache()
    baseline = advisit.filter(pl.col("ABLFL").fill_null(False))
    points = create_lldas_time_points(records, baseline=baseline, subjects=infused)
    sustained = create_sustained_points(stream, states=states, params=params)
    derived = pl.concat(
        [
            create_adrs_maintenance(states, adepi=episodes, losses=losses, params=params),
            create_adrs_confirmed(states, stream=stream, params=params),
            create_adrs_lldas_time(states, points=points, subjects=infused, params=params),
            create_adrs_sustained(states, points=sustained, subjects=infused, params=params),
        ],
        how="vertical",
    )
    rows = pl.concat(
        [
            create_adrs_states(states, subjects=infused),
            finalize_adrs_rows(derived, subjects=infused),
        ],
        how="vertical",
    )
    # The label is attached after the sort: the long PARAM strings are not moved by it.
    columns = rows.collect_schema().names()
    columns.insert(columns.index("PARAMCD") + 1, "PARAM")
    adrs = (
        rows.sort("USUBJID", "PARAMCD", "AVISITN")
        .with_columns(compute_param_label().alias("PARAM"))
        .select(columns)
    )
    tte_states = pl.col("PARAMCD").is_in(list(_TTE_STATES))
    adtte = create_tte(
        stream.filter(tte_states),
        adepi=episodes.filter(tte_states),
        subjects=infused,
        params=params,
    )
    return EfficacyDatasets(
        adrs=derive_var_qryfl(adrs, subjects=subjects),
        adepi=derive_var_qryfl(episodes, subjects=subjects),
        adtte=derive_var_qryfl(adtte, subjects=subjects),
    )


def derive_var_qryfl(frame: pl.LazyFrame, *, subjects: pl.LazyFrame) -> pl.LazyFrame:
    """Add the subject's ``QRYFL`` from adsl (Y: a record the endpoints depend on carries an
    open validation ERROR; null when adsl does not say), rows and order unchanged
    (data-contract.md §1.6)."""
    if "QRYFL" not in subjects.collect_schema().names():
        return frame.with_columns(pl.lit(None, dtype=pl.String).alias("QRYFL"))
    flags = subjects.select("USUBJID", "QRYFL").unique("USUBJID", keep="first")
    return frame.join(flags, on="USUBJID", how="left", maintain_order="left")
