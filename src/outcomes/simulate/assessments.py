"""The ``assessments`` table (data-contract.md §1.2): visit schedule and disease activity.

Schedule: SCREENING 0-3 days after consent; BASELINE ``baseline_before_ld_days`` before the
lymphodepletion start (the infusion without LD), so it is the latest assessment before it and
within the 42-day window of endpoints.md §16.5; DAY 14 … MONTH 24 at their target day ± a
jitter that stays strictly inside the §11 windows; a few missed visits; UNSCHEDULED visits only
in the gaps between windows (so no two assessments share a date), one of them at each relapse.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from outcomes import contract as c
from outcomes.simulate import activity as act
from outcomes.simulate.cohort import CR, NR, PR, UNSCHEDULED_GAPS, Cohort, draw_int, labelled
from outcomes.simulate.params import VISIT_SLOTS, SimulationAssumptions
from outcomes.simulate.subjects import as_date

C3LLN, C4LLN, DSDNAULN = 0.9, 0.1, 100.0
#: VISIT labels; the schedule holds codes into this tuple.
VISIT_LABELS: tuple[str, ...] = (
    "SCREENING",
    "BASELINE",
    *(slot.label for slot in VISIT_SLOTS),
    "UNSCHEDULED",
)
SCREENING, BASELINE, UNSCHEDULED = 0, 1, len(VISIT_LABELS) - 1
YES, NO, MISSING = 0, 1, 2
FLAG_LABELS: tuple[str | None, ...] = ("Y", "N", None)
FLARE_LABELS: tuple[str | None, ...] = ("NONE", "MILD", "MODERATE", "SEVERE", None)


@dataclass(frozen=True)
class Schedule:
    """Assessment rows sorted by subject and date: subject, VISIT code, date, relapse visit."""

    subject: np.ndarray
    visit: np.ndarray
    date: np.ndarray
    relapse_visit: np.ndarray


def _unscheduled(
    rng: np.random.Generator, cohort: Cohort, a: SimulationAssumptions
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n, g = cohort.n, len(UNSCHEDULED_GAPS)
    lo = np.array([gap[0] for gap in UNSCHEDULED_GAPS])
    hi = np.array([gap[1] for gap in UNSCHEDULED_GAPS])
    take = (rng.random((n, g)) < a.unscheduled_per_gap) & (
        np.arange(g)[None, :] != cohort.relapse_gap[:, None]
    )
    day = lo[None, :] + np.floor(rng.random((n, g)) * (hi - lo + 1)[None, :]).astype(np.int64)
    subj = np.repeat(np.arange(n), g)[take.ravel()]
    dates = (cohort.infday[:, None] + day).ravel()[take.ravel()]
    rel = np.flatnonzero(cohort.relapse)
    return (
        np.r_[subj, rel],
        np.r_[dates, cohort.infday[rel] + cohort.relapse_day[rel]],
        np.r_[np.zeros(subj.size, bool), np.ones(rel.size, bool)],
    )


def create_schedule(
    rng: np.random.Generator, cohort: Cohort, assumptions: SimulationAssumptions
) -> Schedule:
    """Every assessment date of every subject, up to the subject's last allowed date."""
    a, n = assumptions, cohort.n
    subj = [np.arange(n), np.arange(n)]
    dates = [cohort.screening, cohort.baseline]
    labels = [np.full(n, SCREENING), np.full(n, BASELINE)]
    keep = [np.ones(n, bool), np.ones(n, bool)]
    for code, slot in enumerate(VISIT_SLOTS, start=BASELINE + 1):
        jitter = draw_int(rng, (-slot.jitter_days, slot.jitter_days), n)
        day = cohort.m24_day if slot is VISIT_SLOTS[-1] else slot.target_day + jitter
        missed = rng.random(n) < a.missed_visit_fraction
        if slot is VISIT_SLOTS[-1]:
            missed &= False
        subj.append(np.arange(n))
        dates.append(cohort.infday + day)
        labels.append(np.full(n, code))
        keep.append(cohort.planned_inf & ~missed)
    u_subj, u_dates, u_rel = _unscheduled(rng, cohort, a)
    s = np.concatenate([*subj, u_subj])
    d = np.concatenate([*dates, u_dates])
    lab = np.concatenate([*labels, np.full(u_subj.size, UNSCHEDULED)])
    rel = np.concatenate([np.zeros(n * len(subj), bool), u_rel])
    ok = np.concatenate([*keep, cohort.planned_inf[u_subj]])
    ok &= cohort.enrolled[s] & (d <= cohort.limit[s])
    order = np.lexsort((d[ok], s[ok]))
    return Schedule(s[ok][order], lab[ok][order], d[ok][order], rel[ok][order])


def compute_phase(cohort: Cohort, schedule: Schedule) -> np.ndarray:
    """Phase of each assessment (activity.PRE … activity.RELAPSE) from the subject's course."""
    s = schedule.subject
    day = schedule.date - cohort.infday[s]
    pre = schedule.visit <= BASELINE
    resp = cohort.response[s]
    relapsed = cohort.relapse[s] & (day >= cohort.relapse_day[s])
    course = np.select(
        [resp == CR, resp == PR, resp == NR],
        [np.where(day < cohort.clearance[s], act.IMPROVING, act.CLEARED), act.PARTIAL, act.NONE],
    )
    return np.where(pre, act.PRE, np.where(relapsed, act.RELAPSE, course))


def _serology(rng: np.random.Generator, items: np.ndarray) -> dict[str, np.ndarray]:
    """Laboratory values consistent with the serological and proteinuria bits."""
    m = items.shape[0]
    low = items[:, act.ITEM_INDEX["LOW_COMPLEMENT"]]
    dna = items[:, act.ITEM_INDEX["INCREASED_DNA_BINDING"]]
    prot = items[:, act.ITEM_INDEX["PROTEINURIA"]]
    u = rng.random((m, 6))
    sero_missing = u[:, 4] < 0.04
    values = {
        "DSDNA": np.round(np.where(dna, 120 + 680 * u[:, 0], 1 + 94 * u[:, 0]), 1),
        "DSDNAULN": np.full(m, DSDNAULN),
        "C3": np.round(np.where(low, 0.35 + 0.5 * u[:, 1], 0.95 + 0.65 * u[:, 1]), 2),
        "C3LLN": np.full(m, C3LLN),
        "C4": np.round(np.where(low, 0.03 + 0.22 * u[:, 2], 0.12 + 0.28 * u[:, 2]), 2),
        "C4LLN": np.full(m, C4LLN),
    }
    values = {k: np.where(sero_missing, np.nan, v) for k, v in values.items()}
    upcr = np.round(np.where(prot, 0.6 + 3.4 * u[:, 3], 0.05 + 0.4 * u[:, 3]), 2)
    values["UPCR"] = np.where(u[:, 5] < 0.05, np.nan, upcr)
    return values


def _flags(
    rng: np.random.Generator, schedule: Schedule, phase: np.ndarray, haem_subject: np.ndarray
) -> dict[str, pl.Series]:
    m = phase.size
    u = rng.random((m, 4))
    sev = np.where(u[:, 0] < 0.7, 2, 3)
    flare = np.where(
        schedule.relapse_visit, sev, np.where((phase == act.NONE) & (u[:, 1] < 0.08), 1, 0)
    )
    blank = (schedule.visit == SCREENING) | (u[:, 2] < 0.03) & ~schedule.relapse_visit
    haem = np.where((phase == act.PRE) & haem_subject, YES, NO)
    return {
        "HAEMOLYSIS": labelled(np.where(u[:, 3] < 0.05, MISSING, haem), FLAG_LABELS),
        "FLARE": labelled(np.where(blank, len(FLARE_LABELS) - 1, flare), FLARE_LABELS),
    }


def create_assessments(
    rng: np.random.Generator, cohort: Cohort, *, ids: pl.Series, assumptions: SimulationAssumptions
) -> pl.DataFrame:
    """The assessments table: dates from :func:`create_schedule`, activity from ``activity``.

    Parameters
    ----------
    rng
        Random stream of this table.
    cohort
        Subject-level draws (:func:`outcomes.simulate.cohort.create_cohort`).
    ids
        USUBJID of every subject of the cohort.
    assumptions
        Simulation assumptions (:mod:`outcomes.simulate.params`).

    Returns
    -------
    pl.DataFrame
        Columns of data-contract.md §1.2, sorted by subject and date. Serology values agree
        with LOW_COMPLEMENT / INCREASED_DNA_BINDING (§1.2 items 20-21) and UPCR with
        PROTEINURIA (> 0.5, D-04); ``_NEW`` flags are Y only when the item is present.
    """
    schedule = create_schedule(rng, cohort, assumptions)
    n, s = cohort.n, schedule.subject
    base_items, base_new = act.draw_baseline_items(
        rng, n=n, eligible_fraction=assumptions.eligible_fraction
    )
    base_pga = np.round(1.5 + 0.05 * rng.integers(0, 27, n), 2)
    history = rng.random((n, len(c.BILAG_DOMAINS))) < assumptions.bilag_history_fraction
    haem_subject = rng.random(n) < 0.15
    phase = compute_phase(cohort, schedule)
    latent = rng.random(base_items.shape)
    items = act.draw_visit_items(latent[s], baseline=base_items[s], phase=phase)
    onset = act.compute_onset_flags(
        items, subject=s, pre=phase == act.PRE, baseline_new=base_new[s]
    )
    present = items[:, act.ONSET_INDEX]
    blank = rng.random(onset.shape) < 0.1
    new_flags = np.where(onset, YES, np.where(present | ~blank, NO, MISSING))
    haem_subject &= act.any_item(base_items, ("THROMBOCYTOPENIA", "LEUKOPENIA"))
    columns: dict[str, object] = {
        "USUBJID": ids.gather(s),
        "VISIT": labelled(schedule.visit, VISIT_LABELS),
        "ASMDT": as_date(schedule.date, np.ones(s.size, bool)),
    }
    columns |= {col: items[:, j].astype(np.int8) for j, col in enumerate(c.SLEDAI_COLUMNS)}
    columns |= {
        col: labelled(new_flags[:, j], FLAG_LABELS) for j, col in enumerate(c.SELENA_ONSET_COLUMNS)
    }
    columns["PGA"] = act.draw_pga(rng, phase=phase, baseline=base_pga[s])
    columns |= act.compute_bilag(
        rng, items=items, baseline=base_items[s], phase=phase, history=history[s]
    )
    columns |= _flags(rng, schedule, phase, haem_subject[s])
    columns |= _serology(rng, items)
    frame = pl.DataFrame(columns)
    floats = [k for k, v in frame.schema.items() if v == pl.Float64]
    return frame.with_columns(pl.col(k).fill_nan(None) for k in floats)
