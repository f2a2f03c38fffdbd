"""The ``medications`` table (data-contract.md §1.3) of the synthetic trial.

Prior prednisone is tapered after the infusion as consecutive records, each ending on the day
the next starts (endpoints.md D-33), to zero for complete responders and to a floor otherwise;
immunosuppressants stop before lymphodepletion; hydroxychloroquine is kept or stopped;
fludarabine and cyclophosphamide are the lymphodepletion (§8.2); aciclovir prophylaxis follows
the infusion; tocilizumab and dexamethasone treat CRS, dexamethasone ICANS (§8.3); a relapse
brings SLE rescue (§8.4: prednisone restart, sometimes new mycophenolate). No drug has two
overlapping records; every record after the infusion has an indication (§16.6).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from outcomes.simulate.cohort import CR, PR, Cohort, draw_int
from outcomes.simulate.params import SimulationAssumptions
from outcomes.simulate.safety import SafetyEvents

NO_END = -1


@dataclass(frozen=True)
class Drug:
    """How one kind of record is written: name, class, frequency, route, indication, order.

    ``order`` breaks ties between records of one subject starting on the same day (CMSEQ).
    """

    trt: str
    clas: str
    freq: str
    route: str
    indc: str | None
    order: int


PREDNISONE = Drug("prednisone", "GLUCOCORTICOID", "QD", "ORAL", "SLE", 0)
#: Prior immunosuppressants with their dose (mg).
PRIOR_IS: tuple[tuple[Drug, float], ...] = (
    (Drug("mycophenolate mofetil", "IMMUNOSUPPRESSANT", "BID", "ORAL", "SLE", 1), 1000.0),
    (Drug("tacrolimus", "IMMUNOSUPPRESSANT", "BID", "ORAL", "SLE", 1), 2.0),
    (Drug("azathioprine", "IMMUNOSUPPRESSANT", "QD", "ORAL", "SLE", 1), 100.0),
    (Drug("methotrexate", "IMMUNOSUPPRESSANT", "QW", "ORAL", "SLE", 1), 15.0),
)
HCQ = Drug("hydroxychloroquine", "ANTIMALARIAL", "BID", "ORAL", "SLE", 2)
FLUDARABINE = Drug("fludarabine", "LYMPHODEPLETION", "QD", "INTRAVENOUS", None, 3)
CYCLOPHOSPHAMIDE = Drug("cyclophosphamide", "LYMPHODEPLETION", "QD", "INTRAVENOUS", None, 4)
ACICLOVIR = Drug("aciclovir", "SUPPORTIVE", "BID", "ORAL", "PROPHYLAXIS", 5)
TOCILIZUMAB = Drug("tocilizumab", "CART_TOXICITY", "ONCE", "INTRAVENOUS", "CRS", 6)
DEXA_CRS = Drug("dexamethasone", "GLUCOCORTICOID", "QD", "INTRAVENOUS", "CRS", 7)
DEXA_ICANS = Drug("dexamethasone", "GLUCOCORTICOID", "QID", "INTRAVENOUS", "ICANS", 8)
RESCUE_MMF = PRIOR_IS[0][0]
PREDNISONE_START_MG: tuple[float, ...] = (5.0, 7.5, 10.0, 15.0, 20.0, 30.0)
TAPER_DAYS: tuple[int, ...] = (14, 42, 70, 98, 126, 154)
TAPER_FACTOR = 0.6


def _text(value: str | None, m: int) -> pl.Series:
    return pl.repeat(value, m, dtype=pl.String, eager=True)


def _block(
    subj: np.ndarray, start: np.ndarray, end: np.ndarray, *, drug: Drug, dose: float | np.ndarray
) -> pl.DataFrame:
    m = subj.size
    return pl.DataFrame(
        {
            "SUBJ": subj,
            "CMTRT": _text(drug.trt, m),
            "CMCLAS": _text(drug.clas, m),
            "CMDOSE": np.broadcast_to(np.asarray(dose, float), (m,)),
            "CMDOSU": _text("mg", m),
            "CMDOSFRQ": _text(drug.freq, m),
            "CMROUTE": _text(drug.route, m),
            "CMINDC": _text(drug.indc, m),
            "START": start.astype(np.int64),
            "END": end.astype(np.int64),
            "ORDER": np.full(m, drug.order),
        }
    )


def create_prednisone_taper(
    rng: np.random.Generator, cohort: Cohort, *, prednisone_fraction: float
) -> pl.DataFrame:
    """Prednisone records: the baseline dose, then the post-infusion taper steps.

    Each step multiplies the baseline dose by 0.6 (rounded down to 2.5 mg) down to the floor:
    0 for complete responders, 5 mg for partial responders, 7.5 mg otherwise (never above the
    baseline dose). A record ends on the day the next dose starts (endpoints.md D-33); the last
    positive dose is ongoing unless the taper reached 0, which ends it.
    """
    n, k = cohort.n, len(TAPER_DAYS)
    base = rng.choice(PREDNISONE_START_MG, size=n, p=(0.1, 0.15, 0.25, 0.2, 0.2, 0.1))
    floor = np.where(
        cohort.response == CR, 0.0, np.minimum(base, np.where(cohort.response == PR, 5.0, 7.5))
    )
    steps = np.floor(base[:, None] * TAPER_FACTOR ** np.arange(1, k + 1)[None, :] / 2.5) * 2.5
    steps[:, -1] = np.where(cohort.response == CR, 0.0, steps[:, -1])
    dose = np.c_[base, np.maximum(steps, floor[:, None])]
    taper_day = np.array(TAPER_DAYS)[None, :] + rng.integers(-3, 4, (n, k))
    start = np.c_[cohort.anchor - draw_int(rng, (90, 900), n), cohort.infday[:, None] + taper_day]
    on = rng.random(n) < prednisone_fraction
    valid = on[:, None] & np.c_[np.ones(n, bool), np.repeat(cohort.planned_inf[:, None], k, 1)]
    change = np.c_[np.ones(n, bool), dose[:, 1:] != dose[:, :-1]]
    keep = (valid & change).ravel()
    frame = pl.DataFrame(
        {
            "SUBJ": np.repeat(np.arange(n), k + 1)[keep],
            "DOSE": dose.ravel()[keep],
            "START": start.ravel()[keep],
        }
    )
    frame = frame.with_columns(
        pl.col("START").shift(-1).over("SUBJ").fill_null(NO_END).alias("END")
    ).filter(pl.col("DOSE") > 0)
    columns = [frame[col].to_numpy() for col in ("SUBJ", "START", "END", "DOSE")]
    return _block(*columns[:3], drug=PREDNISONE, dose=columns[3])


def _background(
    rng: np.random.Generator, cohort: Cohort, a: SimulationAssumptions
) -> list[pl.DataFrame]:
    """Prior immunosuppressant (stopped 1-4 weeks before LD), hydroxychloroquine (kept or
    stopped after the infusion), lymphodepletion Day -5..-3, aciclovir for a year."""
    n, inf, anchor = cohort.n, cohort.planned_inf, cohort.anchor
    s = np.flatnonzero(rng.random(n) < a.prior_is_fraction)
    which = rng.integers(0, len(PRIOR_IS), n)[s]
    start = anchor[s] - draw_int(rng, (120, 1620), s.size)
    end = np.where(inf[s], anchor[s] - draw_int(rng, (7, 28), s.size), NO_END)
    out = [
        _block(s[which == j], start[which == j], end[which == j], drug=drug, dose=dose)
        for j, (drug, dose) in enumerate(PRIOR_IS)
    ]
    s = np.flatnonzero(rng.random(n) < a.hcq_fraction)
    stop = inf[s] & (rng.random(s.size) >= a.hcq_kept_fraction)
    end = np.where(stop, cohort.infday[s] + draw_int(rng, (60, 400), s.size), NO_END)
    out.append(_block(s, anchor[s] - draw_int(rng, (180, 2000), s.size), end, drug=HCQ, dose=200))
    s = np.flatnonzero(cohort.planned_ld)
    out.append(_block(s, anchor[s], anchor[s] + 2, drug=FLUDARABINE, dose=50.0))
    out.append(_block(s, anchor[s], anchor[s] + 2, drug=CYCLOPHOSPHAMIDE, dose=500.0))
    s = np.flatnonzero(inf)
    out.append(_block(s, cohort.infday[s], cohort.infday[s] + 364, drug=ACICLOVIR, dose=400.0))
    return out


def _cart_toxicity(
    rng: np.random.Generator, cohort: Cohort, ev: SafetyEvents
) -> list[pl.DataFrame]:
    """Tocilizumab (8 mg/kg, at most 800 mg) for most grade 2 and every grade 3 CRS;
    dexamethasone 10 mg/day for 3 days for some grade 2 and every grade 3 CRS; dexamethasone
    10 mg QID for 4 days for ICANS grade >= 2, starting when the CRS course ends."""
    u = rng.random((cohort.n, 3))
    crs_start = cohort.infday + ev.crs_day
    s = np.flatnonzero(ev.crs & ((ev.crs_grade == 3) | (ev.crs_grade == 2) & (u[:, 0] < 0.8)))
    day = crs_start[s] + (u[s, 1] < 0.5)
    dose = np.minimum(np.round(cohort.weight[s] * 8), 800.0)
    out = [_block(s, day, day, drug=TOCILIZUMAB, dose=dose)]
    dexa = ev.crs & ((ev.crs_grade == 3) | (ev.crs_grade == 2) & (u[:, 2] < 0.4))
    s = np.flatnonzero(dexa)
    out.append(_block(s, crs_start[s] + 1, crs_start[s] + 3, drug=DEXA_CRS, dose=10.0))
    s = np.flatnonzero(ev.icans & (ev.icans_grade >= 2))
    start = np.maximum(cohort.infday[s] + ev.icans_day[s], np.where(dexa[s], crs_start[s] + 3, 0))
    out.append(_block(s, start, start + 3, drug=DEXA_ICANS, dose=10.0))
    return out


def _rescue(
    rng: np.random.Generator, cohort: Cohort, a: SimulationAssumptions
) -> list[pl.DataFrame]:
    """SLE rescue at relapse (§8.4): prednisone 20 mg/day from the flare visit, and for some
    subjects mycophenolate mofetil from a week later (both ongoing)."""
    s = np.flatnonzero(cohort.relapse)
    rescue = cohort.infday[s] + cohort.relapse_day[s]
    mmf = rng.random(s.size) < a.rescue_mmf_fraction
    return [
        _block(s, rescue, np.full(s.size, NO_END), drug=PREDNISONE, dose=20.0),
        _block(s[mmf], rescue[mmf] + 7, np.full(mmf.sum(), NO_END), drug=RESCUE_MMF, dose=1000.0),
    ]


def create_medications(
    rng: np.random.Generator,
    cohort: Cohort,
    events: SafetyEvents,
    *,
    ids: pl.Series,
    assumptions: SimulationAssumptions,
) -> pl.DataFrame:
    """The medications table; CMSEQ numbers each subject's records by start date.

    Parameters
    ----------
    rng
        Random stream of this table.
    cohort
        Subject-level draws (:func:`outcomes.simulate.cohort.create_cohort`).
    events
        Safety draws; CRS and ICANS decide the toxicity treatments.
    ids
        USUBJID of every subject of the cohort.
    assumptions
        Simulation assumptions (:mod:`outcomes.simulate.params`).

    Returns
    -------
    pl.DataFrame
        Columns of data-contract.md §1.3. Records starting after the subject's last allowed
        date are not written; a record still running then has an empty CMENDT (ongoing).
    """
    blocks = [
        create_prednisone_taper(rng, cohort, prednisone_fraction=assumptions.prednisone_fraction),
        *_background(rng, cohort, assumptions),
        *_cart_toxicity(rng, cohort, events),
        *_rescue(rng, cohort, assumptions),
    ]
    frame = pl.concat(blocks, how="vertical")
    limit = pl.Series(cohort.limit).gather(frame["SUBJ"])
    enrolled = pl.Series(cohort.enrolled).gather(frame["SUBJ"])
    frame = frame.with_columns(LIMIT=limit).filter((pl.col("START") <= pl.col("LIMIT")) & enrolled)
    frame = frame.sort(["SUBJ", "START", "ORDER"], maintain_order=True)
    end_ok = (pl.col("END") != NO_END) & (pl.col("END") <= pl.col("LIMIT"))
    return frame.select(
        ids.gather(frame["SUBJ"]).alias("USUBJID"),
        (pl.int_range(pl.len()).over("SUBJ") + 1).cast(pl.Int64).alias("CMSEQ"),
        "CMTRT",
        "CMCLAS",
        "CMDOSE",
        "CMDOSU",
        "CMDOSFRQ",
        "CMROUTE",
        "CMINDC",
        pl.col("START").cast(pl.Int32).cast(pl.Date).alias("CMSTDT"),
        pl.when(end_ok).then(pl.col("END").cast(pl.Int32).cast(pl.Date)).alias("CMENDT"),
    )
