"""The derivation rules of the workflow, called as step functions (no Snakemake run).

Ingest (typed, cut-filtered tables), then the per-subject rules (medications, per-visit states,
ADSL and the endpoint datasets) as one shard holding every subject, with the default
configuration; used to compare exports.
"""

from __future__ import annotations

from pathlib import Path

from outcomes.configuration import load_config
from outcomes.contract import TABLES
from outcomes.steps import StepIO, load_step
from outcomes.steps.shard import run_shard


def run_derivations(export: Path, run: Path, *, cut: str) -> None:
    """The rules of ingest, medications, derive and endpoints, in workflow order."""
    cfg = load_config(overrides={"data": {"data_cut": cut}})
    (run / "validation").mkdir(parents=True)
    (run / "logs").mkdir()
    (run / "validated").mkdir()
    issues = run / "validation" / "issues.csv"
    issues.write_text("RULE,SEVERITY,TABLE,USUBJID,ROW,COLUMN,VALUE,MESSAGE\n", encoding="utf-8")
    excluded = run / "validation" / "excluded.csv"
    excluded.write_text("QUERYID,RULE,TABLE,USUBJID,ROW,COLUMN,ACTION\n", encoding="utf-8")
    load_step("create_validated_tables")(
        StepIO(
            {"issues": str(issues), "excluded": str(excluded)},
            {t: str(run / "validated" / f"{t}.parquet") for t in TABLES},
            {"export": str(export), "data_cut": cut, "on_error": "continue"},
            str(run / "logs" / "create_validated_tables.log"),
        )
    )
    run_shard(run, config=cfg)
