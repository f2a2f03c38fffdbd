"""Reading an export: raw text tables with ROW, typed tables with SRCDOM/SRCSEQ."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from outcomes.errors import ExportReadError, InputDataError
from outcomes.io.export import cast_table, find_table_file, read_raw_table

AE_HEADER = "USUBJID,AESEQ,AETERM,AEDECOD,AECAT,AESTDT,AEENDT,AETOXGR,AESER,AEREL,EXTRA\n"


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_read_raw_table__csv_is_all_text_with_one_based_row(tmp_path):
    path = _write(
        tmp_path / "adverse_events.csv",
        AE_HEADER
        + "S1,1,Fever,,CRS,2025-04-02,,1,N,Y,x\nS1,2,Rash,,OTHER,2025-05-01,2025-05-09,2,N,N,\n",
    )
    raw = read_raw_table(path)
    assert raw["ROW"].to_list() == [1, 2]
    assert raw.schema["AESEQ"] == pl.String
    assert raw["AEENDT"].to_list() == [None, "2025-05-09"]


def test_cast_table__types_sequence_and_source(tmp_path):
    path = _write(
        tmp_path / "adverse_events.csv", AE_HEADER + "S1,7,Fever,,CRS,2025-04-02,,1,N,Y,x\n"
    )
    typed = cast_table(read_raw_table(path), "adverse_events")
    row = typed.row(0, named=True)
    assert row["AESTDT"] == dt.date(2025, 4, 2)
    assert row["AETOXGR"] == 1
    assert row["SRCDOM"] == "ADVERSE_EVENTS"
    assert row["SRCSEQ"] == 7  # AESEQ is the sequence of adverse events
    assert row["EXTRA"] == "x"  # unknown extra columns are kept


def test_cast_table__unparseable_and_impossible_cells_are_located(tmp_path):
    path = _write(
        tmp_path / "adverse_events.csv", AE_HEADER + "S1,1,Fever,,CRS,2026-02-30,,one,N,Y,\n"
    )
    with pytest.raises(InputDataError, match="2 cell") as excinfo:
        cast_table(read_raw_table(path), "adverse_events")
    failures = excinfo.value.failures.sort("COLUMN")
    assert failures["COLUMN"].to_list() == ["AESTDT", "AETOXGR"]
    assert failures["ROW"].to_list() == [1, 1]
    assert failures["VALUE"].to_list() == ["2026-02-30", "one"]


def test_cast_table__missing_required_column_is_named(tmp_path):
    path = _write(tmp_path / "adverse_events.csv", "USUBJID,AESEQ\nS1,1\n")
    with pytest.raises(InputDataError, match=r"required column.*AETERM"):
        cast_table(read_raw_table(path), "adverse_events")


def test_cast_table__parquet_and_csv_give_the_same_rows(tmp_path):
    csv = _write(
        tmp_path / "adverse_events.csv", AE_HEADER + "S1,1,Fever,,CRS,2025-04-02,,1,N,Y,\n"
    )
    typed_csv = cast_table(read_raw_table(csv), "adverse_events")
    pq_dir = tmp_path / "pq"
    pq_dir.mkdir()
    typed_csv.drop("ROW", "SRCDOM", "SRCSEQ").write_parquet(pq_dir / "adverse_events.parquet")
    typed_pq = cast_table(read_raw_table(pq_dir / "adverse_events.parquet"), "adverse_events")
    assert typed_pq.drop("EXTRA").equals(typed_csv.drop("EXTRA"))


def test_find_table_file__both_formats_present_is_an_error(tmp_path):
    (tmp_path / "labs.csv").write_text("x\n", encoding="utf-8")
    (tmp_path / "labs.parquet").write_bytes(b"")
    with pytest.raises(ExportReadError, match="present twice"):
        find_table_file(tmp_path, "labs")


def test_find_table_file__missing_folder_is_an_error(tmp_path):
    with pytest.raises(ExportReadError, match="does not exist"):
        find_table_file(tmp_path / "nowhere", "labs")


def test_cast_table__absent_conditional_columns_become_nulls(tmp_path):
    """EOSDT (if not ONGOING) and DCSREAS (if DISCONTINUED) may be left out when no subject
    needs them; the typed table still has them, as nulls."""
    header = "STUDYID,USUBJID,SITEID,AGE,SEX,CONSDT,DOSELVL,LDFL,LDSTDT,INFDT,EOSSTT\n"
    path = _write(
        tmp_path / "subjects.csv",
        header + "NCT07274059,S1,01,40,F,2025-01-10,DL1,N,,2025-02-01,ONGOING\n",
    )
    typed = cast_table(read_raw_table(path), "subjects")
    row = typed.row(0, named=True)
    assert (row["EOSDT"], row["DCSREAS"]) == (None, None)
    assert typed.schema["EOSDT"] == pl.Date


def test_cast_table__absent_unconditionally_required_column_is_named(tmp_path):
    header = "STUDYID,USUBJID,SITEID,AGE,SEX,CONSDT,DOSELVL,LDFL,INFDT\n"
    path = _write(tmp_path / "subjects.csv", header + "NCT07274059,S1,01,40,F,2025-01-10,DL1,N,\n")
    with pytest.raises(InputDataError, match=r"required column\(s\) missing: EOSSTT"):
        cast_table(read_raw_table(path), "subjects")
