"""adae timing flags, per-subject maximum CRS/ICANS grades and ICAHT (hand-typed expectations)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from outcomes.endpoints.icaht import compute_days_held, create_held_intervals, create_icaht
from outcomes.endpoints.params import SafetyParams
from outcomes.endpoints.safety import create_adae, create_adsafe
from tests.endpoints.test_worked_examples import ICAHT, _labs

D = dt.date.fromisoformat
SAFETY = SafetyParams(
    ae_window_first_day=0, ae_window_last_day=91, obd_window_last_day=28, icaht=ICAHT
)

SUBJECTS = pl.LazyFrame(
    {
        "USUBJID": ["A", "B", "N"],
        "DOSELVL": ["DL1", "DL2", None],
        "SAFFL": [True, True, False],
        "TRTSDT": [D("2025-04-01"), D("2025-04-01"), None],
        "LDFL": ["Y", "N", "N"],
        "LDSTDT": [D("2025-03-27"), None, None],
    }
)


def _aes(records: list[tuple]) -> pl.LazyFrame:
    """(USUBJID, AESEQ, AECAT, AESTDT, AEENDT, AETOXGR)."""
    return pl.LazyFrame(
        [
            {
                "USUBJID": u,
                "AESEQ": s,
                "AETERM": c,
                "AECAT": c,
                "AESTDT": D(st),
                "AEENDT": D(en) if en else None,
                "AETOXGR": g,
                "AESER": "N",
                "AEREL": "Y",
                "SRCDOM": "ADVERSE_EVENTS",
                "SRCSEQ": s,
            }
            for u, s, c, st, en, g in records
        ],
        schema={
            "USUBJID": pl.String,
            "AESEQ": pl.Int64,
            "AETERM": pl.String,
            "AECAT": pl.String,
            "AESTDT": pl.Date,
            "AEENDT": pl.Date,
            "AETOXGR": pl.Int64,
            "AESER": pl.String,
            "AEREL": pl.String,
            "SRCDOM": pl.String,
            "SRCSEQ": pl.Int64,
        },
    )


AES = _aes(
    [
        ("A", 1, "OTHER", "2025-03-26", "2025-03-26", 1),  # day before LD start: not TE
        ("A", 2, "OTHER", "2025-03-27", "2025-03-30", 1),  # on LD start: TE, Day -5
        ("A", 3, "CRS", "2025-04-29", "2025-05-02", 2),  # Day 28
        ("A", 4, "CRS", "2025-04-30", None, 3),  # Day 29, ongoing at the cut
        ("A", 5, "ICANS", "2025-07-01", "2025-07-01", 1),  # Day 91
        ("A", 6, "OTHER", "2025-07-02", "2025-07-05", 2),  # Day 92
        ("B", 1, "OTHER", "2025-03-31", "2025-04-01", 1),  # no LD: day before infusion, not TE
        ("B", 2, "ICANS", "2025-04-01", "2025-04-03", 2),  # Day 0
    ]
)


def test_adae_timing_flags_and_duration():
    adae = create_adae(AES, subjects=SUBJECTS, params=SAFETY).collect()
    got = adae.select(
        "USUBJID", "AESEQ", "ASTDY", "TRTEMFL", "W3MFL", "W28FL", "ADURN", "SRCSEQ"
    ).rows()
    assert got == [
        ("A", 1, -6, False, False, False, 1, 1),
        ("A", 2, -5, True, False, False, 4, 2),
        ("A", 3, 28, True, True, True, 4, 3),
        ("A", 4, 29, True, True, False, None, 4),
        ("A", 5, 91, True, True, False, 1, 5),
        ("A", 6, 92, True, False, False, 4, 6),
        ("B", 1, -1, False, False, False, 2, 1),
        ("B", 2, 0, True, True, True, 3, 2),
    ]
    assert adae.columns[: len(AES.collect_schema())] == list(AES.collect_schema())


def test_adsafe_maximum_grades_per_infused_subject():
    adae = create_adae(AES, subjects=SUBJECTS, params=SAFETY)
    adsafe = create_adsafe(adae, subjects=SUBJECTS, labs=_labs([]), params=SAFETY).collect()
    assert adsafe.select(
        "USUBJID", "CRSMAXGR", "ICNSMXGR", "CRS28GR", "ICNS28GR", "ICAHTEGR"
    ).rows() == [
        ("A", 3, 1, 2, 0, None),
        ("B", 0, 2, 0, 2, None),
    ]


def test_adsafe_missing_grade_is_not_evaluable_unless_grade_5_is_known():
    """A grade set missing by validation (data-contract §1.6): the maximum is unknown."""
    aes = _aes(
        [
            ("A", 1, "CRS", "2025-04-02", "2025-04-05", None),  # Day 1, no grade
            ("A", 2, "CRS", "2025-04-03", "2025-04-04", 2),  # Day 2
            ("A", 3, "ICANS", "2025-04-02", None, None),  # Day 1, no grade
            ("A", 4, "ICANS", "2025-04-03", None, 5),  # Day 2: 5 is the highest grade
            ("B", 1, "CRS", "2025-06-01", None, None),  # Day 61: outside the OBD window
        ]
    )
    adae = create_adae(aes, subjects=SUBJECTS, params=SAFETY)
    adsafe = create_adsafe(adae, subjects=SUBJECTS, labs=_labs([]), params=SAFETY).collect()
    assert adsafe.select("USUBJID", "CRSMAXGR", "ICNSMXGR", "CRS28GR", "ICNS28GR").rows() == [
        ("A", None, 5, None, 5),
        ("B", None, 0, 0, 0),
    ]


def test_adae_without_records_keeps_columns():
    adae = create_adae(_aes([]), subjects=SUBJECTS, params=SAFETY).collect()
    assert adae.height == 0
    assert {"ASTDY", "TRTEMFL", "W3MFL", "W28FL", "ADURN"} <= set(adae.columns)


DAY0 = dt.date(2025, 4, 1)


def test_icaht_neutrophil_boundaries_and_never_recovered():
    labs = _labs(
        [
            ("E1", "ANC", 0, 2.0),
            ("E1", "ANC", 1, 0.5),
            ("E1", "ANC", 7, 0.501),  # 0.5 counts (<=): 6 days
            ("E2", "ANC", 0, 2.0),
            ("E2", "ANC", 1, 0.5),
            ("E2", "ANC", 8, 0.6),  # 7 days: G2
            ("E3", "ANC", 0, 2.0),
            ("E3", "ANC", 1, 0.4),
            ("E3", "ANC", 14, 0.9),  # 13 days: G2
            ("E4", "ANC", 0, 0.4),  # never > 0.5: G4
            ("E5", "ANC", 0, 2.0),
            ("E5", "ANC", 3, 0.1),
            ("E5", "ANC", 9, 0.8),  # <= 0.1 6 days: G1
            ("E6", "ANC", 0, 2.0),
            ("E6", "ANC", 40, 0.1),
            ("E6", "ANC", 50, 0.1),  # late G4
        ]
    )
    subjects = pl.LazyFrame({"USUBJID": ["E1", "E2", "E3", "E4", "E5", "E6"], "TRTSDT": [DAY0] * 6})
    out = create_icaht(labs, subjects=subjects, params=ICAHT).collect()
    assert out.select("USUBJID", "ICAHTEGR", "ICAHTLGR").rows() == [
        ("E1", 1, None),
        ("E2", 2, None),
        ("E3", 2, None),
        ("E4", 4, None),
        ("E5", 1, None),
        ("E6", 0, 4),
    ]


def test_icaht_platelets_early_and_late():
    labs = _labs(
        [
            ("P1", "PLT", 0, 150.0),
            ("P1", "PLT", 1, 49.9),
            ("P1", "PLT", 8, 60.0),  # <50 7 days: G2
            ("P2", "PLT", 0, 150.0),
            ("P2", "PLT", 1, 50.0),
            ("P2", "PLT", 8, 60.0),  # 50 is not <50: G0
            ("P3", "PLT", 0, 150.0),
            ("P3", "PLT", 1, 19.0),
            ("P3", "PLT", 15, 60.0),  # <20 14 days: G4
            ("P4", "PLT", 0, 150.0),
            ("P4", "PLT", 40, 90.0),
            ("P4", "PLT", 45, 95.0),  # late <100: G1
            ("P5", "PLT", 0, 150.0),
            ("P5", "PLT", 40, 40.0),  # 1 late draw
        ]
    )
    subjects = pl.LazyFrame({"USUBJID": ["P1", "P2", "P3", "P4", "P5"], "TRTSDT": [DAY0] * 5})
    out = create_icaht(labs, subjects=subjects, params=ICAHT).collect()
    assert out.select("USUBJID", "TICAHTEG", "TICAHTLG").rows() == [
        ("P1", 2, None),
        ("P2", 0, None),
        ("P3", 4, None),
        ("P4", 0, 1),
        ("P5", 0, None),
    ]


def test_create_adae__trtemfl_uses_the_infusion_when_ldfl_is_n():
    """§16.19: TRTEMFL from LDSTDT only when LDFL = Y; a stray LDSTDT with LDFL = N is ignored."""
    subjects = pl.LazyFrame(
        {
            "USUBJID": ["B"],
            "DOSELVL": ["DL2"],
            "SAFFL": [True],
            "TRTSDT": [D("2025-04-01")],
            "LDFL": ["N"],
            "LDSTDT": [D("2025-03-27")],
        }
    )
    aes = _aes([("B", 1, "OTHER", "2025-03-30", None, 1), ("B", 2, "OTHER", "2025-04-01", None, 1)])
    adae = create_adae(aes, subjects=subjects, params=SAFETY).collect()
    assert adae["TRTEMFL"].to_list() == [False, True]


def test_create_adae__trtemfl_not_evaluable_without_the_lymphodepletion_date():
    """LDFL = Y without LDSTDT (a validation error, VAL-010): treatment-emergence cannot be
    decided for an AE before the infusion, so TRTEMFL is null rather than taken from Day 0."""
    subjects = pl.LazyFrame(
        {
            "USUBJID": ["C"],
            "DOSELVL": ["DL1"],
            "SAFFL": [True],
            "TRTSDT": [D("2025-04-01")],
            "LDFL": ["Y"],
            "LDSTDT": [None],
        },
        schema_overrides={"LDSTDT": pl.Date},
    )
    aes = _aes([("C", 1, "OTHER", "2025-03-30", None, 1)])
    adae = create_adae(aes, subjects=subjects, params=SAFETY).collect()
    assert adae["TRTEMFL"].to_list() == [None]


def test_held_intervals_edges():
    """Pre-Day-0 draws hold into Day 0 (only the latest); of two draws on one day the later
    input row holds; draws after the window are dropped; the last draw holds to the end."""
    labs = _labs(
        [
            ("H1", "PLT", -9, 10.0),  # superseded before Day 0: no interval
            ("H1", "PLT", -2, 40.0),  # holds Day 0..2
            ("H1", "PLT", 3, 80.0),  # superseded the same day
            ("H1", "PLT", 3, 30.0),  # holds Day 3..30
            ("H1", "PLT", 31, 200.0),  # past last_day = 30
            ("H2", "PLT", 5, 25.0),  # unknown before Day 5; holds Day 5..30
            ("H2", "ANC", 0, 0.1),  # another test
        ]
    )
    subjects = pl.LazyFrame({"USUBJID": ["H1", "H2", "H3"], "TRTSDT": [DAY0] * 3})
    out = create_held_intervals(labs, subjects=subjects, test="PLT", last_day=30).collect()
    assert out.rows() == [
        ("H1", 40000, 0, 2),
        ("H1", 30000, 3, 30),
        ("H2", 25000, 5, 30),
    ]


def test_held_days_count_the_overlap_with_a_window():
    """Days below 50 in Day 0..30 and in Day 31..100, from intervals crossing the boundary."""
    labs = _labs(
        [
            ("W1", "PLT", 0, 150.0),
            ("W1", "PLT", 25, 45.0),  # < 50 on Day 25..34: 6 early days, 4 late days
            ("W1", "PLT", 35, 19.0),  # < 20 on Day 35..100: 66 late days
        ]
    )
    subjects = pl.LazyFrame({"USUBJID": ["W1"], "TRTSDT": [DAY0]})
    held = create_held_intervals(labs, subjects=subjects, test="PLT", last_day=100)
    below = pl.col("VALUE") < 50_000
    out = (
        held.group_by("USUBJID")
        .agg(
            compute_days_held(below, first=0, last=30).alias("EARLY"),
            compute_days_held(below, first=31, last=100).alias("LATE"),
            compute_days_held(pl.lit(True), first=0, last=100).alias("KNOWN"),
        )
        .collect()
    )
    assert out.row(0) == ("W1", 6, 70, 101)


def test_icaht_same_day_platelet_draws_use_the_later_row():
    """Two PLT draws on Day 1: the later input row (19.0) holds, so < 20 on Days 1..14."""
    labs = _labs(
        [
            ("S1", "PLT", 0, 150.0),
            ("S1", "PLT", 1, 60.0),
            ("S1", "PLT", 1, 19.0),
            ("S1", "PLT", 15, 60.0),
        ]
    )
    subjects = pl.LazyFrame({"USUBJID": ["S1"], "TRTSDT": [DAY0]})
    out = create_icaht(labs, subjects=subjects, params=ICAHT).collect()
    assert out.select("TICAHTEG").item() == 4
