"""Round trip: export → SDTM (write_sdtm) → import_sdtm → the same export tables."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from outcomes import contract as c
from outcomes.errors import OutcomesError
from outcomes.interop.sdtm_export import write_sdtm
from outcomes.interop.sdtm_import import import_sdtm
from outcomes.io.export import read_export
from outcomes.schemas.export import EXPORT_COLUMNS

from .frames import default_mapping

SUBJECTS = "\n".join(
    [
        "STUDYID,USUBJID,SITEID,AGE,SEX,WEIGHT,CONSDT,DOSELVL,DOSE,LDFL,LDSTDT,INFDT,EOSSTT,EOSDT,"
        "DCSREAS,DTHDT,LSTALVDT",
        # infused at DL1 after lymphodepletion; completed
        "ST,ST-001,01,34,F,61.5,2025-01-02,DL1,1.5,Y,2025-01-27,2025-02-01,COMPLETED,2026-02-01,"
        ",,2026-02-01",
        # infused at DL2 (dose not recorded); died
        "ST,ST-002,02,52,M,,2025-01-05,DL2,,Y,2025-02-06,2025-02-11,DISCONTINUED,2025-06-01,"
        "DEATH,2025-06-01,",
        # enrolled, not infused, ongoing
        "ST,ST-003,02,45,F,,2025-01-09,,,N,,,ONGOING,,,,",
        "",
    ]
)
_ITEMS = ",".join(c.SLEDAI_COLUMNS)
_ZEROS = ",".join("0" for _ in c.SLEDAI_COLUMNS)
_ONES = ",".join("1" if i % 5 == 0 else "0" for i in range(len(c.SLEDAI_COLUMNS)))
_BILAG = ",".join(c.BILAG_COLUMNS)
ASSESSMENTS = f"""USUBJID,VISIT,ASMDT,{_ITEMS},SLEDAI_RASH_NEW,PGA,{_BILAG},FLARE,C3,UPCR
ST-001,BASELINE,2025-01-25,{_ONES},Y,1.2,A,B,C,D,E,E,E,B,C,NONE,0.71,
ST-001,MONTH 3,2025-05-01,{_ZEROS},,0.3,E,E,E,E,E,E,E,D,E,MILD,,0.15
ST-002,BASELINE,2025-02-01,{_ZEROS},N,0,E,E,E,E,E,E,E,E,E,,0.9,
"""
MEDICATIONS = """USUBJID,CMSEQ,CMTRT,CMCLAS,CMDOSE,CMDOSU,CMDOSFRQ,CMROUTE,CMINDC,CMSTDT,CMENDT
ST-001,1,prednisone,GLUCOCORTICOID,10,mg,QD,ORAL,SLE,2024-06-01,2025-03-01
ST-001,2,tocilizumab,,8,mg,ONCE,INTRAVENOUS,CRS,2025-02-03,2025-02-03
ST-002,1,hydroxychloroquine,,200,mg,BID,ORAL,SLE,2023-01-01,
"""
ADVERSE_EVENTS = """USUBJID,AESEQ,AETERM,AEDECOD,AECAT,AESTDT,AEENDT,AETOXGR,AESER,AEREL
ST-001,1,CRS,Cytokine release syndrome,CRS,2025-02-02,2025-02-04,2,Y,Y
ST-002,1,Pneumonia,Pneumonia,INFECTION,2025-05-20,,5,Y,N
"""
LABS = """USUBJID,LBTESTCD,LBSTRESN,LBSTRESU,LBSTNRLO,LBSTNRHI,LBDT
ST-001,ANC,0.4,10^9/L,1.5,7.5,2025-02-05
ST-001,ALT,31,U/L,,40,2025-02-05
"""


def _export(folder: Path) -> Path:
    folder.mkdir()
    for name, text in [
        ("subjects", SUBJECTS),
        ("assessments", ASSESSMENTS),
        ("medications", MEDICATIONS),
        ("adverse_events", ADVERSE_EVENTS),
        ("labs", LABS),
    ]:
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def _mapping():
    mapping = default_mapping()
    return dataclasses.replace(
        mapping, medications=dataclasses.replace(mapping.medications, class_variable="CMCLAS")
    )


@pytest.mark.parametrize("fmt", ["parquet", "csv", "xpt", "json"])
def test_write_sdtm__round_trip_gives_the_export_back(tmp_path: Path, fmt: str):
    export = _export(tmp_path / "export")
    write_sdtm(export, tmp_path / "sdtm", mapping=_mapping(), fmt=fmt, created=dt.date(2027, 1, 31))
    result = import_sdtm(tmp_path / "sdtm", mapping=_mapping(), out=tmp_path / "back")
    assert result.errors == 0
    before, after = read_export(export), read_export(tmp_path / "back")
    assert sorted(after) == sorted(before)
    for table, frame in before.items():
        columns = [s.name for s in EXPORT_COLUMNS[table] if s.name not in ("WEIGHT", "LSTALVDT")]
        columns += ["ROW", "SRCDOM", "SRCSEQ"]
        assert_frame_equal(after[table].select(columns), frame.select(columns))
    assert after["subjects"]["WEIGHT"].null_count() == 3  # not carried through SDTM


def test_write_sdtm__domains_by_hand(tmp_path: Path):
    export = _export(tmp_path / "export")
    paths = write_sdtm(
        export, tmp_path / "sdtm", mapping=_mapping(), fmt="parquet", created=dt.date(2027, 1, 31)
    )
    dm = pl.read_parquet(paths["dm"])
    assert dm.select("USUBJID", "RFXSTDTC", "ACTARMCD", "DTHFL").rows() == [
        ("ST-001", "2025-02-01", "DL1", None),
        ("ST-002", "2025-02-11", "DL2", "Y"),
        ("ST-003", None, "SCRNFAIL", None),
    ]
    ex = pl.read_parquet(paths["ex"])
    assert ex.select("USUBJID", "EXSEQ", "EXTRT", "EXDOSE", "EXSTDTC").rows() == [
        ("ST-001", 1, "FLUDARABINE", None, "2025-01-27"),
        ("ST-001", 2, "CAR-T", 1.5, "2025-02-01"),
        ("ST-002", 1, "FLUDARABINE", None, "2025-02-06"),
        ("ST-002", 2, "CAR-T", None, "2025-02-11"),
    ]
    ds = pl.read_parquet(paths["ds"])
    assert ds.select("USUBJID", "DSDECOD", "DSSTDTC").rows() == [
        ("ST-001", "COMPLETED", "2026-02-01"),
        ("ST-002", "DEATH", "2025-06-01"),
    ]
    rs = pl.read_parquet(paths["rs"])
    second = rs.filter(pl.col("USUBJID") == "ST-001", pl.col("VISIT") == "MONTH 3")
    assert second.select("RSTESTCD", "RSSTRESC").rows()[-4:] == [
        ("BLGRENAL", "D"),
        ("BLGHAEM", "E"),
        ("UPCR", "0.15"),
        ("FLARE", "MILD"),
    ]


def test_write_sdtm__unknown_format(tmp_path: Path):
    with pytest.raises(OutcomesError, match="format 'sas7bdat'"):
        write_sdtm(
            _export(tmp_path / "e"),
            tmp_path / "s",
            mapping=_mapping(),
            fmt="sas7bdat",
            created=dt.date(2027, 1, 31),
        )
