"""What SAS XPT v5 cannot hold: a validation WARNING, split or missing in XPT, kept in JSON."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from outcomes.interop.adam_out import write_adam_dataset
from outcomes.interop.dataset_json import read_dataset_json
from outcomes.interop.metadata import create_dataset_metadata
from outcomes.interop.xpt import read_xpt
from outcomes.interop.xpt_fit import fit_to_xpt, split_text
from outcomes.validate.transport import check_transport_limits


def test_split_text__cuts_before_the_last_space_that_fits():
    assert split_text("aaa bbb ccc", limit=5) == ["aaa", " bbb", " ccc"]


def test_split_text__no_space_cuts_at_a_character_boundary():
    # each "é" is 2 bytes: 5 bytes hold two of them
    assert split_text("ééééé", limit=5) == ["éé", "éé", "é"]


def test_split_text__short_value_is_one_chunk():
    assert split_text("Fever", limit=200) == ["Fever"]


def test_fit_to_xpt__continuation_names_keep_eight_characters():
    frame = pl.DataFrame({"EVNTDESC": ["x " * 150], "EVNTDES1": ["keep"]})
    meta = create_dataset_metadata(frame, name="ADTTE")
    fitted, fitted_meta, notes = fit_to_xpt(frame, meta)
    assert fitted.columns == ["EVNTDESC", "EVNTDE1", "EVNTDES1"]
    assert [v.name for v in fitted_meta.variables] == fitted.columns
    assert "".join(fitted.row(0)[:2]) == "x " * 150
    assert notes == [
        "ADTTE.EVNTDESC: text up to 300 bytes split over EVNTDESC, EVNTDE1 (XPT v5 holds 200 bytes)"
    ]


@pytest.mark.parametrize("value", [1e308, -1e76, 1e75, 2.0**249, 1e-300, float("inf")])
def test_fit_to_xpt__unrepresentable_number_is_missing(value: float):
    frame = pl.DataFrame({"UPCR": [value, 2.5]})
    fitted, _, notes = fit_to_xpt(frame, create_dataset_metadata(frame, name="ADVISIT"))
    assert fitted["UPCR"].to_list() == [None, 2.5]
    assert len(notes) == 1


def test_write_adam_dataset__70_chinese_characters_and_1e308(tmp_path: Path):
    term = "肺" * 70  # 210 bytes
    frame = pl.DataFrame(
        {
            "USUBJID": ["S-1", "S-2"],
            "AESEQ": [1, 2],
            "AETERM": [term, "Fever"],
            "UPCR": [1e308, 0.5],
        }
    )
    write_adam_dataset(frame, tmp_path, name="adae", created=dt.date(2027, 1, 1), study_oid="S")
    xpt = read_xpt(tmp_path / "adae.xpt").frame
    assert xpt["AETERM"].to_list() == ["肺" * 66, "Fever"]
    assert xpt["AETERM1"].to_list() == ["肺" * 4, ""]
    assert xpt["UPCR"].to_list() == [None, 0.5]
    full = read_dataset_json(tmp_path / "adae.json")
    assert full["AETERM"].to_list() == [term, "Fever"]
    assert full["UPCR"].to_list() == [1e308, 0.5]


def test_write_adam_dataset__numbers_up_to_just_below_2_to_the_249_read_back(tmp_path: Path):
    """IBM doubles reach about 7.2e75, but ReadStat reads those from 2**249 (about 9.05e74) back
    as infinite: such numbers are written as missing, and the largest kept reads back exactly."""
    kept = 9.046256971665327e74  # the double just below 2**249
    frame = pl.DataFrame({"USUBJID": ["S-1", "S-2", "S-3"], "UPCR": [kept, 1e75, -kept]})
    write_adam_dataset(frame, tmp_path, name="adlb", created=dt.date(2027, 1, 1), study_oid="S")
    assert read_xpt(tmp_path / "adlb.xpt").frame["UPCR"].to_list() == [kept, None, -kept]
    assert read_dataset_json(tmp_path / "adlb.json")["UPCR"].to_list() == [kept, 1e75, -kept]


def test_check_transport_limits__long_text_and_huge_number_are_warnings():
    raw = pl.DataFrame(
        {
            "ROW": [1, 2, 3],
            "USUBJID": ["S-1", "S-2", "S-3"],
            "AETERM": ["é" * 101, "x" * 200, None],
            "AETOXGR": ["1e308", "-1e80", "3"],
        }
    )
    issues = pl.concat([f.collect() for f in check_transport_limits(raw, "adverse_events")])
    found = issues.select("RULE", "SEVERITY", "ROW", "COLUMN").rows()
    assert sorted(found) == [
        ("TRN-001", "WARNING", 1, "AETERM"),
        ("TRN-002", "WARNING", 1, "AETOXGR"),
        ("TRN-002", "WARNING", 2, "AETOXGR"),
    ]
    text = issues.filter(pl.col("RULE") == "TRN-001")["MESSAGE"].item()
    assert "the text is 202 bytes long" in text


def test_split_text__a_run_of_spaces_opens_the_next_chunk():
    assert split_text("xxxxx     yyy", limit=8) == ["xxxxx", "     yyy"]


def test_split_text__leading_spaces_only_cut_at_the_limit():
    assert split_text("   abcdef", limit=4) == ["   a", "bcde", "f"]


def test_check_transport_limits__typed_cells_find_the_same_numbers():
    """With the typed table, only missing or out-of-range typed values are parsed again; the
    issues are those of parsing every cell."""
    from outcomes.io.export import type_table

    raw = pl.DataFrame(
        {
            "ROW": [1, 2, 3, 4, 5, 6, 7],
            "USUBJID": ["S-1", "S-2", "S-3", "S-4", "S-5", "S-6", "S-7"],
            "LBTESTCD": ["ANC"] * 7,
            "LBSTRESN": ["1e76", "-1e-80", "inf", "0", " 2.5 ", "abc", None],
            "LBSTNRLO": ["1.8", "1.8", "1.8", "1.8", "1.8", "-inf", "9.1e74"],
        }
    )
    typed = type_table(raw, "labs")
    assert typed["LBSTRESN"].to_list()[:6] == [1e76, -1e-80, None, 0.0, 2.5, None]

    def found(frames: list[pl.LazyFrame]) -> list[tuple]:
        return sorted(pl.concat([f.collect() for f in frames]).select("ROW", "COLUMN").rows())

    expected = [(1, "LBSTRESN"), (2, "LBSTRESN"), (3, "LBSTRESN"), (6, "LBSTNRLO"), (7, "LBSTNRLO")]
    assert found(check_transport_limits(raw, "labs")) == expected
    assert found(check_transport_limits(raw, "labs", typed=typed)) == expected
