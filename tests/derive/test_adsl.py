"""Tests of outcomes.derive.adsl.create_adsl: analysis sets (§16.19), baseline copies, order."""

from __future__ import annotations

import datetime as dt

import polars as pl

from outcomes.derive.adsl import ADSL_ORDER, create_adsl

D = dt.date


def test_create_adsl__analysis_sets_and_baseline():
    subjects = pl.LazyFrame(
        {
            "STUDYID": ["T"] * 3,
            "USUBJID": ["S01", "S02", "S03"],
            "SITEID": ["1"] * 3,
            "AGE": [30, 40, 50],
            "SEX": ["F", "M", "F"],
            "WEIGHT": [60.0, None, 55.0],
            "CONSDT": [D(2025, 1, 1)] * 3,
            "DOSELVL": ["DL2", "DL1", None],
            "DOSE": [None] * 3,
            "LDFL": ["Y", "N", "N"],
            "LDSTDT": [D(2025, 3, 27), None, None],
            "INFDT": [D(2025, 4, 1), D(2025, 4, 1), None],
            "EOSSTT": ["ONGOING"] * 3,
            "EOSDT": [None, D(2025, 9, 1), None],
            "DCSREAS": [None, "DEATH", None],
            "DTHDT": [None, D(2025, 9, 1), None],
            "LSTALVDT": [None] * 3,
            "ROW": [1, 2, 3],
            "SRCDOM": ["SUBJECTS"] * 3,
            "SRCSEQ": [1, 2, 3],
        },
        schema_overrides={"DOSE": pl.Float64, "LSTALVDT": pl.Date},
    )
    advisit = pl.LazyFrame(
        {
            # S01: baseline row 2 and one later visit; S02: no baseline; S03: none at all
            "USUBJID": ["S01", "S01", "S02"],
            "SRCSEQ": [2, 5, 7],
            "ABLFL": [True, False, False],
            "ADT": [D(2025, 3, 20), D(2025, 4, 15), D(2025, 4, 15)],
            "SLEDAI2K": [16, 2, 0],
            "SELENA": [16, 2, 0],
            "CSLEDAI": [12, 0, 0],
            "BILAGSC": [30, 0, 0],
            "PGA": [2.1, 0.3, 0.0],
        }
    )
    eligibility = pl.LazyFrame(
        {"USUBJID": ["S01", "S02"], "ELIGFL": [True, None]}, schema_overrides={"ELIGFL": pl.Boolean}
    )
    gc = pl.LazyFrame({"USUBJID": ["S01", "S02", "S03"], "GCDOSEBL": [15.0, 0.0, None]})
    out = create_adsl(
        subjects,
        advisit=advisit,
        eligibility=eligibility,
        gc_baseline=gc,
        dose_levels=("DL1", "DL2", "DL3"),
        data_cut=D(2026, 1, 31),
    ).collect()
    assert tuple(out.columns) == ADSL_ORDER
    assert out.select(
        "USUBJID",
        "DOSELVLN",
        "SAFFL",
        "EFFFL",
        "ELIGFL",
        "DTHFL",
        "BLSEQ",
        "SELENABL",
        "CSLEDBL",
        "PGABL",
        "GCDOSEBL",
        "LSTASMDT",
    ).rows() == [
        ("S01", 2, True, True, True, False, 2, 16, 12, 2.1, 15.0, D(2025, 4, 15)),
        ("S02", 1, True, False, None, True, None, None, None, None, 0.0, D(2025, 4, 15)),
        ("S03", None, False, False, None, False, None, None, None, None, None, None),
    ]
