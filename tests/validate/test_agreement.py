"""Validation and derivation agree (issue: medications and cell typing written twice).

Each test takes the tiny export of ``conftest``, validates it, builds the validated tables the
way the workflow does (:func:`read_typed_table`, then excluded.csv applied) and derives from
them; expected values are typed by hand.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from outcomes.derive.medications import create_adcm
from outcomes.drugs import MedicationParams, find_overlapping_records
from outcomes.errors import InputDataError
from outcomes.ingest.exclusions import apply_exclusions
from outcomes.io.export import cast_table, read_raw_table, type_table
from outcomes.validate.structure import read_typed_table

from .conftest import base_tables, repo_config, run, set_cell, write_tables

CUT = dt.date(2026, 6, 30)
BASE = ["S1", "", "", "", "", "mg", "QD", "ORAL", "SLE", "", ""]


def _params() -> MedicationParams:
    return MedicationParams.from_config(repo_config()["medications"])


def _add_meds(tables, *records: tuple[str, str, str, str, str, str, str]) -> None:
    """Append (CMSEQ, CMTRT, CMDOSE, CMROUTE, CMINDC, CMSTDT, CMENDT) records of S1."""
    for seq, drug, dose, route, indc, start, end in records:
        row = list(BASE)
        row[1], row[2], row[4], row[7], row[8], row[9], row[10] = (
            seq,
            drug,
            dose,
            route,
            indc,
            start,
            end,
        )
        tables["medications"][1].append(row)


def _with_meds(tmp_path: Path, *records: tuple[str, ...]):
    """The tiny export with medication ``records`` of S1 added (data rows 7, 8, ... after the six
    of conftest), and its validation report."""
    tables = base_tables()
    _add_meds(tables, *records)
    folder = write_tables(tmp_path, tables)
    return folder, run(folder)


def _validated(folder: Path, report, table: str) -> pl.LazyFrame:
    typed = read_typed_table(folder, table)
    return apply_exclusions(typed.lazy(), report.excluded, table=table)


def _adcm(folder: Path, report) -> pl.DataFrame:
    return create_adcm(
        _validated(folder, report, "medications"),
        subjects=_validated(folder, report, "subjects"),
        data_cut=CUT,
        params=_params(),
    ).collect()


def _rules(report, rule: str) -> list[tuple]:
    hits = report.issues.filter(pl.col("RULE") == rule)
    return hits.select("ROW", "COLUMN").rows()


# -- same-day duplicate of one drug ------------------------------------------------------------
def test_same_day_duplicate__is_a_located_error_and_the_later_record_is_excluded(tmp_path):
    folder, report = _with_meds(
        tmp_path,
        ("4", "azathioprine", "50", "ORAL", "SLE", "2025-03-01", "2025-06-30"),
        ("5", "Azathioprine", "100", "ORAL", "SLE", "2025-03-01", "2025-06-30"),
    )
    assert _rules(report, "CON-013") == [(8, "CMSTDT")]
    assert _rules(report, "CON-011") == []
    adcm = _adcm(folder, report).filter(pl.col("DRUG") == "azathioprine")
    # the record kept is active for its whole recorded period at its own dose; no dose increase
    mg = pl.col("DAILYMG").round(6)
    assert adcm.select("SRCSEQ", "ASTDT", "AENDT", mg, "NEWFL", "DOSEUPFL").rows() == [
        (4, dt.date(2025, 3, 1), dt.date(2025, 6, 30), 50.0, True, False)
    ]


# -- route and indication decide "same drug" for both ------------------------------------------
@pytest.mark.parametrize("drug", ["tacrolimus", "prednisolone"])
def test_topical_record_without_indication_inside_an_oral_sle_course(tmp_path, drug):
    folder, report = _with_meds(
        tmp_path,
        ("4", drug, "5", "ORAL", "SLE", "2025-03-01", "2025-09-30"),
        ("5", drug, "1", "TOPICAL", "", "2025-04-01", "2025-04-20"),
    )
    assert _rules(report, "CON-011") == []  # not the same drug: no overlap error
    adcm = _adcm(folder, report).filter(pl.col("DRUG") == drug).sort("SRCSEQ")
    # the derivation keeps them apart too: the oral course is not cut short by the ointment
    assert adcm.select("SRCSEQ", "INDCGRP", "AENDT").rows() == [
        (4, "SLE", dt.date(2025, 9, 30)),
        (5, "(MISSING)", dt.date(2025, 4, 20)),
    ]


def test_lymphodepletion_cyclophosphamide_inside_an_sle_course(tmp_path):
    # S1 infused 2026-02-06: LD window Day -5 .. -1
    folder, report = _with_meds(
        tmp_path,
        ("4", "cyclophosphamide", "50", "ORAL", "SLE", "2026-01-01", "2026-02-28"),
        ("5", "cyclophosphamide", "500", "INTRAVENOUS", "", "2026-02-02", "2026-02-04"),
    )
    assert _rules(report, "CON-011") == []
    adcm = _adcm(folder, report).filter(pl.col("DRUG") == "cyclophosphamide").sort("SRCSEQ")
    assert adcm["CLASS"].to_list() == ["IS_CONVENTIONAL", "LYMPHODEPLETION"]


# -- overlap: the validator's pairs are the derivation's, and its action is D-33 ---------------
def test_overlap__validator_uses_the_derivation_pairs_and_its_action_changes_nothing(tmp_path):
    folder, report = _with_meds(
        tmp_path,
        ("4", "azathioprine", "50", "ORAL", "SLE", "2025-03-01", "2025-06-30"),
        ("5", "azathioprine", "100", "ORAL", "", "2025-05-01", "2025-08-31"),
    )
    assert _rules(report, "CON-011") == [(7, "CMENDT")]
    pairs = find_overlapping_records(
        read_typed_table(folder, "medications").lazy(),
        subjects=read_typed_table(folder, "subjects").lazy(),
        params=_params(),
    ).collect()
    assert pairs.select("ROW1", "ROW2", "SAMEDAY").rows() == [(7, 8, False)]
    # with the earlier CMENDT set missing the record runs until the later one starts, which is
    # the window the derivation gives the recorded dates (D-33): the action changes nothing
    as_recorded = create_adcm(
        read_typed_table(folder, "medications").lazy(),
        subjects=read_typed_table(folder, "subjects").lazy(),
        data_cut=CUT,
        params=_params(),
    ).collect()
    cols = ["SRCSEQ", "ASTDT", "AENDT", "NEWFL", "DOSEUPFL"]
    assert _adcm(folder, report).select(cols).equals(as_recorded.select(cols))
    aza = as_recorded.filter(pl.col("DRUG") == "azathioprine").select(cols).rows()
    assert aza == [
        (4, dt.date(2025, 3, 1), dt.date(2025, 4, 30), True, False),
        (5, dt.date(2025, 5, 1), dt.date(2025, 8, 31), False, True),
    ]


# -- dictionary and prednisone-equivalent --------------------------------------------------------
def test_unknown_drug__validator_warns_where_the_derivation_finds_no_dictionary_entry(tmp_path):
    folder, report = _with_meds(
        tmp_path,
        ("4", " PREDNISOLONE ", "5", "ORAL", "SLE", "2025-03-01", "2025-03-31"),
        ("5", "zzmadeupumab", "5", "ORAL", "SLE", "2025-03-01", "2025-03-31"),
    )
    assert [r for r, _ in _rules(report, "CON-010")] == [8]
    adcm = _adcm(folder, report).sort("SRCSEQ")
    assert adcm.filter(~pl.col("DICTFL"))["SRCSEQ"].to_list() == [5]


@pytest.mark.parametrize(
    ("drug", "dose", "flagged", "predeq"),
    [
        ("dexamethasone", "150", False, 1000.0),  # 150 x 5 / 0.75 = 1000: at the limit
        ("dexamethasone", "150.0001", True, 1000.0007),
        ("methylprednisolone", "800", False, 1000.0),  # 800 x 5 / 4
    ],
)
def test_implausible_gc_dose__same_prednisone_equivalent(tmp_path, drug, dose, flagged, predeq):
    folder, report = _with_meds(
        tmp_path, ("4", drug, dose, "INTRAVENOUS", "SLE", "2025-03-01", "2025-03-01")
    )
    assert ((7, "CMDOSE") in _rules(report, "CON-009")) is flagged
    adcm = _adcm(folder, report)
    assert adcm.filter(pl.col("SRCSEQ") == 4)["PREDEQ"].to_list() == [predeq]


# -- cell typing -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("table", "row", "column", "value"),
    [
        ("subjects", 1, "AGE", "34.5"),
        ("subjects", 1, "WEIGHT", "NaN"),
        ("subjects", 1, "WEIGHT", "inf"),
        ("assessments", 3, "PGA", "-inf"),
        ("assessments", 3, "SLEDAI_RASH", "1.0"),
    ],
)
def test_cell_typing__one_typing_for_validator_and_tables(tmp_path, table, row, column, value):
    tables = base_tables()
    set_cell(tables, table, row, column, value)
    folder = write_tables(tmp_path, tables)
    report = run(folder)
    rule = "VAL-005" if column.startswith("SLEDAI") else "VAL-004"
    assert (rule, row, column) in report.issues.select("RULE", "ROW", "COLUMN").rows()
    raw = read_raw_table(folder / f"{table}.csv")
    assert type_table(raw, table).filter(pl.col("ROW") == row)[column].to_list() == [None]
    assert _validated(folder, report, table).collect().filter(pl.col("ROW") == row)[
        column
    ].to_list() == [None]
    with pytest.raises(InputDataError, match=column):
        cast_table(raw, table)
