"""derive_vars_medications, derive_var_gcdosebl: medications on dates (§5.1, §7.2, §8, §16)."""

from __future__ import annotations

# fmt: off
# (the medication tables below are kept one record per line)
import polars as pl
from polars.testing import assert_frame_equal

from outcomes.derive.medications.exposure import (
    MEDICATION_COLUMNS,
    derive_var_gcdosebl,
    derive_vars_medications,
)
from outcomes.derive.medications.records import create_adcm

from .conftest import CUT, d


def _visits(rows, with_reference=True) -> pl.LazyFrame:
    """Rows (USUBJID, ADT, STABREFDT) with ISO date text."""
    frame = pl.LazyFrame(
        [(u, d(a), d(s)) for u, a, s in rows],
        schema={"USUBJID": pl.String(), "ADT": pl.Date(), "STABREFDT": pl.Date()},
        orient="row",
    )
    return frame if with_reference else frame.drop("STABREFDT")


def _run(meds, subjects, params, med_rows, visit_rows, with_reference=True) -> pl.DataFrame:
    adcm = create_adcm(meds(med_rows), subjects=subjects({"S1": "2025-04-01", "S2": "2025-04-01"}),
                       data_cut=CUT, params=params)
    visits = _visits(visit_rows, with_reference)
    return derive_vars_medications(visits, adcm=adcm, params=params).collect()


def test_derive_vars_medications__shape_and_order(meds, subjects, params):
    med = [("S1", 1, "prednisone", None, 5.0, "mg", "QD", "ORAL", "SLE", "2025-01-01", None)]
    visits = [("S2", "2025-05-01", None), ("S1", "2025-05-01", None), ("S1", "2024-12-31", None)]
    out = _run(meds, subjects, params, med, visits)
    assert out.columns == ["USUBJID", "ADT", "STABREFDT", *MEDICATION_COLUMNS]
    assert out["USUBJID"].to_list() == ["S2", "S1", "S1"]
    assert out["GCDOSE"].to_list() == [0.0, 5.0, 0.0]  # E-11: no active record → 0


def test_derive_vars_medications__gc_conversions_ex4_and_ex15(meds, subjects, params):
    med = [
        ("S1", 1, "methylprednisolone", None, 6.0, "mg", "QD", "ORAL", "SLE", "2025-01-01",
         "2025-01-31"),
        ("S1", 2, "dexamethasone", None, 1.2, "mg", "QD", "ORAL", "SLE", "2025-02-01",
         "2025-02-28"),
        ("S1", 3, "hydrocortisone", None, 20.0, "mg", "QD", "ORAL", "SLE", "2025-03-01",
         "2025-03-31"),
        ("S1", 4, "dexamethasone", None, 10.0, "mg", "BID", "INTRAVENOUS", "CRS", "2025-04-04",
         "2025-04-05"),
    ]
    visits = [
        ("S1", "2025-01-15", None),  # Ex 4: 6 x 1.25 = 7.5
        ("S1", "2025-02-15", None),  # Ex 4: 1.2 x 20/3 = 8.0
        ("S1", "2025-03-15", None),  # Ex 4: 20 x 0.25 = 5.0
        ("S1", "2025-04-05", None),  # Ex 15 Day 4: 20 x 20/3 = 133.3333, not for SLE
        ("S1", "2025-04-15", None),  # Ex 15 D14: nothing active
    ]
    out = _run(meds, subjects, params, med, visits)
    assert out["GCDOSE"].to_list() == [7.5, 8.0, 5.0, 133.3333, 0.0]
    assert out["GCSLEDOS"].to_list() == [7.5, 8.0, 5.0, 0.0, 0.0]


def test_derive_vars_medications__records_add_up_exactly_then_round_once(meds, subjects, params):
    med = [
        # S1: 1.00002 + 1.00003 = 2.00005 exactly → 2.0001 (binary doubles give 2.0000499...)
        ("S1", 1, "prednisone", None, 1.00002, "mg", "QD", "ORAL", "SLE", "2025-01-01", None),
        ("S1", 2, "prednisolone", None, 1.00003, "mg", "QD", "ORAL", "SLE", "2025-01-01", None),
        # S2: 20/3 + 0.40006 x 5/6 = 7.00005 exactly → 7.0001; and 1.00004 x 2 rounded per record
        # would give 2.0000, summed first 2.00008 → 2.0001
        ("S2", 3, "dexamethasone", None, 1.0, "mg", "QD", "ORAL", "SLE", "2025-01-01",
         "2025-01-31"),
        ("S2", 4, "deflazacort", None, 0.40006, "mg", "QD", "ORAL", "SLE", "2025-01-01",
         "2025-01-31"),
        ("S2", 5, "prednisone", None, 1.00004, "mg", "QD", "ORAL", "SLE", "2025-02-01", None),
        ("S2", 6, "prednisolone", None, 1.00004, "mg", "QD", "ORAL", "SLE", "2025-02-01", None),
    ]
    visits = [("S1", "2025-01-10", None), ("S2", "2025-01-10", None), ("S2", "2025-02-10", None)]
    out = _run(meds, subjects, params, med, visits)
    assert out["GCDOSE"].to_list() == [2.0001, 7.0001, 2.0001]


def test_derive_vars_medications__frequencies_tails_and_routes(meds, subjects, params):
    med = [
        ("S1", 1, "prednisone", None, 10.0, "mg", "QOD", "ORAL", "SLE", "2025-01-01",
         "2025-01-10"),
        ("S1", 2, "prednisone", None, 35.0, "mg", "QW", "ORAL", "SLE", "2025-02-01",
         "2025-02-15"),
        ("S1", 3, "hydrocortisone", None, 10.0, "mg", "BID", "TOPICAL", "SLE", "2025-01-01",
         None),
        ("S1", 4, "methylprednisolone", None, 500.0, "mg", "ONCE", "INTRAVENOUS", "SLE",
         "2025-03-01", None),
    ]
    visits = [
        ("S1", "2025-01-05", None),  # QOD 10 → 5 mg/day; topical hydrocortisone not counted
        ("S1", "2025-02-21", None),  # QW tail: CMENDT + 6 → 35/7 = 5
        ("S1", "2025-02-22", None),  # CMENDT + 7 → over
        ("S1", "2025-03-01", None),  # ONCE pulse on its start date: 500 x 1.25 = 625
        ("S1", "2025-03-02", None),  # the day after: 0
    ]
    out = _run(meds, subjects, params, med, visits)
    assert out["GCDOSE"].to_list() == [5.0, 5.0, 0.0, 625.0, 0.0]


def test_derive_vars_medications__missing_date_is_not_evaluable(meds, subjects, params):
    med = [("S1", 1, "methotrexate", None, 15.0, "mg", "QW", "ORAL", "SLE", "2025-01-01", None)]
    out = _run(meds, subjects, params, med, [("S1", None, "2025-01-01")])
    expected = pl.DataFrame(
        {c: [None] for c in MEDICATION_COLUMNS},
        schema={c: pl.Float64 if c.startswith("GC") else pl.Boolean for c in MEDICATION_COLUMNS},
    )
    assert_frame_equal(out.select(MEDICATION_COLUMNS), expected)


def test_derive_vars_medications__class_exposure_flags(meds, subjects, params):
    med = [
        ("S1", 1, "rituximab", None, 1.0, "g", "ONCE", "INTRAVENOUS", "SLE", "2025-05-01", None),
        ("S1", 2, "hydroxychloroquine", None, 200.0, "mg", "BID", "ORAL", "SLE", "2025-01-01",
         "2025-05-31"),
        ("S1", 3, "UCART-X", "INVESTIGATIONAL", 1.0, "mg", "QD", "ORAL", "OTHER", "2025-06-01",
         "2025-06-30"),
        ("S1", 4, "tacrolimus", None, 0.1, "mg", "BID", "TOPICAL", "SLE", "2025-01-01", None),
        ("S1", 5, "cyclophosphamide", None, 500.0, "mg", "ONCE", "INTRAVENOUS", None,
         "2025-03-29", None),  # lymphodepletion (Day -3)
        ("S1", 6, "tocilizumab", None, 8.0, "mg", "ONCE", "INTRAVENOUS", "CRS", "2025-04-03",
         None),
        ("S2", 7, "tacrolimus", None, 1.0, "mg", "BID", "ORAL", "ICANS", "2025-04-05",
         "2025-04-10"),  # IS for CAR-T toxicity still counts as exposure (§16.24)
        ("S2", 8, "Other-cream", "INVESTIGATIONAL", 1.0, "mg", "QD", "TOPICAL", "OTHER",
         "2025-04-05", None),  # non-systemic investigational does not count
    ]
    visits = [
        ("S1", "2025-03-29", None),
        ("S1", "2025-04-03", None),
        ("S1", "2025-10-27", None),  # rituximab start + 179: active
        ("S1", "2025-10-28", None),  # start + 180: over
        ("S1", "2025-06-15", None),
        ("S2", "2025-04-07", None),
    ]
    out = _run(meds, subjects, params, med, visits)
    assert out["ISFL"].to_list() == [False, False, False, False, False, True]
    assert out["BIOFL"].to_list() == [False, False, True, False, True, False]
    assert out["AMFL"].to_list() == [True, True, False, False, False, False]
    assert out["INVFL"].to_list() == [False, False, False, False, True, False]


def test_derive_vars_medications__maintenance_caps(meds, subjects, params):
    med = [
        ("S1", 1, "methotrexate", None, 30.0, "mg", "QW", "ORAL", "SLE", "2025-01-01",
         "2025-01-31"),
        ("S1", 2, "methotrexate", None, 32.5, "mg", "QW", "ORAL", "SLE", "2025-02-01", None),
        ("S2", 3, "hydroxychloroquine", None, 600.0, "mg", "QD", "ORAL", "SLE", "2025-01-01",
         None),
    ]
    visits = [("S1", "2025-01-15", None), ("S1", "2025-02-15", None), ("S2", "2025-01-15", None)]
    out = _run(meds, subjects, params, med, visits)
    assert out["ISOVRFL"].to_list() == [False, True, False]


def test_derive_vars_medications__stability_boundaries(meds, subjects, params):
    med = [  # one subject per scenario; reference 2025-03-01, assessment 2025-06-01
        ("S1", 1, "azathioprine", None, 50.0, "mg", "QD", "ORAL", "SLE", "2025-03-01", None),
        ("S2", 2, "azathioprine", None, 50.0, "mg", "QD", "ORAL", "SLE", "2025-03-02", None),
        ("S3", 3, "azathioprine", None, 50.0, "mg", "QD", "ORAL", "SLE", "2025-06-01", None),
        ("S4", 4, "azathioprine", None, 50.0, "mg", "QD", "ORAL", "SLE", "2025-06-02", None),
        ("S5", 5, "azathioprine", None, 100.0, "mg", "QD", "ORAL", "SLE", "2025-01-01", None),
        ("S5", 6, "azathioprine", None, 50.0, "mg", "QD", "ORAL", "SLE", "2025-04-01", None),
        ("S6", 7, "azathioprine", None, 50.0, "mg", "QD", "ORAL", "SLE", "2025-01-01", None),
        ("S6", 8, "azathioprine", None, 100.0, "mg", "QD", "ORAL", "SLE", "2025-04-01", None),
        ("S7", 9, "hydroxychloroquine", None, 200.0, "mg", "QD", "ORAL", "SLE", "2025-04-01",
         None),
        ("S8", 10, "UCART-X", "INVESTIGATIONAL", 1.0, "mg", "QD", "ORAL", "SLE", "2025-04-01",
         None),
        ("S9", 11, "belimumab", None, 200.0, "mg", "QW", "SUBCUTANEOUS", "OTHER", "2025-04-01",
         None),
    ]
    subj = {f"S{i}": "2025-01-01" for i in range(1, 11)}
    adcm = create_adcm(meds(med), subjects=subjects(subj), data_cut=CUT, params=params)
    visits = _visits([(f"S{i}", "2025-06-01", "2025-03-01") for i in range(1, 10)]
                     + [("S1", "2025-06-01", None)])
    out = derive_vars_medications(visits, adcm=adcm, params=params).collect()
    assert out["ISSTBLFL"].to_list() == [
        True,  # started on the reference date itself: (ref, ADT] excludes it
        False,  # started the day after the reference
        False,  # started on the assessment date
        True,  # started after the assessment
        True,  # dose decrease
        False,  # dose increase
        True,  # antimalarial: no stability condition
        True,  # investigational: not part of stability
        False,  # new biologic, whatever the indication
        None,  # no reference date
    ]


def test_derive_vars_medications__without_reference_column(meds, subjects, params):
    med = [("S1", 1, "azathioprine", None, 50.0, "mg", "QD", "ORAL", "SLE", "2025-03-01", None)]
    out = _run(meds, subjects, params, med, [("S1", "2025-06-01", None)], with_reference=False)
    assert out.columns == ["USUBJID", "ADT", *MEDICATION_COLUMNS]
    assert out["ISSTBLFL"].to_list() == [None]
    assert out["ISFL"].to_list() == [True]


def test_derive_var_gcdosebl__day_before_lymphodepletion_or_infusion(meds, subjects, params):
    med = [
        ("S1", 1, "prednisone", None, 15.0, "mg", "QD", "ORAL", "SLE", "2025-01-01",
         "2025-03-27"),
        ("S1", 2, "prednisone", None, 10.0, "mg", "QD", "ORAL", "SLE", "2025-03-27", None),
        ("S1", 3, "dexamethasone", None, 10.0, "mg", "QD", "ORAL", "CRS", "2025-01-01", None),
        ("S2", 4, "prednisone", None, 7.5, "mg", "QD", "ORAL", None, "2025-01-01", None),
    ]
    adcm = create_adcm(meds(med), subjects=subjects({"S1": "2025-04-01", "S2": "2025-04-01"}),
                       data_cut=CUT, params=params)
    adsl = pl.LazyFrame(
        {
            "USUBJID": ["S1", "S2", "S3", "S1"],
            "LDSTDT": [d("2025-03-27"), None, None, d("2025-03-28")],
            "TRTSDT": [d("2025-04-01"), d("2025-04-01"), None, d("2025-04-01")],
        }
    )
    out = derive_var_gcdosebl(adsl, adcm=adcm, params=params).collect()
    # LD 03-27 → 03-26: 15; no LD → infusion − 1: 7.5; no dates: null; LD 03-28 → 03-27: 10
    assert out["GCDOSEBL"].to_list() == [15.0, 7.5, None, 10.0]
    assert out.columns == ["USUBJID", "LDSTDT", "TRTSDT", "GCDOSEBL"]


def test_derive_vars_medications__unknown_doses_are_not_evaluable(meds, subjects, params):
    med = [
        # a glucocorticoid outside the dictionary, classed by CMCLAS: pred-eq unknown
        ("S1", 1, "budesonide", "GLUCOCORTICOID", 9.0, "mg", "QD", "ORAL", "SLE", "2025-01-01",
         "2025-01-31"),
        ("S1", 2, "prednisone", None, 5.0, "mg", "QD", "ORAL", "SLE", "2025-01-01", None),
        # S2: a continuing azathioprine record with no dose: increase unknown
        ("S2", 3, "azathioprine", None, 50.0, "mg", "QD", "ORAL", "SLE", "2025-01-01",
         "2025-03-31"),
        ("S2", 4, "azathioprine", None, None, "mg", "QD", "ORAL", "SLE", "2025-04-01", None),
    ]
    visits = [
        ("S1", "2025-01-15", None),  # budesonide active: GCDOSE not evaluable
        ("S1", "2025-02-15", None),  # only prednisone: 5
        ("S2", "2025-06-01", "2025-03-01"),
        ("S2", "2025-03-15", "2025-03-01"),
    ]
    out = _run(meds, subjects, params, med, visits)
    assert out["GCDOSE"].to_list() == [None, 5.0, 0.0, 0.0]
    assert out["ISSTBLFL"].to_list() == [None, None, None, True]
    assert out["ISOVRFL"].to_list() == [False, False, None, False]
