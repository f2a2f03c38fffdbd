"""Time in LLDAS (trapezoid), LLDAS50, sustained LLDAS and confirmed achievement (hand-typed)."""

from __future__ import annotations

import polars as pl
import pytest

from outcomes.endpoints.datasets import create_adrs
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

T0 = "2025-01-01"


def _adrs(av: list[dict], subjects: list[dict], evts: list[tuple] = ()) -> pl.DataFrame:
    return create_adrs(
        advisit(av),
        subjects=adsl(subjects),
        events=events(list(evts)),
        schedule=SCHEDULE,
        params=PARAMS,
    ).collect()


def test_trapezoid_exactly_50_percent_counts_and_not_evaluable_is_skipped():
    # Day 0 in LLDAS (baseline C1, C3-C5 TRUE; C2 taken TRUE); D14 FALSE; D28 not evaluable;
    # M3 TRUE: 14 days x 1/2 + 77 days x 1/2 = 45.5 of 91 days = 50 %.
    av = [
        visit("L1", 1, "2024-12-20", "BASELINE", baseline=True, llc=(True, True, True, True)),
        visit("L1", 2, "2025-01-15", "DAY 14", ll=False),
        visit("L1", 3, "2025-01-29", "DAY 28", ll=None),
        visit("L1", 4, "2025-04-02", "MONTH 3", ll=True),
    ]
    adrs = _adrs(av, [subject("L1", 1, T0, cut="2025-06-01")])
    assert rows(adrs, "LLDASPCT", "AVAL", "ADT", "SRCSEQ") == [
        ("MONTH 3", pytest.approx(50.0), D("2025-04-02"), 4),
        ("OVERALL", pytest.approx(50.0), D("2025-04-02"), 4),
    ]
    assert rows(adrs, "LLDAS50", "AVALC", "DTYPE") == [
        ("MONTH 3", "Y", None),
        ("OVERALL", "Y", None),
    ]


def test_trapezoid_below_50_percent_and_baseline_not_evaluable_counts_false():
    # Day 0: baseline C1 not evaluable -> FALSE. D14 TRUE: 14 x 1/2 = 7; D28 FALSE: 14 x 1/2 = 7;
    # M3 FALSE: 0. 14 of 91 days = 15.3846 %.
    av = [
        visit("L2", 1, "2024-12-20", "BASELINE", baseline=True, llc=(None, True, True, True)),
        visit("L2", 2, "2025-01-15", "DAY 14", ll=True),
        visit("L2", 3, "2025-01-29", "DAY 28", ll=False),
        visit("L2", 4, "2025-04-02", "MONTH 3", ll=False),
    ]
    adrs = _adrs(av, [subject("L2", 2, T0, cut="2025-06-01")])
    assert rows(adrs, "LLDASPCT", "AVAL")[0] == ("MONTH 3", pytest.approx(100 * 14 / 91))
    assert rows(adrs, "LLDAS50", "AVALC") == [("MONTH 3", "N"), ("OVERALL", "N")]


def test_no_evaluable_assessment_gives_null_percentage_and_nri():
    av = [visit("L3", 2, "2025-04-02", "MONTH 3", ll=None)]
    adrs = _adrs(av, [subject("L3", 3, T0, cut="2025-06-01")])
    assert rows(adrs, "LLDASPCT", "AVAL", "AVALC") == [
        ("MONTH 3", None, None),
        ("OVERALL", None, None),
    ]
    assert rows(adrs, "LLDAS50", "AVALC", "DTYPE", "NRIREAS") == [
        ("MONTH 3", "N", "NRI", "NO_EVALUABLE"),
        ("OVERALL", "N", "NRI", "NO_EVALUABLE"),
    ]


@pytest.mark.parametrize(
    ("last_true", "expected"),
    [
        ("2025-04-29", "N"),  # 90 days after 2025-01-29: just below floor(3 x 365/12) = 91
        ("2025-04-30", "Y"),  # 91 days: at the boundary
        ("2025-05-01", "Y"),
    ],  # 92 days: above
)
def test_sustained_lldas_3_months_boundary(last_true: str, expected: str):
    av = [visit("U1", 2, "2025-01-29", "DAY 28", ll=True), visit("U1", 3, last_true, None, ll=True)]
    adrs = _adrs(av, [subject("U1", 1, T0, cut="2025-05-10")])
    # M3 is missing: one gap, bridged.
    assert rows(adrs, "LLSUST3", "AVALC")[-1] == ("OVERALL", expected)


def test_sustained_lldas_two_missing_visits_break_the_run_one_is_bridged():
    two = [
        visit("U4", 2, "2025-04-02", "MONTH 3", ll=True),
        visit("U4", 3, "2026-01-01", "MONTH 12", ll=True),
    ]
    one = [
        visit("U5", 2, "2025-04-02", "MONTH 3", ll=True),
        visit("U5", 3, "2025-10-01", "MONTH 9", ll=True),
    ]
    adrs = _adrs(two + one, [subject("U4", 4, T0), subject("U5", 5, T0)])
    u4 = adrs.filter(pl.col("USUBJID") == "U4")
    u5 = adrs.filter(pl.col("USUBJID") == "U5")
    assert rows(u4, "LLSUST3", "AVALC")[-1] == ("OVERALL", "N")
    # 2025-04-02 -> 2025-10-01 = 182 days = floor(6 x 365/12): sustained 6 months from M9 on.
    assert rows(u5, "LLSUST6", "AVALC") == [
        ("DAY 14", "N"),
        ("DAY 28", "N"),
        ("MONTH 3", "N"),
        ("MONTH 6", "N"),
        ("MONTH 9", "Y"),
        ("MONTH 12", "Y"),
        ("OVERALL", "Y"),
    ]


def test_sustained_run_ends_at_a_loss_event():
    av = [
        visit("U6", 2, "2025-04-02", "MONTH 3", ll=True),
        visit("U6", 3, "2025-07-02", "MONTH 6", ll=True),
    ]
    adrs = _adrs(av, [subject("U6", 6, T0, cut="2025-08-01")], [("U6", "2025-05-01", "RESCUE", 9)])
    assert rows(adrs, "LLSUST3", "AVALC")[-1] == ("OVERALL", "N")


def test_confirmed_needs_two_consecutive_scheduled_visits_in_one_episode():
    av = [
        # C1: TRUE at D28 and M3 -> confirmed from M3, confirmation date = D28.
        visit("C1", 2, "2025-01-29", "DAY 28", doris=True),
        visit("C1", 3, "2025-04-02", "MONTH 3", doris=True),
        # C2: TRUE at D28 and M6, M3 missing -> not consecutive.
        visit("C2", 2, "2025-01-29", "DAY 28", doris=True),
        visit("C2", 3, "2025-07-02", "MONTH 6", doris=True),
        # C3: TRUE at M3 and M6 with an unscheduled failing assessment between.
        visit("C3", 2, "2025-04-02", "MONTH 3", doris=True),
        visit("C3", 3, "2025-05-02", None, doris=False),
        visit("C3", 4, "2025-07-02", "MONTH 6", doris=True),
    ]
    subjects = [subject(u, i, T0, cut="2025-07-20") for i, u in enumerate(("C1", "C2", "C3"), 1)]
    adrs = _adrs(av, subjects)
    got = {
        u: rows(adrs.filter(pl.col("USUBJID") == u), "DORCONF", "AVALC", "SRCSEQ")
        for u in ("C1", "C2", "C3")
    }
    assert got["C1"] == [
        ("DAY 14", "N", None),
        ("DAY 28", "N", None),
        ("MONTH 3", "Y", 2),
        ("MONTH 6", "Y", 2),
    ]
    assert [r[1] for r in got["C2"]] == ["N", "N", "N", "N"]
    assert [r[1] for r in got["C3"]] == ["N", "N", "N", "N"]


def test_sustained_drug_free_doris_uses_the_drug_free_flag():
    # §16.26: DFSUST<m> is LLSUST<m> on the drug-free DORIS flag. M3 2025-04-02 -> M6
    # 2025-07-02 = 91 days = floor(3 x 365/12): DFSUST3 Y from M6 on; LLDAS never held.
    av = [
        visit("F1", 2, "2025-04-02", "MONTH 3", df=True, ll=False),
        visit("F1", 3, "2025-07-02", "MONTH 6", df=True, ll=False),
    ]
    adrs = _adrs(av, [subject("F1", 1, T0, cut="2025-08-01")])
    assert rows(adrs, "DFSUST3", "AVALC") == [
        ("DAY 14", "N"),
        ("DAY 28", "N"),
        ("MONTH 3", "N"),
        ("MONTH 6", "Y"),
        ("OVERALL", "Y"),
    ]
    assert rows(adrs, "DFSUST6", "AVALC")[-1] == ("OVERALL", "N")
    assert rows(adrs, "LLSUST3", "AVALC")[-1] == ("OVERALL", "N")
    labels = adrs.filter(pl.col("PARAMCD") == "DFSUST12")["PARAM"].unique().to_list()
    assert labels == ["Sustained drug-free DORIS remission >= 12 months"]
