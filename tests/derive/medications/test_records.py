"""create_adcm: classes, attributes, active windows and doses (endpoints.md §8, §16.10-§16.24)."""

from __future__ import annotations

# fmt: off
# (the medication tables below are kept one record per line)
import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from outcomes.derive.medications.records import ADCM_COLUMNS, create_adcm
from outcomes.drugs.params import MedicationParams

from .conftest import CUT, d


def _adcm(meds, subjects, params, rows, infdt="2025-04-01", cut=CUT) -> pl.DataFrame:
    return create_adcm(
        meds(rows), subjects=subjects({"S1": infdt}), data_cut=cut, params=params
    ).collect()


def test_create_adcm__shape_and_order(meds, subjects, params):
    rows = [
        ("S1", 3, "prednisone", None, 5.0, "mg", "QD", "ORAL", "SLE", "2025-01-01", None),
        ("S1", 1, "hydroxychloroquine", None, 200.0, "mg", "QD", "ORAL", "SLE", "2024-01-01", None),
    ]
    out = _adcm(meds, subjects, params, rows)
    assert out.columns == list(ADCM_COLUMNS)
    assert out["SRCSEQ"].to_list() == [3, 1]
    assert out["SRCDOM"].to_list() == ["MEDICATIONS", "MEDICATIONS"]


def test_create_adcm__every_equivalence_factor(meds, subjects, params):
    rows = [  # per-record pred-eq = dose x administrations/day x 5 / equivalent_mg
        ("S1", 1, "prednisone", None, 10.0, "mg", "QD", "ORAL", "SLE", "2025-01-01", None),
        ("S1", 2, "prednisolone", None, 10.0, "mg", "QD", "ORAL", "SLE", "2025-01-01", None),
        ("S1", 3, "methylprednisolone", None, 6.0, "mg", "QD", "ORAL", "SLE", "2025-01-01", None),
        ("S1", 4, "triamcinolone", None, 4.0, "mg", "QD", "INTRAMUSCULAR", "SLE", "2025-01-01",
         None),
        ("S1", 5, "hydrocortisone", None, 20.0, "mg", "QD", "ORAL", "SLE", "2025-01-01", None),
        ("S1", 6, "cortisone acetate", None, 25.0, "mg", "QD", "ORAL", "SLE", "2025-01-01", None),
        ("S1", 7, "dexamethasone", None, 1.2, "mg", "QD", "ORAL", "SLE", "2025-01-01", None),
        ("S1", 8, "betamethasone", None, 0.75, "mg", "QD", "ORAL", "SLE", "2025-01-01", None),
        ("S1", 9, "deflazacort", None, 6.0, "mg", "QD", "ORAL", "SLE", "2025-01-01", None),
        ("S1", 10, "dexamethasone", None, 10.0, "mg", "BID", "INTRAVENOUS", "CRS", "2025-04-04",
         "2025-04-05"),
        ("S1", 11, "deflazacort", None, 1.0, "mg", "QD", "ORAL", "OTHER", "2025-01-01", None),
        ("S1", 12, "dexamethasone", None, 1.0, "mg", "QD", "ORAL", "OTHER", "2025-01-01", None),
    ]
    out = _adcm(meds, subjects, params, rows)
    assert out["PREDEQ"].to_list() == [
        10.0, 10.0, 7.5, 5.0, 5.0, 5.0, 8.0, 5.0, 5.0, 133.3333, 0.8333, 6.6667,
    ]
    assert out["DRUG"][5] == "cortisone"
    assert out["GCFL"].to_list() == [True] * 12


def test_create_adcm__frequencies_and_units(meds, subjects, params):
    rows = [
        ("S1", 1, "prednisone", None, 10.0, "mg", "QOD", "ORAL", "SLE", "2025-01-01", None),
        ("S1", 2, "methotrexate", None, 14.0, "mg", "QW", "ORAL", "SLE", "2025-01-01", None),
        ("S1", 3, "methotrexate", None, 28.0, "mg", "Q2W", "SUBCUTANEOUS", "OTHER", "2025-01-01",
         None),
        ("S1", 4, "belimumab", None, 0.56, "g", "Q4W", "INTRAVENOUS", "SLE", "2025-01-01", None),
        ("S1", 5, "dexamethasone", None, 750.0, "ug", "TID", "ORAL", "OTHER", "2025-01-01", None),
        ("S1", 6, "prednisolone", None, 2.5, "mg", "QID", "ORAL", "OTHER", "2025-01-01", None),
    ]
    out = _adcm(meds, subjects, params, rows)
    assert out["DAILYMG"].to_list() == [5.0, 2.0, 2.0, 20.0, 2.25, 10.0]
    assert out["PREDEQ"].to_list() == [5.0, None, None, None, 15.0, 10.0]


def test_create_adcm__route_decides_gc_counting(meds, subjects, params):
    rows = [
        ("S1", 1, "prednisolone", None, 5.0, "mg", "QD", "ORAL", "SLE", "2025-01-01", None),
        ("S1", 2, "hydrocortisone", None, 10.0, "mg", "BID", "TOPICAL", "SLE", "2025-01-01", None),
        ("S1", 3, "betamethasone", None, 1.0, "mg", "BID", "INHALED", "SLE", "2025-01-01", None),
        ("S1", 4, "triamcinolone", None, 40.0, "mg", "ONCE", "INTRA-ARTICULAR", "SLE",
         "2025-01-01", None),
        ("S1", 5, "methylprednisolone", None, 4.0, "mg", "QD", "OTHER", "SLE", "2025-01-01", None),
        ("S1", 6, "methylprednisolone", None, 500.0, "mg", "ONCE", "INTRAVENOUS", "SLE",
         "2025-01-01", None),
    ]
    out = _adcm(meds, subjects, params, rows)
    assert out["SYSTEMFL"].to_list() == [True, False, False, False, False, True]
    assert out["GCFL"].to_list() == [True, False, False, False, False, True]


def test_create_adcm__dictionary_and_cmclas(meds, subjects, params):
    rows = [
        ("S1", 1, " HydroxyChloroquine ", None, 200.0, "mg", "QD", "ORAL", None, "2025-01-01",
         None),
        ("S1", 2, "Mepacrine", None, 100.0, "mg", "QD", "ORAL", "SLE", "2025-01-01", None),
        ("S1", 3, "UCART-X", "INVESTIGATIONAL", 1.0, "mg", "ONCE", "INTRAVENOUS", "OTHER",
         "2025-01-01", None),
        ("S1", 4, "unknownib", None, 1.0, "mg", "QD", "ORAL", "OTHER", "2025-01-01", None),
        ("S1", 5, "prednisone", "OTHER", 5.0, "mg", "QD", "ORAL", "SLE", "2025-01-01", None),
        ("S1", 6, "dexamethasone", "CART_TOXICITY", 10.0, "mg", "QD", "INTRAVENOUS", "ICANS",
         "2025-01-01", None),
        ("S1", 7, "newmab", "BIOLOGIC", 100.0, "mg", "Q4W", "SUBCUTANEOUS", None, "2025-01-01",
         None),
        ("S1", 8, "tocilizumab", None, 8.0, "mg", "ONCE", "INTRAVENOUS", "CRS", "2025-04-03",
         None),
    ]
    out = _adcm(meds, subjects, params, rows)
    assert out["DRUG"].to_list() == [
        "hydroxychloroquine", "quinacrine", "ucart-x", "unknownib", "prednisone",
        "dexamethasone", "newmab", "tocilizumab",
    ]
    assert out["CLASS"].to_list() == [
        "ANTIMALARIAL", "ANTIMALARIAL", "INVESTIGATIONAL", "OTHER", "GC_SYSTEMIC",
        "CART_TOXICITY_MGMT", "BIOLOGIC_TARGETED", "CART_TOXICITY_MGMT",
    ]
    assert out["DICTFL"].to_list() == [True, True, False, False, True, True, False, True]
    assert out["GCFL"].to_list() == [False, False, False, False, True, True, False, False]
    assert out["CARTTXFL"].to_list() == [False, False, False, False, False, True, False, True]


def test_create_adcm__missing_indication_counts_as_sle_for_is_biologic_gc_only(
    meds, subjects, params
):
    rows = [  # §16.6
        ("S1", 1, "prednisone", None, 5.0, "mg", "QD", "ORAL", None, "2025-01-01", None),
        ("S1", 2, "azathioprine", None, 50.0, "mg", "QD", "ORAL", None, "2025-01-01", None),
        ("S1", 3, "belimumab", None, 200.0, "mg", "QW", "SUBCUTANEOUS", None, "2025-01-01", None),
        ("S1", 4, "hydroxychloroquine", None, 200.0, "mg", "QD", "ORAL", None, "2025-01-01", None),
        ("S1", 5, "immunoglobulin", None, 20.0, "g", "ONCE", "INTRAVENOUS", None, "2025-05-01",
         None),
        ("S1", 6, "ibuprofen", None, 400.0, "mg", "TID", "ORAL", None, "2025-05-01", None),
        ("S1", 7, "azathioprine", None, 50.0, "mg", "QD", "ORAL", "OTHER", "2024-01-01", None),
    ]
    out = _adcm(meds, subjects, params, rows)
    assert out["SLEFL"].to_list() == [True, True, True, False, False, False, False]
    assert out["INDCGRP"].to_list() == ["SLE", "SLE", "SLE", "(MISSING)", "(MISSING)",
                                        "(MISSING)", "OTHER"]


def test_create_adcm__lymphodepletion_window(meds, subjects, params):
    rows = [  # infusion 2025-04-01: Day -5 = 2025-03-27, Day -1 = 2025-03-31
        ("S1", 1, "cyclophosphamide", None, 500.0, "mg", "ONCE", "INTRAVENOUS", None,
         "2025-03-26", None),  # Day -6
        ("S1", 2, "cyclophosphamide", None, 500.0, "mg", "ONCE", "INTRAVENOUS", None,
         "2025-03-27", None),  # Day -5
        ("S1", 3, "Cyclophosphamide", None, 500.0, "mg", "ONCE", "INTRAVENOUS", None,
         "2025-03-31", None),  # Day -1
        ("S1", 4, "cyclophosphamide", None, 500.0, "mg", "ONCE", "INTRAVENOUS", None,
         "2025-04-01", None),  # Day 0
        ("S1", 5, "fludarabine", None, 30.0, "mg", "ONCE", "INTRAVENOUS", None, "2025-03-28",
         None),
        ("S1", 6, "cyclophosphamide", "IMMUNOSUPPRESSANT", 500.0, "mg", "ONCE", "INTRAVENOUS",
         None, "2025-03-29", None),
        ("S1", 7, "cyclophosphamide", "LYMPHODEPLETION", 500.0, "mg", "ONCE", "INTRAVENOUS",
         None, "2025-04-20", None),
    ]
    out = _adcm(meds, subjects, params, rows)
    assert out["CLASS"].to_list() == [
        "IS_CONVENTIONAL", "LYMPHODEPLETION", "LYMPHODEPLETION", "IS_CONVENTIONAL",
        "LYMPHODEPLETION", "IS_CONVENTIONAL", "LYMPHODEPLETION",
    ]


def test_create_adcm__ld_window_unknown_without_infusion(meds, subjects, params):
    rows = [("S1", 1, "cyclophosphamide", None, 500.0, "mg", "ONCE", "INTRAVENOUS", None,
             "2025-03-29", None)]
    out = _adcm(meds, subjects, params, rows, infdt=None)
    assert out["CLASS"].to_list() == ["IS_CONVENTIONAL"]


def _windows(out: pl.DataFrame) -> list[tuple[dt.date | None, dt.date | None]]:
    return list(zip(out["ASTDT"].to_list(), out["AENDT"].to_list(), strict=True))


def test_create_adcm__shared_boundary_day_belongs_to_the_new_record(meds, subjects, params):
    rows = [  # D-33
        ("S1", 1, "prednisone", None, 10.0, "mg", "QD", "ORAL", "SLE", "2025-01-01", "2025-01-10"),
        ("S1", 2, "prednisone", None, 15.0, "mg", "QD", "ORAL", "SLE", "2025-01-10", "2025-01-20"),
    ]
    out = _adcm(meds, subjects, params, rows)
    assert _windows(out) == [(d("2025-01-01"), d("2025-01-09")), (d("2025-01-10"), d("2025-01-20"))]


def test_create_adcm__open_record_runs_to_next_record_or_cut(meds, subjects, params):
    rows = [
        ("S1", 1, "prednisone", None, 10.0, "mg", "QD", "ORAL", "SLE", "2025-01-01", None),
        ("S1", 2, "prednisone", None, 5.0, "mg", "QD", "ORAL", None, "2025-02-01", None),
        ("S1", 3, "prednisone", None, 20.0, "mg", "QD", "ORAL", "ICANS", "2025-01-05",
         "2025-01-06"),
        ("S1", 4, "azathioprine", None, 50.0, "mg", "QD", "ORAL", "SLE", "2025-01-01", None),
    ]
    out = _adcm(meds, subjects, params, rows)
    assert _windows(out) == [
        (d("2025-01-01"), d("2025-01-31")),  # ends the day before the next SLE record
        (d("2025-02-01"), CUT),  # no CMENDT, no next record: the cut
        (d("2025-01-05"), d("2025-01-06")),  # other indication: a different "same drug"
        (d("2025-01-01"), CUT),
    ]


def test_create_adcm__end_after_the_cut_is_capped(meds, subjects, params):
    rows = [("S1", 1, "rituximab", None, 1.0, "g", "ONCE", "INTRAVENOUS", "SLE", "2025-12-01",
             None)]
    out = _adcm(meds, subjects, params, rows, cut=dt.date(2026, 1, 15))
    assert _windows(out) == [(d("2025-12-01"), d("2026-01-15"))]


def test_create_adcm__weekly_tails(meds, subjects, params):
    rows = [  # QW +6, Q2W +13, Q4W +27 days after CMENDT (§16.10)
        ("S1", 1, "methotrexate", None, 15.0, "mg", "QW", "ORAL", "SLE", "2025-01-01",
         "2025-01-29"),
        ("S1", 2, "belimumab", None, 200.0, "mg", "Q2W", "SUBCUTANEOUS", "SLE", "2025-01-01",
         "2025-01-29"),
        ("S1", 3, "anifrolumab", None, 300.0, "mg", "Q4W", "INTRAVENOUS", "SLE", "2025-01-01",
         "2025-01-29"),
        ("S1", 4, "prednisone", None, 35.0, "mg", "QW", "ORAL", "SLE", "2025-01-01",
         "2025-01-29"),
    ]
    out = _adcm(meds, subjects, params, rows)
    assert out["AENDT"].to_list() == [
        d("2025-02-04"), d("2025-02-11"), d("2025-02-25"), d("2025-02-04"),
    ]


def test_create_adcm__new_record_inside_a_tail_ends_it(meds, subjects, params):
    rows = [  # §16.24
        ("S1", 1, "methotrexate", None, 15.0, "mg", "QW", "ORAL", "SLE", "2025-01-01",
         "2025-01-29"),
        ("S1", 2, "methotrexate", None, 20.0, "mg", "QW", "ORAL", "SLE", "2025-02-01", None),
    ]
    out = _adcm(meds, subjects, params, rows)
    assert out["AENDT"].to_list() == [d("2025-01-31"), CUT]


def test_create_adcm__once_records(meds, subjects, params):
    rows = [
        ("S1", 1, "rituximab", None, 1.0, "g", "ONCE", "INTRAVENOUS", "SLE", "2025-05-01", None),
        ("S1", 2, "belimumab", None, 10.0, "mg", "ONCE", "INTRAVENOUS", "SLE", "2025-05-01",
         None),
        ("S1", 3, "methylprednisolone", None, 500.0, "mg", "ONCE", "INTRAVENOUS", "SLE",
         "2025-05-01", "2025-05-03"),
        ("S1", 4, "methotrexate", None, 15.0, "mg", "ONCE", "ORAL", "SLE", "2025-05-01", None),
        ("S1", 5, "hydroxychloroquine", None, 200.0, "mg", "ONCE", "ORAL", "SLE", "2025-05-01",
         None),
        ("S1", 6, "UCART-X", "INVESTIGATIONAL", 1.0, "mg", "ONCE", "INTRAVENOUS", None,
         "2025-05-01", None),
    ]
    out = _adcm(meds, subjects, params, rows)
    assert out["AENDT"].to_list() == [
        d("2025-10-27"),  # rituximab: 180 days counting the start day → start + 179
        d("2025-05-28"),  # other biologic: 28 days → start + 27
        d("2025-05-01"),  # GC pulse: start date only
        d("2025-05-01"),
        d("2025-05-01"),
        d("2025-05-01"),
    ]


def test_create_adcm__maintenance_caps(meds, subjects, params):
    rows = [  # LLDAS C5 maxima (§7.1, §16.11): at the maximum passes, above fails
        ("S1", 1, "methotrexate", None, 30.0, "mg", "QW", "ORAL", "SLE", "2025-01-01", None),
        ("S1", 2, "methotrexate", None, 32.5, "mg", "QW", "ORAL", "OTHER", "2025-01-01", None),
        ("S1", 3, "azathioprine", None, 100.0, "mg", "BID", "ORAL", "SLE", "2025-01-01", None),
        ("S1", 4, "azathioprine", None, 201.0, "mg", "QD", "ORAL", "OTHER", "2025-01-01", None),
        ("S1", 5, "mycophenolate mofetil", None, 1500.0, "mg", "BID", "ORAL", "SLE",
         "2025-01-01", None),
        ("S1", 6, "mycophenolate mofetil", None, 1500.5, "mg", "BID", "ORAL", "OTHER",
         "2025-01-01", None),
        ("S1", 7, "mycophenolic acid", None, 720.0, "mg", "TID", "ORAL", "SLE", "2025-01-01",
         None),
        ("S1", 8, "mycophenolate sodium", None, 1080.5, "mg", "BID", "ORAL", "OTHER",
         "2025-01-01", None),
        ("S1", 9, "leflunomide", None, 20.0, "mg", "QD", "ORAL", "SLE", "2025-01-01", None),
        ("S1", 10, "leflunomide", None, 40.0, "mg", "QOD", "ORAL", "OTHER", "2025-01-01", None),
        ("S1", 11, "leflunomide", None, 20.001, "mg", "QD", "ORAL", "GVHD", "2025-01-01", None),
        ("S1", 12, "hydroxychloroquine", None, 600.0, "mg", "QD", "ORAL", "SLE", "2025-01-01",
         None),
        ("S1", 13, "tacrolimus", None, 10.0, "mg", "BID", "ORAL", "SLE", "2025-01-01", None),
    ]
    out = _adcm(meds, subjects, params, rows)
    assert out["OVRFL"].to_list() == [
        False, True, False, True, False, True, False, True, False, False, True, False, False,
    ]


def test_create_adcm__new_course_and_dose_increase(meds, subjects, params):
    rows = [
        ("S1", 1, "methotrexate", None, 10.0, "mg", "QW", "ORAL", "SLE", "2025-01-01",
         "2025-01-29"),
        ("S1", 2, "methotrexate", None, 15.0, "mg", "QW", "ORAL", "SLE", "2025-01-29",
         "2025-03-01"),  # continues (boundary day), higher dose
        ("S1", 3, "methotrexate", None, 7.5, "mg", "QW", "ORAL", "SLE", "2025-03-08", None),
        # starts inside the QW tail of record 2 (active to 2025-03-07): continues, lower dose
        ("S1", 4, "azathioprine", None, 50.0, "mg", "QD", "ORAL", "SLE", "2025-01-01",
         "2025-01-31"),
        ("S1", 5, "azathioprine", None, 100.0, "mg", "QD", "ORAL", "SLE", "2025-02-02", None),
        # gap of one day (2025-02-01): a new course, not a dose increase
    ]
    out = _adcm(meds, subjects, params, rows)
    assert out["NEWFL"].to_list() == [True, False, False, True, True]
    assert out["DOSEUPFL"].to_list() == [False, True, False, False, False]


def test_create_adcm__adrenal_replacement_option(meds, subjects, section):
    rows = [  # hydrocortisone 20 mg/day = 5 mg pred-eq (§8.3 [D-24], E-16)
        ("S1", 1, "hydrocortisone", None, 10.0, "mg", "BID", "ORAL", "ADRENAL INSUFFICIENCY",
         "2025-01-01", None),
        ("S1", 2, "hydrocortisone", None, 10.0, "mg", "BID", "ORAL", "SLE", "2025-01-01", None),
    ]
    expected = {None: [True, True], 5: [False, True], 4.9999: [True, True], 5.0001: [False, True]}
    for limit, gcfl in expected.items():
        params = MedicationParams.from_config(
            {**section, "exclude_adrenal_replacement_le_pred_eq": limit}
        )
        out = _adcm(meds, subjects, params, rows)
        assert out["GCFL"].to_list() == gcfl, limit


def test_create_adcm__doses_and_flags_dtypes(meds, subjects, params):
    rows = [("S1", 1, "prednisone", None, 5.0, "mg", "QD", "ORAL", "SLE", "2025-01-01", None)]
    out = _adcm(meds, subjects, params, rows)
    expected = pl.DataFrame(
        {"DAILYMG": [5.0], "PREDEQ": [5.0], "OVRFL": [False], "NEWFL": [True],
         "DOSEUPFL": [False]}
    )
    assert_frame_equal(out.select(expected.columns), expected)


def test_create_adcm__implausibly_large_doses_stay_above_every_threshold(meds, subjects, params):
    """A dose of 1e12 units or more (VAL-013) enters the exact arithmetic as 1e12: never null."""
    rows = [
        ("S1", 1, "prednisone", None, 1e30, "mg", "QD", "ORAL", "SLE", "2025-01-01", None),
        ("S1", 2, "prednisone", None, 1e18, "g", "BID", "ORAL", "SLE", "2025-02-01", None),
        ("S1", 3, "prednisone", None, 1e12, "mg", "QD", "ORAL", "SLE", "2025-03-01", None),
        ("S1", 4, "prednisone", None, 5e11, "mg", "QD", "ORAL", "SLE", "2025-03-05", None),
    ]
    out = _adcm(meds, subjects, params, rows).sort("SRCSEQ")
    assert out["DAILYMG"].to_list() == pytest.approx([1e12, 2e15, 1e12, 5e11], rel=1e-12)
    assert out["PREDEQ"].to_list() == [1e12, 2e15, 1e12, 5e11]
