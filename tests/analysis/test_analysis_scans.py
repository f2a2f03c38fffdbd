"""The response and disease-activity analyses read lazy scans one parameter at a time: the
tables equal those of whole frames, and bad flags are reported as for a whole frame."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from outcomes.analysis.activity import create_change_from_baseline
from outcomes.analysis.activity_tables import analyze_disease_activity
from outcomes.analysis.binomial import count_responders
from outcomes.analysis.params import ActivityParams, ResponseParams
from outcomes.analysis.response_tables import analyze_response
from outcomes.errors import InputDataError

D = dt.date
ADSL = pl.DataFrame(
    {
        "USUBJID": ["A", "B", "C", "D"],
        "DOSELVL": ["DL1", "DL1", "DL2", "DL2"],
        "DOSELVLN": [1, 1, 2, 2],
        "GCDOSEBL": [20.0, 10.0, 5.0, 7.5],
    }
)
# Two parameters at two visits; D has no M6 row of DORIS and a missing response at M3 of SRI4.
ADRS = pl.DataFrame(
    {
        "USUBJID": ["A", "B", "C", "D"] * 3 + ["A", "B", "C"],
        "PARAMCD": ["SRI4"] * 4 + ["DORIS"] * 4 + ["SRI4"] * 4 + ["DORIS"] * 3,
        "AVISIT": ["MONTH 3"] * 8 + ["MONTH 6"] * 7,
        "AVISITN": [3] * 8 + [6] * 7,
        "ADT": [D(2025, 4, 1)] * 8 + [D(2025, 7, 1)] * 7,
        "AVALC": ["Y", "N", "Y", "", "N", "N", "Y", "Y", "Y", "Y", "N", "Y", "Y", "N", "Y"],
    }
)
RESPONSE = ResponseParams(
    paramcds=("SRI4", "DORIS"),
    ci_methods=("exact", "wilson"),
    logistic_method="auto",
    conf_level=0.95,
)


def test_count_responders__hand_counts():
    got = count_responders(
        pl.DataFrame({"G": ["a", "a", "a", "b"], "R": [1, 0, None, None]}), response="R", by=["G"]
    ).sort("G")
    assert got.rows() == [("a", 2, 1, 1), ("b", 0, 0, 1)]


def test_response_rates__overall_is_the_sum_of_the_dose_levels():
    rates = analyze_response(ADRS, ADSL, params=RESPONSE).rates.filter(
        (pl.col("PARAMCD") == "SRI4")
        & (pl.col("AVISITN") == 3)
        & (pl.col("method").str.contains("exact"))
    )
    # DL1: A Y, B N; DL2: C Y, D missing; OVERALL: 2 of 3, 1 missing
    assert rates.select("DOSELVL", "n", "responders", "n_missing").rows() == [
        ("DL1", 2, 1, 0),
        ("DL2", 1, 1, 1),
        ("OVERALL", 3, 2, 1),
    ]


def test_response__scan_equals_frame(tmp_path: Path):
    path = tmp_path / "adrs.parquet"
    ADRS.write_parquet(path)
    lazy = analyze_response(pl.scan_parquet(path), ADSL, params=RESPONSE)
    eager = analyze_response(ADRS, ADSL, params=RESPONSE)
    for name in ("rates", "trend", "logistic", "gee"):
        assert_frame_equal(getattr(lazy, name), getattr(eager, name))
    # sorted by PARAMCD, AVISITN whatever the configured order of the parameters
    assert lazy.trend.select("PARAMCD", "AVISITN").rows() == [
        ("DORIS", 3),
        ("DORIS", 6),
        ("SRI4", 3),
        ("SRI4", 6),
    ]


def _advisit() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "USUBJID": ["A", "A", "B", "B", "C", "C", "D", "D"],
            "DOSELVL": ["DL1", "DL1", "DL1", "DL1", "DL2", "DL2", "DL2", "DL2"],
            "AVISIT": ["BASELINE", "MONTH 3"] * 4,
            "AVISITN": [0, 3] * 4,
            "ADY": [-1, 91] * 4,
            "ANL01FL": [False, True] * 4,
            "ABLFL": [True, False] * 4,
            "SLEDAI2K": [10.0, 4.0, 8.0, 6.0, 12.0, 2.0, 6.0, 6.0],
            "GCDOSE": [20.0, 5.0, 10.0, 10.0, 5.0, 0.0, 7.5, 2.5],
            "SRCDOM": ["ASSESSMENTS"] * 8,
            "SRCSEQ": list(range(1, 9)),
        }
    )


def test_disease_activity__scan_equals_frame(tmp_path: Path):
    params = ActivityParams(
        params=("SLEDAI2K", "GCDOSE"),
        base_from_adsl={"GCDOSE": "GCDOSEBL"},
        mixed_params=("SLEDAI2K",),
        conf_level=0.95,
    )
    path = tmp_path / "advisit.parquet"
    _advisit().write_parquet(path)
    lazy = analyze_disease_activity(pl.scan_parquet(path), ADSL, params=params)
    eager = analyze_disease_activity(_advisit(), ADSL, params=params)
    assert_frame_equal(lazy.summary, eager.summary)
    assert_frame_equal(lazy.mixed, eager.mixed)
    # change at MONTH 3 (OVERALL): SLEDAI2K −6, −2, −10, 0; GCDOSE from adsl: −15, 0, −5, −5
    chg = lazy.summary.filter(
        (pl.col("STAT") == "CHG") & (pl.col("DOSELVL") == "OVERALL") & (pl.col("AVISITN") == 3)
    )
    assert chg.select("PARAMCD", "n", "mean", "min", "max").rows() == [
        ("GCDOSE", 4, -6.25, -15.0, 0.0),
        ("SLEDAI2K", 4, -4.5, -10.0, 0.0),
    ]


def test_change_from_baseline__scan_with_missing_flag_names_the_row(tmp_path: Path):
    path = tmp_path / "advisit.parquet"
    _advisit().with_columns(
        pl.when(pl.col("SRCSEQ") == 3).then(None).otherwise(pl.col("ABLFL")).alias("ABLFL")
    ).write_parquet(path)
    with pytest.raises(InputDataError, match="column ABLFL must not be missing; 1 of 8 rows"):
        create_change_from_baseline(pl.scan_parquet(path), params=["SLEDAI2K"])
