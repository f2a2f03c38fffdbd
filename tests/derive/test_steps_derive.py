"""The create_advisit and create_adsl steps on a tiny validated export (tmp_path, no Snakemake)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from outcomes import contract as c
from outcomes.configuration import load_config
from outcomes.io.export import cast_table, read_raw_table
from outcomes.steps import StepIO, load_steps

SUBJECTS = """\
STUDYID,USUBJID,SITEID,AGE,SEX,WEIGHT,CONSDT,DOSELVL,LDFL,LDSTDT,INFDT,EOSSTT,EOSDT,DCSREAS
NCT07274059,S01,01,35,F,60,2025-02-01,DL2,Y,2025-03-27,2025-04-01,ONGOING,,
NCT07274059,S02,01,40,M,70,2025-02-01,DL1,N,,,ONGOING,,
"""
MEDICATIONS = """USUBJID,CMSEQ,CMTRT,CMDOSE,CMDOSU,CMDOSFRQ,CMROUTE,CMINDC,CMSTDT,CMENDT
S01,1,prednisone,15,mg,QD,ORAL,SLE,2025-01-01,2025-04-10
S01,2,hydroxychloroquine,200,mg,QD,ORAL,SLE,2025-01-01,
"""
LABS = """USUBJID,LBTESTCD,LBSTRESN,LBSTRESU,LBDT
S01,ANC,2.0,10^9/L,2025-02-10
"""


def _assessments() -> str:
    bl_items = {
        "ARTHRITIS",
        "RASH",
        "ALOPECIA",
        "PROTEINURIA",
        "LOW_COMPLEMENT",
        "INCREASED_DNA_BINDING",
    }
    header = [
        "USUBJID",
        "VISIT",
        "ASMDT",
        *c.SLEDAI_COLUMNS,
        *c.SELENA_ONSET_COLUMNS,
        "PGA",
        *c.BILAG_COLUMNS,
        "HAEMOLYSIS",
        "FLARE",
    ]
    bl_bilag = ["C", "B", "E", "B", "D", "E", "E", "A", "C"]
    rows = [
        [
            "S01",
            "BASELINE",
            "2025-03-20",
            *["1" if i.code in bl_items else "0" for i in c.SLEDAI_ITEMS],
            "Y",
            "Y",
            "",
            "Y",
            "2.10",
            *bl_bilag,
            "N",
            "NONE",
        ],
        [
            "S01",
            "DAY 14",
            "2025-04-15",
            *["1" if i.code == "LOW_COMPLEMENT" else "0" for i in c.SLEDAI_ITEMS],
            "",
            "",
            "",
            "",
            "0.30",
            *["D"] * 9,
            "N",
            "NONE",
        ],
        [
            "S02",
            "SCREENING",
            "2025-02-05",
            *["0"] * 24,
            "",
            "",
            "",
            "",
            "1.00",
            *["E"] * 9,
            "N",
            "NONE",
        ],
    ]
    return "\n".join(",".join(r) for r in [header, *rows]) + "\n"


def _validated(tmp_path: Path) -> dict[str, str]:
    tables = {
        "subjects": SUBJECTS,
        "assessments": _assessments(),
        "medications": MEDICATIONS,
        "labs": LABS,
    }
    paths = {}
    for table, text in tables.items():
        csv = tmp_path / f"{table}.csv"
        csv.write_text(text, encoding="utf-8")
        paths[table] = str(tmp_path / f"{table}.parquet")
        cast_table(read_raw_table(csv), table).write_parquet(paths[table])
    return paths


@pytest.fixture()
def run(tmp_path: Path) -> dict[str, str]:
    config = load_config()
    steps = load_steps()
    paths = _validated(tmp_path)
    paths |= {n: str(tmp_path / f"{n}.parquet") for n in ("adcm", "advisit", "adsl")}
    steps["create_adcm"](
        StepIO(
            {"medications": paths["medications"], "subjects": paths["subjects"]},
            {"adcm": paths["adcm"]},
            {"medications": config["medications"], "data_cut": "2027-01-31"},
            str(tmp_path / "a.log"),
        )
    )
    steps["create_advisit"](
        StepIO(
            {k: paths[k] for k in ("assessments", "subjects", "adcm")},
            {"advisit": paths["advisit"]},
            {k: config[k] for k in ("visits", "scores", "criteria", "medications")},
            str(tmp_path / "v.log"),
        )
    )
    steps["create_adsl"](
        StepIO(
            {k: paths[k] for k in ("subjects", "assessments", "labs", "adcm", "advisit")},
            {"adsl": paths["adsl"]},
            {
                "visits": config["visits"],
                "eligibility": config["eligibility"],
                "medications": config["medications"],
                "dose_levels": ["DL1", "DL2", "DL3"],
                "data_cut": "2027-01-31",
            },
            str(tmp_path / "s.log"),
        )
    )
    return paths


def test_create_advisit_step(run: dict[str, str]):
    advisit = pl.read_parquet(run["advisit"])
    assert advisit.select("USUBJID", "SRCSEQ", "ADY", "AVISIT", "ABLFL", "ANL01FL").rows() == [
        ("S01", 1, -12, "BASELINE", True, True),
        ("S01", 2, 14, "DAY 14", False, True),
        ("S02", 3, None, None, False, False),
    ]
    d14 = advisit.row(1, named=True)
    assert (d14["SELENA"], d14["SLEDAI2K"], d14["CSLEDAI"], d14["GCDOSE"]) == (2, 2, 0, 0.0)
    assert (d14["AMFL"], d14["DORISFL"], d14["DFREMFL"], d14["DFREMSFL"]) == (
        True,
        True,
        True,
        False,
    )
    assert (d14["SRI4FL"], d14["LLDASFL"], d14["SRCDOM"]) == (True, True, "ASSESSMENTS")


def test_create_adsl_step(run: dict[str, str]):
    adsl = pl.read_parquet(run["adsl"])
    assert adsl.select(
        "USUBJID",
        "DOSELVLN",
        "SAFFL",
        "EFFFL",
        "BLSEQ",
        "SELENABL",
        "GCDOSEBL",
        "DCUTDT",
        "LSTASMDT",
    ).rows() == [
        ("S01", 2, True, True, 1, 16, 15.0, dt.date(2027, 1, 31), dt.date(2025, 4, 15)),
        ("S02", 1, False, False, None, None, None, dt.date(2027, 1, 31), dt.date(2025, 2, 5)),
    ]


def test_validate_frame__schema_failure_is_a_derivation_error(tmp_path: Path):
    from outcomes.errors import DerivationError
    from outcomes.schemas.adam import ADSL
    from outcomes.steps.checks import validate_frame

    adsl = pl.DataFrame(
        {"USUBJID": [None], "SAFFL": ["Y"]}, schema={"USUBJID": pl.String, "SAFFL": pl.String}
    )
    with pytest.raises(DerivationError, match=r"adsl: \d+ schema check\(s\) failed"):
        validate_frame(adsl, ADSL, log_path=str(tmp_path / "create_adsl.log"))
    assert (tmp_path / "create_adsl.failures.csv").is_file()
