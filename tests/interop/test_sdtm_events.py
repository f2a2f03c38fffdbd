"""Tests of outcomes.interop.sdtm_events: CM, AE, LB → medications, adverse_events, labs."""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl

from outcomes.interop.sdtm_events import create_adverse_events, create_labs, create_medications

from .frames import default_mapping, text_table

D = dt.date

CM = text_table(
    "USUBJID CMSEQ CMTRT CMCLAS CMDOSE CMDOSU CMDOSFRQ CMROUTE CMINDC CMSTDTC CMENDTC",
    [
        (
            "S1",
            "1",
            "PREDNISONE",
            "GLUCOCORTICOID",
            "10",
            "mg",
            "QD",
            "ORAL",
            "SYSTEMIC LUPUS ERYTHEMATOSUS",
            "2025-01-01",
            "2025-03-01",
        ),
        (
            "S1",
            "2.0",
            "ASPIRIN",
            "NERVOUS SYSTEM",
            "1",
            "TABLET",
            "PRN",
            "RESPIRATORY (INHALATION)",
            None,
            "2024",
            None,
        ),
        (
            "S2",
            "1",
            "TOCILIZUMAB",
            None,
            "x",
            "MCG",
            "ONCE",
            "INTRAVENOUS",
            "CRS",
            "2025-02-03T08:00",
            None,
        ),
    ],
)


def test_create_medications__values_and_order():
    table = create_medications(CM, rules=default_mapping().medications).table.collect()
    assert table["CMSEQ"].to_list() == [1, 2, 1]
    assert table["CMCLAS"].to_list() == [None, None, None]  # no class_variable by default
    assert table["CMDOSE"].to_list() == [10.0, 1.0, None]
    assert table["CMDOSU"].to_list() == ["mg", "TABLET", "ug"]
    assert table["CMDOSFRQ"].to_list() == ["QD", "PRN", "ONCE"]
    assert table["CMROUTE"].to_list() == ["ORAL", "INHALED", "INTRAVENOUS"]
    assert table["CMINDC"].to_list() == ["SLE", None, "CRS"]
    assert table["CMSTDT"].to_list() == [D(2025, 1, 1), None, D(2025, 2, 3)]
    assert table["CMENDT"].to_list() == [D(2025, 3, 1), None, None]
    assert table["SDTMSEQ"].to_list() == [1, 2, 3]


def test_create_medications__class_variable_and_problems():
    rules = dataclasses.replace(
        default_mapping().medications, class_variable="CMCLAS", classes={"NERVOUS SYSTEM": "OTHER"}
    )
    result = create_medications(CM, rules=rules)
    assert result.table.collect()["CMCLAS"].to_list() == ["GLUCOCORTICOID", "OTHER", None]
    got = set(result.problems.collect().select("RULE", "USUBJID", "VARIABLE", "VALUE").iter_rows())
    assert got == {
        ("SDTM_VALUE_UNMAPPED", "S1", "CMDOSU", "TABLET"),
        ("SDTM_VALUE_UNMAPPED", "S1", "CMDOSFRQ", "PRN"),
        ("SDTM_PARTIAL_DATE", "S1", "CMSTDTC", "2024"),
        ("SDTM_NOT_A_NUMBER", "S2", "CMDOSE", "x"),
    }


AE = text_table(
    "USUBJID AESEQ AETERM AEDECOD AECAT AESTDTC AEENDTC AETOXGR AESEV AESER AEREL",
    [
        (
            "S1",
            "1",
            "CRS",
            "Cytokine release syndrome",
            None,
            "2025-02-02",
            "2025-02-05",
            "2",
            "MODERATE",
            "Y",
            "RELATED",
        ),
        (
            "S1",
            "2",
            "Headache",
            "Headache",
            "ICANS",
            "2025-02-03",
            None,
            None,
            "MILD",
            "N",
            "POSSIBLE",
        ),
        (
            "S2",
            "1",
            "Rash",
            None,
            "SKIN",
            "2025-03",
            None,
            None,
            "LIFE THREATENING",
            "YES",
            "UNKNOWN",
        ),
    ],
)


def test_create_adverse_events__rules():
    result = create_adverse_events(AE, rules=default_mapping().adverse_events)
    table = result.table.collect()
    assert table["AESEQ"].to_list() == [1, 2, 1]
    assert table["AECAT"].to_list() == ["CRS", "ICANS", "OTHER"]
    assert table["AETOXGR"].to_list() == [2, 1, None]
    assert table["AESER"].to_list() == ["Y", "N", "Y"]
    assert table["AEREL"].to_list() == ["Y", "Y", "UNKNOWN"]
    assert table["AESTDT"].to_list() == [D(2025, 2, 2), D(2025, 2, 3), None]
    assert table["AEENDT"].to_list() == [D(2025, 2, 5), None, None]
    got = set(
        result.problems.collect().select("RULE", "SEVERITY", "USUBJID", "VARIABLE").iter_rows()
    )
    assert got == {
        ("SDTM_VALUE_UNMAPPED", "WARNING", "S2", "AEREL"),
        ("SDTM_VALUE_UNMAPPED", "ERROR", "S2", "AETOXGR"),
        ("SDTM_PARTIAL_DATE", "WARNING", "S2", "AESTDTC"),
    }


def test_create_labs__one_row_per_record():
    lb = text_table(
        "USUBJID LBTESTCD LBSTRESN LBSTRESU LBSTNRLO LBSTNRHI LBDTC",
        [
            ("S1", "PLT", "150", "10^9/L", "150", "400", "2025-01-01T08:00"),
            ("S1", "ALT", None, "U/L", None, "40", "2025-01-01"),
            ("S1", "ANC", "<0.5", "10^9/L", None, None, "2025-01-02"),
        ],
    )
    result = create_labs(lb)
    table = result.table.collect()
    assert table.select("LBTESTCD", "LBSTRESN", "LBSTNRLO", "LBSTNRHI", "LBDT").rows() == [
        ("PLT", 150.0, 150.0, 400.0, D(2025, 1, 1)),
        ("ALT", None, None, 40.0, D(2025, 1, 1)),
        ("ANC", None, None, None, D(2025, 1, 2)),
    ]
    problems = result.problems.collect()
    assert problems.select("RULE", "SRCSEQ", "VALUE").rows() == [("SDTM_NOT_A_NUMBER", 3, "<0.5")]
    assert table.schema["LBDT"] == pl.Date
