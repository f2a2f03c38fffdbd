"""Steps of the ingest rules: simulate_demo, validate_export, create_validated_tables."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import polars as pl

from outcomes import contract as c
from outcomes.errors import InputDataError
from outcomes.ingest.data_cut import filter_by_data_cut
from outcomes.io import atomic
from outcomes.io.export import cast_table, find_table_file, read_raw_table
from outcomes.schemas.export import EXPORT_COLUMNS, polars_dtype
from outcomes.steps import StepIO, step

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
    """Validate the export and write the report; never fails on data (the next rule does)."""
    from outcomes.validate import validate_export as run_validation
    from outcomes.validate import write_validation_report

    config = io.params["config"]
    report = run_validation(
        Path(io.params["export"]),
        config=config,
        data_cut=dt.date.fromisoformat(config["data"]["data_cut"]),
    )
    write_validation_report(report, Path(io.outputs["issues"]).parent)
    log.info("%s", report.summary())


def _empty_table(table: str) -> pl.DataFrame:
    schema = {s.name: polars_dtype(s) for s in EXPORT_COLUMNS[table]}
    schema |= {"ROW": pl.Int64(), "SRCDOM": pl.String(), "SRCSEQ": pl.Int64()}
    return pl.DataFrame(schema=schema)


@step
def create_validated_tables(io: StepIO) -> None:
    """Typed, cut-filtered tables; stops when validation found errors (the report stays)."""
    issues = pl.read_csv(io.inputs["issues"], infer_schema=False)
    errors = issues.filter(pl.col("SEVERITY") == "ERROR")
    if errors.height:
        report = Path(io.inputs["issues"]).with_name("report.html")
        raise InputDataError(
            f"The export has {errors.height} validation error(s); nothing is analysed until they "
            f"are corrected. See {report} (every problem with its table, row, column and rule).",
            errors,
        )
    export = Path(io.params["export"])
    cut = dt.date.fromisoformat(io.params["data_cut"])
    for table in c.TABLES:
        path = find_table_file(export, table)
        typed = _empty_table(table) if path is None else cast_table(read_raw_table(path), table)
        kept = filter_by_data_cut(typed.lazy(), table=table, data_cut=cut).collect()
        log.info(
            "%s: %d records read, %d kept at data cut %s", table, typed.height, kept.height, cut
        )
        atomic.write_parquet(kept, io.outputs[table])
