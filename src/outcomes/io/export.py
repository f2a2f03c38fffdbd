"""Read an export folder (data-contract.md §1) into raw text tables and typed tables.

Two layers:

* :func:`read_raw_table` reads one file with every column as text (CSV without type inference;
  Parquet values rendered as text, floats by their shortest ``repr``), adds ``ROW`` (1-based data
  record number, header not counted). The validator checks these raw tables cell by cell.
* :func:`cast_table` turns a raw table into the typed table of its pandera schema, adding
  ``SRCDOM`` and ``SRCSEQ`` (the table's sequence column, else ``ROW``). It is strict: a cell
  that does not parse is an :class:`~outcomes.errors.InputDataError` naming table, row, column and
  value. Run it on exports that passed validation.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from outcomes import contract as c
from outcomes.errors import ExportReadError, InputDataError, describe_failures
from outcomes.schemas.export import EXPORT_COLUMNS, ColumnSpec, polars_dtype

SUFFIXES: tuple[str, ...] = (".csv", ".parquet")


def find_table_file(export_dir: Path, table: str) -> Path | None:
    """Path of ``table`` in ``export_dir`` (``.csv`` or ``.parquet``), or None when absent.

    Raises
    ------
    ExportReadError
        When the export folder does not exist or holds the table in both formats.
    """
    if not export_dir.is_dir():
        raise ExportReadError(f"Export folder {export_dir} does not exist or is not a folder.")
    found = [export_dir / f"{table}{s}" for s in SUFFIXES if (export_dir / f"{table}{s}").is_file()]
    if len(found) > 1:
        raise ExportReadError(
            f"Table {table!r} is present twice in {export_dir} "
            f"({', '.join(p.name for p in found)}); "
            "keep one file per table."
        )
    return found[0] if found else None


def _parquet_as_text(frame: pl.DataFrame) -> pl.DataFrame:
    exprs = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype == pl.Date:
            exprs.append(col.dt.strftime("%Y-%m-%d").alias(name))
        elif dtype == pl.Boolean:
            exprs.append(pl.when(col).then(pl.lit("Y")).when(~col).then(pl.lit("N")).alias(name))
        else:
            exprs.append(col.cast(pl.String).alias(name))
    return frame.select(exprs)


def read_raw_table(path: Path) -> pl.DataFrame:
    """Read one export file with every column as text and add ``ROW`` (1-based).

    Empty CSV cells become null; surrounding white space is kept (the validator reports it).

    Raises
    ------
    ExportReadError
        When the file cannot be parsed at all.
    """
    try:
        if path.suffix == ".parquet":
            frame = _parquet_as_text(pl.read_parquet(path))
        else:
            frame = pl.read_csv(
                path,
                infer_schema=False,
                encoding="utf8",
                raise_if_empty=False,
                truncate_ragged_lines=False,
            )
    except Exception as exc:  # any parser failure is a user-facing read error
        raise ExportReadError(f"{path.name}: cannot be read ({type(exc).__name__}: {exc})") from exc
    return frame.with_row_index("ROW", offset=1).with_columns(pl.col("ROW").cast(pl.Int64))


def _cast_expr(spec: ColumnSpec) -> pl.Expr:
    text = pl.col(spec.name).str.strip_chars()
    dtype = polars_dtype(spec)
    if spec.type == "date":
        return text.str.strptime(pl.Date, "%Y-%m-%d", strict=False).alias(spec.name)
    if spec.type in ("int", "bit"):
        return text.cast(pl.Float64, strict=False).cast(dtype, strict=False).alias(spec.name)
    if spec.type == "float":
        return text.cast(pl.Float64, strict=False).alias(spec.name)
    return text.alias(spec.name)


def cast_table(raw: pl.DataFrame, table: str) -> pl.DataFrame:
    """Typed table from a raw text table, with ``SRCDOM`` and ``SRCSEQ``.

    Columns of the contract get their dtype; unknown extra columns are kept as text. Missing
    optional columns are added as nulls so later stages can rely on them.

    Raises
    ------
    InputDataError
        When a non-empty cell does not parse as its contract type.
    """
    specs = EXPORT_COLUMNS[table]
    present = [s for s in specs if s.name in raw.columns]
    missing_required = [s.name for s in specs if s.is_required and s.name not in raw.columns]
    if missing_required:
        raise InputDataError(f"{table}: required column(s) missing: {', '.join(missing_required)}.")
    typed = raw.with_columns([_cast_expr(s) for s in present])
    bad = []
    for spec in present:
        failed = (
            raw.select("ROW", pl.col(spec.name).alias("VALUE"))
            .with_columns(typed.get_column(spec.name).alias("_typed"))
            .filter(
                pl.col("VALUE").str.strip_chars().str.len_chars().fill_null(0).gt(0)
                & pl.col("_typed").is_null()
            )
        )
        if failed.height:
            bad.append(
                failed.select(
                    pl.lit(table).alias("TABLE"), "ROW", pl.lit(spec.name).alias("COLUMN"), "VALUE"
                )
            )
    if bad:
        failures = pl.concat(bad)
        raise InputDataError(
            f"{table}: {failures.height} cell(s) do not parse as their contract type.\n"
            + describe_failures(failures)
            + "\nRun `outcomes validate` for the full list.",
            failures,
        )
    typed = typed.with_columns(
        [
            pl.lit(None, dtype=polars_dtype(s)).alias(s.name)
            for s in specs
            if s.name not in raw.columns
        ]
    )
    seq = c.SEQUENCE_COLUMN[table]
    return typed.with_columns(
        pl.lit(c.SOURCE_DOMAIN[table]).alias("SRCDOM"),
        (pl.col(seq) if seq else pl.col("ROW")).cast(pl.Int64).alias("SRCSEQ"),
    )


def read_export(export_dir: Path) -> dict[str, pl.DataFrame]:
    """Read and type every table of an export; the optional ``labs`` table may be absent.

    Raises
    ------
    ExportReadError
        When a required table is missing or a file cannot be read.
    InputDataError
        When a cell does not parse as its contract type.
    """
    return {
        table: cast_table(read_raw_table(path), table)
        for table, path in find_table_files(export_dir).items()
    }


def find_table_files(export_dir: Path) -> dict[str, Path]:
    """The file of every table present in ``export_dir``, in contract order.

    Raises
    ------
    ExportReadError
        When a required table is missing (or present twice, :func:`find_table_file`).
    """
    files: dict[str, Path] = {}
    for table in c.TABLES:
        path = find_table_file(export_dir, table)
        if path is None:
            if table in c.TABLES_REQUIRED:
                raise ExportReadError(f"Required table {table!r} is missing from {export_dir}.")
            continue
        files[table] = path
    return files
