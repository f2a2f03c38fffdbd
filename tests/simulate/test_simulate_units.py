"""Building blocks of the simulator: writer, visit slots, activity rules, count dip, taper."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import polars as pl
import pytest

from outcomes import contract as c
from outcomes.errors import ConfigError, DerivationError
from outcomes.simulate import activity as act
from outcomes.simulate.cohort import create_cohort
from outcomes.simulate.labs import compute_dip
from outcomes.simulate.medications import create_prednisone_taper
from outcomes.simulate.params import ASSUMPTIONS, VisitSlot
from outcomes.simulate.writer import write_table


def test_write_table__contract_order_rounding_dates_and_blanks(tmp_path):
    frame = pl.DataFrame(
        {
            "LBDT": [dt.date(2025, 3, 4), dt.date(2025, 12, 31), dt.date(2026, 1, 1)],
            "USUBJID": ["S1", "S1", "S2"],
            "LBTESTCD": ["ANC", "ANC", "HGB"],
            "LBSTRESN": [0.1 + 0.2, 1.234, 128.0],  # float artefact, 3 decimals, whole number
            "LBSTRESU": ["10^9/L", "10^9/L", "g/L"],
            "LBSTNRLO": [1.8, 1.8, None],  # missing reference range
            "LBSTNRHI": [7.5, 7.5, None],
        }
    )
    path = write_table(frame, table="labs", out=tmp_path)
    assert path.read_text() == (
        "USUBJID,LBTESTCD,LBSTRESN,LBSTRESU,LBSTNRLO,LBSTNRHI,LBDT\n"
        "S1,ANC,0.3,10^9/L,1.8,7.5,2025-03-04\n"
        "S1,ANC,1.23,10^9/L,1.8,7.5,2025-12-31\n"
        "S2,HGB,128.0,g/L,,,2026-01-01\n"
    )


def test_write_table__missing_contract_column_is_an_error(tmp_path):
    frame = pl.DataFrame({"USUBJID": ["S1"]})
    with pytest.raises(DerivationError, match="labs lacks column"):
        write_table(frame, table="labs", out=tmp_path)


@pytest.mark.parametrize(
    ("jitter", "ok"),
    [
        (2, True),  # 12..16 strictly inside 11..17
        (3, False),
    ],  # 11..17 touches the window bounds
)
def test_visit_slot__jitter_must_stay_strictly_inside(jitter, ok):
    if ok:
        VisitSlot("DAY 14", 14, 11, 17, jitter)
    else:
        with pytest.raises(ConfigError, match="DAY 14"):
            VisitSlot("DAY 14", 14, 11, 17, jitter)


def _items(**present: int) -> np.ndarray:
    row = np.zeros((1, len(c.SLEDAI_ITEMS)), dtype=bool)
    for code, value in present.items():
        row[0, act.ITEM_INDEX[code]] = bool(value)
    return row


def test_compute_selena__persistent_onset_items_do_not_score():
    items = np.vstack(
        [
            _items(ARTHRITIS=1, RASH=1, PROTEINURIA=1),  # rash persistent, proteinuria new: 4+4
            _items(ARTHRITIS=1, RASH=1, PROTEINURIA=1),  # both new: 4+2+4
            _items(),  # nothing present
        ]
    )
    new = np.array([[False, False, False, True], [True, False, False, True], [False] * 4])
    assert act.compute_selena(items, new).tolist() == [8, 10, 0]


def test_draw_baseline_items__eligible_subjects_reach_selena_8():
    rng = np.random.default_rng(4)
    items, new = act.draw_baseline_items(rng, n=2000, eligible_fraction=1.0)
    assert act.compute_selena(items, new).min() >= 8
    onset = items[:, act.ONSET_INDEX]
    assert not (new & ~onset).any()  # new only when present


def test_draw_visit_items__cleared_phase_keeps_only_serology():
    latent = np.random.default_rng(0).random((500, len(c.SLEDAI_ITEMS)))
    baseline = np.ones((500, len(c.SLEDAI_ITEMS)), dtype=bool)
    items = act.draw_visit_items(latent, baseline=baseline, phase=np.full(500, act.CLEARED))
    assert not items[:, ~act.SEROLOGICAL].any()
    pre = act.draw_visit_items(latent, baseline=baseline, phase=np.full(500, act.PRE))
    assert pre.all()
    relapse = act.draw_visit_items(
        latent, baseline=np.zeros_like(baseline), phase=np.full(500, act.RELAPSE)
    )
    assert relapse[:, act.ITEM_INDEX["ARTHRITIS"]].all()


def test_draw_visit_items__persistence_by_latent_draw_boundaries():
    """Clinical item persists while the subject's draw < the phase probability (IMPROVING 0.45,
    PARTIAL 0.35): just below, at and just above each, plus an item absent at baseline."""
    rash = act.ITEM_INDEX["RASH"]
    latent = np.full((6, len(c.SLEDAI_ITEMS)), 0.99)
    latent[:, rash] = [0.44, 0.45, 0.46, 0.34, 0.35, 0.0]
    baseline = np.zeros_like(latent, dtype=bool)
    baseline[:5, rash] = True
    phase = np.array([act.IMPROVING] * 3 + [act.PARTIAL] * 2 + [act.IMPROVING])
    items = act.draw_visit_items(latent, baseline=baseline, phase=phase)
    assert items[:, rash].tolist() == [True, False, False, True, False, False]


def test_draw_visit_items__same_subject_draw_never_regains_items_while_improving():
    """One subject's draws, PRE → IMPROVING → CLEARED: present items only fall away."""
    latent = np.tile(np.random.default_rng(3).random(len(c.SLEDAI_ITEMS)), (3, 1))
    baseline = np.ones_like(latent, dtype=bool)
    phase = np.array([act.PRE, act.IMPROVING, act.CLEARED])
    items = act.draw_visit_items(latent, baseline=baseline, phase=phase)
    assert not (items[1] & ~items[0]).any() and not (items[2] & ~items[1]).any()


def test_compute_onset_flags__new_when_absent_at_previous_assessment():
    rash = act.ITEM_INDEX["RASH"]
    items = np.zeros((5, len(c.SLEDAI_ITEMS)), dtype=bool)
    items[[0, 1, 2, 4], rash] = True
    # rows: S1 baseline (rash, not new), S1 visit (persistent), S2 baseline, S2 visit (absent),
    #       S2 next visit (rash returns: new)
    subject = np.array([0, 0, 1, 1, 1])
    pre = np.array([True, False, True, False, False])
    baseline_new = np.zeros((5, 4), dtype=bool)
    flags = act.compute_onset_flags(items, subject=subject, pre=pre, baseline_new=baseline_new)
    assert flags[:, 0].tolist() == [False, False, False, False, True]


def test_compute_bilag__grades_follow_items():
    rng = np.random.default_rng(1)
    items = np.vstack(
        [
            _items(PROTEINURIA=1, HEMATURIA=1),  # renal A
            _items(PYURIA=1),  # renal B
            _items(),  # renal quiet, never involved
        ]
    )
    history = np.zeros((3, 9), dtype=bool)
    grades = act.compute_bilag(
        rng, items=items, baseline=items, phase=np.full(3, act.PRE), history=history
    )
    assert grades["BILAG_RENAL"].to_list() == ["A", "B", "E"]
    assert grades["BILAG_GI"].to_list() == ["E", "E", "E"]
    cleared = act.compute_bilag(
        rng,
        items=np.zeros_like(items),
        baseline=items,
        phase=np.full(3, act.CLEARED),
        history=history,
    )
    assert cleared["BILAG_RENAL"].to_list() == ["D", "D", "E"]


def test_draw_pga__ranges_by_phase():
    rng = np.random.default_rng(2)
    cleared = act.draw_pga(rng, phase=np.full(1000, act.CLEARED), baseline=np.full(1000, 2.0))
    # Cleared phase 0.00-0.45: every cleared subject meets DORIS PGA < 0.5 (endpoints.md §5.1).
    assert cleared.min() == 0.0 and cleared.max() == 0.45
    pre = act.draw_pga(rng, phase=np.full(3, act.PRE), baseline=np.array([1.5, 2.25, 2.8]))
    assert pre.tolist() == [1.5, 2.25, 2.8]


def test_compute_dip__down_to_nadir_and_back():
    day = np.array([0, 3, 6, 8, 14, 20])
    dip = compute_dip(day, nadir_day=np.full(6, 6), recovery_day=np.full(6, 14))
    assert dip.tolist() == [0.0, 0.5, 1.0, 0.75, 0.0, 0.0]


def test_create_prednisone_taper__records_chain_without_overlap():
    rng = np.random.default_rng(8)
    cohort = create_cohort(
        rng,
        subjects=300,
        dose_levels=("DL1", "DL2", "DL3"),
        as_of=dt.date(2030, 1, 1),
        assumptions=ASSUMPTIONS,
    )
    taper = create_prednisone_taper(rng, cohort, prednisone_fraction=1.0).sort("SUBJ", "START")
    nxt = taper.with_columns(pl.col("START").shift(-1).over("SUBJ").alias("NEXT"))
    chained = nxt.filter(pl.col("NEXT").is_not_null())
    assert (chained["END"] == chained["NEXT"]).all()
    assert (taper["CMDOSE"] > 0).all()
    last = taper.group_by("SUBJ").agg(pl.col("CMDOSE").last(), pl.col("END").last())
    cr = pl.Series(cohort.response == 0)
    ended = last.filter(
        cr.gather(last["SUBJ"]) & pl.Series(cohort.planned_inf).gather(last["SUBJ"])
    )
    assert (ended["END"] > 0).all()  # complete responders stop prednisone


@pytest.mark.parametrize(
    ("consent_to_ld", "ok"),
    [
        ((11, 42), True),  # BASELINE (LD - 1..7) stays after SCREENING (consent + 0..3)
        ((10, 42), False),  # at the limit: SCREENING could fall on the BASELINE date
        ((43, 42), False),  # low above high
    ],
)
def test_simulation_assumptions__consent_to_ld_days_checked(consent_to_ld, ok):
    if ok:
        dataclasses.replace(ASSUMPTIONS, consent_to_ld_days=consent_to_ld)
    else:
        with pytest.raises(ConfigError, match="consent_to_ld_days"):
            dataclasses.replace(ASSUMPTIONS, consent_to_ld_days=consent_to_ld)


@pytest.mark.parametrize(
    ("probs", "ok"),
    [
        ((0.85, 0.13, 0.02), True),  # sums to 1
        ((0.85, 0.13, 0.03), False),  # just above 1
        ((0.85, 0.13, 0.01), False),  # just below 1
    ],
)
def test_simulation_assumptions__grade_probabilities_must_sum_to_one(probs, ok):
    if ok:
        dataclasses.replace(ASSUMPTIONS, crs_grade_probs=probs)
    else:
        with pytest.raises(ConfigError, match="crs_grade_probs"):
            dataclasses.replace(ASSUMPTIONS, crs_grade_probs=probs)
