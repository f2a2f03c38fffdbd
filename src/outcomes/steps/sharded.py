"""Steps of the sharded workflow (``workflow/rules/shards.smk``, config ``data.shards`` > 1):
split the export by subject, validate, type and derive each shard, combine the shards
(logic in :mod:`outcomes.shards` and :mod:`outcomes.validate.combine`)."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import polars as pl

from outcomes import contract as c
from outcomes.io import atomic
from outcomes.shards import (
    combine_ordered,
    combine_shards,
    map_typed_rows,
    row_map_path,
    run_shard,
    split_export,
)
from outcomes.steps import StepIO, step

log = logging.getLogger("outcomes.steps.sharded")


@step
def create_shard_exports(io: StepIO) -> None:
    """Split the export by subject into ``data.shards`` shard exports with their row maps
    (:func:`split_export`)."""
    folders = split_export(
        Path(io.params["export"]), out=Path(io.params["folder"]), n_shards=io.params["shards"]
    )
    log.info("export %s split into %d shard exports", io.params["export"], len(folders))


@step
def validate_shard(io: StepIO) -> None:
    """Validate one shard export (no previous cut: the whole export is tracked once, by
    ``combine_validation``) and keep its report's parts."""
    from outcomes.validate import validate_export
    from outcomes.validate.combine import write_report_parts

    config = io.params["config"]
    report = validate_export(
        Path(io.inputs["export"]),
        config=config,
        data_cut=dt.date.fromisoformat(config["data"]["data_cut"]),
    )
    write_report_parts(report, Path(io.outputs["issues"]).parent)
    log.info("%s", report.summary())


@step
def combine_validation(io: StepIO) -> None:
    """The validation report of the whole export from its shards' reports
    (:func:`outcomes.validate.combine.combine_reports`), written as ``validate_export`` writes
    it."""
    from outcomes.validate import write_validation_report
    from outcomes.validate.combine import combine_reports, read_report_parts
    from outcomes.validate.tracking import check_previous_folder

    out = Path(io.outputs["issues"]).parent
    previous = io.params["previous"]
    if previous:
        check_previous_folder(Path(previous), out=out)
    folders = [Path(f) for f in io.params["folders"]]
    report = combine_reports(
        [read_report_parts(f / "validation") for f in folders],
        [pl.read_parquet(row_map_path(f)) for f in folders],
        previous=Path(previous) if previous else None,
    )
    write_validation_report(report, out)
    log.info("%d shards: %s", len(folders), report.summary())


@step
def create_shard_tables(io: StepIO) -> None:
    """One shard's validated tables (``create_validated_tables`` on the shard's export and
    issues), with ``ROW`` and ``SRCSEQ`` of the export's files."""
    from outcomes.ingest.validated import create_validated_frames

    rows = pl.read_parquet(io.inputs["rows"])
    tables = create_validated_frames(
        Path(io.inputs["export"]),
        issues=pl.read_parquet(io.inputs["issues"]),
        excluded=pl.read_parquet(io.inputs["excluded"]),
        data_cut=io.params["data_cut"],
        on_error=io.params["on_error"],
        report=Path(io.inputs["report"]),
    )
    for table, kept in tables:
        atomic.write_parquet(map_typed_rows(kept, rows, table=table), io.outputs[table])


@step
def derive_shard(io: StepIO) -> None:
    """The per-subject rules on one shard (:func:`run_shard`)."""
    run_shard(Path(io.params["folder"]), config=io.params["config"])


@step
def combine_validated_tables(io: StepIO) -> None:
    """The shards' validated tables as one, in the export's row order (``ROW``)."""
    folders = [Path(f) for f in io.params["folders"]]
    for table in c.TABLES:
        frames = [pl.scan_parquet(f / "validated" / f"{table}.parquet") for f in folders]
        with atomic.atomic_path(io.outputs[table]) as tmp:
            combine_ordered(frames, key="ROW").sink_parquet(tmp)


@step
def combine_shard_datasets(io: StepIO) -> None:
    """The shards' datasets as one, ordered by subject (:func:`combine_shards`)."""
    folders = [Path(f) for f in io.params["folders"]]
    written = combine_shards(
        folders, out=Path(io.params["out"]), subjects=Path(io.inputs["subjects"])
    )
    log.info("%d datasets combined from %d shards", len(written), len(folders))
