"""Helpers of the interop tests: text SDTM tables typed by hand."""

from __future__ import annotations

import polars as pl

from outcomes.interop.mapping import SdtmMapping, load_sdtm_mapping


def text_table(columns: str, rows: list[tuple[object, ...]]) -> pl.LazyFrame:
    """A text table (as read from SDTM) with ``ROW`` and ``SRCSEQ`` = 1-based row."""
    names = columns.split()
    frame = pl.DataFrame(rows, schema={n: pl.String for n in names}, orient="row")
    return (
        frame.with_row_index("ROW", offset=1)
        .with_columns(pl.col("ROW").cast(pl.Int64), pl.col("ROW").cast(pl.Int64).alias("SRCSEQ"))
        .lazy()
    )


def default_mapping() -> SdtmMapping:
    """The shipped config/sdtm_mapping.yaml."""
    return load_sdtm_mapping()
