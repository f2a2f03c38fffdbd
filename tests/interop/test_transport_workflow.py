"""Tests of the transport names, fixed XPT header datetimes, the report's transport list and the
import_sdtm / write_adam_transport steps."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandera.polars as pa
import polars as pl
import pytest

from outcomes.config import REPO_ROOT
from outcomes.errors import ExportReadError, InputDataError, OutcomesError
from outcomes.interop.adam_out import create_transport_names, write_adam_transport
from outcomes.interop.metadata import create_dataset_metadata, summarize_transport_datasets
from outcomes.interop.xpt import compute_sas_datetime, read_xpt, write_xpt
from outcomes.report.transport import render_transport, summarize_transport
from outcomes.steps import StepIO
from outcomes.steps.interop import import_sdtm, mapping_path
from outcomes.steps.interop import write_adam_transport as write_transport_step

MAPPING = str(REPO_ROOT / "config" / "sdtm_mapping.yaml")
SCHEMA = pa.DataFrameSchema(
    {"SLEDAI_FEVER": pa.Column(pl.Int64, description="SLEDAI-2K fever descriptor")}
)


def _visits() -> pl.DataFrame:
    return pl.DataFrame(
        {"USUBJID": ["S1", "S2"], "SLEDAI_FEVER": [1, 0], "HAEMOLYSIS": ["Y", None]},
        schema={"USUBJID": pl.String, "SLEDAI_FEVER": pl.Int64, "HAEMOLYSIS": pl.String},
    )


def test_create_transport_names__renames_present_columns_and_keeps_the_old_name_in_labels():
    frame, labels = create_transport_names(
        _visits(),
        name="advisit",
        renames={"SLEDAI_FEVER": "SLDFEVER", "HAEMOLYSIS": "HAEMOLYS", "SLEDAI_CVA": "SLDCVA"},
        schema=SCHEMA,
    )
    assert frame.columns == ["USUBJID", "SLDFEVER", "HAEMOLYS"]
    assert frame["SLDFEVER"].to_list() == [1, 0]
    assert labels == {
        "SLDFEVER": "SLEDAI-2K fever descriptor (column SLEDAI_FEVER)",
        "HAEMOLYS": "HAEMOLYSIS (column HAEMOLYSIS)",
    }


def test_create_transport_names__a_name_clash_is_an_error():
    with pytest.raises(OutcomesError, match="USUBJID"):
        create_transport_names(_visits(), name="advisit", renames={"SLEDAI_FEVER": "USUBJID"})


def test_create_transport_names__no_renames_changes_nothing():
    frame, labels = create_transport_names(_visits(), name="x", renames={})
    assert frame.columns == ["USUBJID", "SLEDAI_FEVER", "HAEMOLYSIS"]
    assert labels == {}


@pytest.mark.parametrize(
    ("created", "expected"),
    [
        (dt.date(2027, 1, 31), b"31JAN27:00:00:00"),
        (dt.datetime(2026, 12, 5, 13, 4, 9), b"05DEC26:13:04:09"),
        (dt.date(2030, 9, 1), b"01SEP30:00:00:00"),
    ],
)
def test_compute_sas_datetime(created: dt.date, expected: bytes):
    assert compute_sas_datetime(created) == expected


def test_write_xpt__created_fixes_every_header_datetime(tmp_path: Path):
    frame = pl.DataFrame({"USUBJID": ["S1"], "AVAL": [1.5]})
    meta = create_dataset_metadata(frame, name="adx")
    write_xpt(frame, tmp_path / "a.xpt", meta=meta, created=dt.date(2027, 1, 31))
    write_xpt(frame, tmp_path / "b.xpt", meta=meta, created=dt.date(2027, 1, 31))
    content = (tmp_path / "a.xpt").read_bytes()
    assert content == (tmp_path / "b.xpt").read_bytes()
    assert content[:560].count(b"31JAN27:00:00:00") == 4
    assert read_xpt(tmp_path / "a.xpt").frame["AVAL"].to_list() == [1.5]


def test_write_adam_transport__absent_named_dataset_is_an_error(tmp_path: Path):
    pl.DataFrame({"USUBJID": ["S1"]}).write_parquet(tmp_path / "adsl.parquet")
    with pytest.raises(ExportReadError, match=r"adtte\.parquet"):
        write_adam_transport(
            tmp_path,
            tmp_path / "t",
            created=dt.date(2027, 1, 31),
            study_oid="S",
            names=["adsl", "adtte"],
        )


def test_write_adam_transport__names_limit_the_datasets_written(tmp_path: Path):
    pl.DataFrame({"USUBJID": ["S1"]}).write_parquet(tmp_path / "adsl.parquet")
    pl.DataFrame({"USUBJID": ["S1"]}).write_parquet(tmp_path / "other.parquet")
    files = write_adam_transport(
        tmp_path, tmp_path / "t", created=dt.date(2027, 1, 31), study_oid="S", names=["adsl"]
    )
    assert [p.name for p in files.xpt] == ["adsl.xpt"]
    assert sorted(p.name for p in (tmp_path / "t").iterdir()) == [
        "adsl.json",
        "adsl.xpt",
        "define.json",
    ]


def test_summarize_transport_datasets__the_list_define_json_holds(tmp_path: Path):
    """The report's transport list, computed from the datasets, is the one write_adam_transport
    writes to define.json (names, labels, records, variables), long names renamed or not."""
    adam = tmp_path / "adam"
    adam.mkdir()
    _visits().write_parquet(adam / "advisit.parquet")
    pl.DataFrame({"USUBJID": ["S1", "S2", "S3"], "AVAL": [1.0, 2.0, None]}).write_parquet(
        adam / "adtte.parquet"
    )
    pl.DataFrame(schema={"USUBJID": pl.String}).write_parquet(adam / "other.parquet")
    paths = [adam / "adtte.parquet", adam / "advisit.parquet", adam / "other.parquet"]
    summary = summarize_transport_datasets(paths)
    assert [(d["name"], d["label"], d["records"], d["variables"]) for d in summary["datasets"]] == [
        ("ADTTE", "Time-to-Event Analysis Dataset", 3, ["USUBJID", "AVAL"]),
        ("ADVISIT", "Disease Activity by Assessment", 2, ["USUBJID", "SLEDAI_FEVER", "HAEMOLYSIS"]),
        ("OTHER", "OTHER", 0, ["USUBJID"]),
    ]
    write_adam_transport(
        adam,
        tmp_path / "t",
        created=dt.date(2027, 1, 31),
        study_oid="S",
        names=["adtte", "advisit", "other"],
        renames={"SLEDAI_FEVER": "SLDFEVER", "HAEMOLYSIS": "HAEMOLYS"},
    )
    define = json.loads((tmp_path / "t" / "define.json").read_text(encoding="utf-8"))
    assert summarize_transport(define).equals(summarize_transport(summary))


DEFINE = {
    "datasets": [
        {
            "name": "ADTTE",
            "label": "Time-to-Event Analysis Dataset",
            "records": 3,
            "variables": [{"name": "USUBJID"}, {"name": "AVAL"}],
        },
        {
            "name": "ADSL",
            "label": "Subject-Level Analysis Dataset",
            "records": 0,
            "variables": [{"name": "USUBJID"}],
        },
    ]
}


def test_summarize_transport__one_row_per_dataset_by_name():
    table = summarize_transport(DEFINE)
    assert table.rows() == [
        (
            "ADSL",
            "Subject-Level Analysis Dataset",
            0,
            1,
            "transport/adsl.xpt",
            "transport/adsl.json",
        ),
        (
            "ADTTE",
            "Time-to-Event Analysis Dataset",
            3,
            2,
            "transport/adtte.xpt",
            "transport/adtte.json",
        ),
    ]


def test_summarize_transport__no_dataset_gives_an_empty_table():
    assert summarize_transport({"datasets": []}).height == 0


def test_render_transport__missing_define_is_a_visible_note():
    (note,) = render_transport(None)
    assert "transport/define.json" in note
    (table,) = render_transport(DEFINE)
    assert "transport/adtte.xpt" in table


def test_mapping_path__relative_from_the_repository_absolute_unchanged(tmp_path: Path):
    assert mapping_path("config/sdtm_mapping.yaml") == REPO_ROOT / "config/sdtm_mapping.yaml"
    assert mapping_path(str(tmp_path / "m.yaml")) == tmp_path / "m.yaml"


DM = """STUDYID,DOMAIN,USUBJID,SITEID,AGE,SEX,RFICDTC,RFXSTDTC,DTHDTC,ARMCD,ACTARMCD
ST,DM,ST-001,01,34,F,2025-01-02,2025-02-01,,DL1,DL1
"""
RS = """STUDYID,DOMAIN,USUBJID,RSSEQ,VISIT,RSTESTCD,RSORRES,RSSTRESC,RSDTC
ST,RS,ST-001,1,BASELINE,PGA,1.2,1.2,2025-01-25
"""


def _sdtm(folder: Path, *, with_rs: bool) -> Path:
    folder.mkdir()
    (folder / "dm.csv").write_text(DM, encoding="utf-8")
    if with_rs:
        (folder / "rs.csv").write_text(RS, encoding="utf-8")
    return folder


def _import_io(sdtm: Path, out: Path) -> StepIO:
    return StepIO(
        {"mapping": MAPPING},
        {"problems": str(out / "import_problems.csv")},
        {"sdtm": str(sdtm)},
        str(out / "import.log"),
    )


def test_import_sdtm_step__tables_without_a_domain_are_written_with_their_header(tmp_path: Path):
    out = tmp_path / "imported"
    import_sdtm(_import_io(_sdtm(tmp_path / "sdtm", with_rs=True), out))
    labs = pl.read_csv(out / "labs.csv", infer_schema=False)
    assert labs.height == 0
    assert labs.columns == [
        "USUBJID",
        "LBTESTCD",
        "LBSTRESN",
        "LBSTRESU",
        "LBSTNRLO",
        "LBSTNRHI",
        "LBDT",
    ]
    subjects = pl.read_csv(out / "subjects.csv", infer_schema=False)
    assert subjects["USUBJID"].to_list() == ["ST-001"]
    assert pl.read_csv(out / "assessments.csv", infer_schema=False)["PGA"].to_list() == ["1.2"]


def test_import_sdtm_step__an_error_stops_the_run_after_writing_the_problems(tmp_path: Path):
    out = tmp_path / "imported"
    with pytest.raises(InputDataError, match="SDTM_NO_ACTIVITY"):
        import_sdtm(_import_io(_sdtm(tmp_path / "sdtm", with_rs=False), out))
    problems = pl.read_csv(out / "import_problems.csv", infer_schema=False)
    assert "SDTM_NO_ACTIVITY" in problems["RULE"].to_list()


def test_write_adam_transport_step__renames_long_columns_with_the_mapping_codes(tmp_path: Path):
    adam = tmp_path / "adam"
    adam.mkdir()
    _visits().write_parquet(adam / "advisit.parquet")
    io = StepIO(
        {"adam": [str(adam / "advisit.parquet")], "mapping": MAPPING},
        {"define": str(tmp_path / "transport/define.json")},
        {"data_cut": "2027-01-31", "studyid": "ST", "k_values": [5, 6]},
        str(tmp_path / "t.log"),
    )
    write_transport_step(io)
    define = json.loads((tmp_path / "transport/define.json").read_text(encoding="utf-8"))
    (advisit,) = define["datasets"]
    assert [v["name"] for v in advisit["variables"]] == ["USUBJID", "SLDFEVER", "HAEMOLYS"]
    assert advisit["records"] == 2
    assert read_xpt(tmp_path / "transport/advisit.xpt").frame.columns == [
        "USUBJID",
        "SLDFEVER",
        "HAEMOLYS",
    ]
