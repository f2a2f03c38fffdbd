"""The workflow in sharded mode (``outcomes run --shards 3``, config ``data.shards``) gives the
results of one unsharded run: the same validation report (issues with their rows and query ids,
excluded records, counts), the same validated, derived and ADaM datasets, the same analyses.

The export is a simulated trial with a few planted record faults (ERRORs whose values are set
missing or records excluded, so that excluded.csv and the export's row numbers are exercised).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from outcomes.config import REPO_ROOT
from outcomes.contract import TABLES
from outcomes.simulate import simulate_export
from outcomes.steps.shard import DATASETS

from .workflow_support import CUT, SEED, run_workflow

SUBJECTS = 60
SHARDS = 3
#: (table, 1-based row, column, value): out of range, not a number, not a grade, negative dose.
FAULTS = (
    ("assessments", 5, "PGA", "3.5"),
    ("assessments", 40, "PGA", "abc"),
    ("labs", 100, "LBSTRESN", "abc"),
    ("adverse_events", 3, "AETOXGR", "6"),
    ("medications", 7, "CMDOSE", "-5"),
)


def _plant(path: Path, *, row: int, column: str, value: str) -> None:
    """Set one cell of an export file (rows numbered from 1, as ``ROW``)."""
    frame = pl.read_csv(path, infer_schema=False).with_row_index("_ROW", offset=1)
    frame = frame.with_columns(
        pl.when(pl.col("_ROW") == row).then(pl.lit(value)).otherwise(pl.col(column)).alias(column)
    )
    frame.drop("_ROW").write_csv(path)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(unsharded run, sharded run) of one export with planted faults."""
    from outcomes.cli import main

    base = tmp_path_factory.mktemp("shards")
    simulate_export(subjects=SUBJECTS, seed=SEED, out=base / "export")
    for table, row, column, value in FAULTS:
        _plant(base / "export" / f"{table}.csv", row=row, column=column, value=value)
    whole = run_workflow(base / "export", base / "whole")
    sharded = base / "sharded"
    args = ["run", "--export", str(base / "export"), "--data-cut", CUT, "--out", str(sharded)]
    if main([*args, "--cores", "2", "--shards", str(SHARDS)]) != 0:
        pytest.fail(f"the sharded run failed; see {sharded}/logs")
    return whole, sharded


pytestmark = pytest.mark.slow


def test_sharded__each_shard_was_validated_and_derived_as_its_own_job(runs):
    _, sharded = runs
    for k in range(SHARDS):
        folder = sharded / "shards" / f"shard-{k:03d}"
        assert (folder / "validation" / "issues.parquet").is_file()
        assert (folder / "adam" / "adsl.parquet").is_file()
        assert pl.read_parquet(folder / "validated" / "subjects.parquet").height > 0
        for rule in ("validate_shard", "create_shard_tables", "derive_shard"):
            assert (sharded / "logs" / "benchmarks" / f"{rule}-{k:03d}.tsv").is_file()


@pytest.mark.parametrize(
    "name", [*(f"validated/{t}" for t in TABLES), *DATASETS], ids=lambda n: n.replace("/", "-")
)
def test_sharded__combined_dataset_equals_the_unsharded_one(runs, name):
    whole, sharded = runs
    expected = pl.read_parquet(whole / f"{name}.parquet")
    assert expected.height > 0
    assert_frame_equal(pl.read_parquet(sharded / f"{name}.parquet"), expected)


def test_sharded__analysis_tables_equal_the_unsharded_ones(runs):
    whole, sharded = runs
    tables = sorted((whole / "tables").glob("*.csv"))
    assert len(tables) > 10
    for path in tables:
        if path.name == "report_settings.csv":  # lists data.shards, the one setting that differs
            continue
        assert (sharded / "tables" / path.name).read_bytes() == path.read_bytes(), path.name


def test_sharded__validation_report_equals_the_unsharded_one(runs):
    whole, sharded = runs
    issues = pl.read_csv(whole / "validation" / "issues.csv", infer_schema=False)
    got = pl.read_csv(sharded / "validation" / "issues.csv", infer_schema=False)
    assert (issues["SEVERITY"] == "ERROR").sum() > 0
    assert set(got["QUERYID"]) == set(issues["QUERYID"])
    assert_frame_equal(got, issues)  # rows of the export's files, same order
    excluded = pl.read_csv(whole / "validation" / "excluded.csv", infer_schema=False)
    assert excluded.height > 0
    assert_frame_equal(
        pl.read_csv(sharded / "validation" / "excluded.csv", infer_schema=False), excluded
    )
    summary = json.loads((whole / "validation" / "summary.json").read_text(encoding="utf-8"))
    got_summary = json.loads((sharded / "validation" / "summary.json").read_text(encoding="utf-8"))
    assert got_summary == summary
    sites = sorted(p.name for p in (whole / "validation" / "sites").iterdir())
    assert sorted(p.name for p in (sharded / "validation" / "sites").iterdir()) == sites
    for name in sites:
        site = sharded / "validation" / "sites" / name
        assert site.read_bytes() == (whole / "validation" / "sites" / name).read_bytes()


def test_sharded__workbook_lists_the_same_rules_and_issues(runs):
    openpyxl = pytest.importorskip("openpyxl")
    whole, sharded = runs

    def sheet(run: Path, name: str) -> list[tuple]:
        book = openpyxl.load_workbook(run / "validation" / "issues.xlsx", read_only=True)
        return list(book[name].iter_rows(values_only=True))

    for name in ("Rules", "Details", "Issue Summary"):
        assert sheet(sharded, name) == sheet(whole, name), name


def test_slurm_profile__dry_run_plans_the_shard_jobs_with_their_resources(tmp_path):
    pytest.importorskip("snakemake_executor_plugin_slurm")
    config = tmp_path / "config.yaml"
    config.write_text(
        f"data:\n  shards: {SHARDS}\n  output_dir: {tmp_path / 'run'}\n"
        f"demo:\n  folder: {tmp_path / 'demo'}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [
            sys.executable, "-m", "snakemake", "--snakefile", str(REPO_ROOT / "Snakefile"),
            "--directory", str(tmp_path), "--configfile", str(config),
            "--profile", str(REPO_ROOT / "profiles" / "slurm"), "-n",
        ],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    plan = result.stdout + result.stderr
    for rule in ("create_shard_exports", "combine_validation", "combine_shard_datasets"):
        assert f"rule {rule}:" in plan or f"localrule {rule}:" in plan, rule
    assert plan.count("rule validate_shard:") == SHARDS
    assert plan.count("rule derive_shard:") == SHARDS
    assert "mem_mb=6000" in plan  # validate_shard, from the profile
