"""Tests of outcomes.interop.sdtm_import and the ``import-sdtm`` command, end to end."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from outcomes.cli import main
from outcomes.errors import ExportReadError
from outcomes.interop.dataset_json import write_dataset_json
from outcomes.interop.mapping import DEFAULT_MAPPING
from outcomes.interop.metadata import create_dataset_metadata
from outcomes.interop.sdtm_import import create_export_from_sdtm, import_sdtm
from outcomes.interop.xpt import write_xpt
from outcomes.io.export import read_export

from .frames import default_mapping

D = dt.date

DM = pl.DataFrame(
    {
        "STUDYID": ["ST", "ST"],
        "DOMAIN": ["DM", "DM"],
        "USUBJID": ["ST-1", "ST-2"],
        "SITEID": ["01", "02"],
        "AGE": [34.0, 51.0],
        "SEX": ["F", "M"],
        "RFICDTC": ["2025-01-02", "2025-01-03"],
        "RFXSTDTC": ["2025-02-01", None],
        "DTHDTC": [None, None],
        "ARMCD": ["DL1", "SCRNFAIL"],
        "ACTARMCD": ["DL1", "SCRNFAIL"],
    }
)
EX = pl.DataFrame(
    {
        "STUDYID": ["ST"] * 2,
        "USUBJID": ["ST-1"] * 2,
        "EXSEQ": [1.0, 2.0],
        "EXTRT": ["FLUDARABINE", "CAR-T"],
        "EXDOSE": [30.0, 1.0],
        "EXDOSU": ["mg/m2", "10^6 cells/kg"],
        "EXSTDTC": ["2025-01-28", "2025-02-01"],
    }
)
DS = pl.DataFrame(
    {
        "USUBJID": ["ST-1", "ST-2"],
        "DSSEQ": [1.0, 1.0],
        "DSCAT": ["DISPOSITION EVENT"] * 2,
        "DSDECOD": ["COMPLETED", "SCREEN FAILURE"],
        "DSSTDTC": ["2026-02-01", "2025-01-20"],
    }
)
CM = pl.DataFrame(
    {
        "USUBJID": ["ST-1"],
        "CMSEQ": [1.0],
        "CMTRT": ["PREDNISONE"],
        "CMDOSE": [10.0],
        "CMDOSU": ["mg"],
        "CMDOSFRQ": ["QD"],
        "CMROUTE": ["ORAL"],
        "CMINDC": ["SLE"],
        "CMSTDTC": ["2024-06-01"],
        "CMENDTC": [None],
    }
)
AE = pl.DataFrame(
    {
        "USUBJID": ["ST-1"],
        "AESEQ": [1.0],
        "AETERM": ["CRS"],
        "AEDECOD": ["Cytokine release syndrome"],
        "AESTDTC": ["2025-02-02"],
        "AEENDTC": ["2025-02-04"],
        "AETOXGR": ["1"],
        "AESEV": ["MILD"],
        "AESER": ["N"],
        "AEREL": ["Y"],
    }
)
RS = pl.DataFrame(
    {
        "USUBJID": ["ST-1"] * 3,
        "RSSEQ": [1.0, 2.0, 3.0],
        "VISIT": ["BASELINE"] * 3,
        "RSTESTCD": ["SLDARTH", "PGA", "BLGMSK"],
        "RSORRES": ["1", "1.2", "B"],
        "RSSTRESC": ["1", "1.2", "B"],
        "RSDTC": ["2025-01-25"] * 3,
    }
)


def _write_sdtm(folder: Path, *, with_rs: bool = True) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    DM.write_csv(folder / "dm.csv")
    write_xpt(EX, folder / "ex.xpt", meta=create_dataset_metadata(EX, name="ex"))
    write_dataset_json(
        DS,
        folder / "ds.json",
        meta=create_dataset_metadata(DS, name="ds"),
        created=D(2026, 3, 1),
        study_oid="ST",
    )
    CM.write_parquet(folder / "CM.parquet")
    AE.write_csv(folder / "ae.csv")
    if with_rs:
        RS.write_parquet(folder / "rs.parquet")
    return folder


def test_import_sdtm__all_formats_to_a_readable_export(tmp_path: Path):
    sdtm = _write_sdtm(tmp_path / "sdtm")
    result = import_sdtm(sdtm, mapping=default_mapping(), out=tmp_path / "export")
    assert result.exit_code == 0
    assert result.source_records == {"DM": 2, "DS": 2, "EX": 2, "CM": 1, "AE": 1, "RS": 3}
    export = read_export(tmp_path / "export")
    subjects = export["subjects"]
    assert subjects.select(
        "USUBJID", "DOSELVL", "INFDT", "DOSE", "LDFL", "LDSTDT", "EOSSTT", "EOSDT", "DCSREAS"
    ).rows() == [
        ("ST-1", "DL1", D(2025, 2, 1), 1.0, "Y", D(2025, 1, 28), "COMPLETED", D(2026, 2, 1), None),
        ("ST-2", None, None, None, "N", None, "DISCONTINUED", D(2025, 1, 20), "OTHER"),
    ]
    visit = export["assessments"].row(0, named=True)
    assert (visit["ASMDT"], visit["SLEDAI_ARTHRITIS"], visit["PGA"], visit["BILAG_MSK"]) == (
        D(2025, 1, 25),
        1,
        1.2,
        "B",
    )
    assert export["adverse_events"].select("AECAT", "AETOXGR").rows() == [("CRS", 1)]
    assert export["medications"].select("CMTRT", "CMSTDT").rows() == [("PREDNISONE", D(2024, 6, 1))]
    assert "labs" not in export
    summary = json.loads((tmp_path / "export" / "import_summary.json").read_text())
    assert summary["rows_written"]["assessments"] == 1
    problems = pl.read_csv(tmp_path / "export" / "import_problems.csv")
    assert problems.filter(pl.col("SEVERITY") == "ERROR").height == 0


def test_import_sdtm__no_activity_domain_is_one_error(tmp_path: Path):
    sdtm = _write_sdtm(tmp_path / "sdtm", with_rs=False)
    result = import_sdtm(sdtm, mapping=default_mapping(), out=tmp_path / "export")
    errors = result.problems.filter(pl.col("SEVERITY") == "ERROR")
    assert errors["RULE"].to_list() == ["SDTM_NO_ACTIVITY"]
    assert result.exit_code == 1
    assert not (tmp_path / "export" / "assessments.csv").exists()
    assert (tmp_path / "export" / "subjects.csv").exists()


def test_create_export_from_sdtm__no_dm(tmp_path: Path):
    (tmp_path / "sdtm").mkdir()
    with pytest.raises(ExportReadError, match="no DM domain"):
        create_export_from_sdtm(tmp_path / "sdtm", mapping=default_mapping())


def test_create_export_from_sdtm__same_stem_twice(tmp_path: Path):
    sdtm = _write_sdtm(tmp_path / "sdtm")
    AE.write_parquet(sdtm / "ae.parquet")
    with pytest.raises(ExportReadError, match="several formats"):
        create_export_from_sdtm(sdtm, mapping=default_mapping())


def test_create_export_from_sdtm__absent_variable_and_domain(tmp_path: Path):
    sdtm = _write_sdtm(tmp_path / "sdtm")
    (sdtm / "ae.csv").unlink()
    DM.drop("SITEID").write_csv(sdtm / "dm.csv")
    result = create_export_from_sdtm(sdtm, mapping=default_mapping())
    assert result.tables["adverse_events"].height == 0
    got = set(
        result.problems.filter(pl.col("USUBJID").is_null())
        .select("SEVERITY", "RULE", "DOMAIN")
        .iter_rows()
    )
    assert got == {("ERROR", "SDTM_VARIABLE_ABSENT", "DM"), ("WARNING", "SDTM_DOMAIN_ABSENT", "AE")}


def test_cli_import_sdtm__exit_codes(tmp_path: Path, capsys):
    sdtm = _write_sdtm(tmp_path / "sdtm")
    args = ["import-sdtm", str(sdtm), "--mapping", str(DEFAULT_MAPPING)]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    assert "Export tables written: subjects 2" in capsys.readouterr().out
    (sdtm / "rs.parquet").unlink()
    assert main([*args, "--out", str(tmp_path / "b")]) == 1
    assert "SDTM_NO_ACTIVITY" in capsys.readouterr().out
    assert (
        main(
            [
                "import-sdtm",
                str(tmp_path / "none"),
                "--mapping",
                str(DEFAULT_MAPPING),
                "--out",
                str(tmp_path / "c"),
            ]
        )
        == 2
    )
    assert "does not exist" in capsys.readouterr().err


def test_cli_import_sdtm__shipped_mapping_by_default(tmp_path: Path, capsys):
    sdtm = _write_sdtm(tmp_path / "sdtm")
    assert main(["import-sdtm", str(sdtm), "--out", str(tmp_path / "a")]) == 0
    assert "Export tables written: subjects 2" in capsys.readouterr().out
