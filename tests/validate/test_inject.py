"""Acceptance: every fault planted by ``outcomes simulate --inject-errors`` is reported with the
right RULE, TABLE, USUBJID, ROW and COLUMN; the clean simulated export has no error."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from outcomes.simulate import simulate_export
from outcomes.validate.catalogue import RULES
from tests.validate.conftest import run

KEYS = ["RULE", "TABLE", "ROW", "COLUMN", "USUBJID"]
# file-level faults and transport limits (tests/resilience) are checked on their own copies
NOT_PLANTABLE = {
    "STR-001",
    "STR-002",
    "STR-004",
    "STR-005",
    "STR-008",
    "STR-010",
    "DAT-008",
    "TRN-001",
    "TRN-002",
}


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("planted")
    simulate_export(subjects=48, seed=20260701, out=out, inject_errors=True)
    return out


def test_plant_errors__every_planted_fault_is_reported(planted: Path):
    manifest = pl.read_csv(planted / "errors_manifest.csv", schema_overrides={"ROW": pl.Int64})
    report = run(planted)
    missed = manifest.join(
        report.issues.select(KEYS).unique(), on=KEYS, how="anti", nulls_equal=True
    )
    assert missed.height == 0, missed
    assert report.exit_code == 1


def test_plant_errors__covers_every_data_rule(planted: Path):
    manifest = pl.read_csv(planted / "errors_manifest.csv")
    data_rules = {r for r in RULES if not r.startswith("ELG")} - NOT_PLANTABLE
    assert data_rules <= set(manifest["RULE"])


def test_simulate_export__clean_export_has_no_error(tmp_path: Path):
    simulate_export(subjects=48, seed=20260701, out=tmp_path)
    report = run(tmp_path)
    assert report.n_errors == 0, report.issues.filter(pl.col("SEVERITY") == "ERROR")
