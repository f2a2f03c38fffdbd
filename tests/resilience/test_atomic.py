"""Atomic output files and spreadsheet-safe CSV cells."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest

from outcomes.io import atomic
from outcomes.io.spreadsheet import neutralize_csv_cells


def test_atomic_path__failed_writer_leaves_previous_file_and_no_temporary(tmp_path: Path):
    target = tmp_path / "adsl.parquet"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic.atomic_path(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("killed mid-write")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adsl.parquet"]


def test_atomic_path__new_file_absent_until_complete(tmp_path: Path):
    target = tmp_path / "sub" / "report.html"
    with atomic.atomic_path(target) as tmp:
        tmp.write_text("<html>", encoding="utf-8")
        assert not target.exists()
        assert tmp.parent == target.parent
        assert tmp.name.startswith(".report.html.") and tmp.name.endswith(".part")
    assert target.read_text(encoding="utf-8") == "<html>"


def test_atomic_path__file_mode_follows_umask(tmp_path: Path):
    old = os.umask(0o022)
    try:
        atomic.write_text(tmp_path / "a.json", "{}")
    finally:
        os.umask(old)
    assert (tmp_path / "a.json").stat().st_mode & 0o777 == 0o644


def test_write_parquet_and_csv__whole_files(tmp_path: Path):
    frame = pl.DataFrame({"A": [1, 2]})
    atomic.write_parquet(frame, tmp_path / "a.parquet")
    atomic.write_csv(frame, tmp_path / "a.csv")
    assert pl.read_parquet(tmp_path / "a.parquet").equals(frame)
    assert (tmp_path / "a.csv").read_text() == "A\n1\n2\n"


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, {"compression_level": 1}),
        ({"compression_level": 9}, {"compression_level": 9}),
        ({"compression": "lz4"}, {"compression": "lz4"}),
    ],
)
def test_write_parquet__zstd_level_1_unless_chosen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, options: dict, expected: dict
):
    seen: dict = {}
    original = pl.DataFrame.write_parquet

    def spy(self: pl.DataFrame, file: Path, **kwargs: object) -> None:
        seen.update(kwargs)
        original(self, file, **kwargs)

    monkeypatch.setattr(pl.DataFrame, "write_parquet", spy)
    frame = pl.DataFrame({"A": ["x", "y"]})
    atomic.write_parquet(frame, tmp_path / "a.parquet", **options)
    assert seen == expected
    assert pl.read_parquet(tmp_path / "a.parquet").equals(frame)


def test_remove_partial_files__only_temporaries_outside_snakemake(tmp_path: Path):
    (tmp_path / "adam").mkdir()
    (tmp_path / "adam" / ".advisit.parquet.x1.part").write_bytes(b"")
    (tmp_path / "adam" / "advisit.parquet").write_bytes(b"ok")
    (tmp_path / ".snakemake").mkdir()
    (tmp_path / ".snakemake" / ".keep.part").write_bytes(b"")
    removed = atomic.remove_partial_files(tmp_path)
    assert [p.name for p in removed] == [".advisit.parquet.x1.part"]
    assert (tmp_path / "adam" / "advisit.parquet").exists()
    assert (tmp_path / ".snakemake" / ".keep.part").exists()


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("-2+3+cmd|x", "'-2+3+cmd|x"),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ("-", "'-"),
        ("-1.5", "-1.5"),
        ("+3", "+3"),
        ("-2e-3", "-2e-3"),
        ("Fever", "Fever"),
        ("a=b", "a=b"),
        (None, None),
    ],
)
def test_neutralize_csv_cells__formula_text_gets_a_quote(cell, written):
    frame = pl.DataFrame({"VALUE": [cell]}, schema={"VALUE": pl.String})
    assert neutralize_csv_cells(frame)["VALUE"].to_list() == [written]


def test_neutralize_csv_cells__numeric_columns_unchanged():
    frame = pl.DataFrame({"EST": [-1.25, 2.0], "N": [-3, 4]})
    assert neutralize_csv_cells(frame).equals(frame)
