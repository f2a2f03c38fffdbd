"""Tests of outcomes.derive.drug_free: drug-free DORIS and its strict reading (§6.2 D-16)."""

from __future__ import annotations

import dataclasses

from outcomes.derive.doris import derive_vars_doris
from outcomes.derive.drug_free import derive_vars_drug_free
from outcomes.derive.scores import derive_vars_scores

from .frames import DORIS, DRUG_FREE, SCORES, frame, row

NEW = ["DFGCFL", "DFISFL", "DFAMFL", "DFREMFL", "DFREMSFL"]


def _df(rows, criteria=DRUG_FREE):
    src = derive_vars_doris(
        derive_vars_scores(frame(rows), scores=SCORES), doris=DORIS, pga_decimals=2
    )
    return src, derive_vars_drug_free(src, drug_free=criteria).collect()


def test_derive_vars_drug_free__shape_and_components():
    rows = [
        row(1, pga=0.3, AMFL=True),  # Ex 1: DF TRUE, DFS FALSE (HCQ)
        row(2, pga=0.2),  # nothing at all: both TRUE
        row(3, GCDOSE=0.0001),  # smallest GC dose: not drug-free
        row(4, ISFL=True),  # IS active
        row(5, BIOFL=True),  # biologic active
        row(6, INVFL=True),  # investigational (§16.24)
        row(7, GCDOSE=None),  # dose unknown
        row(8, AMFL=None),  # antimalarial unknown: DF TRUE, DFS unknown
        row(9, pga=0.5),  # PGA fails
    ]
    src, out = _df(rows)
    assert out.columns == [*src.collect_schema().names(), *NEW]
    assert out.select(NEW).rows() == [
        (True, True, False, True, False),
        (True, True, True, True, True),
        (False, True, True, False, False),
        (True, False, True, False, False),
        (True, False, True, False, False),
        (True, False, True, False, False),
        (None, True, True, None, None),
        (True, True, None, True, None),
        (True, True, True, False, False),
    ]


def test_derive_vars_drug_free__investigational_switch():
    _, out = _df([row(1, INVFL=True)], dataclasses.replace(DRUG_FREE, investigational_breaks=False))
    assert out["DFREMFL"].to_list() == [True]


def test_derive_vars_drug_free__dose_compared_at_the_configured_decimals():
    """0.00004 mg/day is a glucocorticoid at 6 decimals, none at the default 4."""
    src, _ = _df([row(1, GCDOSE=0.00004)])
    six = derive_vars_drug_free(src, drug_free=DRUG_FREE, dose_decimals=6).collect()
    assert six["DFGCFL"].to_list() == [False]
    assert derive_vars_drug_free(src, drug_free=DRUG_FREE).collect()["DFGCFL"].to_list() == [True]
