"""Eligibility at screening (endpoints.md §10, §16.20): Ex 16, Ex 17 and boundaries."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import polars as pl
import pytest
from polars.testing import assert_series_equal

from outcomes import contract as c
from outcomes.configuration import load_config
from outcomes.eligibility import (
    EligibilityParams,
    compute_creatinine_clearance,
    create_eligibility,
    filter_last_record,
)
from outcomes.errors import ConfigError

PARAMS = EligibilityParams(
    age_min=18,
    age_max=75,
    selena_ge_with_bilag=6,
    bilag_a_ge=1,
    bilag_b_ge=2,
    selena_ge_alone=8,
    anc_ge_10e9_per_l=Fraction(1),
    hgb_ge_g_per_l=Fraction(60),
    uln_multiple_le={
        "ALT": Fraction(3),
        "AST": Fraction(3),
        "TBIL": Fraction(3, 2),
        "INR": Fraction(3, 2),
        "PT": Fraction(3, 2),
    },
    crcl_ge_ml_per_min=Fraction(30),
    crcl_body_weight="actual",
    activity_missing="bounds",
    cg_female_factor=Fraction("0.85"),
    creatinine_umol_per_l_per_mg_dl=Fraction("88.4"),
    lab_unit_factors={
        "ANC": {"10^9/L": Fraction(1), "cells/uL": Fraction(1, 1000)},
        "HGB": {"g/L": Fraction(1), "g/dL": Fraction(10)},
        "CREAT": {"umol/L": Fraction(1), "mg/dL": Fraction("88.4")},
    },
    screening_visit="SCREENING",
    screening_lab_days_before_consent=28,
    baseline_window_days=42,
)
D = dt.date


def _subjects(rows: list[tuple]) -> pl.LazyFrame:
    return pl.LazyFrame(
        rows,
        schema={
            "USUBJID": pl.String,
            "AGE": pl.Int64,
            "SEX": pl.String,
            "WEIGHT": pl.Float64,
            "CONSDT": pl.Date,
            "LDFL": pl.String,
            "LDSTDT": pl.Date,
            "INFDT": pl.Date,
        },
        orient="row",
    )


def _assessment(
    usubjid: str,
    *,
    items: dict[str, int],
    grades: dict[str, str],
    row: int,
    visit: str = "SCREENING",
    asmdt: dt.date = dt.date(2026, 1, 10),
    new: str | None = "Y",
) -> dict:
    out = {"USUBJID": usubjid, "VISIT": visit, "ASMDT": asmdt, "ROW": row, "SRCSEQ": row}
    out |= {col: items.get(col.removeprefix("SLEDAI_"), 0) for col in c.SLEDAI_COLUMNS}
    out |= dict.fromkeys(c.SELENA_ONSET_COLUMNS, new)
    out |= {col: grades.get(col.removeprefix("BILAG_"), "E") for col in c.BILAG_COLUMNS}
    return out


def _assessments(rows: list[dict]) -> pl.LazyFrame:
    schema = {
        "USUBJID": pl.String,
        "VISIT": pl.String,
        "ASMDT": pl.Date,
        "ROW": pl.Int64,
        "SRCSEQ": pl.Int64,
    }
    schema |= dict.fromkeys(c.SLEDAI_COLUMNS, pl.Int8)
    schema |= dict.fromkeys(c.SELENA_ONSET_COLUMNS, pl.String)
    schema |= dict.fromkeys(c.BILAG_COLUMNS, pl.String)
    return pl.LazyFrame(rows, schema=schema)


def _labs(rows: list[tuple]) -> pl.LazyFrame:
    return pl.LazyFrame(
        rows,
        schema={
            "USUBJID": pl.String,
            "LBTESTCD": pl.String,
            "LBSTRESN": pl.Float64,
            "LBSTRESU": pl.String,
            "LBSTNRHI": pl.Float64,
            "LBDT": pl.Date,
            "ROW": pl.Int64,
        },
        orient="row",
    )


NO_LABS = _labs([])


def _subject(usubjid: str, age: int = 40) -> tuple:
    return (usubjid, age, "F", 60.0, D(2026, 1, 5), "Y", D(2026, 2, 1), D(2026, 2, 6))


def test_create_eligibility__ex16_activity():
    # SS built from items: ARTHRITIS 4, RASH 2 (new), FEVER 1, SEIZURE 8
    cases = [
        # USUBJID items                              grades                  expected
        ("E1", {"ARTHRITIS": 1, "RASH": 1}, {"RENAL": "A"}, True),  # SS 6, 1 A
        ("E2", {"ARTHRITIS": 1, "RASH": 1}, {"MSK": "B", "MUCO": "B"}, True),  # SS 6, 2 B
        ("E3", {"ARTHRITIS": 1, "RASH": 1, "FEVER": 1}, {"MSK": "B"}, False),  # SS 7, 1 B
        ("E4", {"SEIZURE": 1}, {}, True),  # SS 8, no A/B
        ("E5", {"ARTHRITIS": 1, "FEVER": 1}, {"RENAL": "A"}, False),  # SS 5, 1 A
    ]
    subjects = _subjects([_subject(u) for u, *_ in cases])
    rows = [_assessment(u, items=i, grades=g, row=k) for k, (u, i, g, _) in enumerate(cases, 1)]
    out = create_eligibility(
        subjects, assessments=_assessments(rows), labs=NO_LABS, params=PARAMS
    ).collect()
    assert out["ELACTFL"].to_list() == [True, True, False, True, False]
    assert out["SRCSEQ"].to_list() == [1, 2, 3, 4, 5]


def test_create_eligibility__activity_bounds_with_missing_items():
    base = {"ARTHRITIS": 1, "RASH": 1}  # SS 6 at the lower bound
    missing_grade = _assessment("M1", items=base, grades={}, row=1)
    missing_grade["BILAG_RENAL"] = None  # could be A (eligible) or E (not): not evaluable
    missing_item = _assessment("M2", items={"SEIZURE": 1}, grades={}, row=2)
    missing_item["SLEDAI_FEVER"] = None  # SS 8 already: eligible at both bounds
    no_onset = _assessment("M3", items={"SEIZURE": 1, "RASH": 1}, grades={}, row=3, new=None)
    out = create_eligibility(
        _subjects([_subject("M1"), _subject("M2"), _subject("M3")]),
        assessments=_assessments([missing_grade, missing_item, no_onset]),
        labs=NO_LABS,
        params=PARAMS,
    ).collect()
    assert out["ELACTFL"].to_list() == [None, True, True]


def test_create_eligibility__ex16_labs_and_boundaries():
    day = D(2026, 1, 10)
    labs = _labs(
        [
            ("L1", "ANC", 0.99, "10^9/L", 7.5, day, 1),  # fails
            ("L2", "ANC", 1.0, "10^9/L", 7.5, day, 2),  # at the limit: passes
            ("L3", "ANC", 999.0, "cells/uL", None, day, 3),  # 0.999 x 10^9/L: fails
            ("L1", "HGB", 60.0, "g/L", 155.0, day, 4),  # passes
            ("L2", "HGB", 5.9, "g/dL", 15.5, day, 5),  # 59 g/L: fails
            ("L3", "HGB", 6.0, "g/dL", 15.5, day, 6),  # 60 g/L: passes
            ("L1", "ALT", 120.0, "U/L", 40.0, day, 7),  # 3.0 x ULN: passes
            ("L2", "ALT", 120.01, "U/L", 40.0, day, 8),  # just above: fails
            ("L1", "TBIL", 33.6, "umol/L", 21.0, day, 9),  # 1.6 x ULN: fails
            ("L2", "TBIL", 31.5, "umol/L", 21.0, day, 10),  # 1.5 x ULN: passes
            (
                "L3",
                "HGB",
                50.0,
                "g/L",
                155.0,
                D(2025, 12, 7),
                11,
            ),  # 29 days before consent: ignored
            ("L1", "INR", 1.8, "RATIO", 1.2, day, 12),  # 1.5 x ULN: passes
            ("L1", "PT", 19.6, "s", 13.0, day, 13),  # 1.5077 x ULN: fails
        ]
    )
    subjects = _subjects([_subject("L1"), _subject("L2"), _subject("L3")])
    out = create_eligibility(
        subjects, assessments=_assessments([]), labs=labs, params=PARAMS
    ).collect()
    assert out["ELANCFL"].to_list() == [False, True, False]
    assert out["ELHGBFL"].to_list() == [True, False, True]
    assert out["ELALTFL"].to_list() == [True, False, None]
    assert out["ELTBILFL"].to_list() == [False, True, None]
    assert out["ELINRFL"].to_list() == [True, None, None]
    assert out["ELPTFL"].to_list() == [False, None, None]
    assert out["ELIGFL"].to_list() == [False, False, False]


@pytest.mark.parametrize(
    ("age", "expected"), [(17, False), (18, True), (75, True), (76, False), (None, None)]
)
def test_create_eligibility__age(age, expected):
    out = create_eligibility(
        _subjects([_subject("A1", age)]), assessments=_assessments([]), labs=NO_LABS, params=PARAMS
    ).collect()
    assert out["ELAGEFL"].to_list() == [expected]
    assert out["ELIGFL"].to_list() == [False if expected is False else None]


def test_compute_creatinine_clearance__ex17():
    frame = pl.DataFrame(
        {
            "AGE": [35, 50, 70],
            "WEIGHT": [60.0, 70.0, 50.0],
            "CREAT": [0.80 * 88.4, 106.0, 88.4],
            "SEX": ["F", "M", "F"],
        }
    )
    crcl = frame.select(
        compute_creatinine_clearance(
            age=pl.col("AGE"),
            weight_kg=pl.col("WEIGHT"),
            creatinine_umol_per_l=pl.col("CREAT"),
            female=pl.col("SEX") == "F",
            umol_per_mg_dl=Fraction("88.4"),
            female_factor=Fraction("0.85"),
        )
        .round(2)
        .alias("CRCL")
    )["CRCL"]
    assert_series_equal(crcl, pl.Series("CRCL", [92.97, 72.97, 41.32]))


def test_create_eligibility__crcl_threshold_and_missing_weight():
    # (140 - 70) x W / (72 x 1.0) x 0.85 >= 30  <=>  W >= 36.3025... kg; SCr 1.0 mg/dL
    subjects = _subjects(
        [
            ("C1", 70, "F", 36.31, D(2026, 1, 5), "N", None, D(2026, 2, 6)),  # 30.0048: passes
            ("C2", 70, "F", 36.30, D(2026, 1, 5), "N", None, D(2026, 2, 6)),  # 29.9965: fails
            ("C3", 70, "F", None, D(2026, 1, 5), "N", None, D(2026, 2, 6)),  # no weight: unknown
        ]
    )
    labs = _labs(
        [
            (u, "CREAT", 1.0, "mg/dL", None, D(2026, 1, 10), k)
            for k, u in enumerate(["C1", "C2", "C3"], 1)
        ]
    )
    out = create_eligibility(
        subjects, assessments=_assessments([]), labs=labs, params=PARAMS
    ).collect()
    assert out["ELCRCLFL"].to_list() == [True, False, None]


def test_create_eligibility__screening_falls_back_to_baseline():
    subjects = _subjects([_subject("B1")])
    rows = [
        _assessment(
            "B1", items={"SEIZURE": 1}, grades={}, row=1, visit="BASELINE", asmdt=D(2026, 1, 30)
        ),  # baseline (before LDSTDT 02-01): eligible
        _assessment("B1", items={}, grades={}, row=2, visit="DAY 14", asmdt=D(2026, 2, 20)),
    ]
    out = create_eligibility(
        subjects, assessments=_assessments(rows), labs=NO_LABS, params=PARAMS
    ).collect()
    assert out.select("ELACTFL", "SRCSEQ").row(0) == (True, 1)


def test_eligibility_cross_field_check_runs_with_every_config_check():
    """The section's check is registered by config's own section list (no side-effect import)."""
    with pytest.raises(ConfigError, match=r"eligibility.age_min must be <= eligibility.age_max"):
        load_config(overrides={"eligibility": {"age_min": 80}})


def test_filter_last_record__last_by_order_then_row_taken_whole():
    D = dt.date
    records = pl.LazyFrame(
        {
            "USUBJID": ["S1", "S1", "S1", "S2", "S2", "S3"],
            "LBTESTCD": ["ANC", "ANC", "HGB", "ANC", "ANC", "ANC"],
            "LBDT": [
                D(2026, 1, 9),
                D(2026, 1, 3),
                D(2026, 1, 1),
                D(2026, 1, 5),
                D(2026, 1, 5),
                None,
            ],
            "ROW": [1, 2, 3, 4, 5, 6],
            "LBSTRESN": [1.5, 2.5, 120.0, 3.0, 4.0, 5.0],
        }
    )
    # S1 ANC: the later date wins over the higher ROW; S2 ANC: same date, the higher ROW wins;
    # a null date sorts first, so it is chosen only when it is the group's only record
    out = filter_last_record(records, records, by=["USUBJID", "LBTESTCD"], order=["LBDT"])
    got = out.collect().sort("ROW")
    assert got["ROW"].to_list() == [1, 3, 5, 6]
    assert got["LBSTRESN"].to_list() == [1.5, 120.0, 4.0, 5.0]
    assert got.columns == ["USUBJID", "LBTESTCD", "LBDT", "ROW", "LBSTRESN"]
