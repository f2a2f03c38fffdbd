"""Steps of the ingest rules: simulate_demo, validate_export, create_validated_tables."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import polars as pl

from outcomes.contract import TABLES
from outcomes.ingest.validated import create_typed_from_checked, create_validated_frames
from outcomes.io import atomic
from outcomes.steps import StepIO, step
from outcomes.validate.catalogue import WARNING

log = logging.getLogger("outcomes.steps.ingest")


@step
def simulate_demo(io: StepIO) -> None:
    """Write the built-in demo export (``outcomes simulate``) into the demo folder."""
    from outcomes.simulate import simulate_export

    demo = io.params["demo"]
    out = Path(io.outputs["subjects"]).parent
    result = simulate_export(
        subjects=demo["subjects"],
        seed=demo["seed"],
        out=out,
        dose_levels=tuple(io.params["dose_levels"]),
    )
    log.info("%s", result.summary())


@step
def validate_export(io: StepIO) -> None:
    """Validate the export and write the report; never fails on data (the next rule does).
    With ``validation.previous`` (an earlier cut's output folder) each issue is NEW or OPEN
    and ``resolved.csv`` lists the queries resolved since."""
    from outcomes.validate import validate_export as run_validation
    from outcomes.validate import write_validation_report
    from outcomes.validate.tracking import check_previous_folder

    config = io.params["config"]
    out = Path(io.outputs["issues"]).parent
    previous = config["validation"].get("previous")
    if previous:
        check_previous_folder(Path(previous), out=out)
    typed: dict[str, pl.DataFrame] = {}
    report = run_validation(
        Path(io.params["export"]),
        config=config,
        data_cut=dt.date.fromisoformat(config["data"]["data_cut"]),
        previous=Path(previous) if previous else None,
        typed=typed,
    )
    write_validation_report(report, out)
    log.info("%s", report.summary())
    # the export as validation typed it, for create_validated_tables (outputs typed_<table>)
    for table, frame in create_typed_from_checked(typed):
        if f"typed_{table}" in io.outputs:
            atomic.write_parquet(frame, io.outputs[f"typed_{table}"])


@step
def create_validated_tables(io: StepIO) -> None:
    """Typed, cut-filtered tables with the ERRORs' actions applied (data-contract §1.6).

    Stops (before any analysis) on a FATAL issue, and on any ERROR when
    ``validation.on_error`` is ``stop`` (``outcomes run --strict``). Otherwise every record and
    value listed in ``validation/excluded.csv`` is excluded or set missing, and ``subjects``
    gets ``QRYFL`` (a record feeding the subject's efficacy endpoints has an open ERROR). The
    typed tables come from ``validate_export`` (inputs ``typed_<table>``) when the rule has
    them, else from the export.
    """
    # only the FATAL and ERROR issues decide (the stop, QRYFL); WARNINGs are most of the file
    issues = (
        pl.scan_csv(io.inputs["issues"], infer_schema=False)
        .filter(pl.col("SEVERITY") != WARNING)
        .collect()
    )
    excluded = pl.read_csv(io.inputs["excluded"], infer_schema=False)
    typed = {t: io.inputs[f"typed_{t}"] for t in TABLES if f"typed_{t}" in io.inputs}
    tables = create_validated_frames(
        Path(io.params["export"]),
        typed=typed or None,
        issues=issues,
        excluded=excluded,
        data_cut=io.params["data_cut"],
        on_error=io.params["on_error"],
        report=Path(io.inputs["issues"]).with_name("report.html"),
    )
    for table, kept in tables:
        atomic.write_parquet(kept, io.outputs[table])
