"""create_events: rescue, flare-treatment and re-treatment events (§8.4, §16.4, §16.6, §16.7)."""

from __future__ import annotations

# fmt: off
# (the medication tables below are kept one record per line)
import polars as pl
from polars.testing import assert_frame_equal

from outcomes.derive.medications.events import EVENT_COLUMNS, create_events
from outcomes.derive.medications.records import create_adcm

from .conftest import CUT, d


def _events(meds, subjects, params, med_rows, asm_rows, infusions=None) -> pl.DataFrame:
    infusions = infusions or {"S1": "2025-04-01"}
    subj = subjects(infusions)
    adcm = create_adcm(meds(med_rows), subjects=subj, data_cut=CUT, params=params)
    assessments = pl.LazyFrame(
        [(u, d(a)) for u, a in asm_rows], schema={"USUBJID": pl.String(), "ASMDT": pl.Date()},
        orient="row",
    )
    out = create_events(adcm, subjects=subj, assessments=assessments, params=params).collect()
    assert out.columns == list(EVENT_COLUMNS)
    return out


def _keys(out: pl.DataFrame) -> list[tuple[str, object, str, int]]:
    return [(r["USUBJID"], r["EVTDT"], r["EVTCD"], r["SRCSEQ"]) for r in out.iter_rows(named=True)]


ASSESSMENTS_EX11 = [
    ("S1", "2025-03-20"), ("S1", "2025-04-15"), ("S1", "2025-04-29"), ("S1", "2025-07-01"),
    ("S1", "2025-09-30"), ("S1", "2025-12-30"),
]


def test_create_events__ex11_glucocorticoid_restart_is_rescue(meds, subjects, params):
    med = [
        ("S1", 1, "prednisone", None, 15.0, "mg", "QD", "ORAL", "SLE", "2025-01-01",
         "2025-04-09"),
        # taper after Day 0: below the Day 0 dose (15) and below D14's (10): no rescue
        ("S1", 2, "prednisone", None, 10.0, "mg", "QD", "ORAL", "SLE", "2025-04-10",
         "2025-04-28"),
        ("S1", 3, "prednisone", None, 2.5, "mg", "QD", "ORAL", "SLE", "2025-04-29",
         "2025-06-30"),
        # Ex 11: prednisone 10 mg restarted for arthritis; M6 dose 0 → rescue on 2025-12-20
        ("S1", 4, "prednisone", None, 10.0, "mg", "QD", "ORAL", "SLE", "2025-12-20", None),
    ]
    out = _events(meds, subjects, params, med, ASSESSMENTS_EX11)
    expected = pl.DataFrame(
        {
            "USUBJID": ["S1"], "EVTDT": [d("2025-12-20")], "EVTCD": ["RESCUE"],
            "EVTDESC": ["SLE glucocorticoid raised to 10.0 mg/day pred-eq from 0.0 on "
                        "2025-09-30: prednisone (CMSEQ 4)"],
            "SRCDOM": ["MEDICATIONS"], "SRCSEQ": [4],
        },
        schema_overrides={"EVTDT": pl.Date, "SRCSEQ": pl.Int64},
    )
    assert_frame_equal(out, expected)


def test_create_events__ex15_crs_steroids_are_not_rescue(meds, subjects, params):
    med = [
        ("S1", 1, "dexamethasone", None, 10.0, "mg", "BID", "INTRAVENOUS", "CRS", "2025-04-04",
         "2025-04-05"),
        ("S1", 2, "tocilizumab", None, 8.0, "mg", "ONCE", "INTRAVENOUS", "CRS", "2025-04-04",
         None),
        ("S1", 3, "methylprednisolone", None, 1000.0, "mg", "QD", "INTRAVENOUS", "ICANS",
         "2025-04-06", "2025-04-08"),
    ]
    assert _events(meds, subjects, params, med, ASSESSMENTS_EX11).height == 0


def test_create_events__gc_reference_before_first_assessment_is_day0(meds, subjects, params):
    med = [  # §16.7: Day 0 dose 5 (baseline assessment 2025-03-20 was at 10)
        ("S1", 1, "prednisone", None, 10.0, "mg", "QD", "ORAL", "SLE", "2025-01-01",
         "2025-03-25"),
        ("S1", 2, "prednisone", None, 5.0, "mg", "QD", "ORAL", "SLE", "2025-03-25",
         "2025-04-06"),
        ("S1", 3, "prednisone", None, 8.0, "mg", "QD", "ORAL", None, "2025-04-06", "2025-04-10"),
        # 8 > 5 (Day 0) → rescue, although 8 < 10 at the baseline assessment
        ("S1", 4, "prednisone", None, 5.0, "mg", "QD", "ORAL", "SLE", "2025-04-10", None),
    ]
    out = _events(meds, subjects, params, med, ASSESSMENTS_EX11)
    assert _keys(out) == [("S1", d("2025-04-06"), "RESCUE", 3)]


def test_create_events__gc_rise_compared_with_previous_assessment(meds, subjects, params):
    med = [
        ("S1", 1, "prednisone", None, 10.0, "mg", "QD", "ORAL", "SLE", "2025-04-10",
         "2025-05-10"),  # after Day 0: 10 > 0 on Day 0 → rescue
        ("S1", 2, "prednisone", None, 7.5, "mg", "QD", "ORAL", "SLE", "2025-05-10",
         "2025-05-20"),  # D28 (04-29) dose 10: lower → no
        ("S1", 3, "prednisone", None, 10.0, "mg", "QD", "ORAL", "SLE", "2025-05-20",
         "2025-05-30"),  # equal to D28's 10: not above → no
        ("S1", 4, "prednisone", None, 10.0001, "mg", "QD", "ORAL", "SLE", "2025-05-30", None),
        # just above 10 → rescue
        ("S1", 5, "dexamethasone", None, 10.0, "mg", "QD", "INTRAVENOUS", "CRS", "2025-04-25",
         "2025-04-29"),  # CRS steroid on D28 does not raise the SLE reference
    ]
    out = _events(meds, subjects, params, med, ASSESSMENTS_EX11)
    assert _keys(out) == [
        ("S1", d("2025-04-10"), "RESCUE", 1), ("S1", d("2025-05-30"), "RESCUE", 4),
    ]


def test_create_events__immunosuppressant_and_biologic(meds, subjects, params):
    med = [
        ("S1", 1, "methotrexate", None, 10.0, "mg", "QW", "ORAL", "SLE", "2025-03-01",
         "2025-04-01"),  # before Day 0: no
        ("S1", 2, "methotrexate", None, 15.0, "mg", "QW", "ORAL", "SLE", "2025-04-01",
         "2025-05-01"),  # dose increase on Day 0 itself: not after Day 0
        ("S1", 3, "methotrexate", None, 20.0, "mg", "QW", "ORAL", "SLE", "2025-05-01",
         "2025-06-01"),  # dose increase after Day 0 → rescue
        ("S1", 4, "methotrexate", None, 10.0, "mg", "QW", "ORAL", "SLE", "2025-06-01", None),
        # dose decrease: no
        ("S1", 5, "azathioprine", None, 50.0, "mg", "QD", "ORAL", None, "2025-04-02", None),
        # Day 1, no indication: counts as SLE → rescue
        ("S1", 6, "belimumab", None, 200.0, "mg", "QW", "SUBCUTANEOUS", "SLE", "2025-07-01",
         None),  # new biologic → rescue
        ("S1", 7, "tacrolimus", None, 1.0, "mg", "BID", "ORAL", "ICANS", "2025-04-05", None),
        # for CAR-T toxicity: no
        ("S1", 8, "tacrolimus", None, 0.1, "mg", "BID", "TOPICAL", "SLE", "2025-08-01", None),
        # topical: no
        ("S1", 9, "anakinra", None, 100.0, "mg", "QD", "SUBCUTANEOUS", "SLE", "2025-08-01", None),
        # CAR-T toxicity class: never rescue
    ]
    out = _events(meds, subjects, params, med, ASSESSMENTS_EX11)
    assert _keys(out) == [
        ("S1", d("2025-04-02"), "RESCUE", 5),
        ("S1", d("2025-05-01"), "RESCUE", 3),
        ("S1", d("2025-07-01"), "RESCUE", 6),
    ]


def test_create_events__ivig_plasma_exchange_and_retreatment(meds, subjects, params):
    med = [
        ("S1", 1, "IVIG", None, 20.0, "g", "ONCE", "INTRAVENOUS", "SLE", "2025-05-01", None),
        ("S1", 2, "immunoglobulin", None, 20.0, "g", "ONCE", "INTRAVENOUS", "IG REPLACEMENT",
         "2025-05-02", None),
        ("S1", 3, "immunoglobulin", None, 20.0, "g", "ONCE", "INTRAVENOUS", None, "2025-05-03",
         None),  # no indication: not SLE for IVIG (§16.6)
        ("S1", 4, "plasma exchange", None, 1.0, "mg", "ONCE", "OTHER", "SLE", "2025-05-04", None),
        ("S1", 5, "UCART-2", "CART_RETREATMENT", 1.0, "mg", "ONCE", "INTRAVENOUS", "SLE",
         "2025-06-01", None),
    ]
    out = _events(meds, subjects, params, med, ASSESSMENTS_EX11)
    assert _keys(out) == [
        ("S1", d("2025-05-01"), "RESCUE", 1),
        ("S1", d("2025-05-04"), "RESCUE", 4),
        ("S1", d("2025-06-01"), "RESCUE", 5),
        ("S1", d("2025-06-01"), "RETREAT", 5),
    ]


def test_create_events__antimalarials_and_nsaids(meds, subjects, params):
    med = [
        ("S1", 1, "hydroxychloroquine", None, 200.0, "mg", "QD", "ORAL", "SLE", "2025-05-01",
         "2025-05-31"),  # new for SLE → RESCUEAM and FLARETRT
        ("S1", 2, "hydroxychloroquine", None, 400.0, "mg", "QD", "ORAL", "SLE", "2025-05-31",
         None),  # dose increase, not newly started: nothing
        ("S1", 3, "chloroquine", None, 250.0, "mg", "QD", "ORAL", None, "2025-06-01", None),
        # no indication: not SLE (§16.6)
        ("S1", 4, "naproxen", None, 250.0, "mg", "BID", "ORAL", "SLE", "2025-06-02", None),
        ("S1", 5, "ibuprofen", None, 400.0, "mg", "TID", "ORAL", "OTHER", "2025-06-03", None),
        ("S1", 6, "hydroxychloroquine", None, 200.0, "mg", "QD", "ORAL", "SLE", "2025-03-01",
         None),
    ]
    infusions = {"S1": "2025-04-01"}
    out = _events(meds, subjects, params, med[:5], ASSESSMENTS_EX11, infusions)
    assert _keys(out) == [
        ("S1", d("2025-05-01"), "FLARETRT", 1),
        ("S1", d("2025-05-01"), "RESCUEAM", 1),
        ("S1", d("2025-06-02"), "FLARETRT", 4),
    ]
    # an antimalarial started before Day 0 gives no event
    assert _events(meds, subjects, params, med[5:], ASSESSMENTS_EX11, infusions).height == 0


def test_create_events__not_infused_subject_has_no_events(meds, subjects, params):
    med = [("S1", 1, "methotrexate", None, 10.0, "mg", "QW", "ORAL", "SLE", "2025-05-01", None)]
    assert _events(meds, subjects, params, med, [], {"S1": None}).height == 0
