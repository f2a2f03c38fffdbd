"""Disease activity at each simulated assessment: SLEDAI-2K items, BILAG-2004 grades, PGA.

Each subject draws a baseline item set (SLEDAI-2K descriptors, endpoints.md §1.2) that makes
almost everyone eligible (SELENA-SLEDAI >= 8, §10.1). After the infusion every baseline item
persists with a probability set by the assessment's phase (complete responders clear their
clinical items by their clearance day; partial and non-responders keep some; a relapse brings
items back). The draw behind an item is the subject's own, shared by all assessments, so items
fall away as the course improves and do not flicker between visits. BILAG-2004 domain grades
(§2) follow the items present; PGA (§3) the phase.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from outcomes import contract as c
from outcomes.simulate.cohort import labelled

#: Baseline prevalence of each SLEDAI-2K descriptor among enrolled subjects (refractory SLE).
BASELINE_PREVALENCE: dict[str, float] = {
    "SEIZURE": 0.005,
    "PSYCHOSIS": 0.005,
    "ORGANIC_BRAIN_SYNDROME": 0.003,
    "VISUAL_DISTURBANCE": 0.005,
    "CRANIAL_NERVE": 0.005,
    "LUPUS_HEADACHE": 0.01,
    "CVA": 0.003,
    "VASCULITIS": 0.05,
    "ARTHRITIS": 0.6,
    "MYOSITIS": 0.03,
    "URINARY_CASTS": 0.08,
    "HEMATURIA": 0.2,
    "PROTEINURIA": 0.4,
    "PYURIA": 0.1,
    "RASH": 0.5,
    "ALOPECIA": 0.3,
    "MUCOSAL_ULCERS": 0.25,
    "PLEURISY": 0.08,
    "PERICARDITIS": 0.05,
    "LOW_COMPLEMENT": 0.7,
    "INCREASED_DNA_BINDING": 0.7,
    "FEVER": 0.08,
    "THROMBOCYTOPENIA": 0.08,
    "LEUKOPENIA": 0.12,
}
#: Share of baseline mucocutaneous items and proteinuria that are new or recurrent (SELENA).
BASELINE_NEW_FRACTION = 0.6

# Phases of an assessment: before infusion, improving, cleared (complete responder), partial
# responder, non-responder, relapse.
PRE, IMPROVING, CLEARED, PARTIAL, NONE, RELAPSE = range(6)
#: Probability that a baseline item is still present, per phase (clinical, serological items).
PERSIST_CLINICAL = np.array([1.0, 0.45, 0.0, 0.35, 0.75, 0.7])
PERSIST_SEROLOGY = np.array([1.0, 0.6, 0.25, 0.6, 0.85, 0.9])
#: PGA range per phase, in steps of 0.05 (inclusive); cleared subjects meet DORIS PGA < 0.5.
PGA_RANGE = np.array([[1.5, 2.8], [0.5, 1.5], [0.0, 0.45], [0.4, 1.0], [1.0, 2.2], [1.5, 2.5]])

ITEM_INDEX: dict[str, int] = {item.code: i for i, item in enumerate(c.SLEDAI_ITEMS)}
WEIGHTS = np.array([item.weight for item in c.SLEDAI_ITEMS])
SEROLOGICAL = np.array([item.serological for item in c.SLEDAI_ITEMS])
ONSET_INDEX = np.array([ITEM_INDEX[code] for code in c.SELENA_ONSET_ITEMS])
CNS_ITEMS = (
    "SEIZURE",
    "PSYCHOSIS",
    "ORGANIC_BRAIN_SYNDROME",
    "VISUAL_DISTURBANCE",
    "CRANIAL_NERVE",
    "LUPUS_HEADACHE",
    "CVA",
)


def compute_selena(items: np.ndarray, new: np.ndarray) -> np.ndarray:
    """SELENA-SLEDAI: weights of present items, onset items only when new (§1.3)."""
    score = items @ WEIGHTS
    persistent = items[:, ONSET_INDEX] & ~new
    return score - persistent @ WEIGHTS[ONSET_INDEX]


def draw_baseline_items(
    rng: np.random.Generator, *, n: int, eligible_fraction: float
) -> tuple[np.ndarray, np.ndarray]:
    """Baseline SLEDAI-2K items (n × 24) and onset flags of the 4 SELENA items (n × 4).

    Subjects drawn as eligible get arthritis, then positive serology, until their
    SELENA-SLEDAI reaches 8 (endpoints.md §10.1).
    """
    prevalence = np.array([BASELINE_PREVALENCE[item.code] for item in c.SLEDAI_ITEMS])
    items = rng.random((n, len(prevalence))) < prevalence
    new = rng.random((n, len(ONSET_INDEX))) < BASELINE_NEW_FRACTION
    target = rng.random(n) < eligible_fraction
    for codes in (("ARTHRITIS",), ("LOW_COMPLEMENT", "INCREASED_DNA_BINDING")):
        low = target & (compute_selena(items, new) < 8)
        for code in codes:
            items[:, ITEM_INDEX[code]] |= low
    return items, new & items[:, ONSET_INDEX]


def draw_visit_items(latent: np.ndarray, *, baseline: np.ndarray, phase: np.ndarray) -> np.ndarray:
    """Items at each assessment: baseline items that persist with the phase's probability.

    ``baseline`` holds each row's subject baseline items and ``latent`` the subject's uniform
    draw per item (both rows × 24); an item persists while its draw is below the phase's
    persistence probability, so persistence is monotone in the phase probabilities. Every
    relapse assessment has arthritis.
    """
    p = np.where(
        SEROLOGICAL[None, :], PERSIST_SEROLOGY[phase][:, None], PERSIST_CLINICAL[phase][:, None]
    )
    items = baseline & (latent < p)
    items[:, ITEM_INDEX["ARTHRITIS"]] |= phase == RELAPSE
    return items


def compute_onset_flags(
    items: np.ndarray, *, subject: np.ndarray, pre: np.ndarray, baseline_new: np.ndarray
) -> np.ndarray:
    """Onset flags of RASH, ALOPECIA, MUCOSAL_ULCERS, PROTEINURIA (rows × 4, True = new).

    Before the infusion the subject's baseline onset flags apply; afterwards an item is new
    when it was absent at the subject's previous assessment (rows sorted by subject and date).
    """
    onset = items[:, ONSET_INDEX]
    prev = np.zeros_like(onset)
    same = np.r_[False, subject[1:] == subject[:-1]]
    prev[1:] = onset[:-1]
    prev &= same[:, None]
    return np.where(pre[:, None], baseline_new, onset & ~prev)


def any_item(items: np.ndarray, codes: tuple[str, ...]) -> np.ndarray:
    return items[:, [ITEM_INDEX[code] for code in codes]].any(axis=1)


A, B, C, D, E = range(5)


def _active_grades(items: np.ndarray) -> dict[str, np.ndarray]:
    """Grade A/B (codes into BILAG_GRADES) implied by the items present; -1 when none."""
    renal = any_item(items, ("URINARY_CASTS", "HEMATURIA", "PROTEINURIA", "PYURIA"))
    renal_a = any_item(items, ("PROTEINURIA",)) & any_item(items, ("URINARY_CASTS", "HEMATURIA"))
    rules = {
        "CONST": [(any_item(items, ("FEVER",)), B)],
        "MUCO": [
            (any_item(items, ("VASCULITIS",)), A),
            (any_item(items, ("RASH", "ALOPECIA", "MUCOSAL_ULCERS")), B),
        ],
        "NEURO": [(any_item(items, CNS_ITEMS), A)],
        "MSK": [(any_item(items, ("MYOSITIS",)), A), (any_item(items, ("ARTHRITIS",)), B)],
        "CARDIO": [(any_item(items, ("PLEURISY", "PERICARDITIS")), B)],
        "GI": [],
        "OPHTH": [(any_item(items, ("VISUAL_DISTURBANCE",)), A)],
        "RENAL": [(renal_a, A), (renal, B)],
        "HAEM": [(any_item(items, ("THROMBOCYTOPENIA", "LEUKOPENIA")), B)],
    }
    return {
        dom: np.select([cond for cond, _ in r], [g for _, g in r], default=-1)
        if r
        else np.full(items.shape[0], -1)
        for dom, r in rules.items()
    }


def compute_bilag(
    rng: np.random.Generator,
    *,
    items: np.ndarray,
    baseline: np.ndarray,
    phase: np.ndarray,
    history: np.ndarray,
) -> dict[str, pl.Series]:
    """BILAG-2004 grade per domain (§2.2) coherent with the SLEDAI-2K items of the row.

    A domain with an active item is A or B; a domain active at baseline but quiet now is C
    (improving, 30 % while not cleared) or D (previously involved); a domain never involved is
    E, or D for the subject's ``history`` draw (rows × 9, True = involved before the trial).
    """
    now = _active_grades(items)
    before = _active_grades(baseline)
    improving = np.isin(phase, (IMPROVING, PARTIAL, NONE, RELAPSE)) & (rng.random(phase.size) < 0.3)
    grades = {}
    for j, dom in enumerate(c.BILAG_DOMAINS):
        quiet = np.where(before[dom] >= 0, np.where(improving, C, D), np.where(history[:, j], D, E))
        grades[f"BILAG_{dom}"] = labelled(np.where(now[dom] >= 0, now[dom], quiet), c.BILAG_GRADES)
    return grades


def draw_pga(rng: np.random.Generator, *, phase: np.ndarray, baseline: np.ndarray) -> np.ndarray:
    """PGA (0-3, steps of 0.05): the subject's baseline value before infusion, else by phase."""
    lo, hi = PGA_RANGE[phase, 0], PGA_RANGE[phase, 1]
    steps = np.floor(rng.random(phase.size) * (np.round((hi - lo) / 0.05) + 1))
    pga = np.round(lo + 0.05 * steps, 2)
    return np.where(phase == PRE, baseline, pga)
