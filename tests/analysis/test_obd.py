"""OBD: PAVA, utility, admissibility and the recommendation (hand-computed values)."""

from __future__ import annotations

import polars as pl
import pytest

from outcomes.analysis.obd import analyze_obd, compute_pava
from outcomes.analysis.params import ObdParams

PARAMS = ObdParams(
    tox_related_grade_ge=3,
    tox_crs_icans_grade_ge=2,
    eff_paramcd="DORIS",
    eff_avisit="MONTH 3",
    eff_isotonic=True,
    tox_rate_le=0.35,
    eff_rate_ge=0.0,
    utility={"tox0_eff1": 100.0, "tox0_eff0": 40.0, "tox1_eff1": 60.0, "tox1_eff0": 0.0},
    conf_level=0.95,
)


def test_compute_pava__pools_violators_weighted():
    # 0.5 (w 2) > 0.2 (w 2): pooled 0.35; 0.35 <= 0.4: kept
    assert compute_pava([0.5, 0.2, 0.4], [2, 2, 1]) == pytest.approx([0.35, 0.35, 0.4])
    # a dose without subjects is skipped: 0.3 (w 1) > 0.2 (w 3) pool to 0.225
    assert compute_pava([0.1, None, 0.3, 0.2], [1, 0, 1, 3]) == pytest.approx(
        [0.1, None, 0.225, 0.225]
    )
    assert compute_pava([0.1, 0.2], [1, 1]) == [0.1, 0.2]


def _subjects(rows: list[tuple[str, bool | None, bool | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"DOSELVL": pl.String, "DLTFL": pl.Boolean, "OBDEFFFL": pl.Boolean},
        orient="row",
    )


def test_analyze_obd__utility_and_recommendation():
    df = _subjects(
        [("DL1", False, False)] * 3
        + [("DL1", False, True)]  # tox 0/4, eff 1/4
        + [("DL2", False, True)] * 3
        + [("DL2", True, True)]  # tox 1/4, eff 4/4
        + [("DL3", True, True)] * 2
        + [("DL3", False, True)] * 2  # tox 2/4: not admissible
    )
    res = analyze_obd(
        df, tox="DLTFL", eff="OBDEFFFL", dose_levels=["DL1", "DL2", "DL3"], params=PARAMS
    )
    t = res.table
    assert t["tox_iso"].to_list() == [0.0, 0.25, 0.5]
    assert t["eff_iso"].to_list() == [0.25, 1.0, 1.0]
    # DL1: 1·0.25·100 + 1·0.75·40 = 55; DL2: 0.75·100 + 0.25·60 = 90; DL3: 0.5·100 + 0.5·60 = 80
    assert t["utility"].to_list() == pytest.approx([55.0, 90.0, 80.0])
    assert t["admissible"].to_list() == [True, True, False]
    assert res.recommended == "DL2"
    assert "isotonic toxicity <= 0.35" in res.rule


def test_analyze_obd__empty_dose_level_and_not_evaluable_efficacy():
    df = _subjects([("DL1", False, None), ("DL1", False, True), ("DL2", False, False)])
    res = analyze_obd(
        df, tox="DLTFL", eff="OBDEFFFL", dose_levels=["DL1", "DL2", "DL3"], params=PARAMS
    )
    t = res.table
    assert t["n"].to_list() == [2, 1, 0]
    assert t["n_effev"].to_list() == [1, 1, 0]
    assert t["eff_rate"].to_list() == [1.0, 0.0, None]
    assert t["eff_iso"].to_list() == [0.5, 0.5, None]  # PAVA pools 1.0 (w 1) and 0.0 (w 1)
    assert t["admissible"].to_list() == [True, True, False]
    # equal utility 70 at DL1 and DL2: the lower dose wins
    assert t["utility"].to_list()[:2] == pytest.approx([70.0, 70.0])
    assert res.recommended == "DL1"


def test_analyze_obd__no_admissible_dose():
    df = _subjects([("DL1", True, True), ("DL2", True, False)])
    res = analyze_obd(df, tox="DLTFL", eff="OBDEFFFL", dose_levels=["DL1", "DL2"], params=PARAMS)
    assert res.recommended is None
    assert res.rule.endswith("no dose is admissible")
