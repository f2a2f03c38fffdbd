"""Split a data cut by subject into shards, run the per-subject rules on each, combine them.

For an export too large for one machine, or to use a cluster: validate and type the export
once (``validate_export``, ``create_validated_tables``), split ``validated/*.parquet`` by a hash
of USUBJID into N shard folders (:func:`create_shards`), run the per-subject rules on every
shard as an independent job (:func:`run_shard`), and concatenate the shards' datasets
(:func:`combine_shards`). Every derivation works within one subject, so the combined datasets
equal those of one unsharded run (``tests/test_sharding.py``). Analyses and the report then run
once on the combined ``adam/`` folder.

An export too large to validate in one process is split first, as text
(:func:`split_export`); each shard's export is then validated and processed on its own.

The workflow does this itself when config ``data.shards`` > 1 (``workflow/rules/shards.smk``,
steps in :mod:`outcomes.steps.sharded`); the same functions run by hand through
``python -m outcomes.steps.shard`` (:mod:`outcomes.steps.shard`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl

from outcomes import contract as c
from outcomes.errors import ConfigError, InputDataError
from outcomes.io import atomic
from outcomes.steps import StepIO, load_step
from outcomes.validate.combine import ROW_MAP_SCHEMA

#: Seed of the USUBJID hash that assigns a subject to its shard.
SHARD_SEED = 20260701
#: Datasets of the per-subject rules, as paths under a run folder (without ``.parquet``).
DATASETS: tuple[str, ...] = (
    "derived/adcm",
    "derived/events",
    "adam/advisit",
    "adam/adsl",
    "adam/adrs",
    "adam/adepi",
    "adam/adtte",
    "adam/adae",
    "adam/adsafe",
)


def compute_shard(*, n_shards: int) -> pl.Expr:
    """Shard number (0 .. n_shards - 1) of each row's subject: a seeded hash of USUBJID.

    Deterministic for a given polars version; all rows of one subject get the same shard.
    """
    if n_shards < 1:
        raise ConfigError(f"shard: the number of shards must be >= 1, got {n_shards}.")
    return (pl.col("USUBJID").hash(seed=SHARD_SEED) % n_shards).cast(pl.Int64).alias("SHARD")


def shard_dir(out: Path, shard: int) -> Path:
    """Folder of shard ``shard`` under ``out`` (``shard-000``, ``shard-001``, ...)."""
    return out / f"shard-{shard:03d}"


def create_shards(validated: Path, *, out: Path, n_shards: int) -> list[Path]:
    """Write each validated table split by subject into ``out/shard-<k>/validated/``.

    Rows keep their columns (ROW, SRCDOM, SRCSEQ: provenance to the whole export) and their
    order; each subject's rows go to one shard.

    Raises
    ------
    InputDataError
        When a validated table is missing from ``validated``.
    """
    shard = compute_shard(n_shards=n_shards)
    folders = _shard_folders(out, n_shards=n_shards, sub="validated")
    for table in c.TABLES:
        path = validated / f"{table}.parquet"
        if not path.is_file():
            raise InputDataError(f"shard: validated table {path} is missing; run the ingest first.")
        targets = [f / "validated" / path.name for f in folders]
        _sink_split(pl.scan_parquet(path), shard=shard, targets=targets)
    return folders


def _shard_folders(out: Path, *, n_shards: int, sub: str) -> list[Path]:
    """The shard folders under ``out``, each with its subfolder ``sub`` created."""
    folders = [shard_dir(out, k) for k in range(n_shards)]
    for folder in folders:
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return folders


def _sink_split(frame: pl.LazyFrame, *, shard: pl.Expr, targets: Sequence[Path]) -> None:
    """Stream the rows of shard k of ``frame`` to ``targets[k]`` (CSV or Parquet, by suffix)."""
    for k, target in enumerate(targets):
        part = frame.filter(shard == k)
        with atomic.atomic_path(target) as tmp:
            if target.suffix == ".csv":
                part.sink_csv(tmp)
            else:
                part.sink_parquet(tmp)


def split_export(export: Path, *, out: Path, n_shards: int) -> list[Path]:
    """Write each export table split by subject into ``out/shard-<k>/export/`` (streaming).

    For an export too large to validate in one process: each shard folder is itself a
    complete export (same tables, same format, every record of its subjects in the export's
    order), to be validated and processed as an independent job. Rows are passed through as
    text, unchanged; a subject's records all go to one shard (the hash of
    :func:`compute_shard`, the same as :func:`create_shards`). Beside each shard's export,
    ``rows.parquet`` maps the rows of the shard's files to the rows of the export's files
    (TABLE, ROW, SOURCEROW), so that a shard's issues and records point to the export.

    Raises
    ------
    ExportReadError
        When a required table is missing from ``export``.
    InputDataError
        When a file cannot be read as a table with USUBJID (not UTF-8, another delimiter,
        duplicated column names, a record with too many fields).
    """
    from outcomes.io.export import find_table_files

    shard = compute_shard(n_shards=n_shards)
    files = find_table_files(export)
    folders = _shard_folders(out, n_shards=n_shards, sub="export")
    maps = []
    for table, path in files.items():
        if path.suffix == ".parquet":
            frame = pl.scan_parquet(path)
        else:
            frame = pl.scan_csv(path, infer_schema=False, raise_if_empty=False)
        try:
            _sink_split(frame, shard=shard, targets=[f / "export" / path.name for f in folders])
            maps.append(create_row_map(frame, table=table, shard=shard))
        except pl.exceptions.PolarsError as exc:
            raise InputDataError(
                f"shard: {path} cannot be split by subject ({type(exc).__name__}: "
                f"{str(exc).splitlines()[0]}). A sharded run needs every file readable as "
                "UTF-8, comma-separated, with one header row of distinct names including "
                "USUBJID; correct the file, or validate the export whole (data.shards: 1) to "
                "locate the problem."
            ) from exc
    rows = pl.concat(maps) if maps else pl.DataFrame(schema={"SHARD": pl.Int64, **ROW_MAP_SCHEMA})
    for k, folder in enumerate(folders):
        atomic.write_parquet(rows.filter(pl.col("SHARD") == k).drop("SHARD"), row_map_path(folder))
    return folders


def row_map_path(folder: Path) -> Path:
    """The row map of the shard in ``folder`` (written by :func:`split_export`)."""
    return folder / "rows.parquet"


def create_row_map(frame: pl.LazyFrame, *, table: str, shard: pl.Expr) -> pl.DataFrame:
    """For each record of ``frame`` (an export file read as text): its shard (``SHARD``), its
    row in the shard's file (``ROW``) and in the export's file (``SOURCEROW``), 1-based."""
    return (
        frame.select(shard, (pl.int_range(pl.len(), dtype=pl.Int64) + 1).alias("SOURCEROW"))
        .with_columns((pl.int_range(pl.len(), dtype=pl.Int64) + 1).over("SHARD").alias("ROW"))
        .select("SHARD", pl.lit(table).alias("TABLE"), "ROW", "SOURCEROW")
        .collect()
    )


def map_typed_rows(typed: pl.DataFrame, rows: pl.DataFrame, *, table: str) -> pl.DataFrame:
    """A shard's typed ``table`` with ``ROW`` (and ``SRCSEQ`` where it is the row) of the
    export's file, through the shard's row map ``rows`` (:func:`split_export`)."""
    from outcomes.io.export import derive_vars_source

    mine = rows.filter(pl.col("TABLE") == table).select("ROW", "SOURCEROW")
    mapped = typed.join(mine, on="ROW", how="left", maintain_order="left").with_columns(
        pl.coalesce("SOURCEROW", "ROW").alias("ROW")
    )
    return derive_vars_source(mapped.select(typed.columns), table)


def combine_shards(
    shards: Sequence[Path], *, out: Path, subjects: Path | None = None
) -> dict[str, Path]:
    """Concatenate each dataset of :data:`DATASETS` over ``shards`` into ``out``.

    Rows are ordered by USUBJID (stable: within a subject the shard's order is kept). The rows
    are those of the unsharded run. A dataset the shards did not write in subject order
    (derived/adcm, adsl, adae, adsafe: the export's order) is, given ``subjects`` (the whole
    export's validated subjects table), in the export's order of subjects as one run writes
    it, and otherwise sorted by USUBJID.
    """
    order = None
    if subjects is not None:
        order = (
            pl.scan_parquet(subjects)
            .select("USUBJID")
            .unique("USUBJID", keep="first", maintain_order=True)
            .with_row_index("_SUBJECT_ORDER")
        )
    written = {}
    for name in DATASETS:
        frames = [pl.scan_parquet(folder / f"{name}.parquet") for folder in shards]
        target = out / f"{name}.parquet"
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic.atomic_path(target) as tmp:
            combine_ordered(frames, order=order).sink_parquet(tmp)
        written[name] = target
    return written


def combine_ordered(
    frames: Sequence[pl.LazyFrame], *, key: str = "USUBJID", order: pl.LazyFrame | None = None
) -> pl.LazyFrame:
    """The rows of ``frames`` ordered by ``key`` (USUBJID), each subject's rows in their
    shard's order.

    When every shard's dataset is already ordered by ``key``, the shards are merged (streamed,
    memory bounded by the merge, not by the dataset); otherwise they are concatenated and
    sorted stably: by the subject's place in ``order`` (``USUBJID``, ``_SUBJECT_ORDER``) when
    given (a subject absent from it last), else by ``key``.
    """
    ordered = pl.collect_all([f.select(pl.col(key).is_sorted()) for f in frames])
    if all(flag.item() for flag in ordered):
        merged = frames[0]
        for frame in frames[1:]:
            merged = merged.merge_sorted(frame, key=key)
        return merged
    rows = pl.concat(frames, how="vertical")
    if order is None:
        return rows.sort(key, maintain_order=True)
    columns = rows.collect_schema().names()
    return (
        rows.join(order, on="USUBJID", how="left", maintain_order="left")
        .sort("_SUBJECT_ORDER", nulls_last=True, maintain_order=True)
        .select(columns)
    )


def _rule_io(cfg: Mapping[str, Any]) -> dict[str, tuple[dict, dict, dict]]:
    """Inputs, outputs (relative to the run folder) and params of the per-subject rules, as in
    workflow/rules/{medications,derive,endpoints}.smk."""
    v = {t: f"validated/{t}.parquet" for t in c.TABLES}
    adcm, events = "derived/adcm.parquet", "derived/events.parquet"
    adam = {n: f"adam/{n}.parquet" for n in ("advisit", "adsl", "adrs", "adepi", "adtte")}
    cut = cfg["data"]["data_cut"]
    ep_in = {"advisit": adam["advisit"], "adsl": adam["adsl"], "events": events}
    return {
        "create_adcm": (
            {"medications": v["medications"], "subjects": v["subjects"]},
            {"adcm": adcm},
            {"medications": cfg["medications"], "data_cut": cut},
        ),
        "create_events": (
            {"adcm": adcm, "subjects": v["subjects"], "assessments": v["assessments"]},
            {"events": events},
            {"medications": cfg["medications"]},
        ),
        "create_advisit": (
            {"assessments": v["assessments"], "subjects": v["subjects"], "adcm": adcm},
            {"advisit": adam["advisit"]},
            {k: cfg[k] for k in ("visits", "scores", "criteria", "medications")},
        ),
        "create_adsl": (
            {k: v[k] for k in ("subjects", "assessments", "labs")}
            | {"adcm": adcm, "advisit": adam["advisit"]},
            {"adsl": adam["adsl"]},
            {k: cfg[k] for k in ("visits", "eligibility", "medications")}
            | {"dose_levels": cfg["study"]["dose_levels"], "data_cut": cut},
        ),
        "create_efficacy": (
            ep_in,
            {k: adam[k] for k in ("adrs", "adepi", "adtte")},
            {"endpoints": cfg["endpoints"], "visits": cfg["visits"]},
        ),
        "create_adae": (
            {k: v[k] for k in ("adverse_events", "labs")} | {"adsl": adam["adsl"]},
            {"adae": "adam/adae.parquet", "adsafe": "adam/adsafe.parquet"},
            {"safety": cfg["safety"]},
        ),
    }


def run_shard(folder: Path, *, config: Mapping[str, Any]) -> None:
    """Run the per-subject rules (medications, per-visit states, subject endpoints) in
    ``folder``, which holds ``validated/*.parquet``; logs go to ``folder/logs/``."""
    # the step modules of the rules run here, imported by name so that they are code inputs
    from outcomes.steps import derive, endpoints, medications  # noqa: F401

    for rule, (inputs, outputs, params) in _rule_io(config).items():
        outs = {k: str(folder / p) for k, p in outputs.items()}
        for path in outs.values():
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        log = folder / "logs" / f"{rule}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        ins = {k: str(folder / p) for k, p in inputs.items()}
        load_step(rule)(StepIO(ins, outs, dict(params), str(log)))
