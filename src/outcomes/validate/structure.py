"""Structure rules (STR-*): read every export file as text, whatever state it is in.

Each file is read without type inference; what cannot be read is reported and the table is left
out, so the other tables are still checked. CSV files are inspected byte-wise first: empty file,
byte-order mark, delimiter, duplicated header names, invalid UTF-8 (located at its cell) and
records whose field count differs from the header (e.g. a truncated last line). ``ROW`` is the
1-based data record, header not counted, for CSV and Parquet alike (endpoints.md §16.21).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl

from outcomes import contract as c
from outcomes.errors import ExportReadError
from outcomes.io.export import (
    check_regular_file,
    derive_vars_source,
    find_unrecognised_files,
    list_table_like_files,
    read_raw_table,
    strip_trailing_blank_lines,
    type_table,
)
from outcomes.schemas.export import EXPORT_COLUMNS
from outcomes.validate.issues import fmt, make_issue, make_issues

BOM = b"\xef\xbb\xbf"
OTHER_DELIMITERS: tuple[str, ...] = (";", "\t", "|")
REPLACEMENT = "\ufffd"


def _header(data: bytes, table: str) -> tuple[list[str], str, list[pl.DataFrame]]:
    end = data.find(b"\n")
    line = data[: end if end >= 0 else len(data)].rstrip(b"\r").decode("utf-8", errors="replace")
    names = next(csv.reader([line]), [])
    if len(names) == 1:
        for sep in OTHER_DELIMITERS:
            if sep in line:
                issue = make_issue(
                    "STR-005",
                    table,
                    value=repr(sep),
                    message=(
                        f"{table}: the header is separated by {sep!r}, not by commas; the file was "
                        "read with that delimiter, save it as comma-separated CSV."
                    ),
                )
                return next(csv.reader([line], delimiter=sep)), sep, [issue]
    return names, ",", []


def _ragged_records(data: bytes, *, sep: str, names: list[str], table: str) -> pl.DataFrame | None:
    """Records whose field count differs from the header (lines holding quotes are skipped).

    Each line is read whole (a blank line is a record without fields) and its delimiters are
    counted; ROW is the line number minus the header, as in the table read.
    """
    lines = pl.read_csv(
        io.BytesIO(data),
        has_header=False,
        separator="\x1f",
        quote_char=None,
        infer_schema=False,
        new_columns=["_L"],
        encoding="utf8-lossy",
    )
    counted = lines.with_row_index("ROW").select(
        pl.col("ROW").cast(pl.Int64),
        (pl.col("_L").str.count_matches(sep, literal=True).fill_null(0) + 1).alias("_n"),
        pl.col("_L").str.contains('"', literal=True).fill_null(False).alias("_q"),
    )
    bad = counted.filter((pl.col("ROW") > 0) & (pl.col("_n") != len(names)) & ~pl.col("_q"))
    if bad.height == 0:
        return None
    return bad.select(
        pl.lit("STR-009").alias("RULE"),
        pl.lit("ERROR").alias("SEVERITY"),
        pl.lit(table).alias("TABLE"),
        pl.lit(None, dtype=pl.String).alias("USUBJID"),
        pl.col("ROW"),
        pl.col("_n")
        .replace_strict(dict(enumerate(names)), default=None, return_dtype=pl.String)
        .alias("COLUMN"),
        pl.lit(None, dtype=pl.String).alias("VALUE"),
        fmt(
            "{}: record {} has {} field(s) but the header has "
            + str(len(names))
            + " (truncated or broken line)",
            pl.lit(table),
            pl.col("ROW"),
            pl.col("_n"),
        ).alias("MESSAGE"),
    )


def _keep_first_duplicates(
    frame: pl.DataFrame, names: list[str], table: str
) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    issues, seen, keep = [], set(), []
    for read_name, name in zip(frame.columns, names, strict=False):
        if name in seen:
            issues.append(
                make_issue(
                    "STR-003",
                    table,
                    column=name,
                    message=(
                        f"{table}: column {name} appears more than once; only the first is read."
                    ),
                )
            )
            continue
        seen.add(name)
        keep.append(pl.col(read_name).alias(name))
    return frame.select(keep), issues


def _invalid_utf8_cells(frame: pl.DataFrame, table: str) -> list[pl.DataFrame]:
    lazy = frame.lazy()
    parts = [
        make_issues(
            lazy.filter(pl.col(col).str.contains(REPLACEMENT, literal=True)),
            rule="STR-006",
            table=table,
            column=col,
            value=pl.col(col),
            message=pl.lit(
                f"{table}.{col}: the cell holds bytes that are not UTF-8 (save the file as UTF-8)"
            ),
        )
        for col in frame.columns
        if col != "ROW"
    ]
    return pl.collect_all(parts) if parts else []


def _parse(data: bytes, *, sep: str) -> tuple[pl.DataFrame, bool]:
    """The table as text, and whether a record may have a wrong field count.

    A strict parse fails on a record with too many fields and pads a short one with nulls, so
    only a failed parse or a null in the last column calls for the line-by-line count.
    """
    options = {
        "separator": sep,
        "infer_schema": False,
        "encoding": "utf8-lossy",
        "raise_if_empty": False,
    }
    try:
        frame = pl.read_csv(io.BytesIO(data), truncate_ragged_lines=False, **options)
    except Exception:  # too many fields somewhere: read leniently, then count every line
        return pl.read_csv(io.BytesIO(data), truncate_ragged_lines=True, **options), True
    short = frame.width > 0 and frame.get_column(frame.columns[-1]).null_count() > 0
    return frame, bool(short)


def read_csv_checked(path: Path, table: str) -> tuple[pl.DataFrame | None, list[pl.DataFrame]]:
    """Read one CSV file as text with ``ROW``; report every structural problem found.

    Blank lines at the end of the file are ignored.
    """
    try:
        check_regular_file(path)
    except ExportReadError as exc:
        return None, [make_issue("STR-004", table, message=str(exc))]
    data = strip_trailing_blank_lines(path.read_bytes())
    issues: list[pl.DataFrame] = []
    if data.startswith(BOM):
        data = data[len(BOM) :]
        issues.append(
            make_issue(
                "STR-007",
                table,
                message=(f"{path.name}: starts with a UTF-8 byte-order mark (ignored)."),
            )
        )
    if not data or data.isspace():
        return None, [
            *issues,
            make_issue(
                "STR-008",
                table,
                message=(
                    f"{path.name}: the file is empty (no header row); the table is not checked."
                ),
            ),
        ]
    try:
        data.decode("utf-8")
        valid_utf8 = True
    except UnicodeDecodeError:
        valid_utf8 = False
    names, sep, header_issues = _header(data, table)
    issues += header_issues
    try:
        frame, maybe_ragged = _parse(data, sep=sep)
    except Exception as exc:  # any parser failure is reported as an unreadable file
        return None, [
            *issues,
            make_issue(
                "STR-004",
                table,
                message=(f"{path.name}: cannot be read ({type(exc).__name__}: {exc})"),
            ),
        ]
    frame, dup_issues = _keep_first_duplicates(frame, names, table)
    issues += dup_issues
    frame = frame.with_row_index("ROW", offset=1).with_columns(pl.col("ROW").cast(pl.Int64))
    ragged = _ragged_records(data, sep=sep, names=names, table=table) if maybe_ragged else None
    if ragged is not None:
        issues.append(ragged)
    if not valid_utf8:
        issues += _invalid_utf8_cells(frame, table)
    return frame, issues


def read_table_checked(path: Path, table: str) -> tuple[pl.DataFrame | None, list[pl.DataFrame]]:
    """Read a CSV or Parquet table as text; None when it cannot be read (reported)."""
    if path.suffix.lower() == ".csv":
        return read_csv_checked(path, table)
    try:
        return read_raw_table(path), []
    except ExportReadError as exc:
        return None, [make_issue("STR-004", table, message=str(exc))]


def find_table(export_dir: Path, table: str) -> tuple[Path | None, list[pl.DataFrame]]:
    """The file of ``table`` (name matched in any letter case); two files for one table are
    reported and none is read."""
    found = list_table_like_files(export_dir).get(table, [])
    if len(found) > 1:
        return None, [
            make_issue(
                "STR-004",
                table,
                message=(
                    f"{table}: present as {' and '.join(p.name for p in found)}; "
                    "keep one file per table."
                ),
            )
        ]
    if not found and table in c.TABLES_REQUIRED:
        return None, [
            make_issue(
                "STR-001",
                table,
                message=(
                    f"Required table {table!r} is missing from the export (expected {table}.csv or "
                    f"{table}.parquet)."
                ),
            )
        ]
    return (found[0] if found else None), []


def find_unrecognised_tables(export_dir: Path) -> list[pl.DataFrame]:
    """STR-010 for every table-like file whose name is no table of the contract."""
    return [
        make_issue(
            "STR-010",
            None,
            message=(
                f"{path.name}: no table of the export is called {path.stem!r}, so the file is "
                f"not read; rename it to one of {', '.join(c.TABLES)} if it is one of them."
            ),
        )
        for path in find_unrecognised_files(export_dir)
    ]


def complete_columns(
    frame: pl.DataFrame, table: str
) -> tuple[pl.DataFrame, list[pl.DataFrame], frozenset[str]]:
    """Report missing required columns and add every absent contract column as nulls."""
    issues = [
        make_issue(
            "STR-002",
            table,
            column=spec.name,
            message=(f"{table}: required column {spec.name} is missing."),
        )
        for spec in EXPORT_COLUMNS[table]
        if spec.is_required and spec.name not in frame.columns
    ]
    absent = [s.name for s in EXPORT_COLUMNS[table] if s.name not in frame.columns]
    frame = frame.with_columns([pl.lit(None, dtype=pl.String).alias(n) for n in absent])
    return frame, issues, frozenset(absent)


def read_typed_table(export_dir: Path, table: str) -> pl.DataFrame | None:
    """``table`` read as the validator reads it and typed by the shared cell typing
    (:func:`~outcomes.io.export.type_table`, a cell that does not parse is null), with ``ROW``,
    ``SRCDOM`` and ``SRCSEQ``; None when the table is absent or cannot be read.

    The validated tables are built from this, so validation and derivation see the same
    records and values (data-contract §1.6).
    """
    path, _ = find_table(export_dir, table)
    raw = None if path is None else read_table_checked(path, table)[0]
    if raw is None:
        return None
    raw, _, _ = complete_columns(raw, table)
    return derive_vars_source(type_table(raw, table), table)
