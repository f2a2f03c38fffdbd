"""Tests of outcomes.scoring: SLEDAI-family totals with bounds, BILAG score, counts, new A/B."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from outcomes import contract as c
from outcomes.scoring import (
    compute_bilag_count,
    compute_bilag_new,
    compute_bilag_score,
    compute_sledai,
)

YEE = {"A": 12, "B": 8, "C": 1, "D": 0, "E": 0}
SCHEMA = {
    **{col: pl.Int8() for col in c.SLEDAI_COLUMNS},
    **{col: pl.String() for col in c.SELENA_ONSET_COLUMNS},
    **{col: pl.String() for col in c.BILAG_COLUMNS},
    **{f"BL_{col}": pl.String() for col in c.BILAG_COLUMNS},
}


def _row(items=(), missing=(), new=None, bilag=None, baseline=None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in c.SLEDAI_ITEMS:
        out[item.column] = None if item.code in missing else int(item.code in items)
    for code, col in zip(c.SELENA_ONSET_ITEMS, c.SELENA_ONSET_COLUMNS, strict=True):
        out[col] = (new or {}).get(code)
    grades = {d: "E" for d in c.BILAG_DOMAINS} | (bilag or {})
    base = {d: "E" for d in c.BILAG_DOMAINS} | (baseline or {})
    for dom, col in zip(c.BILAG_DOMAINS, c.BILAG_COLUMNS, strict=True):
        out[col] = grades[dom]
        out[f"BL_{col}"] = base[dom]
    return out


def _scores(rows: list[dict[str, Any]], index: str, **kw: Any) -> list[tuple[int | None, ...]]:
    df = pl.DataFrame(rows, schema=SCHEMA)
    out = df.select(
        compute_sledai(index=index, bound="value", **kw).alias("v"),
        compute_sledai(index=index, bound="lo", **kw).alias("lo"),
        compute_sledai(index=index, bound="hi", **kw).alias("hi"),
    )
    return list(out.iter_rows())


BL_A = ("ARTHRITIS", "RASH", "ALOPECIA", "PROTEINURIA", "LOW_COMPLEMENT", "INCREASED_DNA_BINDING")
ALL_NEW = {"RASH": "Y", "ALOPECIA": "Y", "PROTEINURIA": "Y"}


def test_compute_sledai__bl_a_example():
    """endpoints.md §13 BL-A: SELENA 16, SLEDAI-2K 16, cSLEDAI-2K 12."""
    rows = [_row(BL_A, new=ALL_NEW)]
    assert _scores(rows, "sledai2k") == [(16, 16, 16)]
    assert _scores(rows, "clinical") == [(12, 12, 12)]
    assert _scores(rows, "selena") == [(16, 16, 16)]


def test_compute_sledai__all_items_give_the_maxima():
    rows = [_row([i.code for i in c.SLEDAI_ITEMS], new={k: "Y" for k in c.SELENA_ONSET_ITEMS})]
    assert _scores(rows, "sledai2k") == [(105, 105, 105)]
    assert _scores(rows, "clinical") == [(101, 101, 101)]
    assert _scores(rows, "selena") == [(105, 105, 105)]


def test_compute_sledai__missing_item_gives_bounds_and_null_score():
    rows = [
        _row(["RASH"], missing=["LOW_COMPLEMENT", "INCREASED_DNA_BINDING"]),  # Ex 14
        _row([], missing=["SEIZURE"]),
    ]
    assert _scores(rows, "sledai2k") == [(None, 2, 6), (None, 0, 8)]
    # missing serology never affects clinical SLEDAI (E-05)
    assert _scores(rows, "clinical") == [(2, 2, 2), (None, 0, 8)]


def test_compute_sledai__selena_persistent_items_not_scored():
    """Ex 7: persistent rash and alopecia score in SLEDAI-2K (4) but not in SELENA (0)."""
    rows = [_row(["RASH", "ALOPECIA"], new={"RASH": "N", "ALOPECIA": "N"})]
    assert _scores(rows, "sledai2k") == [(4, 4, 4)]
    assert _scores(rows, "selena") == [(0, 0, 0)]


def test_compute_sledai__selena_proteinuria_not_new():
    """Ex 8: proteinuria with SLEDAI_PROTEINURIA_NEW = N: SLEDAI-2K 4, SELENA 0."""
    rows = [_row(["PROTEINURIA"], new={"PROTEINURIA": "N"})]
    assert _scores(rows, "sledai2k") == [(4, 4, 4)]
    assert _scores(rows, "selena") == [(0, 0, 0)]


def test_compute_sledai__selena_onset_flag_missing_uses_bounds():
    """E-32: a present onset item without its flag gives SELENA bounds [0, weight]."""
    rows = [_row(["RASH"]), _row(["PROTEINURIA", "ARTHRITIS"])]
    assert _scores(rows, "selena") == [(None, 0, 2), (None, 4, 8)]
    assert _scores(rows, "selena", onset_missing="persistent") == [(0, 0, 0), (4, 4, 4)]


def test_compute_sledai__selena_item_missing_with_flag_n_scores_zero():
    """§16.24: a SELENA item missing while its _NEW flag is N scores 0 at both bounds."""
    rows = [
        _row([], missing=["RASH"], new={"RASH": "N"}),
        _row([], missing=["RASH"], new={"RASH": "Y"}),
        _row([], missing=["RASH"]),
    ]
    assert _scores(rows, "selena") == [(0, 0, 0), (None, 0, 2), (None, 0, 2)]
    assert _scores(rows, "sledai2k") == [(None, 0, 2)] * 3


def test_compute_bilag_score__bl_a_and_missing():
    """§13 BL-A BILAG numeric 1+8+0+8+0+0+0+12+1 = 30; a missing domain gives null."""
    bl_a = {
        "CONST": "C",
        "MUCO": "B",
        "NEURO": "E",
        "MSK": "B",
        "CARDIO": "D",
        "GI": "E",
        "OPHTH": "E",
        "RENAL": "A",
        "HAEM": "C",
    }
    rows = [
        _row(bilag=bl_a),
        _row(bilag={"GI": None}),
        _row(bilag={d: "A" for d in c.BILAG_DOMAINS}),
    ]
    out = pl.DataFrame(rows, schema=SCHEMA).select(compute_bilag_score(points=YEE).alias("s"))
    assert out["s"].to_list() == [30, None, 108]


@pytest.mark.parametrize(
    ("grades", "expected_a", "expected_b"),
    [
        ({"RENAL": "A", "MUCO": "B", "MSK": "B"}, (1, 1, 1), (2, 2, 2)),
        ({"RENAL": "A", "MUCO": None}, (None, 1, 2), (None, 0, 1)),
        ({}, (0, 0, 0), (0, 0, 0)),
    ],
)
def test_compute_bilag_count__value_and_bounds(grades, expected_a, expected_b):
    out = pl.DataFrame([_row(bilag=grades)], schema=SCHEMA).select(
        *[compute_bilag_count(grade="A", bound=b).alias(f"a{b}") for b in ("value", "lo", "hi")],
        *[compute_bilag_count(grade="B", bound=b).alias(f"b{b}") for b in ("value", "lo", "hi")],
    )
    assert out.row(0) == (*expected_a, *expected_b)


def _new(rows: list[dict[str, Any]]) -> list[tuple[int | None, ...]]:
    df = pl.DataFrame(rows, schema=SCHEMA)
    return list(
        df.select(
            *[
                compute_bilag_new(grade=g, bound=b, baseline_prefix="BL_").alias(f"{g}{b}")
                for g in ("A", "B")
                for b in ("value", "lo", "hi")
            ]
        ).iter_rows()
    )


def test_compute_bilag_new__example_6():
    """Ex 6: MSK A→B not new; MUCO C→B new; HAEM E→B new → nNewA 0, nNewB 2; variant HAEM C → 1."""
    baseline = {"MUCO": "C", "MSK": "A", "CARDIO": "D"}
    rows = [
        _row(bilag={"MSK": "B", "MUCO": "B", "HAEM": "B", "CARDIO": "D"}, baseline=baseline),
        _row(bilag={"MSK": "B", "MUCO": "B", "HAEM": "C", "CARDIO": "D"}, baseline=baseline),
    ]
    assert _new(rows) == [(0, 0, 0, 2, 2, 2), (0, 0, 0, 1, 1, 1)]


def test_compute_bilag_new__new_a_and_a_stays_a():
    rows = [
        _row(bilag={"RENAL": "A"}, baseline={"RENAL": "B"}),  # B→A new A
        _row(bilag={"RENAL": "A"}, baseline={"RENAL": "A"}),  # A→A not new
        _row(bilag={"RENAL": "B"}, baseline={"RENAL": "B"}),  # B→B not new
    ]
    assert _new(rows) == [(1, 1, 1, 0, 0, 0), (0, 0, 0, 0, 0, 0), (0, 0, 0, 0, 0, 0)]


def test_compute_bilag_new__missing_current_and_baseline():
    """E-31: missing domain = baseline grade (lo) or the grade (hi); missing baseline → null."""
    rows = [
        _row(bilag={"RENAL": None}, baseline={"RENAL": "C"}),
        _row(bilag={"RENAL": None}, baseline={"RENAL": "A"}),
        _row(bilag={"RENAL": "E"}, baseline={"RENAL": None}),
    ]
    assert _new(rows) == [
        (None, 0, 1, None, 0, 1),
        (0, 0, 0, 0, 0, 0),
        (None, None, None, None, None, None),
    ]
