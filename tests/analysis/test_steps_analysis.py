"""The analysis steps on tiny hand-built adam datasets: outputs written, reruns byte-identical,
degenerate data (a dose level without subjects, one subject, all censored) handled."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from outcomes.config import DEFAULT_CONFIG, read_config_file
from outcomes.steps import StepIO
from outcomes.steps.analysis import (
    analyze_disease_activity,
    analyze_obd,
    analyze_response,
    analyze_safety,
    analyze_survival,
)

ANALYSIS = read_config_file(DEFAULT_CONFIG)["analysis"]
LEVELS = ["DL1", "DL2", "DL3"]  # DL3 has no subject


def _write(tmp: Path) -> dict[str, str]:
    adsl = pl.DataFrame(
        {
            "USUBJID": ["S1", "S2", "S3", "S4"],
            "DOSELVL": ["DL1", "DL1", "DL2", "DL2"],
            "DOSELVLN": [1, 1, 2, 2],
            "SAFFL": [True] * 4,
            "GCDOSEBL": [10.0, 5.0, 20.0, 0.0],
        }
    )
    adtte = pl.DataFrame(
        {
            "USUBJID": ["S1", "S2", "S3", "S4", "S1"],
            "PARAMCD": ["TTDORIS"] * 4 + ["DURDORIS"],
            "AVAL": [92, 183, 92, 400, 50],
            "CNSR": [0, 1, 0, 2, 1],  # DURDORIS: one subject censored
        }
    )
    adrs = pl.DataFrame(
        {
            "USUBJID": ["S1", "S2", "S3", "S4"] * 2,
            "PARAMCD": ["DORIS"] * 8,
            "AVISIT": ["MONTH 3"] * 4 + ["MONTH 6"] * 4,
            "AVISITN": [3] * 4 + [6] * 4,
            "AVALC": ["N", "N", "Y", "Y", "N", "Y", "Y", "Y"],  # M3: separation by dose
        }
    )
    advisit = pl.DataFrame(
        {
            "USUBJID": ["S1", "S1", "S2", "S2", "S3", "S3", "S4", "S4"],
            "DOSELVL": ["DL1", "DL1", "DL1", "DL1", "DL2", "DL2", "DL2", "DL2"],
            "AVISIT": ["BASELINE", "MONTH 3"] * 4,
            "AVISITN": [0, 3] * 4,
            "ADY": [-10, 91] * 4,
            "ANL01FL": [False, True] * 4,
            "ABLFL": [True, False] * 4,
            "SRCDOM": ["ASSESSMENTS"] * 8,
            "SRCSEQ": list(range(1, 9)),
            **{
                p: [10.0, 4.0, 8.0, 2.0, 12.0, 2.0, 6.0, 6.0]
                for p in ANALYSIS["activity"]["params"]
            },
        }
    )
    adae = pl.DataFrame(
        {
            "USUBJID": ["S1", "S3"],
            "AECAT": ["CRS", "ICANS"],
            "AETOXGR": [2, 1],
            "AESER": ["N", "N"],
            "AEREL": ["Y", "Y"],
            "ASTDY": [2, 5],
            "ADURN": [4, None],
            "TRTEMFL": [True, True],
            "W3MFL": [True, True],
            "W28FL": [True, True],
            "AESTDT": [dt.date(2026, 1, 3), dt.date(2026, 2, 1)],
        }
    )
    adsafe = pl.DataFrame(
        {
            "USUBJID": ["S1", "S2", "S3", "S4"],
            "DOSELVL": ["DL1", "DL1", "DL2", "DL2"],
            "ICAHTEGR": [1, 0, 0, None],
            "ICAHTLGR": [None, 0, 0, 0],
            "TICAHTEG": [0, 0, 2, 0],
            "TICAHTLG": [0, 0, 0, 0],
        }
    )
    paths = {}
    for name, frame in {
        "adsafe": adsafe,
        "adsl": adsl,
        "adtte": adtte,
        "adrs": adrs,
        "advisit": advisit,
        "adae": adae,
    }.items():
        paths[name] = str(tmp / f"{name}.parquet")
        frame.write_parquet(paths[name])
    return paths


STEPS = [
    (analyze_survival, ["adtte", "adsl"], ["km", "quantiles", "landmarks", "tests", "cox", "cif"]),
    (analyze_response, ["adrs", "adsl"], ["rates", "trend", "logistic", "gee"]),
    (analyze_disease_activity, ["advisit", "adsl"], ["summary", "mixed"]),
    (analyze_safety, ["adae", "adsafe", "adsl"], ["events", "crs_icans", "icaht"]),
    (analyze_obd, ["adae", "adrs", "adsl"], ["obd"]),
]


@pytest.mark.parametrize(("func", "inputs", "outputs"), STEPS)
def test_analysis_steps__write_tables_byte_identical(tmp_path, func, inputs, outputs):
    paths = _write(tmp_path)
    contents = []
    for run in ("a", "b"):
        outs = {o: str(tmp_path / run / f"{o}.csv") for o in outputs}
        io = StepIO(
            {k: paths[k] for k in inputs},
            outs,
            {"analysis": ANALYSIS, "dose_levels": LEVELS},
            str(tmp_path / "log"),
        )
        func(io)
        contents.append([Path(p).read_bytes() for p in outs.values()])
    assert contents[0] == contents[1]
    assert all(len(c) > 0 for c in contents[0])


def test_analyze_obd_step__recommendation_in_csv(tmp_path):
    paths = _write(tmp_path)
    out = str(tmp_path / "obd.csv")
    analyze_obd(
        StepIO(
            {k: paths[k] for k in ("adae", "adrs", "adsl")},
            {"obd": out},
            {"analysis": ANALYSIS, "dose_levels": LEVELS},
            str(tmp_path / "log"),
        )
    )
    table = pl.read_csv(out)
    # DL1: DLT (CRS grade 2, Day 2) 1/2, efficacy 0/2; DL2: DLT 0/2, efficacy 2/2 -> PAVA
    # pools toxicity to 0.25 / 0.25; utility DL2 = 0.75·100 + 0.25·60 = 90; DL3 empty
    assert table["tox_iso"].to_list() == [0.25, 0.25, None]
    assert table["utility"].to_list()[:2] == [pytest.approx(30.0), pytest.approx(90.0)]
    assert table["recommended"].to_list() == [False, True, False]


def test_analyze_survival_step__degenerate_parameters(tmp_path):
    paths = _write(tmp_path)
    outs = {o: str(tmp_path / f"{o}.csv") for o in STEPS[0][2]}
    analyze_survival(
        StepIO(
            {k: paths[k] for k in ("adtte", "adsl")},
            outs,
            {"analysis": ANALYSIS},
            str(tmp_path / "log"),
        )
    )
    tests = pl.read_csv(outs["tests"])
    dur = tests.filter(pl.col("PARAMCD") == "DURDORIS")
    assert dur["note"].to_list() == ["fewer than two groups with subjects"] * 2
    cox = pl.read_csv(outs["cox"]).filter(pl.col("PARAMCD") == "DURDORIS")
    assert cox["note"].str.contains("no events").all()
