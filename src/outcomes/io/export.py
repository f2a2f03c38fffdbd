"""Read an export folder (data-contract.md §1) into raw text tables and typed tables.

Two layers:

* :func:`read_raw_table` reads one file with every column as text (CSV without type inference;
  Parquet values rendered as text, floats by their shortest ``repr``), adds ``ROW`` (1-based data
  record number, header not counted). The validator checks these raw tables cell by cell.
* :func:`compute_typed` is the one cell typing of the project (validator and validated tables);
  :func:`type_table` applies it leniently (a cell that does not parse is null; the validator
  reports it) and :func:`cast_table` strictly: a cell that does not parse is an
  :class:`~outcomes.errors.InputDataError` naming table, row, column and value. Both add
  ``SRCDOM`` and ``SRCSEQ`` (the table's sequence column, else ``ROW``) through
  :func:`derive_vars_source`.
"""

from __future__ import annotations

import io
import stat
from pathlib import Path

import polars as pl

from outcomes import contract as c
from outcomes.errors import ExportReadError, InputDataError, describe_failures
from outcomes.schemas.export import EXPORT_COLUMNS, ColumnSpec, polars_dtype

SUFFIXES: tuple[str, ...] = (".csv", ".parquet")

#: Files an export folder may hold beside its tables (written by ``outcomes simulate`` and
#: ``outcomes import-sdtm``); they are not reported as unrecognised tables.
SIDE_FILES: frozenset[str] = frozenset(
    {"errors_manifest.csv", "import_problems.csv", "import_summary.json"}
)


def _table_name(name: str) -> str | None:
    """``name`` lower-cased without its table suffix, or None when it has no table suffix."""
    lower = name.lower()
    for suffix in SUFFIXES:
        if lower.endswith(suffix) and not lower.startswith("."):
            return lower.removesuffix(suffix)
    return None


def list_table_like_files(export_dir: Path) -> dict[str, list[Path]]:
    """Every ``.csv`` or ``.parquet`` entry of ``export_dir`` by lower-case name without suffix.

    Names are matched case-insensitively (``LABS.csv`` is the ``labs`` table); side files
    (:data:`SIDE_FILES`) are left out. Entries are listed whatever their kind (file, FIFO,
    device, folder), so that a special file is refused rather than silently skipped.
    """
    if not export_dir.is_dir():
        raise ExportReadError(f"Export folder {export_dir} does not exist or is not a folder.")
    found: dict[str, list[Path]] = {}
    for path in sorted(export_dir.iterdir()):
        stem = _table_name(path.name)
        if stem is not None and path.name.lower() not in SIDE_FILES:
            found.setdefault(stem, []).append(path)
    return found


def check_regular_file(path: Path) -> None:
    """Refuse anything but a regular file (a FIFO would block the reader, a device never ends).

    Raises
    ------
    ExportReadError
        Naming the file and what it is.
    """
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise ExportReadError(f"{path.name}: cannot be read ({exc.strerror or exc}).") from exc
    if not stat.S_ISREG(mode):
        kind = (
            "a folder"
            if stat.S_ISDIR(mode)
            else "a named pipe (FIFO)"
            if stat.S_ISFIFO(mode)
            else "a device or socket"
        )
        raise ExportReadError(
            f"{path.name}: is {kind}, not a regular file; an export table must be a file."
        )


def find_table_file(export_dir: Path, table: str) -> Path | None:
    """Path of ``table`` in ``export_dir`` (``.csv`` or ``.parquet``, any letter case), or None.

    Raises
    ------
    ExportReadError
        When the export folder does not exist, holds the table twice (two formats or two
        spellings) or the table's entry is not a regular file.
    """
    found = list_table_like_files(export_dir).get(table, [])
    if len(found) > 1:
        raise ExportReadError(
            f"Table {table!r} is present twice in {export_dir} "
            f"({', '.join(p.name for p in found)}); "
            "keep one file per table."
        )
    if found:
        check_regular_file(found[0])
    return found[0] if found else None


def find_unrecognised_files(export_dir: Path) -> list[Path]:
    """Table-like files of ``export_dir`` whose name is no table of the contract."""
    tables = set(c.TABLES)
    return [
        p
        for name, paths in list_table_like_files(export_dir).items()
        if name not in tables
        for p in paths
    ]


def strip_trailing_blank_lines(data: bytes) -> bytes:
    """CSV bytes without blank lines at the end (one final line break is kept)."""
    stripped = data.rstrip(b"\r\n")
    return stripped + b"\n" if stripped != data else data


def _parquet_as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Every column as the text a CSV export would hold.

    Dates are ``YYYY-MM-DD``. A timestamp (pandas writes dates as ``datetime64``) at midnight is
    that date; one with a time of day keeps its full text, which the validator reports as not a
    date (VAL-002).
    """
    exprs = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype == pl.Date:
            exprs.append(col.dt.strftime("%Y-%m-%d").alias(name))
        elif isinstance(dtype, pl.Datetime):
            midnight = col.dt.time() == pl.time(0, 0, 0)
            exprs.append(
                pl.when(midnight)
                .then(col.dt.strftime("%Y-%m-%d"))
                .otherwise(col.dt.strftime("%Y-%m-%dT%H:%M:%S%.f"))
                .alias(name)
            )
        elif dtype == pl.Boolean:
            exprs.append(pl.when(col).then(pl.lit("Y")).when(~col).then(pl.lit("N")).alias(name))
        else:
            exprs.append(col.cast(pl.String).alias(name))
    return frame.select(exprs)


def read_raw_table(path: Path) -> pl.DataFrame:
    """Read one export file with every column as text and add ``ROW`` (1-based).

    Empty CSV cells become null; surrounding white space is kept (the validator reports it).
    Blank lines at the end of a CSV file are ignored.

    Raises
    ------
    ExportReadError
        When the file is not a regular file or cannot be parsed at all.
    """
    check_regular_file(path)
    try:
        if path.suffix.lower() == ".parquet":
            frame = _parquet_as_text(pl.read_parquet(path))
        else:
            frame = pl.read_csv(
                io.BytesIO(strip_trailing_blank_lines(path.read_bytes())),
                infer_schema=False,
                encoding="utf8",
                raise_if_empty=False,
                truncate_ragged_lines=False,
            )
    except Exception as exc:  # any parser failure is a user-facing read error
        raise ExportReadError(f"{path.name}: cannot be read ({type(exc).__name__}: {exc})") from exc
    return frame.with_row_index("ROW", offset=1).with_columns(pl.col("ROW").cast(pl.Int64))


DATE_FORMAT = "%Y-%m-%d"
NUMBER_TYPES = ("int", "float")


#: Whole numbers from this magnitude on do not fit an Int64 (2**63).
INT64_LIMIT = 2.0**63


def compute_typed(spec: ColumnSpec) -> pl.Expr:
    """The typed value of a raw text column; null where the cell does not parse.

    The one cell typing of the project, used by the validator (which reports every cell that
    is not null here but not empty either) and by the validated tables. Surrounding white space
    is ignored; an empty cell is missing. A date must be ``YYYY-MM-DD`` and exist; a number must
    be finite (``NaN``, ``inf`` are not numbers); an ``int`` must be whole (``34.5`` is not an
    age) and fit 64 bits; a ``bit`` is ``0`` or ``1``; text columns keep their text.
    """
    stripped = pl.col(spec.name).str.strip_chars()
    text = pl.when(stripped.str.len_chars() > 0).then(stripped)
    if spec.type == "date":
        return text.str.strptime(pl.Date, DATE_FORMAT, strict=False).alias(spec.name)
    if spec.type in NUMBER_TYPES:
        number = text.cast(pl.Float64, strict=False)
        number = pl.when(number.is_finite()).then(number)
        if spec.type == "int":
            whole = (number == number.floor()) & (number.abs() < INT64_LIMIT)
            number = pl.when(whole).then(number).cast(pl.Int64)
        return number.alias(spec.name)
    if spec.type == "bit":
        return (
            pl.when(text.is_in(c.BIT_VALUES))
            .then(text.cast(pl.Int8, strict=False))
            .alias(spec.name)
        )
    return text.alias(spec.name)


def type_table(raw: pl.DataFrame, table: str) -> pl.DataFrame:
    """Every contract column typed by :func:`compute_typed` (a cell that does not parse is
    null), absent contract columns added as nulls, unknown extra columns kept as text."""
    specs = EXPORT_COLUMNS[table]
    return raw.with_columns(
        [
            compute_typed(s).cast(polars_dtype(s))
            if s.name in raw.columns
            else pl.lit(None, dtype=polars_dtype(s)).alias(s.name)
            for s in specs
        ]
    )


def derive_vars_source(typed: pl.DataFrame, table: str) -> pl.DataFrame:
    """Add ``SRCDOM`` and ``SRCSEQ`` (the table's sequence column, else ``ROW``)."""
    seq = c.SEQUENCE_COLUMN[table]
    return typed.with_columns(
        pl.lit(c.SOURCE_DOMAIN[table]).alias("SRCDOM"),
        (pl.col(seq) if seq else pl.col("ROW")).cast(pl.Int64).alias("SRCSEQ"),
    )


def cast_table(raw: pl.DataFrame, table: str) -> pl.DataFrame:
    """Typed table from a raw text table, with ``SRCDOM`` and ``SRCSEQ``.

    Columns of the contract get their dtype (:func:`compute_typed`); unknown extra columns are
    kept as text. Missing optional columns are added as nulls so later stages can rely on them.

    Raises
    ------
    InputDataError
        When a required column is missing or a non-empty cell does not parse as its contract
        type (the same cells the validator reports).
    """
    specs = EXPORT_COLUMNS[table]
    present = [s for s in specs if s.name in raw.columns]
    missing_required = [s.name for s in specs if s.is_required and s.name not in raw.columns]
    if missing_required:
        raise InputDataError(f"{table}: required column(s) missing: {', '.join(missing_required)}.")
    typed = type_table(raw, table)
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
    return derive_vars_source(typed, table)


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
