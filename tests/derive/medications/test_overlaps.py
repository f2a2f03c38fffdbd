"""find_overlapping_records and derive_var_drug_class (§8.1 [D-33], §16.10, §16.24)."""

from __future__ import annotations

# fmt: off
# (the medication tables below are kept one record per line)
import polars as pl

from outcomes.drugs.dictionary import derive_var_drug_class
from outcomes.drugs.overlaps import OVERLAP_COLUMNS, find_overlapping_records

from .conftest import d


def _pairs(meds, params, rows) -> list[tuple[int, int]]:
    subjects = pl.LazyFrame(schema={"USUBJID": pl.String, "INFDT": pl.Date})
    out = find_overlapping_records(meds(rows), subjects=subjects, params=params).collect()
    assert out.columns == list(OVERLAP_COLUMNS)
    return list(zip(out["SRCSEQ1"].to_list(), out["SRCSEQ2"].to_list(), strict=True))


def test_find_overlapping_records__boundary_day_is_allowed(meds, params):
    rows = [
        ("S1", 1, "prednisone", None, 10.0, "mg", "QD", "ORAL", "SLE", "2025-01-01", "2025-01-10"),
        ("S1", 2, "Prednisone", None, 15.0, "mg", "QD", "ORAL", "SLE", "2025-01-10", None),
    ]
    assert _pairs(meds, params, rows) == []


def test_find_overlapping_records__two_shared_days_are_an_error(meds, params):
    rows = [
        ("S1", 1, "prednisone", None, 10.0, "mg", "QD", "ORAL", "SLE", "2025-01-01", "2025-01-11"),
        ("S1", 2, "prednisone", None, 15.0, "mg", "QD", "ORAL", None, "2025-01-10", None),
    ]  # a record without CMINDC is grouped with the SLE records of a GC (§16.24)
    subjects = pl.LazyFrame(schema={"USUBJID": pl.String, "INFDT": pl.Date})
    out = find_overlapping_records(meds(rows), subjects=subjects, params=params).collect()
    assert out.row(0) == (
        "S1", "prednisone", "SLE", 1, 1, d("2025-01-01"), d("2025-01-11"), 2, 2,
        d("2025-01-10"), None, False,
    )


def test_find_overlapping_records__what_is_not_an_overlap(meds, params):
    rows = [
        # open record followed by the next one: runs until it (§16.10)
        ("S1", 1, "azathioprine", None, 50.0, "mg", "QD", "ORAL", "SLE", "2025-01-01", None),
        ("S1", 2, "azathioprine", None, 100.0, "mg", "QD", "ORAL", "SLE", "2025-02-01", None),
        # the same INN for another indication at the same time (§16.10)
        ("S1", 3, "dexamethasone", None, 10.0, "mg", "QD", "INTRAVENOUS", "ICANS", "2025-01-05",
         "2025-01-09"),
        ("S1", 4, "dexamethasone", None, 1.0, "mg", "QD", "ORAL", "SLE", "2025-01-01",
         "2025-01-31"),
        # different drugs on the same days add up
        ("S1", 5, "prednisolone", None, 5.0, "mg", "QD", "ORAL", "SLE", "2025-01-01",
         "2025-01-31"),
        # other subject, same drug and dates
        ("S2", 6, "prednisolone", None, 5.0, "mg", "QD", "ORAL", "SLE", "2025-01-01",
         "2025-01-31"),
        # weekly tails are not recorded dates (§16.24)
        ("S1", 7, "methotrexate", None, 10.0, "mg", "QW", "ORAL", "SLE", "2025-01-01",
         "2025-01-29"),
        ("S1", 8, "methotrexate", None, 15.0, "mg", "QW", "ORAL", "SLE", "2025-02-01", None),
    ]
    assert _pairs(meds, params, rows) == []


def test_find_overlapping_records__same_start_day_and_inside(meds, params):
    rows = [
        ("S1", 1, "azathioprine", None, 50.0, "mg", "QD", "ORAL", "SLE", "2025-01-01", None),
        ("S1", 2, "azathioprine", None, 100.0, "mg", "QD", "ORAL", "SLE", "2025-01-01", None),
        ("S1", 3, "rituximab", None, 1.0, "g", "ONCE", "INTRAVENOUS", "SLE", "2025-03-01", None),
        ("S1", 4, "rituximab", None, 1.0, "g", "ONCE", "INTRAVENOUS", "SLE", "2025-03-15", None),
        ("S1", 5, "hydroxychloroquine", None, 200.0, "mg", "QD", "ORAL", "SLE", "2025-01-01",
         "2025-06-30"),
        ("S1", 6, "hydroxychloroquine", None, 400.0, "mg", "QD", "ORAL", "SLE", "2025-03-01",
         "2025-03-31"),
    ]
    assert _pairs(meds, params, rows) == [(1, 2), (5, 6)]


def test_derive_var_drug_class__lookup(meds, params):
    rows = [
        ("S1", 1, "Plaquenil-like", None, 1.0, "mg", "QD", "ORAL", "SLE", "2025-01-01", None),
        ("S1", 2, "Plaquenil-like", "ANTIMALARIAL", 1.0, "mg", "QD", "ORAL", "SLE", "2025-01-01",
         None),
        ("S1", 3, "CycloSPORINE", None, 1.0, "mg", "QD", "ORAL", "SLE", "2025-01-01", None),
    ]
    out = derive_var_drug_class(meds(rows), params=params).collect()
    expected = pl.DataFrame(
        {"DRUG": ["plaquenil-like", "plaquenil-like", "ciclosporin"],
         "CLASS": ["OTHER", "ANTIMALARIAL", "IS_CONVENTIONAL"], "DICTFL": [False, False, True]}
    )
    assert out.select("DRUG", "CLASS", "DICTFL").equals(expected)
