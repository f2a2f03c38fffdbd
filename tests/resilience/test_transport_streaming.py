"""The transport files written in batches have the bytes the whole-dataset writer gave.

The expected SHA-256 digests are those of the files written, before writing in batches, by
``write_adam_dataset`` on the whole frame below (one ``pyreadstat`` write and one JSON document).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import polars as pl
import pytest

from outcomes.interop.adam_out import write_adam_dataset
from outcomes.interop.dataset_json import read_dataset_json
from outcomes.interop.xpt import read_xpt

XPT_SHA256 = "8a76a8f09f83475df8b71164f56871ca64ffd7bd3c99952fc193e5a05c87af3a"
JSON_SHA256 = "837e1531ecf6062d97049b57f24d87a17949df486569a3ff32b0589e92e8539e"
LONG_ASCII = "word " * 60 + "end"  # 303 bytes: split over AETERM and AETERM1
LONG_CJK = "肺炎" * 40 + " tail é"  # 248 bytes of multi-byte text


def _frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "USUBJID": ["S-1", "S-2", "S-3", "S-4", "S-5"],
            "AESEQ": [1, 2, 3, 4, 2**62],
            "AETERM": [None, "short", None, LONG_ASCII, LONG_CJK],
            "AEDECOD": ["é", None, "x  ", "", "Zürich"],
            "ASTDT": [dt.date(2025, 1, 2), None, dt.date(1960, 1, 1), dt.date(1899, 12, 31), None],
            "AVAL": [0.5, None, 1e300, -3.25, float("nan")],
            "AESER": [True, None, False, None, True],
        },
        schema={
            "USUBJID": pl.String,
            "AESEQ": pl.Int64,
            "AETERM": pl.String,
            "AEDECOD": pl.String,
            "ASTDT": pl.Date,
            "AVAL": pl.Float64,
            "AESER": pl.Boolean,
        },
    )


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("batch_rows", [1, 2, 3, 100])
@pytest.mark.parametrize("source", ["frame", "parquet"])
def test_write_adam_dataset__batches_give_the_bytes_of_one_write(
    tmp_path: Path, batch_rows: int, source: str
):
    parquet = tmp_path / "adae.parquet"
    _frame().write_parquet(parquet, row_group_size=2)
    data = _frame() if source == "frame" else pl.scan_parquet(parquet)
    out = tmp_path / "transport"
    meta = write_adam_dataset(
        data, out, name="adae", created=dt.date(2027, 1, 31), study_oid="S1", batch_rows=batch_rows
    )
    assert meta.records == 5
    assert {v.name: v.length for v in meta.variables}["AETERM"] == 303
    assert _digest(out / "adae.xpt") == XPT_SHA256
    assert _digest(out / "adae.json") == JSON_SHA256


def test_write_adam_dataset__batched_files_read_back(tmp_path: Path):
    write_adam_dataset(
        _frame(), tmp_path, name="adae", created=dt.date(2027, 1, 31), study_oid="S1", batch_rows=2
    )
    xpt = read_xpt(tmp_path / "adae.xpt").frame
    assert xpt.columns == [
        "USUBJID",
        "AESEQ",
        "AETERM",
        "AETERM1",
        "AEDECOD",
        "ASTDT",
        "AVAL",
        "AESER",
    ]
    assert xpt["AETERM"].to_list() == ["", "short", "", "word " * 39 + "word", ("肺炎" * 40)[:66]]
    assert xpt["AETERM1"].to_list() == [
        "",
        "",
        "",
        " word" * 20 + " end",
        ("肺炎" * 40)[66:] + " tail é",
    ]
    assert xpt["AEDECOD"].to_list() == ["é", "", "x", "", "Zürich"]
    assert xpt["AVAL"].to_list() == [0.5, None, None, -3.25, None]
    assert xpt["ASTDT"].to_list() == [
        dt.date(2025, 1, 2),
        None,
        dt.date(1960, 1, 1),
        dt.date(1899, 12, 31),
        None,
    ]
    full = read_dataset_json(tmp_path / "adae.json")
    assert full["AETERM"].to_list() == [None, "short", None, LONG_ASCII, LONG_CJK]
    assert full["AESEQ"].to_list() == [1, 2, 3, 4, 4611686018427387904]
    assert full["AVAL"].to_list() == [0.5, None, 1e300, -3.25, None]
    assert full["AESER"].to_list() == [True, None, False, None, True]


def test_write_adam_dataset__blank_record_at_the_end_of_a_batch(tmp_path: Path):
    frame = pl.DataFrame({"TXT": ["x", None, "y"]})  # the first batch of two ends blank
    write_adam_dataset(
        frame, tmp_path, name="t", created=dt.date(2027, 1, 1), study_oid="S", batch_rows=2
    )
    assert read_xpt(tmp_path / "t.xpt").frame["TXT"].to_list() == ["x", "", "y"]


def test_write_adam_dataset__no_rows_from_parquet(tmp_path: Path):
    parquet = tmp_path / "e.parquet"
    pl.DataFrame(schema={"USUBJID": pl.String, "ADT": pl.Date}).write_parquet(parquet)
    meta = write_adam_dataset(
        pl.scan_parquet(parquet), tmp_path, name="e", created=dt.date(2027, 1, 1), study_oid="S"
    )
    assert meta.records == 0
    assert read_xpt(tmp_path / "e.xpt").frame.height == 0
    assert read_dataset_json(tmp_path / "e.json").columns == ["USUBJID", "ADT"]
