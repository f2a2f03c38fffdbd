"""Cross-checks (VAL-014, CON-014, CON-015) and the medication-history eligibility criteria
(ELG-011 … ELG-014, endpoints §16.27), run through ``validate_export`` on the hand-typed mini
export of conftest (S1: consent 2026-01-05, screening ANC 2026-01-10, infused 2026-02-06; S2:
consent 2026-01-06, screening ANC 2026-01-12), one value at, below and above each threshold."""

from __future__ import annotations

from pathlib import Path

import pytest

from outcomes.configuration import load_config
from outcomes.errors import ConfigError
from tests.validate.conftest import located, run, set_cell, write_tables


def _rules(report, rule: str) -> set[tuple]:
    return {loc for loc in located(report) if loc[0] == rule}


def _messages(report, rule: str) -> list[str]:
    return report.issues.filter(report.issues["RULE"] == rule)["MESSAGE"].to_list()


# --- VAL-014: physiological bounds (ANC 0-100, HGB 20-250 g/L, C4 0-2 g/L in config) -------


@pytest.mark.parametrize(
    ("value", "flagged"), [("100", False), ("100.000001", True), ("99.9", False), ("-0.1", True)]
)
def test_val014__anc_bounds(tmp_path: Path, tables, value: str, flagged: bool):
    set_cell(tables, "labs", 1, "LBSTRESN", value)
    report = run(write_tables(tmp_path, tables))
    expected = {("VAL-014", "labs", "S1", 1, "LBSTRESN")} if flagged else set()
    assert _rules(report, "VAL-014") == expected
    if flagged:
        assert _messages(report, "VAL-014") == [
            f"labs: ANC = {value} 10^9/L on 2026-01-10 lies outside the physiologically possible "
            "range 0 to 100 (standard units); please check the value and its unit"
        ]


@pytest.mark.parametrize(
    ("value", "unit", "flagged"),
    [("2", "g/dL", False), ("1.9", "g/dL", True), ("25", "g/dL", False), ("25.1", "g/dL", True)],
)
def test_val014__haemoglobin_converted_from_its_unit(tmp_path, tables, value, unit, flagged):
    set_cell(tables, "labs", 2, "LBSTRESN", value)
    set_cell(tables, "labs", 2, "LBSTRESU", unit)
    report = run(write_tables(tmp_path, tables))
    expected = {("VAL-014", "labs", "S1", 2, "LBSTRESN")} if flagged else set()
    assert _rules(report, "VAL-014") == expected


@pytest.mark.parametrize(("value", "flagged"), [("2", False), ("2.01", True), ("", False)])
def test_val014__assessment_c4(tmp_path: Path, tables, value: str, flagged: bool):
    set_cell(tables, "assessments", 1, "C4", value)
    report = run(write_tables(tmp_path, tables))
    expected = {("VAL-014", "assessments", "S1", 1, "C4")} if flagged else set()
    assert _rules(report, "VAL-014") == expected


# --- CON-014: neutropenia AE grade vs the lowest ANC in the AE's window ----------------------


def _neutropenia(tables, grade: str, start: str = "2026-02-10", end: str = "2026-02-20") -> None:
    tables["adverse_events"][1].append(
        ["S1", "2", "Neutropenia", "", "ICAHT", start, end, grade, "N", "Y"]
    )


def _anc(tables, value: str, day: str, lln: str = "1.8") -> None:
    tables["labs"][1].append(["S1", "ANC", value, "10^9/L", lln, "7.5", day])


@pytest.mark.parametrize(
    ("grade", "anc", "flagged"),
    [
        ("4", "0.5", True),  # at the grade 4 limit: grade 3
        ("4", "0.49", False),
        ("4", "0.67", True),  # the demo case of issue 17
        ("3", "0.5", False),
        ("3", "0.49", True),  # lower than grade 3 allows
        ("3", "1.0", True),
        ("2", "1.49", False),
        ("2", "1.5", True),
        ("1", "1.5", False),  # below the LLN 1.8
        ("1", "1.8", True),  # at the LLN: grade 0
    ],
)
def test_con014__grade_vs_lowest_anc(tmp_path: Path, tables, grade, anc, flagged):
    _neutropenia(tables, grade)
    _anc(tables, "2.0", "2026-02-12")
    _anc(tables, anc, "2026-02-15")
    report = run(write_tables(tmp_path, tables))
    expected = {("CON-014", "adverse_events", "S1", 2, "AETOXGR")} if flagged else set()
    assert _rules(report, "CON-014") == expected


def test_con014__message_gives_both_values(tmp_path: Path, tables):
    _neutropenia(tables, "4")
    _anc(tables, "0.67", "2026-02-15")
    report = run(write_tables(tmp_path, tables))
    assert _messages(report, "CON-014") == [
        "adverse_events: Neutropenia (AESEQ 2) is grade 4 from 2026-02-10 to 2026-02-20, but the "
        "lowest neutrophil count (ANC) dated in that period is 0.67 10^9/L on 2026-02-15, which "
        "is grade 3; grade 4 needs an ANC below 0.5 x 10^9/L"
    ]


@pytest.mark.parametrize(
    ("day", "flagged"),
    [("2026-02-09", False), ("2026-02-10", True), ("2026-02-20", True), ("2026-02-21", False)],
)
def test_con014__window_is_the_ae_start_to_end(tmp_path: Path, tables, day, flagged):
    _neutropenia(tables, "2")
    _anc(tables, "0.3", day)  # grade 4 inside the window contradicts grade 2
    report = run(write_tables(tmp_path, tables))
    expected = {("CON-014", "adverse_events", "S1", 2, "AETOXGR")} if flagged else set()
    assert _rules(report, "CON-014") == expected


def test_con014__no_anc_in_window_or_unknown_lln(tmp_path: Path, tables):
    _neutropenia(tables, "4")  # no ANC in the window: nothing to compare
    assert _rules(run(write_tables(tmp_path / "a", tables)), "CON-014") == set()
    _anc(tables, "1.6", "2026-02-12", lln="")  # grade 0 or 1: grade 4 contradicts
    assert _rules(run(write_tables(tmp_path / "b", tables)), "CON-014") == {
        ("CON-014", "adverse_events", "S1", 2, "AETOXGR")
    }


def test_con014__grade_1_with_unknown_lln_is_not_flagged(tmp_path: Path, tables):
    _neutropenia(tables, "1")
    _anc(tables, "1.6", "2026-02-12", lln="")
    assert _rules(run(write_tables(tmp_path, tables)), "CON-014") == set()


# --- CON-015: fatal AE without a death ----------------------------------------------------


@pytest.mark.parametrize(
    ("category", "grade", "death", "rule"),
    [
        ("INFECTION", "5", "", "CON-015"),
        ("INFECTION", "4", "", None),
        ("INFECTION", "5", "2026-02-20", None),
        ("CRS", "5", "", "CON-008"),
    ],
)
def test_con015__fatal_ae_without_death(tmp_path, tables, category, grade, death, rule):
    set_cell(tables, "adverse_events", 1, "AECAT", category)
    set_cell(tables, "adverse_events", 1, "AETOXGR", grade)
    if death:
        set_cell(tables, "subjects", 1, "DTHDT", death)
        set_cell(tables, "subjects", 1, "EOSSTT", "DISCONTINUED")
        set_cell(tables, "subjects", 1, "EOSDT", death)
        set_cell(tables, "subjects", 1, "DCSREAS", "DEATH")
        set_cell(tables, "subjects", 1, "LSTALVDT", death)
        # the assessment of Day 28 falls after the death (DAT-005): move it to Day 14
        set_cell(tables, "assessments", 4, "ASMDT", "2026-02-19")
    report = run(write_tables(tmp_path, tables))
    found = {loc for loc in located(report) if loc[0] in ("CON-008", "CON-015")}
    assert found == ({(rule, "adverse_events", "S1", 1, "AETOXGR")} if rule else set())
    if rule == "CON-015":
        assert report.exit_code == 0  # a warning
        assert _messages(report, "CON-015") == [
            "adverse_events: Cytokine release syndrome (AESEQ 1, INFECTION) starting 2026-02-07 "
            "is grade 5 (fatal), but the subject has no death date (subjects.DTHDT is blank)"
        ]


# --- ELG-011: treatment refractory (>= 2 drugs, each >= 91 exposure days before consent) --


def _med(tables, usubjid, seq, drug, start, end, indication="SLE", freq="QD", dose="100"):
    tables["medications"][1].append(
        [usubjid, seq, drug, "", dose, "mg", freq, "ORAL", indication, start, end]
    )


@pytest.mark.parametrize(
    ("end", "met"),
    [
        ("2025-06-01", True),  # 2025-03-03 .. 2025-06-01 = 91 days
        ("2025-05-31", False),  # 90 days
        ("2025-06-02", True),  # 92 days
    ],
)
def test_elg011__exposure_days_at_the_threshold(tmp_path: Path, tables, end: str, met: bool):
    mmf = next(r for r in tables["medications"][1] if r[2] == "mycophenolate mofetil")
    mmf[9], mmf[10] = "2025-03-03", end
    report = run(write_tables(tmp_path, tables))
    assert _rules(report, "ELG-011") == (
        set() if met else {("ELG-011", "subjects", "S1", 1, "CONSDT")}
    )
    if not met:
        assert _messages(report, "ELG-011") == [
            "subjects: treatment-refractory criterion not met: 1 conventional SLE treatment(s) "
            "with at least 91 exposure days before consent on 2026-01-05 (hydroxychloroquine "
            "369 days); at least 2 are required"
        ]


def test_elg011__exposure_after_consent_and_other_indications_do_not_count(tmp_path, tables):
    mmf = next(r for r in tables["medications"][1] if r[2] == "mycophenolate mofetil")
    mmf[8] = "PROPHYLAXIS"  # not an SLE indication (§16.6)
    _med(tables, "S1", "5", "azathioprine", "2025-12-01", "2026-06-01")  # 35 days before consent
    report = run(write_tables(tmp_path, tables))
    assert _rules(report, "ELG-011") == {("ELG-011", "subjects", "S1", 1, "CONSDT")}


def test_elg011__unknown_sle_drug_is_not_evaluable(tmp_path: Path, tables):
    mmf = next(r for r in tables["medications"][1] if r[2] == "mycophenolate mofetil")
    mmf[2] = "zzmadeupinib"
    report = run(write_tables(tmp_path, tables))
    assert _rules(report, "ELG-011") == {("ELG-011", "subjects", "S1", 1, "CONSDT")}
    (message,) = _messages(report, "ELG-011")
    assert message.startswith("subjects: treatment-refractory criterion not evaluable: 1 ")
    assert message.endswith(
        "drugs given for SLE before consent that are not in the drug dictionary: zzmadeupinib"
    )


# --- ELG-012: immunosuppressant washout, 5 half-lives ------------------------------------


@pytest.mark.parametrize(
    ("end", "flagged"),
    [
        # methotrexate QW: active until CMENDT + 6; 5 x 10 h = 50 h = 2.08 days before consent
        ("2025-12-28", True),  # last active 2026-01-03: 2 days before 2026-01-05
        ("2025-12-27", False),  # last active 2026-01-02: 3 days before
        ("2026-01-10", True),  # active on consent
    ],
)
def test_elg012__washout_half_lives(tmp_path: Path, tables, end: str, flagged: bool):
    _med(tables, "S1", "5", "methotrexate", "2025-01-01", end, freq="QW", dose="15")
    report = run(write_tables(tmp_path, tables))
    expected = {("ELG-012", "medications", "S1", 7, "CMTRT")} if flagged else set()
    assert _rules(report, "ELG-012") == expected


def test_elg012__boundary_day_exactly_five_half_lives(tmp_path: Path, tables):
    # leflunomide 432 h x 5 = 90 days: last active 90 days before consent is within, 91 is not
    _med(tables, "S1", "5", "leflunomide", "2025-01-01", "2025-10-07")  # 90 days before
    _med(tables, "S2", "3", "leflunomide", "2025-01-01", "2025-10-07")  # 91 days before
    report = run(write_tables(tmp_path, tables))
    assert _rules(report, "ELG-012") == {("ELG-012", "medications", "S1", 7, "CMTRT")}
    assert _messages(report, "ELG-012") == [
        "medications: immunosuppressant active within 5 half-lives before consent on "
        "2026-01-05: leflunomide last active 2025-10-07 (5 half-lives = 90.0 days)"
    ]


def test_elg012__no_half_life_is_not_evaluable(tmp_path: Path, tables):
    _med(tables, "S1", "5", "azathioprine", "2025-01-01", "2025-12-01")
    _med(tables, "S2", "3", "azathioprine", "2025-01-01", "2026-01-06")  # active on consent
    report = run(write_tables(tmp_path, tables))
    assert _rules(report, "ELG-012") == {
        ("ELG-012", "subjects", "S1", 1, "CONSDT"),
        ("ELG-012", "medications", "S2", 8, "CMTRT"),
    }
    assert (
        "subjects: washout of immunosuppressants before consent on 2026-01-05 not evaluable: "
        "no half-life in the drug dictionary for azathioprine"
    ) in _messages(report, "ELG-012")


# --- ELG-013: biologic washout, 28 days, exposure windows of §16.10 ----------------------


@pytest.mark.parametrize(
    ("end", "flagged"),
    [("2025-12-08", True), ("2025-12-07", False), ("2025-12-09", True)],  # 28, 29, 27 days
)
def test_elg013__biologic_washout(tmp_path: Path, tables, end: str, flagged: bool):
    _med(tables, "S1", "5", "belimumab", "2025-01-01", end, dose="200")
    report = run(write_tables(tmp_path, tables))
    expected = {("ELG-013", "medications", "S1", 7, "CMTRT")} if flagged else set()
    assert _rules(report, "ELG-013") == expected


def test_elg013__rituximab_once_stays_active_180_days(tmp_path: Path, tables):
    # ONCE 150 days before consent: active 180 days, so on consent (§16.27)
    _med(tables, "S1", "5", "rituximab", "2025-08-08", "", freq="ONCE", dose="1000")
    # ONCE 208 days before consent: last active day 29 days before consent
    _med(tables, "S2", "3", "rituximab", "2025-06-12", "", freq="ONCE", dose="1000")
    report = run(write_tables(tmp_path, tables))
    assert _rules(report, "ELG-013") == {("ELG-013", "medications", "S1", 7, "CMTRT")}


# --- ELG-014: no colony-stimulating factor within 14 days before the screening ANC -------


@pytest.mark.parametrize(
    ("end", "flagged"),
    [("2025-12-27", True), ("2025-12-26", False), ("2025-12-28", True)],  # 14, 15, 13 days
)
def test_elg014__csf_before_screening_anc(tmp_path: Path, tables, end: str, flagged: bool):
    _med(tables, "S1", "5", "filgrastim", "2025-12-20", end, indication="OTHER", dose="0.3")
    report = run(write_tables(tmp_path, tables))
    expected = {("ELG-014", "medications", "S1", 7, "CMTRT")} if flagged else set()
    assert _rules(report, "ELG-014") == expected
    if flagged and end == "2025-12-27":
        assert _messages(report, "ELG-014") == [
            "medications: colony-stimulating factor active within 14 days before the screening "
            "neutrophil count on 2026-01-10: filgrastim active 2025-12-20 to 2025-12-27"
        ]


def test_elg014__no_screening_anc_is_not_evaluable(tmp_path: Path, tables):
    tables["labs"][1].pop()  # S2's screening ANC
    report = run(write_tables(tmp_path, tables))
    assert _rules(report, "ELG-014") == {("ELG-014", "subjects", "S2", 2, None)}
    (message,) = _messages(report, "ELG-014")
    assert "not evaluable: there is no screening ANC result" in message


def test_history_criteria__missing_consent_is_not_evaluable(tmp_path: Path, tables):
    set_cell(tables, "subjects", 2, "CONSDT", "")
    report = run(write_tables(tmp_path, tables))
    for rule in ("ELG-011", "ELG-012", "ELG-013"):
        assert (rule, "subjects", "S2", 2, "CONSDT") in _rules(report, rule), rule
    assert all("not evaluable" in m for m in _messages(report, "ELG-012"))


# --- config: the new keys are checked -------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        (
            {"validation": {"physiological_bounds": {"ANC": {"low": 5, "high": 1}}}},
            "low must be <= high",
        ),
        (
            {
                "validation": {
                    "neutropenia_ae": {"anc_lt_10e9_per_l": {"g2": 1, "g3": 1.5, "g4": 0.5}}
                }
            },
            "g2 > g3 > g4",
        ),
        ({"eligibility": {"csf_drugs": ["filgrastim", "zzcsf"]}}, "not in medications.dictionary"),
        ({"eligibility": {"refractory_min_drugs": 0}}, "refractory_min_drugs"),
        (
            {
                "medications": {
                    "dictionary": {"tacrolimus": {"class": "IS_CONVENTIONAL", "half_life_hours": 0}}
                }
            },
            "half_life_hours",
        ),
    ],
)
def test_config__new_keys_are_checked(overrides, words):
    with pytest.raises(ConfigError, match=words):
        load_config(overrides=overrides)


def test_config__shipped_defaults():
    config = load_config()
    assert config["validation"]["neutropenia_ae"]["anc_lt_10e9_per_l"] == {
        "g2": 1.5,
        "g3": 1.0,
        "g4": 0.5,
    }
    assert config["validation"]["neutropenia_ae"]["window_margin_days"] == 0
    assert config["medications"]["dictionary"]["leflunomide"]["half_life_hours"] == 432
    assert "half_life_hours" not in config["medications"]["dictionary"]["azathioprine"]
