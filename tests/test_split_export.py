"""An export split by subject into shard exports: every record once, text unchanged, each
shard a complete export that validates on its own."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from outcomes.configuration import load_config
from outcomes.contract import TABLES
from outcomes.errors import ExportReadError, InputDataError
from outcomes.simulate import simulate_export
from outcomes.steps.shard import row_map_path, split_export
from outcomes.validate import validate_export


@pytest.fixture(scope="module")
def split(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    root = tmp_path_factory.mktemp("split_export")
    simulate_export(subjects=60, seed=11, out=root / "export")
    folders = split_export(root / "export", out=root / "shards", n_shards=3)
    return root / "export", [f / "export" for f in folders]


def _text(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


@pytest.mark.parametrize("table", TABLES)
def test_every_record_is_in_one_shard_unchanged_and_in_order(split, table):
    export, shards = split
    if not (export / f"{table}.csv").is_file():
        pytest.skip(f"{table} not simulated")
    whole = _text(export / f"{table}.csv")
    parts = [_text(folder / f"{table}.csv") for folder in shards]
    assert sum(p.height for p in parts) == whole.height
    assert pl.concat(parts).sort(whole.columns).equals(whole.sort(whole.columns))
    for part in parts:  # each shard keeps the export's order of its records
        position = whole.with_row_index("_i").join(part, on=whole.columns, how="semi")["_i"]
        assert position.is_sorted()


def test_a_subject_is_in_one_shard_for_every_table(split):
    _, shards = split
    owners: dict[str, set[int]] = {}
    for k, folder in enumerate(shards):
        for path in folder.glob("*.csv"):
            for subject in _text(path)["USUBJID"].unique():
                owners.setdefault(subject, set()).add(k)
    assert owners and all(len(k) == 1 for k in owners.values())
    assert len({next(iter(k)) for k in owners.values()}) == 3, "every shard holds subjects"


def test_each_shard_validates_without_errors(split):
    _, shards = split
    config = load_config()
    for folder in shards:
        report = validate_export(folder, config=config, data_cut=None)
        assert report.n_errors == 0, folder


def test_missing_required_table_is_named(tmp_path):
    (tmp_path / "export").mkdir()
    with pytest.raises(ExportReadError, match=r"Required table 'subjects' is missing"):
        split_export(tmp_path / "export", out=tmp_path / "shards", n_shards=2)


@pytest.mark.parametrize("table", ["subjects", "assessments", "labs"])
def test_row_map_points_each_shard_row_to_its_export_row(split, table):
    export, shards = split
    whole = _text(export / f"{table}.csv").with_row_index("SOURCEROW", offset=1)
    for folder in shards:
        rows = pl.read_parquet(row_map_path(folder.parent)).filter(pl.col("TABLE") == table)
        part = _text(folder / f"{table}.csv").with_row_index("ROW", offset=1)
        assert rows["ROW"].to_list() == list(range(1, part.height + 1))
        joined = part.with_columns(pl.col("ROW").cast(pl.Int64)).join(
            rows.select("ROW", "SOURCEROW"), on="ROW"
        )
        source = whole.with_columns(pl.col("SOURCEROW").cast(pl.Int64))
        back = joined.drop("ROW").join(source, on="SOURCEROW", suffix="_export")
        assert back.height == part.height
        assert (back["USUBJID"] == back["USUBJID_export"]).all()


def test_file_not_utf8_is_a_clear_error(tmp_path):
    simulate_export(subjects=6, seed=3, out=tmp_path / "export")
    path = tmp_path / "export" / "medications.csv"
    path.write_bytes(path.read_bytes() + "X,Fi\u00e8vre\n".encode("latin-1"))
    with pytest.raises(InputDataError, match=r"medications.csv cannot be split by subject"):
        split_export(tmp_path / "export", out=tmp_path / "shards", n_shards=2)
