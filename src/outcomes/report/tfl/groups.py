"""Treatment columns of the TFLs: each configured dose level, then Total, with the big N.

The N of a column is the number of subjects in the analysis set of that column (safety set:
infused, ``SAFFL``; endpoints.md §16.19). Dose levels follow ``study.dose_levels``; a level
without subjects is still shown (N=0).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from outcomes.report.tfl.format import format_n_pct
from outcomes.report.tfl.table import create_column_headers

#: Label of the all-doses column.
TOTAL = "Total"


@dataclass(frozen=True)
class Columns:
    """Column labels in order (dose levels, Total) and each column's N."""

    labels: tuple[str, ...]
    big_n: tuple[int, ...]

    @property
    def headers(self) -> tuple[str, ...]:
        """``DL1 (N=16)``, …, ``Total (N=48)``."""
        return create_column_headers(list(zip(self.labels, self.big_n, strict=True)))


def create_safety_columns(adsl: pl.DataFrame, *, dose_levels: Sequence[str]) -> Columns:
    """Columns of the safety set: N per dose level and in total."""
    saf = adsl.filter(pl.col("SAFFL").fill_null(False))
    counts = dict(saf.group_by("DOSELVL").agg(pl.len()).iter_rows())
    big_n = tuple(int(counts.get(d, 0)) for d in dose_levels)
    return Columns((*dose_levels, TOTAL), (*big_n, saf.height))


def with_total(frame: pl.DataFrame, *, column: str = "DOSELVL") -> pl.DataFrame:
    """``frame`` plus a copy of every row with ``column`` = Total."""
    return pl.concat(
        [frame, frame.with_columns(pl.lit(TOTAL).alias(column))], how="vertical_relaxed"
    )


def count_by_column(frame: pl.DataFrame, *, columns: Columns, column: str = "DOSELVL") -> list[int]:
    """Distinct USUBJID per column of ``columns`` (Total included), 0 where none."""
    counts = dict(
        with_total(frame.select("USUBJID", column), column=column)
        .group_by(column)
        .agg(pl.col("USUBJID").n_unique())
        .iter_rows()
    )
    return [int(counts.get(label, 0)) for label in columns.labels]


def format_n_pct_cells(counts: Sequence[int], denominators: Sequence[int]) -> tuple[str, ...]:
    """``n (%)`` per column, each count over its column's denominator."""
    return tuple(format_n_pct(n, d) for n, d in zip(counts, denominators, strict=True))
