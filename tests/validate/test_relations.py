"""Keys (KEY-*), dates (DAT-*) and clinical consistency (CON-*) on the hand-typed mini export.

S1: consent 2026-01-05, LDSTDT 2026-02-01, INFDT 2026-02-06 (Day 0); assessments rows 1-4
(SCREENING 01-10, BASELINE 01-30, DAY 14 02-20, DAY 28 03-06). S2: row 5, withdrew 01-20.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.validate.conftest import located, run, set_cell, write_tables


def _found(tmp_path: Path, tables, *, data_cut: dt.date | None = None):
    return located(run(write_tables(tmp_path, tables), data_cut=data_cut))


def _rules(found) -> set[str]:
    return {r for r, *_ in found}


# -- keys -----------------------------------------------------------------------------------
def test_check_keys__duplicates_and_orphans(tmp_path: Path, tables):
    tables["subjects"][1].append(list(tables["subjects"][1][0]))  # S1 twice: row 3
    set_cell(tables, "medications", 2, "CMSEQ", "1")  # CMSEQ 1 again for S1
    tables["adverse_events"][1].append(list(tables["adverse_events"][1][0]))  # AESEQ 1 twice
    set_cell(tables, "assessments", 4, "ASMDT", "2026-02-20")  # two assessments on 02-20
    set_cell(tables, "medications", 3, "USUBJID", "S9")  # not in subjects
    found = _found(tmp_path, tables)
    assert ("KEY-001", "subjects", "S1", 3, "USUBJID") in found
    assert ("KEY-002", "medications", "S1", 2, "CMSEQ") in found
    assert ("KEY-003", "adverse_events", "S1", 2, "AESEQ") in found
    assert ("KEY-004", "assessments", "S1", 4, "ASMDT") in found
    assert ("KEY-005", "medications", "S9", 3, "USUBJID") in found


# -- dates ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("asmdt", "expected"),
    [
        ("2026-01-05", False),  # on the consent day
        ("2026-01-04", True),  # one day before consent
    ],
)
def test_check_record_dates__before_consent(tmp_path: Path, tables, asmdt, expected):
    set_cell(tables, "assessments", 1, "ASMDT", asmdt)
    assert (("DAT-001", "assessments", "S1", 1, "ASMDT") in _found(tmp_path, tables)) is expected


def test_check_record_dates__medications_before_consent_are_exempt(tmp_path: Path, tables):
    assert "DAT-001" not in _rules(_found(tmp_path, tables))  # prednisone started 2025-06-01


@pytest.mark.parametrize(
    ("infdt", "rule"),
    [
        ("2026-02-15", None),  # 14 days after LDSTDT: allowed
        ("2026-02-16", "DAT-003"),  # 15 days: too long after lymphodepletion
        ("2026-01-31", "DAT-002"),  # before LDSTDT
    ],
)
def test_check_subject_dates__infusion_vs_lymphodepletion(tmp_path: Path, tables, infdt, rule):
    set_cell(tables, "subjects", 1, "INFDT", infdt)
    found = _found(tmp_path, tables)
    dat = {r for r, t, _, _, col in found if r in ("DAT-002", "DAT-003")}
    assert dat == ({rule} if rule else set())
    if rule:
        assert (rule, "subjects", "S1", 1, "INFDT") in found


def test_check_record_dates__end_before_start(tmp_path: Path, tables):
    set_cell(tables, "medications", 1, "CMENDT", "2025-05-31")  # day before CMSTDT
    set_cell(tables, "adverse_events", 1, "AEENDT", "2026-02-07")  # same day: fine
    found = _found(tmp_path, tables)
    assert ("DAT-004", "medications", "S1", 1, "CMENDT") in found
    assert not any(r == "DAT-004" and t == "adverse_events" for r, t, *_ in found)


def test_check_subject_dates__death(tmp_path: Path, tables):
    for col, value in (
        ("DTHDT", "2026-02-20"),
        ("EOSSTT", "DISCONTINUED"),
        ("DCSREAS", "DEATH"),
        ("EOSDT", "2026-02-20"),
        ("LSTALVDT", "2026-02-20"),
    ):
        set_cell(tables, "subjects", 1, col, value)
    found = _found(tmp_path, tables)
    assert ("DAT-005", "assessments", "S1", 4, "ASMDT") in found  # 03-06 after death
    assert not any(r == "DAT-005" and row == 3 for r, _, _, row, _ in found)  # on the death day
    assert "DAT-006" not in _rules(found)


def test_check_subject_dates__death_without_matching_status(tmp_path: Path, tables):
    set_cell(tables, "subjects", 1, "DTHDT", "2026-03-06")  # still ONGOING
    set_cell(tables, "subjects", 2, "DCSREAS", "DEATH")  # no DTHDT
    found = _found(tmp_path, tables)
    assert ("DAT-006", "subjects", "S1", 1, "DTHDT") in found
    assert ("DAT-006", "subjects", "S2", 2, "DCSREAS") in found


def test_check_subject_dates__missing_eosdt(tmp_path: Path, tables):
    set_cell(tables, "subjects", 2, "EOSDT", "")
    assert ("DAT-007", "subjects", "S2", 2, "EOSDT") in _found(tmp_path, tables)


def test_check_after_cut__warning_only_with_a_cut(tmp_path: Path, tables):
    cut = dt.date(2026, 3, 5)  # the DAY 28 assessment (03-06) is one day after
    report = run(write_tables(tmp_path, tables), data_cut=cut)
    assert ("DAT-008", "assessments", "S1", 4, "ASMDT") in located(report)
    assert not any(r == "DAT-008" and row == 3 for r, _, _, row, _ in located(report))
    assert report.exit_code == 0


# -- clinical consistency -------------------------------------------------------------------
def test_check_assessment_consistency__onset_flag_without_item(tmp_path: Path, tables):
    set_cell(tables, "assessments", 2, "SLEDAI_RASH_NEW", "Y")  # rash absent
    assert ("CON-001", "assessments", "S1", 2, "SLEDAI_RASH_NEW") in _found(tmp_path, tables)


@pytest.mark.parametrize(
    ("values", "column", "flagged"),
    [
        ({"SLEDAI_LOW_COMPLEMENT": "0", "C3": "0.89"}, "SLEDAI_LOW_COMPLEMENT", True),  # C3 < LLN
        ({"SLEDAI_LOW_COMPLEMENT": "0", "C3": "0.9"}, "SLEDAI_LOW_COMPLEMENT", False),  # at LLN
        ({"SLEDAI_LOW_COMPLEMENT": "1"}, "SLEDAI_LOW_COMPLEMENT", True),  # both normal
        ({"SLEDAI_LOW_COMPLEMENT": "1", "C4": "0.09"}, "SLEDAI_LOW_COMPLEMENT", False),  # C4 low
        ({"SLEDAI_LOW_COMPLEMENT": "1", "C3": "", "C4": ""}, "SLEDAI_LOW_COMPLEMENT", False),
        (
            {"SLEDAI_INCREASED_DNA_BINDING": "1", "DSDNA": "30"},
            "SLEDAI_INCREASED_DNA_BINDING",
            True,
        ),
        (
            {"SLEDAI_INCREASED_DNA_BINDING": "1", "DSDNA": "30.01"},
            "SLEDAI_INCREASED_DNA_BINDING",
            False,
        ),  # just above ULN
        (
            {"SLEDAI_INCREASED_DNA_BINDING": "0", "DSDNA": "31"},
            "SLEDAI_INCREASED_DNA_BINDING",
            True,
        ),
        ({"UPCR": "0.5"}, "SLEDAI_PROTEINURIA", True),  # item present, UPCR not > 0.5
        ({"UPCR": "0.51"}, "SLEDAI_PROTEINURIA", False),  # just above
        ({"UPCR": ""}, "SLEDAI_PROTEINURIA", False),  # not measured: nothing to compare
    ],
)
def test_check_assessment_consistency__labs_vs_items(
    tmp_path: Path, tables, values, column, flagged
):
    for col, value in values.items():
        set_cell(tables, "assessments", 2, col, value)
    found = _found(tmp_path, tables)
    assert (
        any(
            t == "assessments" and row == 2 and col == column and r.startswith("CON")
            for r, t, _, row, col in found
        )
        is flagged
    )


@pytest.mark.parametrize(
    ("asmdt", "flagged"),
    [
        ("2025-12-21", False),  # 42 days before LDSTDT 2026-02-01: still baseline
        ("2025-12-20", True),  # 43 days before: no baseline
    ],
)
def test_check_baseline__window(tmp_path: Path, tables, asmdt, flagged):
    set_cell(tables, "subjects", 1, "CONSDT", "2025-12-01")
    set_cell(tables, "assessments", 1, "ASMDT", "2025-12-10")
    set_cell(tables, "assessments", 2, "ASMDT", asmdt)
    assert (("CON-005", "subjects", "S1", 1, "LDSTDT") in _found(tmp_path, tables)) is flagged


@pytest.mark.parametrize(
    ("asmdt", "flagged"),
    [
        ("2026-02-17", False),  # Day 11: first day of the DAY 14 window
        ("2026-02-16", True),  # Day 10: outside
        ("2026-02-23", False),  # Day 17: last day
        ("2026-02-24", True),  # Day 18
    ],
)
def test_check_visit_windows__boundaries(tmp_path: Path, tables, asmdt, flagged):
    set_cell(tables, "assessments", 3, "ASMDT", asmdt)
    found = _found(tmp_path, tables)
    assert (("CON-006", "assessments", "S1", 3, "VISIT") in found) is flagged
    assert (("CON-007", "assessments", "S1", None, "VISIT") in found) is flagged  # DAY 14 missed


def test_check_visit_windows__baseline_on_day_0(tmp_path: Path, tables):
    set_cell(tables, "assessments", 2, "ASMDT", "2026-02-06")
    assert ("CON-006", "assessments", "S1", 2, "VISIT") in _found(tmp_path, tables)


def test_check_missed_visits__only_visits_due(tmp_path: Path, tables):
    cut = dt.date(2026, 3, 8)  # Day 30: the DAY 28 window (25-31) is not closed yet
    tables["assessments"][1].pop(3)  # drop the DAY 28 assessment
    assert not any(r == "CON-007" for r, *_ in _found(tmp_path, tables, data_cut=cut))
    cut = dt.date(2026, 3, 9)  # Day 31: window closed
    found = _found(tmp_path / "b", tables, data_cut=cut)
    assert ("CON-007", "assessments", "S1", None, "VISIT") in found


@pytest.mark.parametrize(("dthdt", "flagged"), [("", True), ("2026-02-09", False)])
def test_check_fatal_ae_without_death(tmp_path: Path, tables, dthdt, flagged):
    set_cell(tables, "adverse_events", 1, "AETOXGR", "5")
    if dthdt:
        for col, value in (
            ("DTHDT", dthdt),
            ("EOSSTT", "DISCONTINUED"),
            ("DCSREAS", "DEATH"),
            ("EOSDT", dthdt),
            ("LSTALVDT", dthdt),
        ):
            set_cell(tables, "subjects", 1, col, value)
    found = _found(tmp_path, tables)
    assert (("CON-008", "adverse_events", "S1", 1, "AETOXGR") in found) is flagged


@pytest.mark.parametrize(
    ("drug", "dose", "freq", "flagged"),
    [
        ("prednisone", "250", "QID", False),  # exactly 1000 mg/day: not above
        ("prednisone", "1000.0001", "QD", True),  # just above
        ("methylprednisolone", "800", "QD", False),  # 800 x 5/4 = 1000
        ("methylprednisolone", "1000", "QD", True),  # 1250 mg/day pred-eq
        ("dexamethasone", "150", "QD", False),  # 150 x 20/3 = 1000
    ],
)
def test_check_medications__implausible_gc_dose(tmp_path: Path, tables, drug, dose, freq, flagged):
    for col, value in (("CMTRT", drug), ("CMDOSE", dose), ("CMDOSFRQ", freq)):
        set_cell(tables, "medications", 1, col, value)
    found = _found(tmp_path, tables)
    assert (("CON-009", "medications", "S1", 1, "CMDOSE") in found) is flagged


def test_check_medications__unknown_drug(tmp_path: Path, tables):
    set_cell(tables, "medications", 3, "CMTRT", "zzmadeupumab")
    set_cell(tables, "medications", 1, "CMTRT", "zzothermab")
    set_cell(tables, "medications", 1, "CMCLAS", "GLUCOCORTICOID")  # a class: no warning
    found = _found(tmp_path, tables)
    assert ("CON-010", "medications", "S1", 3, "CMTRT") in found
    assert ("CON-010", "medications", "S1", 1, "CMTRT") not in found


@pytest.mark.parametrize(
    ("start2", "indc2", "flagged"),
    [
        ("2026-02-10", "SLE", False),  # shares only the boundary day with record 1
        ("2026-02-09", "SLE", True),  # one day of overlap
        ("2026-02-09", "", True),  # no indication: grouped with SLE (glucocorticoid, §16.24)
        ("2026-02-09", "CRS", False),  # another indication: another "drug"
    ],
)
def test_check_medications__overlap(tmp_path: Path, tables, start2, indc2, flagged):
    set_cell(tables, "medications", 2, "CMSTDT", start2)
    set_cell(tables, "medications", 2, "CMINDC", indc2)
    found = _found(tmp_path, tables)
    # located on the earlier record, whose CMENDT is treated as missing (it runs until record 2)
    assert (("CON-011", "medications", "S1", 1, "CMENDT") in found) is flagged


def test_check_medications__no_indication_after_infusion(tmp_path: Path, tables):
    set_cell(tables, "medications", 3, "CMINDC", "")  # ongoing HCQ: active after Day 0
    set_cell(tables, "medications", 1, "CMINDC", "")  # ends 2026-02-10 (after Day 0 too)
    found = _found(tmp_path, tables)
    assert ("CON-012", "medications", "S1", 3, "CMINDC") in found
    assert ("CON-012", "medications", "S1", 1, "CMINDC") in found


def test_check_medications__overlap_inside_an_earlier_record(tmp_path: Path, tables):
    rows = tables["medications"][1]
    base = ["S1", "", "azathioprine", "", "50", "mg", "QD", "ORAL", "SLE", "", ""]
    for seq, start, end in (
        ("4", "2025-01-01", "2025-03-01"),  # row 7: long record
        ("5", "2025-01-10", "2025-01-20"),  # row 8: inside row 7
        ("6", "2025-02-01", ""),  # row 9: starts before row 7 ends
        ("7", "2025-03-01", "2025-04-01"),
    ):  # row 10: shares 03-01 only
        rows.append([*base[:1], seq, *base[2:9], start, end])
    found = {row for r, t, _, row, _ in _found(tmp_path, tables) if r == "CON-011"}
    assert found == {7}  # row 7 overlaps rows 8 and 9: its CMENDT is the value in question


def test_overlaps__many_groups_each_with_its_own_overlap():
    import polars as pl

    from outcomes.drugs import find_overlapping_records
    from outcomes.validate.params import ValidationParams

    from .conftest import repo_config

    d = dt.date
    rows = []
    for i in range(60):  # 60 groups: group numbers far beyond the first few
        subject = f"S{i:02d}"
        rows.append((2 * i + 1, subject, d(2024, 1, 1), d(2024, 3, 1)))
        rows.append((2 * i + 2, subject, d(2024, 2, 1), d(2024, 4, 1)))
    meds = pl.LazyFrame(
        rows, schema=["ROW", "USUBJID", "CMSTDT", "CMENDT"], orient="row"
    ).with_columns(
        pl.col("ROW").alias("SRCSEQ"),
        pl.lit("azathioprine").alias("CMTRT"),
        pl.lit(None, dtype=pl.String).alias("CMCLAS"),
        pl.lit("ORAL").alias("CMROUTE"),
        pl.lit("SLE").alias("CMINDC"),
        pl.lit("QD").alias("CMDOSFRQ"),
    )
    subjects = pl.LazyFrame(schema={"USUBJID": pl.String, "INFDT": pl.Date})
    drugs = ValidationParams.from_config(repo_config()).drugs
    flagged = find_overlapping_records(meds, subjects=subjects, params=drugs).collect()
    assert sorted(flagged["ROW1"].to_list()) == [2 * i + 1 for i in range(60)]
    assert sorted(flagged["ROW2"].to_list()) == [2 * i + 2 for i in range(60)]
