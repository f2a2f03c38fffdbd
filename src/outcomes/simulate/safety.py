"""Safety events of the synthetic trial and the ``adverse_events`` table (data-contract.md §1.4).

CRS (ASTCT grade, endpoints.md §9.1) with incidence rising with dose, mostly grade 1, onset
Day 0-10; ICANS (§9.2) rarer and after CRS; early neutropenia (ICAHT, §9.3) from the same
nadir that the labs show, attributed to lymphodepletion or (more often at higher doses) to the
CAR-T product; infections; rare acute GvHD (§9.4); a fatal infection for each death.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from outcomes.simulate.cohort import Cohort, draw_int, interpolate_by_level
from outcomes.simulate.params import SimulationAssumptions

ICANS_TERM = "Immune effector cell-associated neurotoxicity syndrome"
GVHD_TERM = "Acute graft versus host disease"
INFECTION_TERMS: tuple[str, ...] = (
    "Upper respiratory tract infection",
    "Urinary tract infection",
    "Pneumonia",
    "Herpes zoster",
    "COVID-19",
)


@dataclass(frozen=True)
class SafetyEvents:
    """Per-subject safety draws (arrays of length n; study days from the infusion)."""

    crs: np.ndarray
    crs_grade: np.ndarray
    crs_day: np.ndarray
    icans: np.ndarray
    icans_grade: np.ndarray
    icans_day: np.ndarray
    infection: np.ndarray
    infection_day: np.ndarray
    anc_base: np.ndarray
    anc_nadir: np.ndarray
    nadir_day: np.ndarray
    recovery_day: np.ndarray


def _grade(rng: np.random.Generator, n: int, probs: tuple[float, ...]) -> np.ndarray:
    return rng.choice(np.arange(1, len(probs) + 1), size=n, p=probs)


def draw_safety(
    rng: np.random.Generator, cohort: Cohort, assumptions: SimulationAssumptions
) -> SafetyEvents:
    """Draw CRS, ICANS, neutrophil course and infections of every subject."""
    a, n, k = assumptions, cohort.n, len(cohort.dose_levels)
    inf = cohort.planned_inf
    p_crs = interpolate_by_level(cohort.level, levels=k, lowest=a.crs_lowest, highest=a.crs_highest)
    p_icans = interpolate_by_level(
        cohort.level, levels=k, lowest=a.icans_lowest, highest=a.icans_highest
    )
    crs = inf & (rng.random(n) < p_crs)
    crs_day = np.minimum(rng.integers(0, 11, n), rng.integers(0, 11, n))
    icans = inf & (rng.random(n) < p_icans)
    anc_base = np.round(2.0 + 5.0 * rng.random(n), 2)
    frac = np.where(cohort.planned_ld, 0.02 + 0.38 * rng.random(n), 0.3 + 0.6 * rng.random(n))
    nadir_day = draw_int(rng, (5, 9), n)
    infection = np.stack(
        [
            inf & (rng.random(n) < a.infection_fraction),
            inf & (rng.random(n) < a.second_infection_fraction),
        ],
        axis=1,
    )
    first = draw_int(rng, (5, 500), n)
    return SafetyEvents(
        crs=crs,
        crs_grade=_grade(rng, n, a.crs_grade_probs),
        crs_day=crs_day,
        icans=icans,
        icans_grade=_grade(rng, n, a.icans_grade_probs),
        icans_day=np.where(crs, crs_day, 2) + draw_int(rng, (1, 4), n),
        infection=infection,
        infection_day=np.stack([first, first + draw_int(rng, (30, 200), n)], axis=1),
        anc_base=anc_base,
        anc_nadir=np.round(anc_base * frac, 2),
        nadir_day=nadir_day,
        recovery_day=nadir_day + draw_int(rng, (5, 20), n),
    )


def _block(
    subj: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    grade: np.ndarray,
    *,
    term: np.ndarray | str,
    cat: str,
    ser: np.ndarray,
    rel: np.ndarray,
) -> pl.DataFrame:
    m = subj.size
    terms = np.broadcast_to(np.asarray(term, dtype=object), (m,)).astype(str)
    return pl.DataFrame(
        {
            "SUBJ": subj,
            "AETERM": terms,
            "AEDECOD": terms,
            "AECAT": np.full(m, cat),
            "START": start,
            "END": end,
            "AETOXGR": grade.astype(np.int64),
            "AESER": np.where(ser, "Y", "N"),
            "AEREL": np.where(rel, "Y", "N"),
        },
        schema_overrides={"START": pl.Int64, "END": pl.Int64},
    )


def _cytokine_events(
    rng: np.random.Generator, cohort: Cohort, ev: SafetyEvents
) -> list[pl.DataFrame]:
    """CRS lasting 1-7 days and ICANS lasting 1-5 days; serious from grade 2; related."""
    u = rng.random((cohort.n, 2))
    out = []
    for flag, day, grade, length, term, cat in (
        (ev.crs, ev.crs_day, ev.crs_grade, 7, "Cytokine release syndrome", "CRS"),
        (ev.icans, ev.icans_day, ev.icans_grade, 5, ICANS_TERM, "ICANS"),
    ):
        s = np.flatnonzero(flag)
        start = cohort.infday[s] + day[s]
        end = start + 1 + (u[s, len(out)] * length).astype(int)
        related = np.ones(s.size, bool)
        out.append(
            _block(s, start, end, grade[s], term=term, cat=cat, ser=grade[s] >= 2, rel=related)
        )
    return out


def _neutropenia(
    rng: np.random.Generator, cohort: Cohort, ev: SafetyEvents, a: SimulationAssumptions
) -> pl.DataFrame:
    """Early neutropenia (ICAHT, §9.3) when the nadir is below 1.5 x 10^9/L; CTCAE grade by the
    nadir (< 1.0 grade 3, < 0.5 grade 4); from 2 days before the nadir to recovery. After
    lymphodepletion it is CAR-T-related with a probability rising with dose (else attributed to
    the chemotherapy); without lymphodepletion it is always related."""
    nadir = ev.anc_nadir
    s = np.flatnonzero(cohort.planned_inf & (nadir < 1.5))
    grade = np.select([nadir[s] < 0.5, nadir[s] < 1.0], [4, 3], default=2)
    start = cohort.infday[s] + np.maximum(ev.nadir_day[s] - 2, 1)
    end = cohort.infday[s] + ev.recovery_day[s]
    p_rel = interpolate_by_level(
        cohort.level[s],
        levels=len(cohort.dose_levels),
        lowest=a.neutropenia_related_lowest,
        highest=a.neutropenia_related_highest,
    )
    related = ~cohort.planned_ld[s] | (rng.random(s.size) < p_rel)
    return _block(
        s,
        start,
        end,
        grade,
        term="Neutropenia",
        cat="ICAHT",
        ser=np.zeros(s.size, bool),
        rel=related,
    )


def _infections(rng: np.random.Generator, cohort: Cohort, ev: SafetyEvents) -> list[pl.DataFrame]:
    """Up to two infections per subject, grade 1-3, lasting 3-21 days; serious at grade 3."""
    out = []
    for j in range(2):
        s = np.flatnonzero(ev.infection[:, j])
        u = rng.random((s.size, 2))
        grade = np.select([u[:, 0] < 0.5, u[:, 0] < 0.85], [1, 2], default=3)
        term = np.asarray(INFECTION_TERMS)[rng.integers(0, len(INFECTION_TERMS), s.size)]
        start = cohort.infday[s] + ev.infection_day[s, j]
        end = start + draw_int(rng, (3, 21), s.size)
        related = u[:, 1] < 0.2
        out.append(
            _block(s, start, end, grade, term=term, cat="INFECTION", ser=grade >= 3, rel=related)
        )
    return out


def _gvhd_and_deaths(
    rng: np.random.Generator, cohort: Cohort, a: SimulationAssumptions
) -> list[pl.DataFrame]:
    """Rare acute GvHD (§9.4) from Day 20-100; a fatal sepsis (grade 5) ending on each death."""
    s = np.flatnonzero(cohort.planned_inf & (rng.random(cohort.n) < a.gvhd_fraction))
    start = cohort.infday[s] + draw_int(rng, (20, 100), s.size)
    end = start + draw_int(rng, (10, 60), s.size)
    grade = draw_int(rng, (1, 2), s.size)
    yes, no = np.ones(s.size, bool), np.zeros(s.size, bool)
    out = [_block(s, start, end, grade, term=GVHD_TERM, cat="GVHD", ser=no, rel=yes)]
    s = np.flatnonzero(cohort.died & cohort.eos_reached)
    death = cohort.end_day[s]
    start = np.maximum(death - draw_int(rng, (0, 10), s.size), cohort.infday[s])
    yes, no = np.ones(s.size, bool), np.zeros(s.size, bool)
    grade = np.full(s.size, 5)
    out.append(_block(s, start, death, grade, term="Sepsis", cat="INFECTION", ser=yes, rel=no))
    return out


def create_adverse_events(
    rng: np.random.Generator,
    cohort: Cohort,
    events: SafetyEvents,
    *,
    ids: pl.Series,
    assumptions: SimulationAssumptions,
) -> pl.DataFrame:
    """The adverse_events table; AESEQ numbers each subject's events by onset.

    Parameters
    ----------
    rng
        Random stream of this table.
    cohort
        Subject-level draws (:func:`outcomes.simulate.cohort.create_cohort`).
    events
        Safety draws (:func:`draw_safety`).
    ids
        USUBJID of every subject of the cohort.
    assumptions
        Simulation assumptions (:mod:`outcomes.simulate.params`).

    Returns
    -------
    pl.DataFrame
        Columns of data-contract.md §1.4. Events starting after the subject's last allowed
        date are not written; an event still unresolved then has an empty AEENDT (ongoing).
    """
    blocks = [
        *_cytokine_events(rng, cohort, events),
        _neutropenia(rng, cohort, events, assumptions),
        *_infections(rng, cohort, events),
        *_gvhd_and_deaths(rng, cohort, assumptions),
    ]
    frame = pl.concat(blocks, how="vertical")
    limit = pl.Series(cohort.limit).gather(frame["SUBJ"])
    enrolled = pl.Series(cohort.enrolled).gather(frame["SUBJ"])
    frame = frame.with_columns(LIMIT=limit).filter((pl.col("START") <= pl.col("LIMIT")) & enrolled)
    frame = frame.sort(["SUBJ", "START"], maintain_order=True)
    return frame.select(
        ids.gather(frame["SUBJ"]).alias("USUBJID"),
        (pl.int_range(pl.len()).over("SUBJ") + 1).cast(pl.Int64).alias("AESEQ"),
        "AETERM",
        "AEDECOD",
        "AECAT",
        pl.col("START").cast(pl.Int32).cast(pl.Date).alias("AESTDT"),
        pl.when(pl.col("END") <= pl.col("LIMIT"))
        .then(pl.col("END").cast(pl.Int32).cast(pl.Date))
        .alias("AEENDT"),
        "AETOXGR",
        "AESER",
        "AEREL",
    )
