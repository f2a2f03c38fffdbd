"""Safety tables and OBD flags (hand-built adsl/adae/adrs, hand-counted expectations)."""

from __future__ import annotations

import polars as pl
import pytest

from outcomes.analysis.params import ObdParams, SafetyParams
from outcomes.analysis.safety import (
    create_obd_flags,
    summarize_crs_icans,
    summarize_icaht,
    summarize_safety,
)
from outcomes.errors import InputDataError

SAFETY = SafetyParams(severe_grade_ge=3, special_flag="TRTEMFL", conf_level=0.95)
OBD = ObdParams(
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
LEVELS = ["DL1", "DL2", "DL3"]
ADSL = pl.DataFrame(
    {
        "USUBJID": ["S1", "S2", "S3", "S4", "S5"],
        "DOSELVL": ["DL1", "DL1", "DL2", "DL2", None],
        "SAFFL": [True, True, True, True, False],  # S5 not infused: outside the safety set
    }
)
ADAE = pl.DataFrame(
    [
        # USUBJID AECAT  GR  SER  REL  ASTDY ADURN TRTEM W3M    W28    scenario
        ("S1", "CRS", 1, "N", "Y", 1, 3, True, True, True),  # CRS grade 1 then ...
        ("S1", "CRS", 2, "N", "Y", 5, None, True, True, True),  # ... grade 2, ongoing: DLT
        ("S2", "OTHER", 3, "Y", "Y", 40, 5, True, True, False),  # related grade 3, Day 40: no DLT
        ("S3", "ICANS", 2, "N", "N", 10, 4, True, True, True),  # ICANS grade 2 Day 10: DLT
        ("S3", "INFECTION", 3, "Y", "N", 95, 7, True, False, False),  # after Day 91
        ("S5", "CRS", 4, "Y", "Y", 2, 9, True, True, True),  # not in safety set
    ],
    schema={
        "USUBJID": pl.String,
        "AECAT": pl.String,
        "AETOXGR": pl.Int64,
        "AESER": pl.String,
        "AEREL": pl.String,
        "ASTDY": pl.Int64,
        "ADURN": pl.Int64,
        "TRTEMFL": pl.Boolean,
        "W3MFL": pl.Boolean,
        "W28FL": pl.Boolean,
    },
    orient="row",
)


def _cell(out: pl.DataFrame, table: str, item: str, dose: str) -> tuple[int, int]:
    row = out.filter(
        (pl.col("TABLE") == table) & (pl.col("ITEM") == item) & (pl.col("DOSELVL") == dose)
    ).row(0, named=True)
    return row["n"], row["N"]


def test_summarize_safety__primary_endpoint_counts():
    out = summarize_safety(ADSL, ADAE, dose_levels=LEVELS, params=SAFETY)
    t = "CAR-T-related AE, Day 0-91"
    assert _cell(out, t, "any grade", "DL1") == (2, 2)
    assert _cell(out, t, "grade >= 3", "DL1") == (1, 2)
    assert _cell(out, t, "serious", "DL1") == (1, 2)
    assert _cell(out, t, "any grade", "DL2") == (0, 2)
    assert _cell(out, t, "any grade", "OVERALL") == (2, 4)
    assert _cell(out, t, "any grade", "DL3") == (0, 0)
    dl3 = out.filter((pl.col("DOSELVL") == "DL3") & (pl.col("ITEM") == "any grade")).row(
        0, named=True
    )
    assert dl3["pct"] is None  # empty dose level: no percentage
    dl1 = out.filter(
        (pl.col("TABLE") == t) & (pl.col("ITEM") == "any grade") & (pl.col("DOSELVL") == "DL1")
    ).row(0, named=True)
    assert (dl1["pct"], dl1["upper"]) == (100.0, 100.0)
    assert dl1["lower"] == pytest.approx(15.8113883008, abs=1e-8)  # binom.test(2, 2)


def test_summarize_safety__max_grade_counts_subject_once():
    out = summarize_safety(ADSL, ADAE, dose_levels=LEVELS, params=SAFETY)
    assert _cell(out, "CRS", "maximum grade 1", "DL1") == (0, 2)
    assert _cell(out, "CRS", "maximum grade 2", "DL1") == (1, 2)
    assert _cell(out, "CRS", "any grade", "OVERALL") == (1, 4)  # S5 excluded
    assert _cell(out, "INFECTION", "grade >= 3", "DL2") == (1, 2)
    assert _cell(out, "GVHD", "any grade", "OVERALL") == (0, 4)


def test_summarize_safety__unknown_dose_level_raises():
    bad = ADSL.with_columns(
        pl.when(pl.col("USUBJID") == "S1")
        .then(pl.lit("DL9"))
        .otherwise(pl.col("DOSELVL"))
        .alias("DOSELVL")
    )
    with pytest.raises(InputDataError, match=r"outside study\.dose_levels"):
        summarize_safety(bad, ADAE, dose_levels=LEVELS, params=SAFETY)


def test_summarize_crs_icans__onset_duration_and_ongoing():
    out = summarize_crs_icans(ADSL, ADAE, dose_levels=LEVELS, params=SAFETY)
    crs1 = out.filter((pl.col("AECAT") == "CRS") & (pl.col("DOSELVL") == "DL1")).row(0, named=True)
    assert (crs1["n_subj"], crs1["max_grade"], crs1["onset_min"]) == (1, 2, 1.0)
    assert (crs1["n_episodes"], crs1["n_ongoing"], crs1["dur_median"]) == (2, 1, 3.0)
    crs2 = out.filter((pl.col("AECAT") == "CRS") & (pl.col("DOSELVL") == "DL2")).row(0, named=True)
    assert crs2["n_subj"] == 0 and crs2["onset_median"] is None


def test_create_obd_flags__dlt_and_efficacy():
    adrs = pl.DataFrame(
        {
            "USUBJID": ["S1", "S2", "S3"],
            "PARAMCD": ["DORIS", "DORIS", "LLDAS"],
            "AVISIT": ["MONTH 3"] * 3,
            "AVALC": ["Y", "N", "Y"],
        }
    )
    out = create_obd_flags(ADSL, ADAE, adrs, params=OBD)
    assert out["USUBJID"].to_list() == ["S1", "S2", "S3", "S4"]
    assert out["DLTFL"].to_list() == [True, False, True, False]
    assert out["OBDEFFFL"].to_list() == [True, False, None, None]  # S3: no DORIS row


def test_summarize_icaht__grades_and_not_evaluable():
    adsafe = pl.DataFrame(
        {
            "USUBJID": ["S1", "S2", "S3"],
            "DOSELVL": ["DL1", "DL1", "DL2"],
            "ICAHTEGR": [1, None, 3],
            "ICAHTLGR": [0, 0, 0],
            "TICAHTEG": [0, 0, 0],
            "TICAHTLG": [0, 0, 0],
        }
    )
    out = summarize_icaht(adsafe, dose_levels=LEVELS)
    early = out.filter(pl.col("ITEM").str.starts_with("early ICAHT"))

    def n(grade: str, dose: str) -> tuple[int, int]:
        row = early.filter((pl.col("GRADE") == grade) & (pl.col("DOSELVL") == dose))
        return row.row(0, named=True)["n"], row.row(0, named=True)["N"]

    assert n("1", "DL1") == (1, 2)
    assert n("not evaluable", "DL1") == (1, 2)
    assert n("3", "OVERALL") == (1, 3)
    assert n("0", "DL3") == (0, 0)  # dose level without subjects
    assert out.height == 4 * 6 * 4


def test_summarize_icaht__missing_column_raises():
    with pytest.raises(InputDataError, match="adsafe lacks column"):
        summarize_icaht(pl.DataFrame({"USUBJID": ["S1"], "DOSELVL": ["DL1"]}), dose_levels=LEVELS)
