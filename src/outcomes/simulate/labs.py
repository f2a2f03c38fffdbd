"""The ``labs`` table (data-contract.md §1.5): screening panel and post-infusion blood counts.

Screening (with the SCREENING assessment): ANC, HGB, ALT, AST, TBIL, CREAT (umol/L), INR, PT
with reference ranges, almost always inside the eligibility limits of endpoints.md §10.2.
After the infusion: ANC, WBC, PLT, HGB on Days 0, 3, 7, 10, 14, 21, 28 and around Months 2, 3
and 6. Counts dip to the subject's nadir (deeper after lymphodepletion) and recover, so early
neutropenia is transient (ICAHT, §9.3).
"""

from __future__ import annotations

import numpy as np
import polars as pl

from outcomes.simulate.cohort import Cohort
from outcomes.simulate.safety import SafetyEvents

#: Every test: code, unit, reference low, reference high, decimals reported.
LAB_TESTS: tuple[tuple[str, str, float, float, int], ...] = (
    ("ANC", "10^9/L", 1.8, 7.5, 2),
    ("HGB", "g/L", 115.0, 155.0, 0),
    ("ALT", "U/L", 0.0, 40.0, 0),
    ("AST", "U/L", 0.0, 40.0, 0),
    ("TBIL", "umol/L", 3.0, 21.0, 1),
    ("CREAT", "umol/L", 45.0, 90.0, 0),
    ("INR", "RATIO", 0.8, 1.2, 2),
    ("PT", "s", 11.0, 14.0, 1),
    ("WBC", "10^9/L", 3.5, 9.5, 2),
    ("PLT", "10^9/L", 125.0, 350.0, 0),
)
#: Screening panel: index into LAB_TESTS, value low, value high (mostly eligible, §10.2).
SCREENING_PANEL: tuple[tuple[int, float, float], ...] = (
    (0, 1.6, 7.0),
    (1, 85.0, 150.0),
    (2, 8.0, 60.0),
    (3, 10.0, 55.0),
    (4, 4.0, 20.0),
    (5, 45.0, 140.0),
    (6, 0.85, 1.2),
    (7, 11.0, 14.5),
)
#: Post-infusion blood counts (indexes into LAB_TESTS): ANC, WBC, PLT, HGB.
COUNT_PANEL: tuple[int, ...] = (0, 8, 9, 1)
#: Post-infusion draws: study day and jitter (days).
COUNT_DAYS: tuple[tuple[int, int], ...] = (
    (0, 0),
    (3, 0),
    (7, 0),
    (10, 0),
    (14, 1),
    (21, 1),
    (28, 1),
    (56, 5),
    (91, 7),
    (182, 7),
)


def _screening(rng: np.random.Generator, cohort: Cohort, date: np.ndarray) -> pl.DataFrame:
    n, t = cohort.n, len(SCREENING_PANEL)
    lo = np.array([x[1] for x in SCREENING_PANEL])
    hi = np.array([x[2] for x in SCREENING_PANEL])
    value = lo[None, :] + (hi - lo)[None, :] * rng.random((n, t))
    return pl.DataFrame(
        {
            "SUBJ": np.repeat(np.arange(n), t),
            "TEST": np.tile([x[0] for x in SCREENING_PANEL], n),
            "VALUE": value.ravel(),
            "DAY": np.repeat(date, t),
        }
    )


def compute_dip(day: np.ndarray, *, nadir_day: np.ndarray, recovery_day: np.ndarray) -> np.ndarray:
    """Depth of the post-infusion dip (0 = none, 1 = at the nadir), linear down and up."""
    down = np.clip(day / nadir_day, 0, 1)
    up = np.clip(1 - (day - nadir_day) / (recovery_day - nadir_day), 0, 1)
    return np.where(day <= nadir_day, down, up)


def _counts(rng: np.random.Generator, cohort: Cohort, ev: SafetyEvents) -> pl.DataFrame:
    n, d = cohort.n, len(COUNT_DAYS)
    jitter = np.array([j for _, j in COUNT_DAYS])
    day = np.array([x for x, _ in COUNT_DAYS])[None, :] + np.round(
        (2 * rng.random((n, d)) - 1) * jitter[None, :]
    ).astype(np.int64)
    dip = compute_dip(day, nadir_day=ev.nadir_day[:, None], recovery_day=ev.recovery_day[:, None])
    noise = 0.9 + 0.2 * rng.random((n, d, 4))
    anc = (ev.anc_base[:, None] - (ev.anc_base - ev.anc_nadir)[:, None] * dip) * noise[..., 0]
    lymph = (0.3 + 1.2 * (1 - dip)) * noise[..., 1]
    plt_base = 150 + 200 * rng.random(n)
    plt_ = plt_base[:, None] * (1 - 0.6 * dip * rng.random(n)[:, None]) * noise[..., 2]
    hgb = (105 + 40 * rng.random(n))[:, None] - 12 * dip * noise[..., 3]
    values = np.stack([anc, anc + lymph, plt_, hgb], axis=2)
    subj = np.repeat(np.arange(n), d * 4)
    return pl.DataFrame(
        {
            "SUBJ": subj,
            "TEST": np.tile(COUNT_PANEL, n * d),
            "VALUE": values.ravel(),
            "DAY": (cohort.infday[:, None] + day).repeat(4, axis=1).ravel(),
        }
    ).filter(pl.Series(cohort.planned_inf[subj]))


def create_labs(
    rng: np.random.Generator,
    cohort: Cohort,
    events: SafetyEvents,
    *,
    ids: pl.Series,
    screening_date: np.ndarray,
) -> pl.DataFrame:
    """The labs table, one row per result, sorted by subject and date (test order kept).

    Parameters
    ----------
    rng
        Random stream of this table.
    cohort
        Subject-level draws (:func:`outcomes.simulate.cohort.create_cohort`).
    events
        Safety draws: the neutrophil baseline, nadir and recovery of each subject.
    ids
        USUBJID of every subject of the cohort.
    screening_date
        Date (day number) of each subject's screening panel.

    Returns
    -------
    pl.DataFrame
        Columns of data-contract.md §1.5; results after the subject's last allowed date are
        not written.
    """
    frame = pl.concat([_screening(rng, cohort, screening_date), _counts(rng, cohort, events)])
    limit = pl.Series(cohort.limit).gather(frame["SUBJ"])
    enrolled = pl.Series(cohort.enrolled).gather(frame["SUBJ"])
    frame = frame.filter((frame["DAY"] <= limit) & enrolled)
    frame = frame.sort(["SUBJ", "DAY"], maintain_order=True)
    test = frame["TEST"]
    scale = 10.0 ** pl.Series([x[4] for x in LAB_TESTS]).gather(test).to_numpy()
    value = np.round(frame["VALUE"].to_numpy() * scale) / scale
    return pl.DataFrame(
        {
            "USUBJID": ids.gather(frame["SUBJ"]),
            "LBTESTCD": pl.Series([x[0] for x in LAB_TESTS]).gather(test),
            "LBSTRESN": value,
            "LBSTRESU": pl.Series([x[1] for x in LAB_TESTS]).gather(test),
            "LBSTNRLO": pl.Series([x[2] for x in LAB_TESTS]).gather(test),
            "LBSTNRHI": pl.Series([x[3] for x in LAB_TESTS]).gather(test),
            "LBDT": frame["DAY"].cast(pl.Int32).cast(pl.Date),
        }
    )
