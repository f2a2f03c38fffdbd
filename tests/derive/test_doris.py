"""Tests of outcomes.derive.doris: DORIS 2021 criteria (§5.1) and DORIS 2017 variants (§5.2)."""

from __future__ import annotations

import dataclasses

from outcomes.derive.doris import derive_vars_doris, derive_vars_doris2017
from outcomes.derive.scores import derive_vars_scores

from .frames import DORIS, SCORES, frame, row

NEW = ["DORSLEFL", "DORPGAFL", "DORGCFL", "DORSTBFL", "DORISFL"]
NEW_2017 = ["SEROINFL", "DCLONFL", "DCMONFL", "DCLOFFFL", "DCMOFFFL"]


def _doris(rows, criteria=DORIS):
    scored = derive_vars_scores(frame(rows), scores=SCORES)
    return derive_vars_doris(scored, doris=criteria, pga_decimals=2)


def test_derive_vars_doris__shape():
    src = derive_vars_scores(frame([row(1), row(2)]), scores=SCORES)
    out = derive_vars_doris(src, doris=DORIS, pga_decimals=2).collect()
    assert out.columns == [*src.collect_schema().names(), *NEW]
    assert out["SRCSEQ"].to_list() == [1, 2]


def test_derive_vars_doris__pga_boundary():
    rows = [row(1, pga=0.49), row(2, pga=0.50), row(3, pga=0.51), row(4, pga=None)]
    out = _doris(rows).collect()
    assert out["DORPGAFL"].to_list() == [True, False, False, None]
    assert out["DORISFL"].to_list() == [True, False, False, None]
    le = dataclasses.replace(DORIS, pga_operator="le")
    assert _doris(rows, le).collect()["DORPGAFL"].to_list() == [True, True, False, None]


def test_derive_vars_doris__gc_boundary_and_operator():
    """Ex 3: prednisone exactly 5 mg → TRUE with le, FALSE with lt (D-12)."""
    rows = [row(1, GCDOSE=4.9999), row(2, GCDOSE=5.0), row(3, GCDOSE=5.0001), row(4, GCDOSE=None)]
    out = _doris(rows).collect()
    assert out["DORGCFL"].to_list() == [True, True, False, None]
    lt = dataclasses.replace(DORIS, gc_operator="lt")
    assert _doris(rows, lt).collect()["DORGCFL"].to_list() == [True, False, False, None]


def test_derive_vars_doris__clinical_sledai_bounds():
    rows = [
        row(1),  # cSLEDAI 0
        row(2, items=["RASH"]),  # cSLEDAI 2
        row(3, missing=["LOW_COMPLEMENT", "INCREASED_DNA_BINDING"]),  # serology missing: 0
        row(4, missing=["ARTHRITIS"]),  # clinical item missing
        row(5, items=["RASH"], missing=["ARTHRITIS"]),  # ≥ 2 whatever is missing
    ]
    out = _doris(rows).collect()
    assert out["DORSLEFL"].to_list() == [True, False, True, None, False]


def test_derive_vars_doris__stability_and_three_valued_and():
    rows = [
        row(1, ISSTBLFL=False),  # unstable IS
        row(2, ISSTBLFL=None),  # stability unknown
        row(3, ISSTBLFL=None, pga=0.9),  # unknown, but PGA fails
    ]
    out = _doris(rows).collect()
    assert out["DORSTBFL"].to_list() == [False, None, None]
    assert out["DORISFL"].to_list() == [False, None, False]
    off = dataclasses.replace(DORIS, require_stable_is=False)
    assert _doris(rows, off).collect()["DORSTBFL"].to_list() == [True, True, True]


def test_derive_vars_doris2017__variants():
    """Ex 1: low complement only, GC 0, HCQ → clinical on/off TRUE, complete FALSE."""
    rows = [
        row(1, items=["LOW_COMPLEMENT"], pga=0.3, AMFL=True),  # Ex 1
        row(2, pga=0.2, GCDOSE=5.0),  # on therapy only (GC 5)
        row(3, pga=0.2, ISFL=True),  # stable IS: on, not off
        row(4, pga=0.2, missing=["INCREASED_DNA_BINDING"]),  # serology unknown
    ]
    src = _doris(rows)
    out = derive_vars_doris2017(src).collect()
    assert out.columns == [*src.collect_schema().names(), *NEW_2017]
    assert out.select(NEW_2017).rows() == [
        (False, True, False, True, False),
        (True, True, True, False, False),
        (True, True, True, False, False),
        (None, True, None, True, None),
    ]


def test_derive_vars_doris__dose_compared_at_the_configured_decimals():
    """GCDOSE rounded to 6 decimals (medications.gc_decimals = 6): 5.00004 mg is above 5 mg;
    at the default 4 decimals the same value reads 5.0000 and passes."""
    scored = derive_vars_scores(
        frame([row(1, GCDOSE=5.00004), row(2, GCDOSE=0.00004)]), scores=SCORES
    )
    six = derive_vars_doris(scored, doris=DORIS, pga_decimals=2, dose_decimals=6)
    assert six.collect()["DORGCFL"].to_list() == [False, True]
    four = derive_vars_doris(scored, doris=DORIS, pga_decimals=2)
    assert four.collect()["DORGCFL"].to_list() == [True, True]
    off = derive_vars_doris2017(six, dose_decimals=6).collect()
    assert off["DCLOFFFL"].to_list() == [False, False]  # 0.00004 mg is not "no glucocorticoid"
    assert derive_vars_doris2017(four).collect()["DCLOFFFL"].to_list() == [False, True]
