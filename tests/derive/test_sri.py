"""Tests of outcomes.derive.sri: SRI-4 / SRI-k versus baseline (§4, D-10, E-22, E-23, E-31)."""

from __future__ import annotations

import dataclasses

import polars as pl

from outcomes.derive.scores import derive_vars_bilag_new, derive_vars_scores
from outcomes.derive.sri import derive_vars_sri

from .frames import SCORES, SRI, frame, row

NEW = ["SRISSFL", "SRIBILFL", "SRIPGAFL", "SRI4FL", "SRI5FL", "SRI6FL"]
#: Ex 5 baseline: SELENA 10 (arthritis 4, new rash 2, serology 4), BILAG MSK B, MUCO B, PGA 1.20
EX5_ITEMS = ["ARTHRITIS", "RASH", "LOW_COMPLEMENT", "INCREASED_DNA_BINDING"]
SERO = ["LOW_COMPLEMENT", "INCREASED_DNA_BINDING"]


def _baseline(*, items=EX5_ITEMS, bilag=None, pga=1.20, subject="S01", seq=1, **kw):
    return row(
        seq,
        items=items,
        new={"RASH": "Y"},
        bilag=bilag or {"MSK": "B", "MUCO": "B"},
        pga=pga,
        subject=subject,
        ABLFL=True,
        ADY=-5,
        **kw,
    )


def _sri(rows, criteria=SRI):
    src = derive_vars_bilag_new(derive_vars_scores(frame(rows), scores=SCORES))
    return src, derive_vars_sri(src, sri=criteria, index="selena", pga_decimals=2).collect()


def test_derive_vars_sri__shape_and_baseline_row_is_null():
    src, out = _sri([_baseline(), row(2, items=SERO, bilag={"MSK": "D", "MUCO": "D"}, pga=1.0)])
    assert out.columns == [*src.collect_schema().names(), *NEW]
    assert out.row(0, named=True)["SRI4FL"] is None  # baseline (pre-infusion): not evaluated


def test_derive_vars_sri__example_5_pga_boundary():
    """Ex 5: PGA 1.20 → 1.50 is a rise of exactly 0.30: SRI4 FALSE; 1.49 → TRUE."""
    m6 = {"items": SERO, "bilag": {"MSK": "D", "MUCO": "D"}}
    rows = [_baseline(), row(2, pga=1.50, **m6), row(3, pga=1.49, **m6)]
    _, out = _sri(rows)
    assert out["SRISSFL"].to_list()[1:] == [True, True]
    assert out["SRIPGAFL"].to_list()[1:] == [False, True]
    assert out["SRI4FL"].to_list()[1:] == [False, True]


def test_derive_vars_sri__float_trap():
    """E-23: PGA 2.00 → 2.30 is not < 0.3 (naive doubles say it is); 0.20 → 0.49 passes."""
    rows = [
        _baseline(pga=2.00),
        row(2, items=SERO, pga=2.30),
        row(3, items=SERO, pga=2.29),
        row(4, items=SERO, pga=2.31),
        _baseline(pga=0.20, subject="S02", seq=5),
        row(6, items=SERO, pga=0.49, subject="S02"),
    ]
    _, out = _sri(rows)
    assert out["SRIPGAFL"].to_list() == [None, False, True, False, None, True]


def test_derive_vars_sri__reduction_boundaries_and_k():
    """Baseline SELENA 10: 6 (Δ 4) passes SRI-4; 7 (Δ 3) fails; 5 (Δ 5) passes SRI-5 not SRI-6."""
    rows = [
        _baseline(bilag={}),
        row(2, items=["ARTHRITIS", "ALOPECIA"], new={"ALOPECIA": "Y"}),  # SELENA 6
        row(3, items=["ARTHRITIS", "ALOPECIA", "FEVER"], new={"ALOPECIA": "Y"}),  # 7
        row(4, items=["ARTHRITIS", "FEVER"]),  # 5
        row(5, items=["ARTHRITIS"]),  # 4
    ]
    _, out = _sri(rows)
    assert out.select("SRI4FL", "SRI5FL", "SRI6FL").rows()[1:] == [
        (True, False, False),
        (False, False, False),
        (True, True, False),
        (True, True, True),
    ]


def test_derive_vars_sri__bilag_new_a_and_b_counts():
    """Ex 6: nNewB 2 → FALSE; variant 1 new B → TRUE; a new A → FALSE."""
    bl = {"MUCO": "C", "MSK": "A"}
    rows = [
        _baseline(bilag=bl),
        row(2, bilag={"MSK": "B", "MUCO": "B", "HAEM": "B"}),  # 2 new B
        row(3, bilag={"MSK": "B", "MUCO": "B", "HAEM": "C"}),  # 1 new B
        row(4, bilag={"MSK": "A", "MUCO": "C", "RENAL": "A"}),  # 1 new A
    ]
    _, out = _sri(rows)
    assert out["SRIBILFL"].to_list()[1:] == [False, True, False]


def test_derive_vars_sri__missing_components():
    rows = [
        _baseline(bilag={"MUCO": "C"}),
        row(2, pga=None),  # PGA missing
        row(3, missing=["ARTHRITIS"]),  # SELENA [0, 4]: Δ ≥ 6 → TRUE
        row(4, items=["ARTHRITIS", "VASCULITIS"], missing=["SEIZURE"]),  # [12, 20]: FALSE
        row(5, items=["MYOSITIS", "PYURIA"], missing=["FEVER"]),  # [8, 9]: Δ [1, 2] FALSE
        row(6, items=["ARTHRITIS"], missing=["CVA"]),  # [4, 12]: undecided
        row(7, bilag={"MUCO": None}),  # E-31: best C, worst A → null
        row(8, bilag={"MUCO": "A", "RENAL": None}),  # new A already → FALSE
    ]
    _, out = _sri(rows)
    assert out["SRIPGAFL"].to_list()[1] is None
    assert out["SRISSFL"].to_list()[2:6] == [True, False, False, None]
    assert out["SRIBILFL"].to_list()[6:] == [None, False]
    assert out["SRI4FL"].to_list()[1:] == [None, True, False, False, None, None, False]


def test_derive_vars_sri__no_baseline_or_baseline_bilag_missing():
    rows = [
        row(1, subject="S01"),  # no baseline at all
        _baseline(subject="S02", seq=2, bilag={"GI": None}),  # baseline GI missing
        row(3, subject="S02", items=SERO),
    ]
    _, out = _sri(rows)
    assert out["SRI4FL"].to_list() == [None, None, None]
    assert out["SRIBILFL"].to_list()[2] is None


def test_derive_vars_sri__pct10_rule():
    pct = dataclasses.replace(SRI, pga_rule="pct10")
    rows = [
        _baseline(pga=1.00, bilag={}),
        row(2, items=SERO, pga=1.10),
        row(3, items=SERO, pga=1.11),
        row(4, items=SERO, pga=1.09),
    ]
    _, out = _sri(rows, pct)
    assert out["SRIPGAFL"].to_list()[1:] == [True, False, True]


def test_derive_vars_sri__sledai2k_index():
    rows = [_baseline(bilag={}), row(2, items=["ARTHRITIS", "RASH"], new={"RASH": "N"})]
    src = derive_vars_bilag_new(derive_vars_scores(frame(rows), scores=SCORES))
    out = derive_vars_sri(src, sri=SRI, index="sledai2k", pga_decimals=2).collect()
    # SLEDAI-2K 10 → 6: Δ 4 passes; SELENA 10 → 4 would give Δ 6 (SRI-6 TRUE)
    assert out["SRI6FL"].to_list()[1] is False
    assert out.filter(pl.col("SRCSEQ") == 2)["SRI4FL"].to_list() == [True]
