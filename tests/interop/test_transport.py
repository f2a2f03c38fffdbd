"""Tests of outcomes.interop.metadata, .xpt, .dataset_json and .adam_out."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandera.polars as pa
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from outcomes.errors import ExportReadError, OutcomesError
from outcomes.interop.adam_out import write_adam_transport
from outcomes.interop.dataset_json import (
    create_dataset_json,
    read_dataset_json,
    validate_dataset_json,
    write_dataset_json,
)
from outcomes.interop.metadata import compute_short_label, create_dataset_metadata
from outcomes.interop.xpt import compute_transport_frame, read_xpt, write_xpt

D = dt.date
SCHEMA = pa.DataFrameSchema(
    {
        "USUBJID": pa.Column(pl.String, description="Unique subject identifier"),
        "ADT": pa.Column(pl.Date, description="Analysis date"),
        "AVAL": pa.Column(pl.Float64, description="Analysis value"),
        "DORISFL": pa.Column(
            pl.Boolean,
            nullable=True,
            description="DORIS 2021 remission at this assessment; null = not evaluable "
            "(van Vollenhoven 2021)",
            metadata={"origin": "Derived"},
        ),
    }
)


def _frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "USUBJID": ["S1", "S2", None],
            "ADT": [D(2025, 1, 2), None, D(1960, 1, 1)],
            "AVAL": [0.5, None, -3.25],
            "DORISFL": [True, None, False],
            "ADY": [1, None, -20000],
        },
        schema={
            "USUBJID": pl.String,
            "ADT": pl.Date,
            "AVAL": pl.Float64,
            "DORISFL": pl.Boolean,
            "ADY": pl.Int64,
        },
    )


def test_compute_short_label__cut_at_40():
    assert compute_short_label("Analysis date") == "Analysis date"
    assert (
        compute_short_label("DORIS 2021 remission; null = not evaluable") == "DORIS 2021 remission"
    )
    long = "Prednisone-equivalent glucocorticoid dose in force on the assessment date"
    label = compute_short_label(long)
    assert label == "Prednisone-equivalent glucocorticoid"
    assert len(label) <= 40


def test_create_dataset_metadata__from_schema_labels_and_fallback():
    meta = create_dataset_metadata(
        _frame(),
        name="advisit",
        schema=SCHEMA,
        labels={"ADY": "Analysis relative day"},
        keys=["USUBJID", "ADT"],
    )
    by_name = {v.name: v for v in meta.variables}
    assert meta.name == "ADVISIT"
    assert meta.label == "Disease Activity by Assessment"
    assert by_name["USUBJID"].label == "Unique subject identifier"
    assert by_name["USUBJID"].length == 2
    assert by_name["USUBJID"].key_sequence == 1
    assert by_name["ADT"].data_type == "date"
    assert by_name["ADT"].display_format == "DATE9."
    assert by_name["ADT"].key_sequence == 2
    assert by_name["DORISFL"].label == "DORIS 2021 remission at this assessment"
    assert by_name["DORISFL"].derivation.endswith("(van Vollenhoven 2021)")
    assert by_name["ADY"].label == "Analysis relative day"
    assert by_name["ADY"].data_type == "integer"
    assert by_name["ADY"].origin == "Assigned"


def test_create_dataset_metadata__long_name_rejected():
    frame = pl.DataFrame({"TOOLONGNAME": [1]})
    with pytest.raises(OutcomesError, match="TOOLONGNAME"):
        create_dataset_metadata(frame, name="x")


def test_write_xpt__reads_back_values_and_labels(tmp_path: Path):
    frame = _frame()
    meta = create_dataset_metadata(frame, name="advisit", schema=SCHEMA)
    write_xpt(frame, tmp_path / "advisit.xpt", meta=meta)
    content = read_xpt(tmp_path / "advisit.xpt")
    expected = pl.DataFrame(
        {
            "USUBJID": ["S1", "S2", ""],
            "ADT": [D(2025, 1, 2), None, D(1960, 1, 1)],
            "AVAL": [0.5, None, -3.25],
            "DORISFL": ["Y", "", "N"],
            "ADY": [1.0, None, -20000.0],
        }
    )
    assert_frame_equal(content.frame, expected)
    assert_frame_equal(compute_transport_frame(frame), expected)
    assert content.labels == {v.name: v.label for v in meta.variables}
    assert content.formats["ADT"] == "DATE9."
    assert content.name == "ADVISIT"
    assert content.label == "Disease Activity by Assessment"


def _namestr_formats(path: Path) -> dict[str, tuple[str, int, int]]:
    """(format name, width, decimals) of each variable, read from the NAMESTR records (TS-140)."""
    content = path.read_bytes()
    start = content.index(b"HEADER RECORD*******NAMESTR HEADER RECORD!!!!!!!")
    count = int(content[start + 54 : start + 58])
    formats = {}
    for i in range(count):
        rec = content[start + 80 + 140 * i : start + 80 + 140 * (i + 1)]
        name = rec[8:16].decode("ascii").rstrip()
        fmt = rec[56:64].decode("ascii").rstrip()
        width = int.from_bytes(rec[64:66], "big")
        decimals = int.from_bytes(rec[66:68], "big")
        formats[name] = (fmt, width, decimals)
    return formats


def test_write_xpt__date_format_is_date9_in_the_namestr(tmp_path: Path):
    """XPT v5 (SAS TS-140) holds a format as NFORM (8 bytes), NFL (width) and NFD (decimals):
    ``DATE9.`` is NFORM ``DATE``, NFL 9, NFD 0; numbers and text carry no format."""
    frame = _frame()
    meta = create_dataset_metadata(frame, name="advisit", schema=SCHEMA)
    write_xpt(frame, tmp_path / "advisit.xpt", meta=meta)
    formats = _namestr_formats(tmp_path / "advisit.xpt")
    assert formats["ADT"] == ("DATE", 9, 0)
    assert formats["AVAL"] == ("", 0, 0)
    assert formats["USUBJID"] == ("", 0, 0)


def test_write_xpt__long_text_rejected(tmp_path: Path):
    frame = pl.DataFrame({"TXT": ["x" * 201]})
    meta = create_dataset_metadata(frame, name="t")
    with pytest.raises(OutcomesError, match="201 bytes"):
        write_xpt(frame, tmp_path / "t.xpt", meta=meta)


def test_write_dataset_json__valid_typed_and_reproducible(tmp_path: Path):
    frame = _frame()
    meta = create_dataset_metadata(frame, name="advisit", schema=SCHEMA, keys=["USUBJID"])
    cut = D(2027, 1, 31)
    write_dataset_json(frame, tmp_path / "a.json", meta=meta, created=cut, study_oid="ST")
    write_dataset_json(frame, tmp_path / "b.json", meta=meta, created=cut, study_oid="ST")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    doc = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    validate_dataset_json(doc)
    assert doc["datasetJSONCreationDateTime"] == "2027-01-31T00:00:00"
    assert doc["datasetJSONVersion"] == "1.1.0"
    assert doc["itemGroupOID"] == "IG.ADVISIT"
    assert doc["records"] == 3
    assert doc["columns"][0] == {
        "itemOID": "IT.ADVISIT.USUBJID",
        "name": "USUBJID",
        "label": "Unique subject identifier",
        "dataType": "string",
        "length": 2,
        "keySequence": 1,
    }
    assert doc["columns"][1]["displayFormat"] == "DATE9."
    assert doc["rows"] == [
        ["S1", "2025-01-02", 0.5, True, 1],
        ["S2", None, None, None, None],
        [None, "1960-01-01", -3.25, False, -20000],
    ]
    assert_frame_equal(read_dataset_json(tmp_path / "a.json"), frame)


def test_validate_dataset_json__broken_documents():
    frame = _frame()
    meta = create_dataset_metadata(frame, name="advisit")
    doc = create_dataset_json(frame, meta=meta, created=D(2027, 1, 31), study_oid="ST")
    missing = {k: v for k, v in doc.items() if k != "itemGroupOID"}
    with pytest.raises(OutcomesError, match="itemGroupOID"):
        validate_dataset_json(missing)
    with pytest.raises(OutcomesError, match="records: 2 but 3 rows"):
        validate_dataset_json({**doc, "records": 2})
    with pytest.raises(OutcomesError, match="rows/0: 4 values for 5 columns"):
        validate_dataset_json({**doc, "rows": [r[:4] for r in doc["rows"]]})


def test_write_adam_transport__every_parquet(tmp_path: Path):
    adam = tmp_path / "adam"
    adam.mkdir()
    _frame().write_parquet(adam / "advisit.parquet")
    pl.DataFrame({"USUBJID": ["S1"], "TRTSDT": [D(2025, 1, 1)]}).write_parquet(
        adam / "adsl.parquet"
    )
    out = tmp_path / "transport"
    files = write_adam_transport(
        adam, out, created=D(2027, 1, 31), study_oid="ST", schemas={"advisit": SCHEMA}
    )
    assert [p.name for p in files.xpt] == ["adsl.xpt", "advisit.xpt"]
    for path in files.dataset_json:
        validate_dataset_json(json.loads(path.read_text(encoding="utf-8")))
    define = json.loads(files.define.read_text(encoding="utf-8"))
    assert [d["name"] for d in define["datasets"]] == ["ADSL", "ADVISIT"]
    adsl = read_xpt(out / "adsl.xpt")
    assert adsl.frame.rows() == [("S1", D(2025, 1, 1))]
    assert define["datasets"][0]["variables"][0]["key_sequence"] == 1


def test_write_adam_transport__empty_folder(tmp_path: Path):
    with pytest.raises(ExportReadError, match=r"no \*\.parquet"):
        write_adam_transport(tmp_path, tmp_path / "o", created=D(2027, 1, 31), study_oid="ST")


def test_compute_short_label__boundary_40_41():
    exactly = "A" * 10 + " " + "B" * 29  # 40 characters
    assert compute_short_label(exactly) == exactly
    over = "A" * 10 + " " + "B" * 30  # 41 characters: cut at the word boundary
    assert compute_short_label(over) == "A" * 10


def test_write_xpt__text_of_200_bytes_fits(tmp_path: Path):
    frame = pl.DataFrame({"TXT": [None, "x" * 200]})
    meta = create_dataset_metadata(frame, name="t")
    write_xpt(frame, tmp_path / "t.xpt", meta=meta)
    assert read_xpt(tmp_path / "t.xpt").frame["TXT"].to_list() == ["", "x" * 200]


def test_write_xpt__trailing_blank_record_is_an_error(tmp_path: Path):
    frame = pl.DataFrame({"TXT": ["x", None]})  # the last record is blank text only
    meta = create_dataset_metadata(frame, name="t")
    with pytest.raises(OutcomesError, match="reads back with 1 of 2 records"):
        write_xpt(frame, tmp_path / "t.xpt", meta=meta)


def test_write_xpt__no_rows_and_all_missing_dates(tmp_path: Path):
    empty = pl.DataFrame(schema={"USUBJID": pl.String, "ADT": pl.Date, "AVAL": pl.Float64})
    write_xpt(empty, tmp_path / "e.xpt", meta=create_dataset_metadata(empty, name="e"))
    assert read_xpt(tmp_path / "e.xpt").frame.height == 0
    missing = pl.DataFrame(
        {"USUBJID": ["S1", "S2"], "ADT": [None, None]},
        schema={"USUBJID": pl.String, "ADT": pl.Date},
    )
    write_xpt(missing, tmp_path / "m.xpt", meta=create_dataset_metadata(missing, name="m"))
    back = read_xpt(tmp_path / "m.xpt").frame
    assert back["ADT"].to_list() == [None, None]
    assert back.schema["ADT"] == pl.Date
