"""The simulated cohort: one draw per subject of every subject-level fact, as numpy arrays.

Dates are whole days since 1970-01-01 (``int64``); study days count from the infusion (Day 0,
endpoints.md D-02). Every later table (subjects, assessments, medications, adverse events,
labs) reads the same :class:`Cohort`, so the tables agree with one another.
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

import numpy as np
import polars as pl

from outcomes.simulate.params import VISIT_SLOTS, SimulationAssumptions

EPOCH = dt.date(1970, 1, 1)
#: Response classes: complete (DORIS-like), partial (LLDAS-like), none.
CR, PR, NR = 0, 1, 2
WITHDRAWAL_REASONS: tuple[str, ...] = (
    "WITHDRAWAL BY SUBJECT",
    "LOST TO FOLLOW-UP",
    "ADVERSE EVENT",
    "LACK OF EFFICACY",
)
NOT_INFUSED_REASONS: tuple[str, ...] = ("WITHDRAWAL BY SUBJECT", "PHYSICIAN DECISION", "OTHER")


def day_number(date: dt.date) -> int:
    """Whole days from 1970-01-01 to ``date``."""
    return (date - EPOCH).days


def draw_int(rng: np.random.Generator, bounds: tuple[int, int], size: int) -> np.ndarray:
    """Uniform whole numbers in the inclusive range ``bounds``."""
    return rng.integers(bounds[0], bounds[1] + 1, size=size)


def labelled(codes: np.ndarray, labels: tuple[str | None, ...]) -> pl.Series:
    """Text column from integer codes into ``labels`` (fast for millions of rows)."""
    return pl.Series(labels, dtype=pl.String).gather(codes)


def interpolate_by_level(
    level: np.ndarray, *, levels: int, lowest: float, highest: float
) -> np.ndarray:
    """Rate at each ordered dose level, linear from the lowest to the highest level."""
    frac = level / (levels - 1) if levels > 1 else np.ones(level.shape)
    return lowest + (highest - lowest) * frac


@dataclass(frozen=True)
class Cohort:
    """Subject-level draws (arrays of length ``n``, subject order = consent order)."""

    n: int
    as_of: int
    dose_levels: tuple[str, ...]
    level: np.ndarray
    site: np.ndarray
    age: np.ndarray
    female: np.ndarray
    weight: np.ndarray
    consent: np.ndarray
    screening: np.ndarray
    baseline: np.ndarray
    anchor: np.ndarray
    planned_ld: np.ndarray
    planned_inf: np.ndarray
    infday: np.ndarray
    response: np.ndarray
    clearance: np.ndarray
    relapse: np.ndarray
    relapse_day: np.ndarray
    relapse_gap: np.ndarray
    died: np.ndarray
    end_day: np.ndarray
    end_reason: np.ndarray
    m24_day: np.ndarray

    @property
    def enrolled(self) -> np.ndarray:
        """Consented on or before the as-of date."""
        return self.consent <= self.as_of

    @property
    def eos_reached(self) -> np.ndarray:
        """End of study (completion, withdrawal or death) on or before the as-of date."""
        return self.end_day <= self.as_of

    @property
    def limit(self) -> np.ndarray:
        """Last date on which a record of the subject may be dated."""
        return np.where(self.eos_reached, self.end_day, self.as_of)

    @property
    def ld(self) -> np.ndarray:
        """Lymphodepletion started on or before the as-of date."""
        return self.planned_ld & (self.anchor <= self.as_of)

    @property
    def infused(self) -> np.ndarray:
        """Infused on or before the as-of date."""
        return self.planned_inf & (self.infday <= self.as_of)


#: Study-day gaps between the visit windows of §11 (UNSCHEDULED visits fall there only).
UNSCHEDULED_GAPS: tuple[tuple[int, int], ...] = tuple(
    (a.upper_day + 1, b.lower_day - 1)
    for a, b in itertools.pairwise(VISIT_SLOTS)
    if b.lower_day - a.upper_day > 2
)
#: Gaps in which a relapse (flare visit) may happen: after the complete responders' taper.
RELAPSE_GAPS: tuple[int, ...] = tuple(i for i, (lo, _) in enumerate(UNSCHEDULED_GAPS) if lo >= 190)


def _draw_course(
    rng: np.random.Generator,
    level: np.ndarray,
    k: int,
    planned_inf: np.ndarray,
    a: SimulationAssumptions,
) -> dict[str, np.ndarray]:
    n = level.size
    p_cr = interpolate_by_level(
        level, levels=k, lowest=a.complete_response_lowest, highest=a.complete_response_highest
    )
    u = rng.random(n)
    response = np.where(
        u < p_cr, CR, np.where(u < p_cr + (1 - p_cr) * a.partial_share_of_rest, PR, NR)
    )
    relapse = planned_inf & (response == CR) & (rng.random(n) < a.relapse_fraction)
    gap = np.asarray(RELAPSE_GAPS)[rng.integers(0, len(RELAPSE_GAPS), n)]
    lo = np.asarray([g[0] for g in UNSCHEDULED_GAPS])[gap]
    hi = np.asarray([g[1] for g in UNSCHEDULED_GAPS])[gap]
    relapse_day = lo + np.floor(rng.random(n) * (hi - lo + 1)).astype(np.int64)
    m24 = VISIT_SLOTS[-1]
    return {
        "response": response,
        "clearance": draw_int(rng, a.clearance_day, n),
        "relapse": relapse,
        "relapse_day": relapse_day,
        "relapse_gap": np.where(relapse, gap, -1),
        "m24_day": m24.target_day + draw_int(rng, (-m24.jitter_days, m24.jitter_days), n),
    }


def _draw_end(
    rng: np.random.Generator,
    course: dict[str, np.ndarray],
    planned_inf: np.ndarray,
    anchor: np.ndarray,
    infday: np.ndarray,
    a: SimulationAssumptions,
) -> dict[str, np.ndarray]:
    n = anchor.size
    died = planned_inf & (rng.random(n) < a.death_fraction)
    withdrawn = planned_inf & ~died & (rng.random(n) < a.withdrawal_fraction)
    study_end = np.where(
        died,
        draw_int(rng, a.death_day, n),
        np.where(withdrawn, draw_int(rng, a.withdrawal_day, n), course["m24_day"]),
    )
    reason = np.asarray(WITHDRAWAL_REASONS, dtype=object)[rng.integers(0, 3, n)]
    reason = np.where(
        (course["response"] == NR) & (rng.random(n) < a.lack_of_efficacy_share),
        "LACK OF EFFICACY",
        reason,
    )
    not_inf_reason = np.asarray(NOT_INFUSED_REASONS, dtype=object)[rng.integers(0, 3, n)]
    end_reason = np.where(died, "DEATH", np.where(withdrawn, reason, ""))
    end_reason = np.where(planned_inf, end_reason, not_inf_reason)
    end_day = np.where(planned_inf, infday + study_end, anchor + rng.integers(0, 15, n))
    return {"died": died, "end_day": end_day, "end_reason": end_reason.astype(str)}


def create_cohort(
    rng: np.random.Generator,
    *,
    subjects: int,
    dose_levels: tuple[str, ...],
    as_of: dt.date,
    assumptions: SimulationAssumptions,
) -> Cohort:
    """Draw every subject-level fact of the synthetic trial.

    Consent dates are staggered uniformly over the enrolment period; dose levels are balanced
    (each level gets ``subjects / levels`` subjects, in random order). Lymphodepletion starts
    2-6 weeks after consent and the infusion follows ``ld_to_infusion_days`` later (Day 0);
    without lymphodepletion the infusion takes its place. Complete response is more likely at
    higher dose levels; some complete responders relapse in a gap between visit windows.
    """
    a, n, k = assumptions, subjects, len(dose_levels)
    consent = day_number(a.enrolment_start) + np.sort(rng.integers(0, a.enrolment_days, n))
    level = rng.permutation(np.arange(n) % k)
    anchor = consent + draw_int(rng, a.consent_to_ld_days, n)
    planned_inf = rng.random(n) >= a.not_infused_fraction
    planned_ld = planned_inf & (rng.random(n) < a.ld_fraction)
    infday = anchor + np.where(planned_ld, a.ld_to_infusion_days, 0)
    screening = consent + rng.integers(0, 4, n)
    baseline = anchor - draw_int(rng, a.baseline_before_ld_days, n)
    age = np.clip(np.round(rng.normal(38, 11, n)), 18, 70).astype(np.int64)
    female = rng.random(n) < a.female_fraction
    weight = np.clip(np.round(rng.normal(np.where(female, 60, 72), 10) * 10) / 10, 40, 130)
    site = rng.integers(1, a.sites + 1, n)
    course = _draw_course(rng, level, k, planned_inf, a)
    end = _draw_end(rng, course, planned_inf, anchor, infday, a)
    return Cohort(
        n=n,
        as_of=day_number(as_of),
        dose_levels=dose_levels,
        level=level,
        site=site,
        age=age,
        female=female,
        weight=weight,
        consent=consent,
        screening=screening,
        baseline=baseline,
        anchor=anchor,
        planned_ld=planned_ld,
        planned_inf=planned_inf,
        infday=infday,
        **course,
        **end,
    )
