"""Worked examples of endpoints.md §13 (Ex 1–10, 11 per-visit, 14, 15), expected values by hand.

Medication columns (GCDOSE as prednisone-equivalent mg/day, ISFL, AMFL, ...) are given as inputs,
as the medications stage writes them; the examples' dose conversions are the medications tests'.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import polars as pl

from outcomes.derive.doris import derive_vars_doris, derive_vars_doris2017
from outcomes.derive.drug_free import derive_vars_drug_free
from outcomes.derive.flares import derive_vars_flares
from outcomes.derive.lldas import derive_vars_lldas
from outcomes.derive.params import Criteria
from outcomes.derive.scores import derive_vars_bilag_new, derive_vars_scores
from outcomes.derive.sri import derive_vars_sri

from .frames import BL_A_BILAG, BL_A_ITEMS, CRITERIA, SCORES, frame, row

DE = {"CONST": "D", "MUCO": "D", "MSK": "D", "CARDIO": "D", "RENAL": "D", "HAEM": "D"}
SERO = ["LOW_COMPLEMENT", "INCREASED_DNA_BINDING"]


def bl_a(seq: int = 1) -> dict[str, Any]:
    """§13 BL-A: SELENA 16, SLEDAI-2K 16, cSLEDAI 12, BILAG 30, PGA 2.10, prednisone 15."""
    return row(
        seq,
        items=BL_A_ITEMS,
        new={"RASH": "Y", "ALOPECIA": "Y", "PROTEINURIA": "Y"},
        bilag=BL_A_BILAG,
        pga=2.10,
        GCDOSE=15.0,
        ABLFL=True,
        ADY=-6,
    )


def chain(rows: list[dict[str, Any]], criteria: Criteria = CRITERIA) -> pl.DataFrame:
    scored = derive_vars_bilag_new(derive_vars_scores(frame(rows), scores=SCORES))
    return (
        scored.pipe(derive_vars_doris, doris=criteria.doris, pga_decimals=2)
        .pipe(derive_vars_doris2017)
        .pipe(derive_vars_drug_free, drug_free=criteria.drug_free)
        .pipe(derive_vars_lldas, lldas=criteria.lldas, pga_decimals=2)
        .pipe(derive_vars_sri, sri=criteria.sri, index="selena", pga_decimals=2)
        .pipe(derive_vars_flares, flare=criteria.flare)
        .collect()
    )


def at(out: pl.DataFrame, seq: int, *columns: str) -> tuple[Any, ...]:
    return out.filter(pl.col("SRCSEQ") == seq).select(columns).row(0)


def test_bl_a_scores():
    out = chain([bl_a()])
    assert at(out, 1, "SELENA", "SLEDAI2K", "CSLEDAI", "BILAGSC", "PGA") == (16, 16, 12, 30, 2.10)


def ex1_rows(pga: float) -> list[dict[str, Any]]:
    return [
        bl_a(),
        row(2, items=SERO, bilag=DE, pga=0.40),  # D28
        row(3, items=["LOW_COMPLEMENT"], bilag=DE, pga=pga, AMFL=True),  # M3, HCQ 200 mg/day
    ]


def test_example_1_full_responder_with_residual_serology():
    out = chain(ex1_rows(0.30))
    assert at(out, 3, "SELENA", "SLEDAI2K", "CSLEDAI", "BILAGSC") == (2, 2, 0, 0)
    assert at(out, 3, "SRI4FL", "SRI5FL", "SRI6FL") == (True, True, True)
    assert at(out, 3, "DORISFL", "DFREMFL", "DFREMSFL") == (True, True, False)
    assert at(out, 3, "DCLOFFFL", "DCMOFFFL") == (True, False)
    assert at(out, 3, "LLDASFL") == (True,)


def test_example_2_pga_exactly_half():
    out = chain(ex1_rows(0.50))
    assert at(out, 3, "DORISFL", "DFREMFL", "LLDASFL", "SRI4FL") == (False, False, True, True)


def ex3_rows(gcdose: float) -> list[dict[str, Any]]:
    return [bl_a(), row(2, bilag=DE, pga=0.20, GCDOSE=gcdose)]


def test_example_3_prednisone_exactly_5mg():
    out = chain(ex3_rows(5.0))
    assert at(out, 2, "SLEDAI2K", "DORISFL", "DFREMFL", "LLDASFL", "SRI4FL") == (
        0,
        True,
        False,
        True,
        True,
    )
    lt = dataclasses.replace(CRITERIA, doris=dataclasses.replace(CRITERIA.doris, gc_operator="lt"))
    assert at(chain(ex3_rows(5.0), lt), 2, "DORISFL") == (False,)


def test_example_4_glucocorticoid_conversion_boundary():
    """Methylprednisolone 6 mg = 7.5 pred-eq; dexamethasone 1.2 mg = 8.0; hydrocortisone 20 = 5."""
    assert at(chain(ex3_rows(7.5)), 2, "DORISFL", "LLDASFL") == (False, True)
    assert at(chain(ex3_rows(8.0)), 2, "LLDASFL") == (False,)
    assert at(chain(ex3_rows(5.0)), 2, "DORISFL", "DFREMFL") == (True, False)


def ex5_rows(pga: float) -> list[dict[str, Any]]:
    bl = row(
        1,
        items=["ARTHRITIS", "RASH", *SERO],
        new={"RASH": "Y"},
        bilag={"MSK": "B", "MUCO": "B"},
        pga=1.20,
        ABLFL=True,
        ADY=-6,
    )
    return [bl, row(2, items=SERO, bilag={"MSK": "D", "MUCO": "D"}, pga=pga)]


def test_example_5_sri_pga_boundary():
    assert at(chain(ex5_rows(1.50)), 2, "SELENA", "SRI4FL", "LLDASFL") == (4, False, False)
    assert at(chain(ex5_rows(1.49)), 2, "SRI4FL", "LLDASFL") == (True, False)


def test_example_5_float_trap():
    rows = ex5_rows(2.30)
    rows[0]["PGA"] = 2.00
    assert at(chain(rows), 2, "SRI4FL") == (False,)
    rows = ex5_rows(0.49)
    rows[0]["PGA"] = 0.20
    assert at(chain(rows), 2, "SRI4FL") == (True,)


def test_example_6_counting_new_bilag_b():
    bl = row(
        1,
        items=["ARTHRITIS", "MYOSITIS", "URINARY_CASTS"],
        bilag={"MUCO": "C", "MSK": "A", "CARDIO": "D"},
        pga=1.80,
        ABLFL=True,
        ADY=-6,
    )  # SELENA 12
    m3 = {"items": ["MYOSITIS", "FEVER"], "pga": 1.00}  # SELENA 5
    out = chain(
        [
            bl,
            row(2, bilag={"MSK": "B", "MUCO": "B", "HAEM": "B", "CARDIO": "D"}, **m3),
            row(3, bilag={"MSK": "B", "MUCO": "B", "HAEM": "C", "CARDIO": "D"}, **m3),
        ]
    )
    assert at(out, 2, "SELENA", "BILNEWA", "BILNEWB", "SRI4FL") == (5, 0, 2, False)
    assert at(out, 3, "BILNEWB", "SRI4FL") == (1, True)


def test_example_7_selena_vs_sledai2k_persistence():
    persistent = {"RASH": "N", "ALOPECIA": "N"}
    rows = [
        row(
            1,
            items=["ARTHRITIS", "RASH", "ALOPECIA", *SERO],
            new={"RASH": "Y", "ALOPECIA": "Y"},
            bilag={"MUCO": "B", "MSK": "B"},
            pga=1.60,
            ABLFL=True,
            ADY=-6,
        ),
        row(
            2, items=["RASH", "ALOPECIA"], new=persistent, bilag={"MUCO": "B", "MSK": "D"}, pga=0.60
        ),  # M3
        row(
            3, items=["RASH", "ALOPECIA"], new=persistent, bilag={"MUCO": "B", "MSK": "D"}, pga=0.40
        ),  # M6
    ]
    out = chain(rows)
    assert at(out, 1, "SELENA") == (12,)
    assert at(out, 3, "SELENA", "SLEDAI2K", "CSLEDAI") == (0, 4, 4)
    assert at(out, 3, "SRI4FL", "DORISFL", "DFREMFL", "LLDASFL") == (True, False, False, True)


def test_example_8_renal_item_blocks_lldas():
    rows = [
        bl_a(),
        row(
            2,
            items=["PROTEINURIA"],
            new={"PROTEINURIA": "N"},
            bilag={"RENAL": "C", **{k: v for k, v in DE.items() if k != "RENAL"}},
            pga=0.80,
            GCDOSE=5.0,
        ),
    ]
    out = chain(rows)
    assert at(out, 2, "SLEDAI2K", "CSLEDAI", "SELENA") == (4, 4, 0)
    assert at(out, 2, "LLC1FL", "LLDASFL", "DORISFL", "SRI4FL") == (False, False, False, True)


def test_example_9_new_feature_blocks_lldas():
    rows = [row(1, pga=0.2), row(2, items=["ALOPECIA"], new={"ALOPECIA": "Y"}, pga=0.60)]
    out = chain(rows)
    assert at(out, 2, "SLEDAI2K", "CSLEDAI") == (2, 2)
    assert at(out, 2, "LLC2FL", "LLDASFL", "DORISFL") == (False, False, False)


def test_example_10_leukopenia_attribution():
    rows = [
        row(1, items=["ARTHRITIS"]),
        row(2, items=["ARTHRITIS", "LEUKOPENIA"]),
        row(3, items=["ARTHRITIS"], PRVSEQ=1),
    ]
    out = chain(rows)
    assert at(out, 2, "SLEDAI2K", "LLC1FL", "LLDASFL") == (5, False, False)
    assert at(out, 3, "SLEDAI2K", "LLC1FL") == (4, True)


def test_example_11_per_visit_doris_and_drug_free():
    rows = [
        bl_a(),
        row(2, items=["RASH"], new={"RASH": "N"}, pga=0.80, GCDOSE=10.0),  # D14
        row(3, pga=0.40, GCDOSE=2.5),  # D28
        row(4, pga=0.20),  # M3
        row(5, pga=0.10),  # M6
        row(6, items=["ARTHRITIS"], pga=1.20, GCDOSE=10.0),  # M9
    ]
    out = chain(rows)
    assert out.filter(pl.col("SRCSEQ") > 1).select("CSLEDAI", "DORISFL", "DFREMFL").rows() == [
        (2, False, False),
        (0, True, False),
        (0, True, True),
        (0, True, True),
        (4, False, False),
    ]


def test_example_14_partial_sledai_missing_serology():
    prev = row(1, items=["RASH"], new={"RASH": "N"})
    m3 = row(2, items=["RASH"], new={"RASH": "N"}, missing=SERO, pga=0.40)
    out = chain([prev, m3, {**m3, "SRCSEQ": 3, "PRVSEQ": 1, "PGA": 1.20}])
    assert at(out, 2, "CSLEDAI", "DORISFL", "SDK2KLO", "SDK2KHI") == (2, False, 2, 6)
    assert at(out, 2, "LLC1FL", "LLC3FL", "LLC4FL", "LLC5FL", "LLDASFL") == (
        None,
        True,
        True,
        True,
        None,
    )
    assert at(out, 3, "LLDASFL") == (False,)


def test_example_14_variant_no_clinical_item():
    normal_before = row(1)
    sero_before = row(3, items=SERO)
    now = row(2, missing=SERO, pga=0.40)
    out = chain([normal_before, now, sero_before, {**now, "SRCSEQ": 4, "PRVSEQ": 3}])
    assert at(out, 2, "CSLEDAI", "DORSLEFL", "LLC1FL", "LLC2FL", "LLDASFL") == (
        0,
        True,
        True,
        None,
        None,
    )
    assert at(out, 4, "LLC1FL", "LLC2FL", "LLDASFL") == (True, True, True)


def test_example_15_steroids_for_crs():
    """Day 4: dexamethasone 20 mg/day = 133.3333 pred-eq → D21 and LL FALSE; D14: GC 0."""
    rows = [
        bl_a(),
        row(2, bilag=DE, pga=0.3, GCDOSE=133.3333, ADY=4),
        row(3, bilag=DE, pga=0.3, ADY=14),
    ]
    out = chain(rows)
    assert at(out, 2, "DORISFL", "LLDASFL", "SRI4FL") == (False, False, True)
    assert at(out, 3, "DORISFL", "LLDASFL", "SRI4FL") == (True, True, True)
