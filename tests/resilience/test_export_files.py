"""Export files: names in any letter case, unrecognised and special files, trailing blank lines."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import polars as pl
import pytest

from outcomes.errors import ExportReadError
from outcomes.io.export import find_table_file, read_raw_table, strip_trailing_blank_lines
from outcomes.simulate import simulate_export
from outcomes.validate import validate_export


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("clean")
    simulate_export(subjects=8, seed=5, out=out)
    return out


@pytest.fixture
def export(clean: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "export"
    shutil.copytree(clean, folder)
    return folder


def _config() -> dict:
    from outcomes.configuration import load_config

    return load_config()


def _issues(folder: Path) -> pl.DataFrame:
    return validate_export(folder, config=_config(), data_cut=None).issues


def test_find_table_file__upper_case_name_is_the_table(export: Path):
    (export / "labs.csv").rename(export / "LABS.csv")
    assert find_table_file(export, "labs") == export / "LABS.csv"


def test_validate__upper_case_labs_is_read(export: Path):
    before = _issues(export)
    (export / "labs.csv").rename(export / "LABS.CSV")
    after = _issues(export)
    assert after.equals(before)


def test_find_table_file__two_spellings_are_refused(export: Path):
    shutil.copy(export / "labs.csv", export / "Labs.csv")
    with pytest.raises(ExportReadError, match="present twice"):
        find_table_file(export, "labs")


def test_validate__unrecognised_table_like_file_is_a_warning(export: Path):
    (export / "lab.csv").write_text("A\n1\n", encoding="utf-8")
    (export / "notes.txt").write_text("not a table", encoding="utf-8")
    issues = _issues(export).filter(pl.col("RULE") == "STR-010")
    assert issues["SEVERITY"].to_list() == ["WARNING"]
    assert issues["MESSAGE"].item().startswith("lab.csv: no table of the export is called 'lab'")


def test_validate__side_files_are_not_unrecognised(export: Path):
    (export / "errors_manifest.csv").write_text("RULE\n", encoding="utf-8")
    assert _issues(export).filter(pl.col("RULE") == "STR-010").height == 0


def test_fifo_table__refused_without_blocking(export: Path):
    (export / "labs.csv").unlink()
    os.mkfifo(export / "labs.csv")
    with pytest.raises(ExportReadError, match=r"labs\.csv: is a named pipe"):
        read_raw_table(export / "labs.csv")
    issues = _issues(export).filter(pl.col("RULE") == "STR-004")
    assert issues["TABLE"].to_list() == ["labs"]
    assert "named pipe (FIFO), not a regular file" in issues["MESSAGE"].item()


def test_folder_named_like_a_table__refused(export: Path):
    (export / "labs.csv").unlink()
    (export / "labs.csv").mkdir()
    with pytest.raises(ExportReadError, match="is a folder"):
        find_table_file(export, "labs")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"A,B\n1,2\n\n", b"A,B\n1,2\n"),
        (b"A,B\n1,2\r\n\r\n\n", b"A,B\n1,2\n"),
        (b"A,B\n1,2\n", b"A,B\n1,2\n"),
        (b"A,B\n1,2", b"A,B\n1,2"),
    ],
)
def test_strip_trailing_blank_lines(data: bytes, expected: bytes):
    assert strip_trailing_blank_lines(data) == expected


def test_trailing_blank_line__ignored_by_reader_and_validation(export: Path):
    before = _issues(export)
    rows = read_raw_table(export / "subjects.csv").height
    with (export / "subjects.csv").open("a", encoding="utf-8") as fh:
        fh.write("\n\n")
    assert read_raw_table(export / "subjects.csv").height == rows
    assert _issues(export).equals(before)


def test_issues_csv__formula_values_are_neutralised(export: Path, tmp_path: Path):
    from outcomes.validate import write_validation_report

    frame = pl.read_csv(export / "adverse_events.csv", infer_schema=False)
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.lit("=1+2"))
        .otherwise(pl.col("AETOXGR"))
        .alias("AETOXGR")
    )
    frame.write_csv(export / "adverse_events.csv")
    report = validate_export(export, config=_config(), data_cut=None)
    write_validation_report(report, tmp_path / "v")
    written = pl.read_csv(tmp_path / "v" / "issues.csv", infer_schema=False)
    # the unparseable grade (VAL-004); the demo's neutropenia grades that contradict the ANC
    # (CON-014) are in the same column
    values = written.filter((pl.col("COLUMN") == "AETOXGR") & (pl.col("RULE") != "CON-014"))
    assert values["VALUE"].to_list() == ["'=1+2"]


def test_read_raw_table__parquet_timestamps_at_midnight_are_dates(tmp_path: Path):
    """pandas writes dates as datetime64: midnight is the date, a time of day is not a date."""
    import datetime as dt

    frame = pl.DataFrame(
        {
            "USUBJID": ["S1", "S2", "S3"],
            "EOSDT": [dt.datetime(2026, 5, 1), dt.datetime(2026, 5, 2, 13, 30), None],
        }
    )
    frame.write_parquet(tmp_path / "subjects.parquet")
    raw = read_raw_table(tmp_path / "subjects.parquet")
    assert raw["EOSDT"].to_list() == ["2026-05-01", "2026-05-02T13:30:00", None]


def test_validate__pandas_parquet_dates_are_valid(export: Path):
    pandas = pytest.importorskip("pandas")
    for table in ("subjects", "assessments", "medications", "adverse_events", "labs"):
        csv = pl.read_csv(export / f"{table}.csv", infer_schema=False)
        frame = csv.to_pandas()
        for column in csv.columns:
            if column.endswith("DT"):
                frame[column] = pandas.to_datetime(frame[column])
        frame.to_parquet(export / f"{table}.parquet")
        (export / f"{table}.csv").unlink()
    dates = _issues(export).filter(pl.col("RULE").is_in(["VAL-002", "VAL-003", "VAL-010"]))
    assert dates.height == 0
