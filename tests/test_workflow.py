"""The whole workflow on a small simulated trial, through ``outcomes run`` (Snakemake included)."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from outcomes.cli import main
from outcomes.simulate import simulate_export

pytestmark = pytest.mark.slow

CUT = "2027-01-31"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("workflow")
    simulate_export(subjects=24, seed=11, out=base / "export")
    out = base / "run"
    code = main(["run", "--export", str(base / "export"), "--data-cut", CUT, "--out", str(out),
                 "--cores", "2"])
    assert code == 0, f"outcomes run failed; see {out}/logs"
    return out


def test_workflow__every_contract_output_is_written(run_dir: Path):
    expected = [
        "validation/issues.csv", "validation/summary.json", "validation/report.html",
        "adam/adsl.parquet", "adam/advisit.parquet", "adam/adrs.parquet", "adam/adepi.parquet",
        "adam/adtte.parquet", "adam/adae.parquet", "report.html", "manifest.json",
    ]
    missing = [p for p in expected if not (run_dir / p).is_file()]
    assert missing == []
    assert list((run_dir / "tables").glob("*.csv"))
    assert list((run_dir / "figures").glob("*.png"))


def test_workflow__one_adsl_row_per_subject_and_infused_subjects_have_visits(run_dir: Path):
    adsl = pl.read_parquet(run_dir / "adam/adsl.parquet")
    subjects = pl.read_csv(run_dir.parent / "export/subjects.csv", infer_schema=False)
    consented = subjects.filter(pl.col("CONSDT") <= CUT).height
    assert adsl.height == consented
    assert adsl["USUBJID"].n_unique() == adsl.height
    advisit = pl.read_parquet(run_dir / "adam/advisit.parquet")
    infused = adsl.filter(pl.col("SAFFL"))["USUBJID"]
    assert set(infused) <= set(advisit["USUBJID"])


def test_workflow__manifest_records_the_cut_and_input_checksums(run_dir: Path):
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    text = json.dumps(manifest)
    assert CUT in text
    assert "subjects.csv" in text


def test_workflow__rerun_with_nothing_changed_does_nothing(run_dir: Path):
    report = run_dir / "report.html"
    before = report.stat().st_mtime_ns
    code = main(["run", "--export", str(run_dir.parent / "export"), "--data-cut", CUT,
                 "--out", str(run_dir), "--cores", "2"])
    assert code == 0
    assert report.stat().st_mtime_ns == before


def test_run__missing_export_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    code = main(["run", "--export", str(tmp_path / "nope"), "--data-cut", CUT,
                 "--out", str(tmp_path / "out")])
    assert code == 2
    assert "does not exist" in capsys.readouterr().err
