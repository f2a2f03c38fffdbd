"""Hand-built multi-visit subjects through adrs, adepi and adtte (expected values typed by hand).

Infusion 2025-01-01 for every subject: D14 2025-01-15, D28 2025-01-29, M3 2025-04-02,
M6 2025-07-02, M9 2025-10-01, M12 2026-01-01. Window upper days: M3 2025-04-16, M6 2025-07-16,
M9 2025-10-15, M12 2026-01-31, M18 2026-08-01. Default cut 2026-03-01: visits through M12 due.
"""

from __future__ import annotations

import dataclasses

import polars as pl

from outcomes.endpoints.datasets import create_adepi, create_adrs, create_adtte
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
DATES = {
    "DAY 14": "2025-01-15",
    "DAY 28": "2025-01-29",
    "MONTH 3": "2025-04-02",
    "MONTH 6": "2025-07-02",
    "MONTH 9": "2025-10-01",
    "MONTH 12": "2026-01-01",
}


def sched(usubjid: str, seq: int, avisit: str, **flags) -> dict:
    return visit(usubjid, seq, DATES[avisit], avisit, **flags)


def run(av: list[dict], subjects: list[dict], evts: list[tuple] = (), params=PARAMS):
    a, s, e = advisit(av), adsl(subjects), events(list(evts))
    return (
        create_adrs(a, subjects=s, events=e, schedule=SCHEDULE, params=params).collect(),
        create_adepi(a, subjects=s, events=e).collect(),
        create_adtte(a, subjects=s, events=e, params=params).collect(),
    )


def tte(adtte: pl.DataFrame, paramcd: str) -> tuple:
    return (
        adtte.filter(pl.col("PARAMCD") == paramcd)
        .select("STARTDT", "ADT", "AVAL", "CNSR", "SRCDOM", "SRCSEQ")
        .row(0)
    )


def epis(adepi: pl.DataFrame, paramcd: str) -> list[tuple]:
    return (
        adepi.filter(pl.col("PARAMCD") == paramcd)
        .select("EPISODE", "STARTDT", "ENDDT", "ENDREAS", "STSRCSEQ", "ENSRCDOM", "ENSRCSEQ")
        .rows()
    )


def test_flare_on_an_assessment_in_remission_ends_the_episode():
    av = [
        sched("S01", 2, "DAY 28", doris=True),
        sched("S01", 3, "MONTH 3", doris=True),
        sched("S01", 4, "MONTH 6", doris=True, flare=True),
        sched("S01", 5, "MONTH 9", doris=True),
    ]
    _, adepi, adtte = run(av, [subject("S01", 1, T0, cut="2025-10-20")])
    assert epis(adepi, "DORIS") == [
        (1, D("2025-01-29"), D("2025-07-02"), "FLARE", 2, "ASSESSMENTS", 4),
        (2, D("2025-10-01"), D("2025-10-01"), "CENSORED", 5, "ASSESSMENTS", 5),
    ]
    assert tte(adtte, "DURDORIS") == (D("2025-01-29"), D("2025-07-02"), 155, 0, "ASSESSMENTS", 4)


def test_flare_treatment_between_visits_ends_lldas_and_maintenance():
    av = [
        sched("S02", 2, "MONTH 3", ll=True),
        sched("S02", 3, "MONTH 6", ll=True),
        sched("S02", 4, "MONTH 9", ll=True),
    ]
    adrs, adepi, _ = run(av, [subject("S02", 1, T0)], [("S02", "2025-08-10", "FLARETRT", 41)])
    assert epis(adepi, "LLDAS") == [
        (1, D("2025-04-02"), D("2025-08-10"), "FLARE", 2, "MEDICATIONS", 41),
        (2, D("2025-10-01"), D("2025-10-01"), "CENSORED", 4, "ASSESSMENTS", 4),
    ]
    assert rows(adrs, "LLMAINT", "AVALC", "DTYPE", "NRIREAS") == [
        ("MONTH 6", "Y", None, None),
        ("MONTH 9", "N", None, None),  # observed loss (flare), not imputed
        ("MONTH 12", "N", "NRI", "MISSING"),
    ]
    # A flare is not a rescue: the point-in-time LLDAS at M9 stays observed.
    assert rows(adrs, "LLDAS", "AVALC")[4] == ("MONTH 9", "Y")


def test_rescue_before_achievement_is_cnsr_3():
    av = [
        sched("S03", 2, "DAY 14", doris=False),
        sched("S03", 3, "DAY 28", doris=False),
        sched("S03", 4, "MONTH 3", doris=True),
    ]
    evts = [("S03", "2025-03-01", "RESCUE", 51)]
    adrs, adepi, adtte = run(av, [subject("S03", 1, T0, cut="2025-05-01")], evts)
    assert tte(adtte, "TTDORIS") == (D(T0), D("2025-03-01"), 60, 3, "MEDICATIONS", 51)
    assert adtte.filter(pl.col("PARAMCD") == "DURDORIS").height == 0
    assert rows(adrs, "DORIS", "AVALC", "NRIREAS") == [
        ("DAY 14", "N", None),
        ("DAY 28", "N", None),
        ("MONTH 3", "N", "RESCUE"),
    ]
    # adepi keeps the observed episode after the rescue.
    assert epis(adepi, "DORIS") == [
        (1, D("2025-04-02"), D("2025-04-02"), "CENSORED", 4, "ASSESSMENTS", 4)
    ]


def test_rescue_is_not_failure_gives_the_observed_case():
    av = [sched("S14", 2, "DAY 28", doris=False), sched("S14", 3, "MONTH 3", doris=True)]
    params = dataclasses.replace(PARAMS, rescue_is_failure=False)
    adrs, _, adtte = run(
        av, [subject("S14", 1, T0, cut="2025-05-01")], [("S14", "2025-03-01", "RESCUE", 51)], params
    )
    assert tte(adtte, "TTDORIS") == (D(T0), D("2025-04-02"), 92, 0, "ASSESSMENTS", 3)
    assert rows(adrs, "DORIS", "AVALC", "DTYPE")[-1] == ("MONTH 3", "Y", None)


def test_death_before_achievement_is_cnsr_2_and_nri_after():
    av = [
        sched("S04", 2, "DAY 14", doris=False),
        sched("S04", 3, "DAY 28", doris=False),
        sched("S04", 4, "MONTH 3", doris=False),
    ]
    subj = subject("S04", 4, T0, dthdt="2025-05-10", eosstt="DISCONTINUED", eosdt="2025-05-10")
    adrs, adepi, adtte = run(av, [subj])
    assert tte(adtte, "TTDORIS") == (D(T0), D("2025-05-10"), 130, 2, "SUBJECTS", 4)
    assert rows(adrs, "DORIS", "AVALC", "NRIREAS", "SRCDOM")[3:] == [
        ("MONTH 6", "N", "DEATH", "SUBJECTS"),
        ("MONTH 9", "N", "DEATH", "SUBJECTS"),
        ("MONTH 12", "N", "DEATH", "SUBJECTS"),
    ]
    assert epis(adepi, "DORIS") == []


def test_never_in_remission_is_censored_at_last_evaluable_assessment():
    av = [sched("S05", i + 2, v, doris=False) for i, v in enumerate(DATES)]
    adrs, adepi, adtte = run(av, [subject("S05", 5, T0)])
    assert tte(adtte, "TTDORIS") == (D(T0), D("2026-01-01"), 366, 1, "ASSESSMENTS", 7)
    assert epis(adepi, "DORIS") == []
    assert {r[1] for r in rows(adrs, "DORIS", "AVALC")} == {"N"}
    assert adtte.filter(pl.col("USUBJID") == "S05")["PARAMCD"].to_list() == [
        "TTDFREM",
        "TTDORIS",
        "TTLLDAS",
    ]


def test_no_evaluable_assessment_is_censored_at_infusion_with_aval_1():
    av = [sched("S06", 2, "DAY 14", doris=None)]
    adrs, _, adtte = run(av, [subject("S06", 6, T0)])
    assert tte(adtte, "TTDORIS") == (D(T0), D(T0), 1, 1, "SUBJECTS", 6)
    assert rows(adrs, "DORIS", "AVALC", "NRIREAS", "SRCDOM")[:3] == [
        ("DAY 14", "N", "NOT_EVALUABLE", "ASSESSMENTS"),
        ("DAY 28", "N", "MISSING", None),
        ("MONTH 3", "N", "MISSING", None),
    ]


def test_cut_in_the_middle_of_an_episode_censors_it_and_drops_visits_not_due():
    av = [sched("S07", 2, "MONTH 3", ll=True), sched("S07", 3, "MONTH 6", ll=True)]
    adrs, adepi, adtte = run(av, [subject("S07", 7, T0, cut="2025-07-20")])
    assert epis(adepi, "LLDAS") == [
        (1, D("2025-04-02"), D("2025-07-02"), "CENSORED", 2, "ASSESSMENTS", 3)
    ]
    assert tte(adtte, "DURLLDAS") == (D("2025-04-02"), D("2025-07-02"), 92, 1, "ASSESSMENTS", 3)
    assert [r[0] for r in rows(adrs, "LLDAS", "AVALC")] == [
        "DAY 14",
        "DAY 28",
        "MONTH 3",
        "MONTH 6",
    ]


def test_visit_due_when_window_closes_on_the_cut():
    av = [sched("S08", 2, "MONTH 3", ll=True)]
    on_cut, _, _ = run(av, [subject("S08", 8, T0, cut="2025-04-16")])
    before, _, _ = run(av, [subject("S08", 8, T0, cut="2025-04-15")])
    assert [r[0] for r in rows(on_cut, "LLDAS", "AVALC")] == ["DAY 14", "DAY 28", "MONTH 3"]
    assert [r[0] for r in rows(before, "LLDAS", "AVALC")] == ["DAY 14", "DAY 28"]


def test_new_antimalarial_is_rescue_for_the_strict_drug_free_state_only():
    av = [
        sched("S09", 2, "MONTH 3", df=True, dfs=True),
        sched("S09", 3, "MONTH 6", df=True, dfs=False),
    ]
    adrs, adepi, _ = run(
        av, [subject("S09", 9, T0, cut="2025-08-01")], [("S09", "2025-05-01", "RESCUEAM", 91)]
    )
    assert rows(adrs, "DFDORIS", "AVALC", "NRIREAS")[-1] == ("MONTH 6", "Y", None)
    assert rows(adrs, "DFDORISS", "AVALC", "NRIREAS")[-1] == ("MONTH 6", "N", "RESCUE")
    assert epis(adepi, "DFDORISS") == [
        (1, D("2025-04-02"), D("2025-05-01"), "RESCUE", 2, "MEDICATIONS", 91)
    ]
    assert epis(adepi, "DFDORIS") == [
        (1, D("2025-04-02"), D("2025-07-02"), "CENSORED", 2, "ASSESSMENTS", 3)
    ]


def test_one_missing_visit_is_bridged_two_are_not():
    one = [sched("B1", 2, "MONTH 3", df=True), sched("B1", 3, "MONTH 9", df=True)]
    two = [sched("B2", 2, "MONTH 3", df=True), sched("B2", 3, "MONTH 12", df=True)]
    adrs, _, _ = run(one + two, [subject("B1", 1, T0), subject("B2", 2, T0)])
    b1 = adrs.filter(pl.col("USUBJID") == "B1")
    b2 = adrs.filter(pl.col("USUBJID") == "B2")
    assert rows(b1, "DFMAINT", "AVALC", "NRIREAS") == [
        ("MONTH 6", "N", "MISSING"),
        ("MONTH 9", "Y", None),
        ("MONTH 12", "N", "MISSING"),
    ]
    assert rows(b1, "DFMAINTS", "AVALC") == [("MONTH 6", "N"), ("MONTH 9", "N"), ("MONTH 12", "N")]
    assert rows(b2, "DFMAINT", "AVALC", "DTYPE")[-1] == ("MONTH 12", "N", None)


def test_withdrawal_censors_duration_at_last_assessment_in_state():
    av = [sched("S11", 2, "DAY 28", ll=True)]
    subj = subject("S11", 11, T0, eosstt="DISCONTINUED", eosdt="2025-03-15")
    adrs, _, adtte = run(av, [subj])
    assert tte(adtte, "TTLLDAS") == (D(T0), D("2025-01-29"), 29, 0, "ASSESSMENTS", 2)
    assert tte(adtte, "DURLLDAS") == (D("2025-01-29"), D("2025-01-29"), 1, 1, "ASSESSMENTS", 2)
    assert {r[1:] for r in rows(adrs, "LLDAS", "AVALC", "NRIREAS")[2:]} == {("N", "WITHDRAWAL")}


def test_unscheduled_failing_assessment_ends_the_episode_not_evaluable_is_skipped():
    av = [
        sched("S12", 2, "MONTH 3", doris=True),
        visit("S12", 3, "2025-04-20", None, doris=None),  # unscheduled, not evaluable
        visit("S12", 4, "2025-05-20", None, doris=False),  # unscheduled, failing
        sched("S12", 5, "MONTH 6", doris=True),
    ]
    adrs, adepi, adtte = run(av, [subject("S12", 12, T0, cut="2025-08-01")])
    assert epis(adepi, "DORIS") == [
        (1, D("2025-04-02"), D("2025-05-20"), "FAILED_ASSESSMENT", 2, "ASSESSMENTS", 4),
        (2, D("2025-07-02"), D("2025-07-02"), "CENSORED", 5, "ASSESSMENTS", 5),
    ]
    assert tte(adtte, "DURDORIS") == (D("2025-04-02"), D("2025-05-20"), 49, 0, "ASSESSMENTS", 4)
    assert rows(adrs, "DORIS", "AVALC")[-1] == ("MONTH 6", "Y")


def test_car_t_retreatment_is_a_rescue_for_every_state():
    av = [sched("S13", 2, "MONTH 3", ll=True), sched("S13", 3, "MONTH 6", ll=True)]
    adrs, adepi, _ = run(
        av, [subject("S13", 13, T0, cut="2025-08-01")], [("S13", "2025-06-01", "RETREAT", 61)]
    )
    assert rows(adrs, "LLDAS", "AVALC", "NRIREAS", "SRCSEQ")[-1] == ("MONTH 6", "N", "RESCUE", 61)
    assert epis(adepi, "LLDAS")[0][3] == "RESCUE"


def test_death_in_remission_ends_episode_with_death():
    av = [sched("S15", 2, "MONTH 3", doris=True)]
    subj = subject("S15", 15, T0, dthdt="2025-05-01", eosstt="DISCONTINUED", eosdt="2025-05-01")
    _, adepi, adtte = run(av, [subj])
    assert epis(adepi, "DORIS") == [
        (1, D("2025-04-02"), D("2025-05-01"), "DEATH", 2, "SUBJECTS", 15)
    ]
    assert tte(adtte, "DURDORIS") == (D("2025-04-02"), D("2025-05-01"), 30, 0, "SUBJECTS", 15)


def test_subject_without_any_assessment_is_nri_missing_at_every_due_visit():
    adrs, adepi, adtte = run([], [subject("S16", 16, T0, cut="2025-04-20")])
    assert rows(adrs, "SRI4", "AVALC", "DTYPE", "NRIREAS") == [
        ("DAY 14", "N", "NRI", "MISSING"),
        ("DAY 28", "N", "NRI", "MISSING"),
        ("MONTH 3", "N", "NRI", "MISSING"),
    ]
    assert adepi.height == 0
    assert tte(adtte, "TTLLDAS") == (D(T0), D(T0), 1, 1, "SUBJECTS", 16)


def test_flare_on_a_failing_assessment_names_the_flare():
    # §16.25: FAILED_ASSESSMENT and FLARE on the end date: FLARE is the reason, the date stays.
    av = [
        sched("P01", 2, "MONTH 3", doris=True),
        sched("P01", 3, "MONTH 6", doris=False, flare=True),
    ]
    _, adepi, adtte = run(av, [subject("P01", 1, T0, cut="2025-08-01")])
    assert epis(adepi, "DORIS") == [
        (1, D("2025-04-02"), D("2025-07-02"), "FLARE", 2, "ASSESSMENTS", 3),
    ]
    dur = adtte.filter(pl.col("PARAMCD") == "DURDORIS")
    assert dur.select("ADT", "AVAL", "CNSR", "EVNTDESC").row(0) == (
        D("2025-07-02"),
        92,
        0,
        "LOSS: FLARE",
    )


def test_death_and_rescue_on_one_date_name_the_death():
    # §16.25: a rescue (medication record 61) and death on 2025-08-01: DEATH, traced to adsl.
    av = [sched("P02", 2, "MONTH 3", ll=True), sched("P02", 3, "MONTH 6", ll=True)]
    subj = subject("P02", 7, T0, cut="2025-09-01", dthdt="2025-08-01")
    _, adepi, adtte = run(av, [subj], [("P02", "2025-08-01", "RESCUE", 61)])
    assert epis(adepi, "LLDAS") == [
        (1, D("2025-04-02"), D("2025-08-01"), "DEATH", 2, "SUBJECTS", 7),
    ]
    dur = adtte.filter(pl.col("PARAMCD") == "DURLLDAS")
    assert dur.select("ADT", "AVAL", "CNSR", "EVNTDESC").row(0) == (
        D("2025-08-01"),
        122,
        0,
        "LOSS: DEATH",
    )


def test_rescue_and_flare_treatment_on_one_date_name_the_rescue():
    # Two medication records on 2025-05-01 (flare treatment 71, rescue 72): RESCUE.
    av = [sched("P03", 2, "MONTH 3", ll=True), sched("P03", 3, "MONTH 6", ll=True)]
    evts = [("P03", "2025-05-01", "FLARETRT", 71), ("P03", "2025-05-01", "RESCUE", 72)]
    _, adepi, _ = run(av, [subject("P03", 1, T0, cut="2025-08-01")], evts)
    assert epis(adepi, "LLDAS")[0] == (
        1,
        D("2025-04-02"),
        D("2025-05-01"),
        "RESCUE",
        2,
        "MEDICATIONS",
        72,
    )
