"""Tests of outcomes.derive.scores: score columns (shape, values) and new BILAG vs baseline."""

from __future__ import annotations

from outcomes.derive.scores import derive_vars_bilag_new, derive_vars_scores

from .frames import BL_A_BILAG, BL_A_ITEMS, SCORES, frame, row

SCORE_COLS = [
    "SLEDAI2K",
    "SDK2KLO",
    "SDK2KHI",
    "CSLEDAI",
    "CSLEDLO",
    "CSLEDHI",
    "SELENA",
    "SELENALO",
    "SELENAHI",
    "BILAGSC",
]
BILNEW = ["BILNEWA", "BILNEWB", "BILNALO", "BILNAHI", "BILNBLO", "BILNBHI"]


def test_derive_vars_scores__shape_and_bl_a():
    src = frame(
        [
            row(
                1,
                items=BL_A_ITEMS,
                new={"RASH": "Y", "ALOPECIA": "Y", "PROTEINURIA": "Y"},
                bilag=BL_A_BILAG,
            ),
            row(2, missing=["CVA"], bilag={"GI": None}),
        ]
    )
    out = derive_vars_scores(src, scores=SCORES).collect()
    assert out.columns == [*src.collect_schema().names(), *SCORE_COLS]
    assert out.select(SCORE_COLS).rows() == [
        (16, 16, 16, 12, 12, 12, 16, 16, 16, 30),
        (None, 0, 8, None, 0, 8, None, 0, 8, None),
    ]


def test_derive_vars_bilag_new__versus_baseline_row():
    rows = [
        row(1, bilag={"MUCO": "C", "MSK": "A"}, ABLFL=True, ADY=-3),
        row(2, bilag={"MUCO": "B", "MSK": "B", "HAEM": "B"}),  # Ex 6: 2 new B
        row(3, bilag={"RENAL": "A", "MUCO": None}),  # 1 new A, MUCO missing
        row(4, subject="S02"),  # no baseline: null
    ]
    src = derive_vars_scores(frame(rows), scores=SCORES)
    out = derive_vars_bilag_new(src).collect()
    assert out.columns == [*src.collect_schema().names(), *BILNEW]
    assert out.select(BILNEW).rows() == [
        (0, 0, 0, 0, 0, 0),
        (0, 2, 0, 0, 2, 2),
        (None, None, 1, 2, 0, 1),
        (None, None, None, None, None, None),
    ]
