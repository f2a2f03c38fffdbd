"""Apply a data cut to typed export tables (endpoints.md §16.2, data-contract.md §3).

The cut only bounds which records exist: a record dated after the cut is dropped; a date after the
cut on a kept record (an end date, a death or end-of-study date) is set to missing, so a medication
or an AE running at the cut stays ongoing and a subject who ended the study after the cut is
still on study at the cut.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

#: The date that decides whether a record exists at the cut, per table.
RECORD_DATE: dict[str, str | None] = {
    "subjects": "CONSDT",
    "assessments": "ASMDT",
    "medications": "CMSTDT",
    "adverse_events": "AESTDT",
    "labs": "LBDT",
}

#: Dates that become missing when they fall after the cut (the state is "not yet happened").
LATER_DATES: dict[str, tuple[str, ...]] = {
    "subjects": ("LDSTDT", "INFDT", "DTHDT", "LSTALVDT"),
    "medications": ("CMENDT",),
    "adverse_events": ("AEENDT",),
}


def _blank_after(column: str, cut: dt.date) -> pl.Expr:
    return pl.when(pl.col(column) > cut).then(None).otherwise(pl.col(column)).alias(column)


def filter_by_data_cut(frame: pl.LazyFrame, *, table: str, data_cut: dt.date) -> pl.LazyFrame:
    """Drop records dated after ``data_cut``; blank later dates on the records kept.

    For ``subjects``, an end of study after the cut becomes ``EOSSTT = ONGOING`` with no
    ``EOSDT``/``DCSREAS`` (the subject was still on study at the cut).

    Parameters
    ----------
    frame
        A typed export table.
    table
        Its name (data-contract.md §1).
    data_cut
        The data cut date; records dated on it are kept.

    Returns
    -------
    pl.LazyFrame
        Fewer or the same rows, same columns, order unchanged.
    """
    record_date = RECORD_DATE[table]
    if record_date is not None:
        frame = frame.filter(pl.col(record_date).is_null() | (pl.col(record_date) <= data_cut))
    frame = frame.with_columns([_blank_after(col, data_cut) for col in LATER_DATES.get(table, ())])
    if table == "subjects":
        ended_later = pl.col("EOSDT") > data_cut
        frame = frame.with_columns(
            pl.when(ended_later)
            .then(pl.lit("ONGOING"))
            .otherwise(pl.col("EOSSTT"))
            .alias("EOSSTT"),
            pl.when(ended_later).then(None).otherwise(pl.col("DCSREAS")).alias("DCSREAS"),
            pl.when(ended_later).then(None).otherwise(pl.col("EOSDT")).alias("EOSDT"),
        )
    return frame
