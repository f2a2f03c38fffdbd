"""Clinical review of the subject-level endpoints against endpoints.md (expected values by hand).

Infusion 2025-01-01 unless stated: D14 2025-01-15, D28 2025-01-29, M3 2025-04-02, M6 2025-07-02,
M9 2025-10-01, M12 2026-01-01. Window upper days (§11): D14 2025-01-18, D28 2025-02-01,
M3 2025-04-16, M6 2025-07-16, M9 2025-10-15, M12 2026-01-31, M18 2026-08-01.
"""

from __future__ import annotations

import polars as pl
import pytest

from outcomes.endpoints.datasets import create_adepi, create_adrs, create_adtte
from outcomes.endpoints.icaht import create_icaht
from tests.endpoints.endpoint_builders import (
    PARAMS,
    SCHEDULE,
    D,
    adsl,
    advisit,
    events,
    rows,
    subject,
    visit,
)
from tests.endpoints.test_worked_examples import ICAHT, _labs

T0 = "2025-01-01"


def _run(av: list[dict], subjects: list[dict], evts: list[tuple] = ()):
    a, s, e = advisit(av), adsl(subjects), events(list(evts))
    return (
        create_adrs(a, subjects=s, events=e, schedule=SCHEDULE, params=PARAMS).collect(),
        create_adepi(a, subjects=s, events=e).collect(),
        create_adtte(a, subjects=s, events=e, params=PARAMS).collect(),
    )


def _tte(adtte: pl.DataFrame, paramcd: str) -> tuple:
    row = adtte.filter(pl.col("PARAMCD") == paramcd)
    return row.select("ADT", "AVAL", "CNSR", "SRCDOM", "SRCSEQ").row(0)


def _endreas(adepi: pl.DataFrame, paramcd: str) -> list[tuple]:
    sub = adepi.filter(pl.col("PARAMCD") == paramcd)
    return sub.select("EPISODE", "ENDDT", "ENDREAS", "ENSRCDOM", "ENSRCSEQ").rows()


# --- Loss events ------------------------------------------------------------------------------


def test_new_antimalarial_ends_strict_drug_free_as_rescue_and_drug_free_as_flare():
    # §6.3 loss events (b)/(c), §8.4, §16.4 (iii): a new antimalarial for SLE (one medication
    # record giving FLARETRT and RESCUEAM) ends DF_DORIS through the flare and DF_DORIS_STRICT
    # directly as a rescue. The episode end reason must not depend on row order.
    av = [
        visit("AM", 2, "2025-04-02", "MONTH 3", df=True, dfs=True),
        visit("AM", 3, "2025-07-02", "MONTH 6", df=True, dfs=True),
    ]
    evts = [("AM", "2025-05-01", "RESCUEAM", 91), ("AM", "2025-05-01", "FLARETRT", 91)]
    for _ in range(10):
        _, adepi, _ = _run(av, [subject("AM", 1, T0, cut="2025-08-01")], evts)
        assert _endreas(adepi, "DFDORIS") == [
            (1, D("2025-05-01"), "FLARE", "MEDICATIONS", 91),
            (2, D("2025-07-02"), "CENSORED", "ASSESSMENTS", 3),
        ]
        assert _endreas(adepi, "DFDORISS") == [
            (1, D("2025-05-01"), "RESCUE", "MEDICATIONS", 91),
            (2, D("2025-07-02"), "CENSORED", "ASSESSMENTS", 3),
        ]


# --- Non-responder imputation: reasons and their dates (§4.3, E-17, §16.1, §16.3) -------------


@pytest.mark.parametrize(
    ("rescue", "expected"),
    [
        ("2025-04-01", ("N", "NRI", "RESCUE", "MEDICATIONS", 9)),  # day before the visit
        ("2025-04-02", ("N", "NRI", "RESCUE", "MEDICATIONS", 9)),  # on the visit date
        ("2025-04-03", ("Y", None, None, "ASSESSMENTS", 2)),  # day after: observed
    ],
)
def test_rescue_on_or_before_the_visit_date_is_nri(rescue: str, expected: tuple):
    # §4.3: non-responder when an SLE rescue started on or before the date of v; §16.3.
    av = [visit("RV", 2, "2025-04-02", "MONTH 3", sri=True, doris=True)]
    adrs, _, _ = _run(av, [subject("RV", 1, T0, cut="2025-05-01")], [("RV", rescue, "RESCUE", 9)])
    got = rows(adrs, "SRI4", "AVALC", "DTYPE", "NRIREAS", "SRCDOM", "SRCSEQ")[-1]
    assert got == ("MONTH 3", *expected)


@pytest.mark.parametrize(
    ("dthdt", "m3"),
    [
        # before the M3 window closed (upper day 105 = 2025-04-16)
        ("2025-04-15", ("DEATH", "SUBJECTS", 1)),
        ("2025-04-16", ("DEATH", "SUBJECTS", 1)),  # on the upper day
        ("2025-04-17", ("MISSING", None, None)),  # after the window closed: simply missed
    ],
)
def test_missing_visit_is_nri_death_only_when_death_precedes_the_window_end(dthdt, m3):
    # §4.3: death before v; §16.1: a dead subject gets NRI rows for every visit due at the cut.
    subj = subject("DV", 1, T0, cut="2025-08-01", dthdt=dthdt, eosstt="DISCONTINUED", eosdt=dthdt)
    adrs, _, _ = _run([], [subj])
    assert rows(adrs, "DORIS", "AVALC", "DTYPE", "NRIREAS", "SRCDOM", "SRCSEQ") == [
        ("DAY 14", "N", "NRI", "MISSING", None, None),
        ("DAY 28", "N", "NRI", "MISSING", None, None),
        ("MONTH 3", "N", "NRI", *m3),
        ("MONTH 6", "N", "NRI", "DEATH", "SUBJECTS", 1),
    ]


def test_withdrawn_subject_has_nri_rows_only_for_visits_due_at_the_cut():
    # §16.1: withdrawal on 2025-04-16 (M3 upper day); cut 2025-10-14: M9 (upper 2025-10-15) is
    # not due, so it has no row; M3 and M6 are NRI WITHDRAWAL, D14/D28 missed while on study.
    subj = subject("WD", 7, T0, cut="2025-10-14", eosstt="DISCONTINUED", eosdt="2025-04-16")
    adrs, _, _ = _run([visit("WD", 2, "2025-01-15", "DAY 14", ll=True)], [subj])
    assert rows(adrs, "LLDAS", "AVALC", "DTYPE", "NRIREAS", "SRCSEQ") == [
        ("DAY 14", "Y", None, None, 2),
        ("DAY 28", "N", "NRI", "MISSING", None),
        ("MONTH 3", "N", "NRI", "WITHDRAWAL", 7),
        ("MONTH 6", "N", "NRI", "WITHDRAWAL", 7),
    ]


def test_maintenance_visit_before_the_rescue_stays_observed():
    # §16.3: maintenance parameters are NRI at visits on or after the rescue start only.
    # DF FALSE at M3 and M6, rescue 2025-08-01, DF TRUE at M9 (achievement after rescue).
    av = [
        visit("MR", 2, "2025-04-02", "MONTH 3", df=False),
        visit("MR", 3, "2025-07-02", "MONTH 6", df=False),
        visit("MR", 4, "2025-10-01", "MONTH 9", df=True),
    ]
    adrs, _, _ = _run(
        av, [subject("MR", 1, T0, cut="2025-10-20")], [("MR", "2025-08-01", "RESCUE", 9)]
    )
    assert rows(adrs, "DFMAINT", "AVALC", "DTYPE", "NRIREAS", "SRCDOM", "SRCSEQ") == [
        ("MONTH 6", "N", None, None, "ASSESSMENTS", 3),
        ("MONTH 9", "N", "NRI", "RESCUE", "MEDICATIONS", 9),
    ]


# --- Time to first achievement (§6.3 [D-32], §16.2, §16.3, E-34) -------------------------------


@pytest.mark.parametrize(
    ("rescue", "expected"),
    [
        ("2025-04-02", (D("2025-04-02"), 92, 3, "MEDICATIONS", 9)),  # rescue on t1: CNSR 3
        ("2025-04-03", (D("2025-04-02"), 92, 0, "ASSESSMENTS", 2)),  # rescue after t1: event
    ],
)
def test_rescue_on_the_first_achievement_date_censors_with_cnsr_3(rescue, expected):
    av = [visit("TR", 2, "2025-04-02", "MONTH 3", doris=True)]
    _, _, adtte = _run(av, [subject("TR", 1, T0, cut="2025-05-01")], [("TR", rescue, "RESCUE", 9)])
    assert _tte(adtte, "TTDORIS") == expected


def test_never_achiever_is_censored_at_the_last_evaluable_not_the_last_assessment():
    # D-32: censored at the last evaluable assessment (M3 FALSE), not at the later
    # not-evaluable M6 nor at the cut: 2025-04-02 - 2025-01-01 + 1 = 92.
    av = [
        visit("NA", 2, "2025-04-02", "MONTH 3", doris=False),
        visit("NA", 3, "2025-07-02", "MONTH 6", doris=None),
    ]
    _, _, adtte = _run(av, [subject("NA", 1, T0, cut="2025-08-01")])
    assert _tte(adtte, "TTDORIS") == (D("2025-04-02"), 92, 1, "ASSESSMENTS", 2)


def test_duration_is_censored_at_the_last_true_assessment_not_a_later_not_evaluable_one():
    # §6.3 [D-18], §16.17: no loss event by the cut -> censored at the last assessment in the
    # state (M3), not at the not-evaluable M6: 2025-04-02 - 2025-04-02 + 1 = 1 day.
    av = [
        visit("DN", 2, "2025-04-02", "MONTH 3", doris=True),
        visit("DN", 3, "2025-07-02", "MONTH 6", doris=None),
    ]
    _, adepi, adtte = _run(av, [subject("DN", 1, T0, cut="2025-08-01")])
    assert _endreas(adepi, "DORIS") == [(1, D("2025-04-02"), "CENSORED", "ASSESSMENTS", 2)]
    assert _tte(adtte, "DURDORIS") == (D("2025-04-02"), 1, 1, "ASSESSMENTS", 2)


# --- Maintenance bridging (§6.3, §16.16, E-20) ------------------------------------------------


def test_gap_right_after_an_unscheduled_first_achievement_is_not_bridged():
    # t1 = unscheduled 2025-05-01; M6 missing: its left scheduled neighbour M3 is FALSE.
    av = [
        visit("BU", 2, "2025-04-02", "MONTH 3", df=False),
        visit("BU", 3, "2025-05-01", None, df=True),
        visit("BU", 4, "2025-10-01", "MONTH 9", df=True),
    ]
    adrs, _, _ = _run(av, [subject("BU", 1, T0, cut="2025-10-20")])
    assert rows(adrs, "DFMAINT", "AVALC", "NRIREAS") == [
        ("MONTH 6", "N", "MISSING"),
        ("MONTH 9", "N", None),
    ]


def test_two_separate_single_gaps_are_each_bridged_and_t_itself_never():
    # M3 T, M6 NE, M9 T, M12 missing, M18 T: each gap is one visit between TRUE neighbours.
    av = [
        visit("BG", 2, "2025-04-02", "MONTH 3", df=True),
        visit("BG", 3, "2025-07-02", "MONTH 6", df=None),
        visit("BG", 4, "2025-10-01", "MONTH 9", df=True),
        visit("BG", 5, "2026-07-02", "MONTH 18", df=True),
    ]
    adrs, _, _ = _run(av, [subject("BG", 1, T0, cut="2026-09-01")])
    assert rows(adrs, "DFMAINT", "AVALC", "NRIREAS") == [
        ("MONTH 6", "N", "NOT_EVALUABLE"),
        ("MONTH 9", "Y", None),
        ("MONTH 12", "N", "MISSING"),
        ("MONTH 18", "Y", None),
    ]
    assert rows(adrs, "DFMAINTS", "AVALC") == [
        ("MONTH 6", "N"),
        ("MONTH 9", "N"),
        ("MONTH 12", "N"),
        ("MONTH 18", "N"),
    ]


def test_a_loss_event_inside_the_gap_prevents_bridging():
    # §16.16: no loss event may lie between the neighbours (flare treatment 2025-06-01).
    av = [
        visit("BF", 2, "2025-04-02", "MONTH 3", df=True),
        visit("BF", 3, "2025-10-01", "MONTH 9", df=True),
    ]
    adrs, _, _ = _run(
        av, [subject("BF", 1, T0, cut="2025-10-20")], [("BF", "2025-06-01", "FLARETRT", 5)]
    )
    assert rows(adrs, "DFMAINT", "AVALC", "DTYPE") == [
        ("MONTH 6", "N", "NRI"),
        ("MONTH 9", "N", None),
    ]


# --- Time in LLDAS and sustained LLDAS (§7.3 [D-21], §16.14, §16.15) --------------------------


def test_time_in_lldas_at_t_uses_the_last_evaluable_assessment_on_or_before_date_t():
    # Day 0 TRUE (baseline C1, C3-C5 TRUE; C2 taken TRUE). D14 TRUE: 14 days full = 14.
    # 2025-03-01 FALSE: 45 days x 1/2 = 22.5. M3 not evaluable: skipped, so M3 uses
    # 36.5 / 59 = 61.8644 %. 2025-04-10 TRUE: 40 x 1/2 = 20 -> OVERALL 56.5 / 99 = 57.0707 %.
    av = [
        visit("TL", 1, "2024-12-20", "BASELINE", baseline=True, llc=(True, True, True, True)),
        visit("TL", 2, "2025-01-15", "DAY 14", ll=True),
        visit("TL", 3, "2025-03-01", None, ll=False),
        visit("TL", 4, "2025-04-02", "MONTH 3", ll=None),
        visit("TL", 5, "2025-04-10", None, ll=True),
    ]
    adrs, _, _ = _run(av, [subject("TL", 1, T0, cut="2025-06-01")])
    assert rows(adrs, "LLDASPCT", "AVAL", "ADT", "SRCSEQ") == [
        ("MONTH 3", pytest.approx(100 * 36.5 / 59), D("2025-03-01"), 3),
        ("OVERALL", pytest.approx(100 * 56.5 / 99), D("2025-04-10"), 5),
    ]
    assert rows(adrs, "LLDAS50", "AVALC") == [("MONTH 3", "Y"), ("OVERALL", "Y")]


@pytest.mark.parametrize(("last", "expected"), [("2026-01-28", "N"), ("2026-01-29", "Y")])
def test_sustained_lldas_12_months_is_365_days(last: str, expected: str):
    # §16.15: floor(12 x 365/12) = 365 days from the first TRUE (D28 2025-01-29).
    av = [
        visit("SL", 2, "2025-01-29", "DAY 28", ll=True),
        visit("SL", 3, "2025-04-02", "MONTH 3", ll=True),
        visit("SL", 4, "2025-07-02", "MONTH 6", ll=True),
        visit("SL", 5, "2025-10-01", "MONTH 9", ll=True),
        visit("SL", 6, "2026-01-01", "MONTH 12", ll=True),
        visit("SL", 7, last, None, ll=True),
    ]
    adrs, _, _ = _run(av, [subject("SL", 1, T0, cut="2026-02-10")])
    assert rows(adrs, "LLSUST12", "AVALC")[-1] == ("OVERALL", expected)
    assert rows(adrs, "LLSUST6", "AVALC")[-1] == ("OVERALL", "Y")


# --- ICAHT step function (§9.3 [D-27], E-26) --------------------------------------------------


def test_icaht_held_value_counts_up_to_day_30_and_late_grade_needs_two_values():
    labs = _labs(
        [
            # ANC <= 0.5 drawn Day 25, next draw Day 40: held Days 25-30 = 6 days -> G1.
            ("H6", "ANC", 0, 2.0),
            ("H6", "ANC", 25, 0.4),
            ("H6", "ANC", 40, 2.0),
            ("H6", "ANC", 45, 2.0),
            # Drawn Day 24: Days 24-30 = 7 days -> G2.
            ("H7", "ANC", 0, 2.0),
            ("H7", "ANC", 24, 0.4),
            ("H7", "ANC", 40, 2.0),
            # Late values 0.4 and 0.8: only one <= 0.5, both <= 1.0 -> late G2.
            ("LV", "ANC", 0, 2.0),
            ("LV", "ANC", 50, 0.4),
            ("LV", "ANC", 60, 0.8),
        ]
    )
    subjects = pl.LazyFrame({"USUBJID": ["H6", "H7", "LV"], "TRTSDT": [D("2025-04-01")] * 3})
    out = create_icaht(labs, subjects=subjects, params=ICAHT).collect()
    assert out.select("USUBJID", "ICAHTEGR", "ICAHTLGR").rows() == [
        ("H6", 1, 0),
        ("H7", 2, None),
        ("LV", 0, 2),
    ]
