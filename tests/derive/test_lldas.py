"""Tests of outcomes.derive.lldas: the five LLDAS criteria (§7.2 D-20, D-34, §16.12-16.13)."""

from __future__ import annotations

import dataclasses

from outcomes.derive.lldas import derive_vars_lldas
from outcomes.derive.scores import derive_vars_scores

from .frames import LLDAS, SCORES, frame, row

NEW = ["LLC1FL", "LLC2FL", "LLC3FL", "LLC4FL", "LLC5FL", "LLDASFL"]


def _lldas(rows, criteria=LLDAS):
    src = derive_vars_scores(frame(rows), scores=SCORES)
    return src, derive_vars_lldas(src, lldas=criteria, pga_decimals=2).collect()


def test_derive_vars_lldas__shape():
    src, out = _lldas([row(1), row(2)])
    assert out.columns == [*src.collect_schema().names(), *NEW]
    assert out["SRCSEQ"].to_list() == [1, 2]


def test_derive_vars_lldas__c1_sledai_boundary_and_major_items():
    prev = row(1, items=["ARTHRITIS", "RASH", "LEUKOPENIA", "PROTEINURIA", "FEVER"])
    rows = [
        prev,
        row(2, items=["ARTHRITIS"]),  # 4: at threshold
        row(3, items=["ARTHRITIS", "LEUKOPENIA"]),  # 5: just above (Ex 10)
        row(4, items=["RASH", "LEUKOPENIA"]),  # 3: just below
        row(5, items=["PROTEINURIA"]),  # 4 but renal (Ex 8)
        row(6, items=["FEVER"]),  # 1 but fever (major)
        row(7, missing=["LOW_COMPLEMENT", "INCREASED_DNA_BINDING"]),  # bounds [0, 4]: TRUE
        row(8, items=["RASH"], missing=["LOW_COMPLEMENT", "INCREASED_DNA_BINDING"]),  # [2, 6]
    ]
    _, out = _lldas(rows)
    assert out["LLC1FL"].to_list() == [False, True, False, True, False, False, True, None]


def test_derive_vars_lldas__c1_haemolysis_and_gi():
    rows = [
        row(1),
        row(2, HAEMOLYSIS="Y"),  # haemolysis: FALSE
        row(3, HAEMOLYSIS=None, bilag={"HAEM": "D"}),  # D-34: HAEM D → absent
        row(4, HAEMOLYSIS=None, bilag={"HAEM": "C"}),  # D-34: HAEM C → unknown
        row(5, HAEMOLYSIS=None, bilag={"HAEM": None}),  # both missing → unknown
        row(6, bilag={"GI": "C"}),  # GI activity C: FALSE
        row(7, bilag={"GI": "D"}),  # GI D: TRUE
        row(8, bilag={"GI": None}),  # GI missing: unknown
    ]
    _, out = _lldas(rows)
    assert out["LLC1FL"].to_list() == [True, False, True, None, None, False, True, None]
    strict = dataclasses.replace(LLDAS, haemolysis_missing="not_evaluable")
    _, out = _lldas(rows, strict)
    assert out["LLC1FL"].to_list() == [True, False, None, None, None, False, True, None]


def test_derive_vars_lldas__c2_new_item_vs_previous():
    rows = [
        row(1),  # no previous, nothing now
        row(2, items=["ALOPECIA"]),  # Ex 9: new alopecia → FALSE
        row(3, items=["ALOPECIA"]),  # persistent → TRUE
        row(4, items=["ALOPECIA"], missing=["LOW_COMPLEMENT"]),  # low complement unknown
        row(5, items=["ALOPECIA", "LOW_COMPLEMENT"], PRVSEQ=None),  # no previous: unknown
        row(6),  # nothing now: TRUE
    ]
    _, out = _lldas(rows)
    assert out["LLC2FL"].to_list() == [True, False, True, None, None, True]


def test_derive_vars_lldas__c2_serology_already_present_cannot_be_new():
    """Ex 14 variant: serology missing now but both present before → C2 TRUE."""
    rows = [
        row(1, items=["LOW_COMPLEMENT", "INCREASED_DNA_BINDING"]),
        row(2, missing=["LOW_COMPLEMENT", "INCREASED_DNA_BINDING"]),
        row(3),
        row(4, missing=["LOW_COMPLEMENT", "INCREASED_DNA_BINDING"]),
    ]
    _, out = _lldas(rows)
    assert out["LLC2FL"].to_list()[1:] == [True, True, None]


def test_derive_vars_lldas__c2_bilag_option():
    rows = [row(1, bilag={"MUCO": "D"}), row(2, bilag={"MUCO": "C"})]
    _, out = _lldas(rows)
    assert out["LLC2FL"].to_list()[1] is True
    _, out = _lldas(rows, dataclasses.replace(LLDAS, c2_include_bilag=True))
    assert out["LLC2FL"].to_list()[1] is False


def test_derive_vars_lldas__c3_c4_c5_boundaries_and_missing():
    rows = [
        row(1),
        row(2, pga=0.99),
        row(3, pga=1.00),
        row(4, pga=1.01),
        row(5, pga=None),
        row(6, GCDOSE=7.4999),
        row(7, GCDOSE=7.5),
        row(8, GCDOSE=7.5001),
        row(9, GCDOSE=None),
        row(10, ISOVRFL=True),
        row(11, INVFL=True),
        row(12, ISOVRFL=None),
    ]
    _, out = _lldas(rows)
    assert out["LLC3FL"].to_list()[1:5] == [True, True, False, None]
    assert out["LLC4FL"].to_list()[5:9] == [True, True, False, None]
    assert out["LLC5FL"].to_list()[9:] == [False, False, None]
    assert out["LLDASFL"].to_list()[1:] == [
        True,
        True,
        False,
        None,
        True,
        True,
        False,
        None,
        False,
        False,
        None,
    ]


def test_derive_vars_lldas__dose_compared_at_the_configured_decimals():
    """7.50004 mg/day fails C4 (≤ 7.5) at 6 decimals and passes at the default 4."""
    src = derive_vars_scores(frame([row(1, GCDOSE=7.50004)]), scores=SCORES)
    six = derive_vars_lldas(src, lldas=LLDAS, pga_decimals=2, dose_decimals=6).collect()
    assert six["LLC4FL"].to_list() == [False]
    four = derive_vars_lldas(src, lldas=LLDAS, pga_decimals=2).collect()
    assert four["LLC4FL"].to_list() == [True]
