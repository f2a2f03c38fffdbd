"""Write simulated tables as export CSV files in the contract format (data-contract.md §1).

Upper-case columns in contract order, ISO dates, empty cell = missing, floats rounded to the
decimals of their column and written by their shortest text (never a binary-float artefact such
as ``0.30000000000000004``). The same frame always gives the same bytes.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from outcomes.errors import DerivationError
from outcomes.io import atomic
from outcomes.schemas.export import EXPORT_COLUMNS

#: Decimals written per float column (at most 2 for PGA, endpoints.md §16.8).
DECIMALS: dict[str, int] = {
    "WEIGHT": 1,
    "DOSE": 2,
    "PGA": 2,
    "DSDNA": 1,
    "DSDNAULN": 1,
    "C3": 2,
    "C3LLN": 2,
    "C4": 2,
    "C4LLN": 2,
    "UPCR": 2,
    "CMDOSE": 2,
    "LBSTRESN": 2,
    "LBSTNRLO": 2,
    "LBSTNRHI": 2,
}


def compute_rounded(column: str, *, decimals: int) -> pl.Expr:
    """``column`` rounded to ``decimals`` places: the nearest double to a short decimal.

    Polars writes a float by its shortest round-trip text, so a rounded value is written with
    at most ``decimals`` decimals (``0.45``, ``10.0``), never as ``0.30000000000000004``.
    """
    return pl.col(column).round(decimals).alias(column)


def write_table(frame: pl.DataFrame, *, table: str, out: Path) -> Path:
    """Write ``frame`` as ``out/<table>.csv`` with the contract's columns, in contract order.

    Raises
    ------
    DerivationError
        When the frame lacks a contract column (a simulator defect).
    """
    names = [spec.name for spec in EXPORT_COLUMNS[table]]
    missing = [name for name in names if name not in frame.columns]
    if missing:
        raise DerivationError(f"simulate: table {table} lacks column(s) {', '.join(missing)}.")
    text = frame.select(names).with_columns(
        [
            compute_rounded(name, decimals=DECIMALS[name])
            for name, dtype in frame.select(names).schema.items()
            if dtype == pl.Float64
        ]
    )
    path = out / f"{table}.csv"
    atomic.write_csv(text, path, null_value="", date_format="%Y-%m-%d", line_terminator="\n")
    return path
