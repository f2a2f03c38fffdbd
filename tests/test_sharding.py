"""Sharded by subject, the per-subject rules give the unsharded datasets (rows sorted).

A simulated trial is typed once, then processed (medications, advisit, adsl, adrs, adepi,
adtte, adae) as a whole and as two shards split by a hash of USUBJID and concatenated. Equal
results show that no derivation looks across subjects or depends on which subjects are
processed together (no per-subject Python state).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from outcomes.configuration import load_config
from outcomes.contract import TABLES
from outcomes.errors import ConfigError
from outcomes.simulate import simulate_export
from outcomes.steps import StepIO, load_steps
from outcomes.steps.shard import (
    DATASETS,
    combine_shards,
    compute_shard,
    create_shards,
    run_shard,
)

SUBJECTS = 10_000  # about 35 s on 2 cores


def _validated(export: Path, run: Path, *, data_cut: str) -> None:
    """Typed, cut-filtered tables of ``export`` in ``run/validated`` (create_validated_tables)."""
    issues = run / "validation" / "issues.csv"
    issues.parent.mkdir(parents=True)
    issues.write_text("RULE,SEVERITY,TABLE,USUBJID,ROW,COLUMN,VALUE,MESSAGE\n", encoding="utf-8")
    excluded = run / "validation" / "excluded.csv"
    excluded.write_text("QUERYID,RULE,TABLE,USUBJID,ROW,COLUMN,ACTION\n", encoding="utf-8")
    outputs = {t: str(run / "validated" / f"{t}.parquet") for t in TABLES}
    (run / "validated").mkdir()
    load_steps()["create_validated_tables"](
        StepIO(
            {"issues": str(issues), "excluded": str(excluded)},
            outputs,
            {"export": str(export), "data_cut": data_cut, "on_error": "continue"},
            str(run / "ingest.log"),
        )
    )


pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path], Path]:
    """(unsharded run, shard folders, combined run) of one simulated trial."""
    root = tmp_path_factory.mktemp("sharding")
    config = load_config()
    simulate_export(subjects=SUBJECTS, seed=7, out=root / "export")
    whole = root / "whole"
    _validated(root / "export", whole, data_cut=config["data"]["data_cut"])
    run_shard(whole, config=config)
    shards = create_shards(whole / "validated", out=root / "shards", n_shards=2)
    for folder in shards:
        run_shard(folder, config=config)
    combined = root / "combined"
    combine_shards(shards, out=combined)
    return whole, shards, combined


@pytest.mark.parametrize("name", DATASETS)
def test_sharded_equals_unsharded(runs: tuple[Path, list[Path], Path], name: str):
    whole, _, combined = runs
    expected = pl.read_parquet(whole / f"{name}.parquet")
    got = pl.read_parquet(combined / f"{name}.parquet")
    assert expected.height > 0
    assert got["USUBJID"].is_sorted(), "combined rows are ordered by subject"
    assert_frame_equal(got.sort(got.columns), expected.sort(expected.columns))


def test_each_subject_is_in_exactly_one_shard(runs: tuple[Path, list[Path], Path]):
    whole, shards, _ = runs
    per_shard = [
        set(pl.read_parquet(f / "validated" / "subjects.parquet")["USUBJID"]) for f in shards
    ]
    assert all(per_shard), "both shards hold subjects"
    assert per_shard[0].isdisjoint(per_shard[1])
    everyone = set(pl.read_parquet(whole / "validated" / "subjects.parquet")["USUBJID"])
    assert per_shard[0] | per_shard[1] == everyone


def test_shard_of_a_subject_is_the_same_on_every_row():
    frame = pl.DataFrame({"USUBJID": ["A", "B", "A", "C", "B", "A"]})
    shards = frame.with_columns(compute_shard(n_shards=3))
    per_subject = shards.group_by("USUBJID").agg(pl.col("SHARD").n_unique())
    assert per_subject["SHARD"].to_list() == [1, 1, 1]
    assert shards["SHARD"].is_between(0, 2).all()


def test_one_shard_holds_everyone():
    frame = pl.DataFrame({"USUBJID": ["A", "B", "C"]})
    assert frame.select(compute_shard(n_shards=1))["SHARD"].to_list() == [0, 0, 0]


def test_zero_shards_is_a_config_error():
    with pytest.raises(ConfigError, match="number of shards must be >= 1, got 0"):
        compute_shard(n_shards=0)
