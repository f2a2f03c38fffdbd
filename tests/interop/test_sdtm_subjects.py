"""Tests of outcomes.interop.sdtm_subjects: DM + EX + DS → subjects."""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl

from outcomes.interop.sdtm_subjects import SUBJECT_COLUMNS, create_subjects

from .frames import default_mapping, text_table

D = dt.date

DM = text_table(
    "STUDYID USUBJID SITEID AGE SEX RFICDTC RFXSTDTC DTHDTC ARMCD ACTARMCD",
    [
        # S1: infused (EX), LD given, completed
        ("ST", "S1", "01", "34", "F", "2025-01-02", "2025-02-01", None, "DL1", "DL1"),
        # S2: no CAR-T in EX, infusion from RFXSTDTC; died; age as 41.0
        (
            "ST",
            "S2",
            "01",
            "41.0",
            "FEMALE",
            "2025-01-05",
            "2025-02-10",
            "2025-06-01",
            "DL2",
            "DL2",
        ),
        # S3: screen failure arm, no EX, no DS: ongoing; partial consent date; age not whole
        ("ST", "S3", "02", "40.5", "U", "2025-01", None, None, "SCRNFAIL", "SCRNFAIL"),
        # S4: unknown arm code kept verbatim, two disposition records
        ("ST", "S4", "02", "29", "M", "2025-01-07", None, None, "DLX", "DLX"),
    ],
)
EX = text_table(
    "USUBJID EXTRT EXDOSE EXDOSU EXSTDTC",
    [
        ("S1", "FLUDARABINE", "30", "mg/m2", "2025-01-27"),
        ("S1", "cyclophosphamide", "500", "mg/m2", "2025-01-28"),
        ("S1", "CAR-T", "1.5", "10^6 cells/kg", "2025-02-01T09:00"),
        ("S2", "FLUDARABINE", "30", "mg/m2", "2025-02-06"),
        ("S4", "CAR-T", "2", "CELLS", "2025-03-01"),  # wrong unit: DOSE empty
        ("S4", "CAR-T", "2", "10^6 CELLS/KG", "2025-04-01"),  # second CAR-T record
    ],
)
DS = text_table(
    "USUBJID DSCAT DSDECOD DSSTDTC",
    [
        ("S1", "DISPOSITION EVENT", "COMPLETED", "2026-02-01"),
        ("S1", "OTHER EVENT", "FINAL LAB VISIT", "2026-02-03"),  # not a disposition record
        ("S2", "DISPOSITION EVENT", "DEATH", "2025-06-01"),
        ("S4", "DISPOSITION EVENT", "ADVERSE EVENT", "2025-05-01"),
        ("S4", "DISPOSITION EVENT", "MOVED AWAY", "2025-07-01"),  # latest; unmapped reason
    ],
)


def _run(ex=EX, ds=DS, **changes):
    mapping = default_mapping()
    rules = dataclasses.replace(mapping.subjects, **changes)
    return create_subjects(DM, ex=ex, ds=ds, rules=rules, disposition=mapping.disposition)


def test_create_subjects__columns_and_order():
    table = _run().table.collect()
    assert table.columns == [*SUBJECT_COLUMNS, "SDTMDOM", "SDTMSEQ"]
    assert table["USUBJID"].to_list() == ["S1", "S2", "S3", "S4"]
    assert table["SDTMSEQ"].to_list() == [1, 2, 3, 4]


def test_create_subjects__demographics_and_arm():
    table = _run().table.collect()
    assert table["AGE"].to_list() == [34, 41, None, 29]
    assert table["SEX"].to_list() == ["F", "F", "U", "M"]
    assert table["CONSDT"].to_list() == [D(2025, 1, 2), D(2025, 1, 5), None, D(2025, 1, 7)]
    assert table["DOSELVL"].to_list() == ["DL1", "DL2", None, "DLX"]
    assert table["DTHDT"].to_list() == [None, D(2025, 6, 1), None, None]


def test_create_subjects__infusion_dose_lymphodepletion():
    table = _run().table.collect()
    assert table["INFDT"].to_list() == [D(2025, 2, 1), D(2025, 2, 10), None, D(2025, 3, 1)]
    assert table["DOSE"].to_list() == [1.5, None, None, None]
    assert table["LDFL"].to_list() == ["Y", "Y", "N", "N"]
    assert table["LDSTDT"].to_list() == [D(2025, 1, 27), D(2025, 2, 6), None, None]


def test_create_subjects__no_rfxstdtc_fallback():
    table = _run(infusion_date_from_rfxstdtc=False).table.collect()
    assert table["INFDT"].to_list() == [D(2025, 2, 1), None, None, D(2025, 3, 1)]


def test_create_subjects__no_ex_domain_leaves_ldfl_unknown():
    table = _run(ex=None).table.collect()
    assert table["LDFL"].to_list() == [None, None, None, None]
    assert table["INFDT"].to_list() == [D(2025, 2, 1), D(2025, 2, 10), None, None]


def test_create_subjects__disposition():
    table = _run().table.collect()
    assert table["EOSSTT"].to_list() == ["COMPLETED", "DISCONTINUED", "ONGOING", "DISCONTINUED"]
    assert table["EOSDT"].to_list() == [D(2026, 2, 1), D(2025, 6, 1), None, D(2025, 7, 1)]
    assert table["DCSREAS"].to_list() == [None, "DEATH", None, "MOVED AWAY"]


def test_create_subjects__problems_reported():
    problems = _run().problems.collect()
    got = set(problems.select("RULE", "DOMAIN", "USUBJID", "VARIABLE").iter_rows())
    assert got == {
        ("SDTM_NOT_A_NUMBER", "DM", "S3", "AGE"),
        ("SDTM_VALUE_UNMAPPED", "DM", "S3", "SEX"),
        ("SDTM_PARTIAL_DATE", "DM", "S3", "RFICDTC"),
        ("SDTM_VALUE_UNMAPPED", "DM", "S4", "ACTARMCD"),
        ("SDTM_DOSE_UNIT", "EX", "S4", "EXDOSU"),
        ("SDTM_CART_REPEATED", "EX", "S4", "EXTRT"),
        ("SDTM_VALUE_UNMAPPED", "DS", "S4", "DSDECOD"),
        ("SDTM_DISPOSITION_REPEATED", "DS", "S4", "DSDECOD"),
    }
    ds_row = problems.filter(pl.col("RULE") == "SDTM_VALUE_UNMAPPED", pl.col("DOMAIN") == "DS")
    assert ds_row["SRCSEQ"].to_list() == [5]
