"""The validated tables: the export typed, the validation's actions applied, cut at the data
cut (data-contract §1.6), shared by ``create_validated_tables`` and the sharded workflow's
``create_shard_tables``; the typed export alone, as the validator typed it (written by
``validate_export`` for ``create_validated_tables``, so the export is read and typed once)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Mapping
from pathlib import Path

import polars as pl

from outcomes import contract as c
from outcomes.errors import InputDataError
from outcomes.ingest.data_cut import filter_by_data_cut
from outcomes.ingest.exclusions import apply_exclusions, derive_var_qryfl
from outcomes.io.export import derive_vars_source
from outcomes.schemas.export import EXPORT_COLUMNS, polars_dtype
from outcomes.validate.catalogue import ERROR, FATAL
from outcomes.validate.structure import read_typed_table

log = logging.getLogger("outcomes.ingest.validated")


def _empty_table(table: str) -> pl.DataFrame:
    schema = {s.name: polars_dtype(s) for s in EXPORT_COLUMNS[table]}
    schema |= {"ROW": pl.Int64(), "SRCDOM": pl.String(), "SRCSEQ": pl.Int64()}
    return pl.DataFrame(schema=schema)


def _stop_message(issues: pl.DataFrame, *, on_error: str, report: Path) -> str | None:
    """Why the export is not analysed (data-contract §1.6), or None when it is."""
    fatal = issues.filter(pl.col("SEVERITY") == FATAL)
    if fatal.height:
        first = fatal.row(0, named=True)
        return (
            f"The export cannot be derived: {fatal.height} FATAL problem(s), first "
            f"{first['RULE']}: {first['MESSAGE']} Nothing is analysed; see {report}."
        )
    errors = issues.filter(pl.col("SEVERITY") == ERROR)
    if errors.height and on_error == "stop":
        subjects = errors["USUBJID"].drop_nulls().n_unique()
        return (
            f"Strict mode (validation.on_error: stop): the export has {errors.height} "
            f"validation error(s) touching {subjects} subject(s); nothing is analysed until they "
            f"are corrected. See {report} (every problem with its table, row, column and rule)."
        )
    return None


def create_typed_frames(export: Path) -> Iterator[tuple[str, pl.DataFrame]]:
    """Each table of ``export`` typed as the validator types it (:func:`read_typed_table`, a
    cell that does not parse is null), with ``ROW``, ``SRCDOM`` and ``SRCSEQ``; an absent or
    unreadable table is empty (validation reports why, and ``create_validated_tables`` stops on
    a FATAL issue before any table is used)."""
    for table in c.TABLES:
        typed = read_typed_table(export, table)
        yield table, _empty_table(table) if typed is None else typed


def create_typed_from_checked(
    checked: Mapping[str, pl.DataFrame],
) -> Iterator[tuple[str, pl.DataFrame]]:
    """Each table as :func:`create_typed_frames` gives it, from the tables the validator typed
    (:func:`~outcomes.validate.validate_export` with ``typed``): the same cell typing, with
    ``SRCDOM`` and the table's ``SRCSEQ``; a table validation could not read is empty."""
    for table in c.TABLES:
        frame = checked.get(table)
        if frame is None:
            yield table, _empty_table(table)
        else:
            yield table, derive_vars_source(frame.drop("SRCSEQ"), table)


def create_validated_frames(
    export: Path,
    *,
    typed: Mapping[str, Path] | None = None,
    issues: pl.DataFrame,
    excluded: pl.DataFrame,
    data_cut: str,
    on_error: str,
    report: Path,
) -> Iterator[tuple[str, pl.DataFrame]]:
    """Each table of ``export`` typed, with the actions of ``excluded`` applied, ``QRYFL`` on
    ``subjects`` and cut at ``data_cut``, one table at a time (see
    :func:`create_validated_tables`).

    ``typed`` names the parquet file of each table as validation typed it
    (:func:`create_typed_from_checked`, written by ``validate_export``); without it the export
    is read and typed here (:func:`create_typed_frames`).

    Raises
    ------
    InputDataError
        When ``issues`` stop the analysis (a FATAL issue; an ERROR with ``on_error: stop``).
    """
    message = _stop_message(issues, on_error=on_error, report=report)
    if message is not None:
        raise InputDataError(message, issues.filter(pl.col("SEVERITY") != "WARNING"))
    excluded = excluded.with_columns(pl.col("ROW").cast(pl.Int64))
    cut = dt.date.fromisoformat(data_cut)
    frames = (
        ((table, pl.read_parquet(typed[table])) for table in c.TABLES)
        if typed is not None
        else create_typed_frames(export)
    )
    for table, frame in frames:
        kept = apply_exclusions(frame.lazy(), excluded, table=table)
        if table == "subjects":
            kept = derive_var_qryfl(kept, issues)
        kept = filter_by_data_cut(kept, table=table, data_cut=cut).collect()
        log.info(
            "%s: %d records read, %d kept after validation and at data cut %s",
            table,
            frame.height,
            kept.height,
            cut,
        )
        yield table, kept
