"""Input checks shared by the analysis functions: required columns, no missing values, 0/1 codes."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from outcomes.errors import InputDataError, describe_failures

#: Name of the group column when an analysis is run without a grouping variable.
OVERALL = "OVERALL"


def check_columns(df: pl.DataFrame, *, columns: Sequence[str], where: str) -> None:
    """Raise when a column is absent or holds a missing value.

    Raises
    ------
    InputDataError
        Naming the function, the column and the first offending rows (row index from 1).
    """
    absent = [c for c in columns if c not in df.columns]
    if absent:
        raise InputDataError(f"{where}: column(s) {absent} are missing; present: {df.columns}.")
    for col in columns:
        bad = df.with_row_index("ROW", offset=1).filter(pl.col(col).is_null())
        if bad.height:
            raise InputDataError(
                f"{where}: column {col} must not be missing; {bad.height} of {df.height} rows "
                f"are. Drop or complete them before the analysis:\n"
                + describe_failures(bad.select("ROW", *columns)),
                bad,
            )


def check_codes(df: pl.DataFrame, *, column: str, allowed: Sequence[int], where: str) -> None:
    """Raise when ``column`` holds a value outside ``allowed`` (e.g. an event code not 0/1)."""
    bad = df.with_row_index("ROW", offset=1).filter(~pl.col(column).is_in(list(allowed)))
    if bad.height:
        raise InputDataError(
            f"{where}: column {column} must be one of {list(allowed)}; {bad.height} of "
            f"{df.height} rows are not:\n" + describe_failures(bad.select("ROW", column)),
            bad,
        )


def check_nonnegative(df: pl.DataFrame, *, column: str, where: str) -> None:
    """Raise when a time column holds a negative value."""
    bad = df.with_row_index("ROW", offset=1).filter(pl.col(column) < 0)
    if bad.height:
        raise InputDataError(
            f"{where}: times in {column} must be >= 0; {bad.height} rows are negative:\n"
            + describe_failures(bad.select("ROW", column)),
            bad,
        )


def with_group(df: pl.DataFrame, *, group: str | None) -> pl.DataFrame:
    """The frame with a String column ``group`` (the grouping value, or ``OVERALL``)."""
    if group is None:
        return df.with_columns(pl.lit(OVERALL).alias("group"))
    return df.with_columns(pl.col(group).cast(pl.String).alias("group"))
