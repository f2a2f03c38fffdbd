"""Tests of outcomes.derive.flares: investigator, BILAG (D-09) and SFI-by-score (D-19) flares."""

from __future__ import annotations

from outcomes.derive.flares import derive_vars_flares
from outcomes.derive.scores import derive_vars_scores

from .frames import FLARE, SCORES, frame, row

NEW = ["INVFLRFL", "BILFLRFL", "BILFLRSV", "FLAREFL", "SFISCFL", "SFISEV"]


def _flares(rows):
    src = derive_vars_scores(frame(rows), scores=SCORES)
    return src, derive_vars_flares(src, flare=FLARE).collect()


def test_derive_vars_flares__shape_and_investigator_flag():
    rows = [row(1, FLARE="NONE"), row(2, FLARE="MILD"), row(3, FLARE="SEVERE"), row(4, FLARE=None)]
    src, out = _flares(rows)
    assert out.columns == [*src.collect_schema().names(), *NEW]
    assert out["INVFLRFL"].to_list() == [False, True, True, None]
    assert out["FLAREFL"].to_list() == [False, True, True, None]


def test_derive_vars_flares__bilag_worse_and_severity():
    rows = [
        row(1, bilag={"MUCO": "C", "MSK": "C", "RENAL": "B"}),  # no previous: RENAL B unknown
        row(2, bilag={"MUCO": "B", "MSK": "C", "RENAL": "B"}),  # 1 worse B: MILD
        row(3, bilag={"MUCO": "B", "MSK": "B", "RENAL": "B"}),  # MSK C→B only: MILD
        row(4, bilag={"MUCO": "B", "MSK": "B", "RENAL": "A"}),  # RENAL B→A: SEVERE
        row(5, bilag={"MUCO": "C", "MSK": "C", "RENAL": "B"}),  # all improve: NONE
        row(6, bilag={"MUCO": "B", "MSK": "B", "RENAL": "B"}),  # 2 worse B: MODERATE
        row(7, bilag={"MUCO": None, "MSK": "B", "RENAL": "B"}),  # unknown MUCO, no worse known
        row(8, bilag={"RENAL": "A", "CONST": "C"}),  # B→A (a worse C alone is no flare)
    ]
    _, out = _flares(rows)
    assert out["BILFLRFL"].to_list() == [None, True, True, True, False, True, None, True]
    assert out["BILFLRSV"].to_list() == [
        None,
        "MILD",
        "MILD",
        "SEVERE",
        "NONE",
        "MODERATE",
        None,
        "SEVERE",
    ]
    assert out["FLAREFL"].to_list() == [None, True, True, True, False, True, None, True]


def test_derive_vars_flares__bilag_previous_missing():
    rows = [row(1, bilag={"MUCO": None}), row(2, bilag={"MUCO": "B"}), row(3, bilag={"MUCO": "D"})]
    _, out = _flares(rows)
    assert out["BILFLRFL"].to_list()[1:] == [None, False]


def test_derive_vars_flares__sfi_score_boundaries():
    """D-19: rise ≥ 3 versus previous; severe when the new SELENA > 12."""
    rows = [
        row(1, items=["ARTHRITIS"]),  # 4
        row(2, items=["ARTHRITIS", "LOW_COMPLEMENT"]),  # 6: rise 2
        row(
            3, items=["ARTHRITIS", "LOW_COMPLEMENT", "FEVER", "THROMBOCYTOPENIA", "LEUKOPENIA"]
        ),  # 9: rise 3
        row(4, items=["VASCULITIS", "ARTHRITIS", "FEVER"]),  # 13: rise 4, > 12
        row(5, items=["VASCULITIS", "ARTHRITIS"], missing=["FEVER"]),  # [12, 13]: rise [-1, 0]
        row(6, items=["VASCULITIS", "ARTHRITIS", "LOW_COMPLEMENT", "FEVER"]),  # 15: rise [2, 3]
        row(7, items=["ARTHRITIS"], missing=["RASH"]),  # 4..6 after 15
    ]
    _, out = _flares(rows)
    assert out["SFISCFL"].to_list() == [None, False, True, True, False, None, False]
    assert out["SFISEV"].to_list() == [
        None,
        "NONE",
        "MILD/MODERATE",
        "SEVERE",
        "NONE",
        None,
        "NONE",
    ]
