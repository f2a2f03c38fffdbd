"""Apply the validation's verdict to the typed tables (data-contract.md §1.6).

Records and values that an ERROR removes or blanks are listed in ``validation/excluded.csv``
(:func:`outcomes.validate.excluded.create_excluded`); :func:`apply_exclusions` applies exactly
that list, so nothing is dropped that the list does not name. :func:`derive_var_qryfl` marks the
subjects whose efficacy endpoints depend on a record with an open ERROR.
"""

from __future__ import annotations

import polars as pl

from outcomes.validate.catalogue import BLANK, ERROR, EXCLUDE

#: Tables whose records feed the subject-level efficacy endpoints (adrs, adtte, adepi): the
#: subject record (dates, death, disposition), the assessments and the medications.
EFFICACY_TABLES: tuple[str, ...] = ("subjects", "assessments", "medications")


def apply_exclusions(typed: pl.LazyFrame, excluded: pl.DataFrame, *, table: str) -> pl.LazyFrame:
    """``typed`` without the records ``excluded`` removes and with the values it blanks as null.

    Parameters
    ----------
    typed
        A typed export table with ``ROW`` (1-based record number).
    excluded
        ``validation/excluded.csv`` (TABLE, ROW, COLUMN, ACTION).
    table
        The table name of ``typed``.

    Returns
    -------
    pl.LazyFrame
        Rows of ``typed`` in order, minus the excluded ones; blanked cells null.
    """
    mine = excluded.filter(pl.col("TABLE") == table)
    dropped = mine.filter(pl.col("ACTION") == EXCLUDE)["ROW"].cast(pl.Int64).unique()
    blanked = mine.filter(pl.col("ACTION") == BLANK)
    columns = typed.collect_schema().names()
    exprs = []
    for (column,), rows in blanked.group_by("COLUMN", maintain_order=True):
        if column in columns:
            hit = pl.col("ROW").is_in(rows["ROW"].cast(pl.Int64).implode())
            exprs.append(pl.when(hit).then(None).otherwise(pl.col(column)).alias(str(column)))
    kept = typed.filter(~pl.col("ROW").is_in(dropped.implode()))
    return kept.with_columns(exprs) if exprs else kept


def derive_var_qryfl(subjects: pl.LazyFrame, issues: pl.DataFrame) -> pl.LazyFrame:
    """Add ``QRYFL``: "Y" when a record of the subject in :data:`EFFICACY_TABLES` carries an
    open ERROR (corrected by its action or used as recorded), else "N" (data-contract §1.6).

    Parameters
    ----------
    subjects
        Typed subjects table (USUBJID).
    issues
        ``validation/issues.csv`` (RULE, SEVERITY, TABLE, USUBJID).

    Returns
    -------
    pl.LazyFrame
        ``subjects`` with ``QRYFL`` (String, Y/N).
    """
    queried = (
        issues.lazy()
        .filter(
            (pl.col("SEVERITY") == ERROR)
            & pl.col("TABLE").is_in(EFFICACY_TABLES)
            & pl.col("USUBJID").is_not_null()
        )
        .select("USUBJID")
        .unique()
        .with_columns(pl.lit("Y").alias("QRYFL"))
    )
    return (
        subjects.drop("QRYFL", strict=False)
        .join(queried, on="USUBJID", how="left", maintain_order="left")
        .with_columns(pl.col("QRYFL").fill_null("N"))
    )
