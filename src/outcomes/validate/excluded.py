"""What the ERRORs of a validation do to the export (data-contract.md §1.6, §3):
``validation/excluded.csv``, one row per excluded record or blanked value, with its rule.

Per-rule severity overrides (config ``validation.severity``) are applied to the issues first;
only a rule that is an ERROR after them acts on its record.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from outcomes import contract as c
from outcomes.validate.catalogue import BLANK, ERROR, EXCLUDE, RULES

EXCLUDED_SCHEMA: dict[str, pl.DataType] = {
    "QUERYID": pl.String(),
    "RULE": pl.String(),
    "TABLE": pl.String(),
    "USUBJID": pl.String(),
    "ROW": pl.Int64(),
    "COLUMN": pl.String(),
    "ACTION": pl.String(),
}


def empty_excluded() -> pl.DataFrame:
    """An excluded-records frame without rows."""
    return pl.DataFrame(schema=EXCLUDED_SCHEMA)


def apply_severity(issues: pl.DataFrame, overrides: Mapping[str, str]) -> pl.DataFrame:
    """Issues with each overridden rule's ``SEVERITY`` replaced (config ``validation.severity``;
    the config check refuses unknown rules and the lowering of a FATAL rule)."""
    if not overrides:
        return issues
    return issues.with_columns(
        pl.col("RULE")
        .replace_strict(dict(overrides), default=pl.col("SEVERITY"), return_dtype=pl.String)
        .alias("SEVERITY")
    )


def _action_table() -> pl.DataFrame:
    rows = [(r.id, r.action, r.action_column) for r in RULES.values() if r.action is not None]
    return pl.DataFrame(
        rows, schema={"RULE": pl.String, "ACTION": pl.String, "_ACOL": pl.String}, orient="row"
    )


def _key_columns() -> pl.DataFrame:
    rows = [(t, col) for t, cols in c.RECORD_KEY_COLUMNS.items() for col in cols]
    return pl.DataFrame(rows, schema={"TABLE": pl.String, "COLUMN": pl.String}, orient="row")


def _cascade(excluded: pl.DataFrame, tables: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    """Records of a subject whose ``subjects`` record is excluded are excluded too (same rule)."""
    subjects = tables.get("subjects")
    gone = excluded.filter((pl.col("TABLE") == "subjects") & (pl.col("ACTION") == EXCLUDE))
    if subjects is None or gone.is_empty():
        return excluded.clear()
    ids = (
        gone.select("QUERYID", "RULE", "ROW")
        .join(subjects.select("ROW", pl.col("USUBJID").alias("_ID")), on="ROW")
        .filter(pl.col("_ID").is_not_null())
        .unique("_ID", keep="first", maintain_order=True)
    )
    parts = [
        typed.select("ROW", "USUBJID")
        .join(ids.select("QUERYID", "RULE", pl.col("_ID").alias("USUBJID")), on="USUBJID")
        .select(
            "QUERYID",
            "RULE",
            pl.lit(table).alias("TABLE"),
            "USUBJID",
            "ROW",
            pl.lit("USUBJID").alias("COLUMN"),
            pl.lit(EXCLUDE).alias("ACTION"),
        )
        for table, typed in tables.items()
        if table != "subjects"
    ]
    return pl.concat(parts, how="vertical") if parts else excluded.clear()


def create_excluded(
    issues: pl.DataFrame, *, tables: Mapping[str, pl.DataFrame] | None = None
) -> pl.DataFrame:
    """The records and values the ERRORs remove or blank (``validation/excluded.csv``).

    Each ERROR issue located on a record gets its rule's action (catalogue ``ACTIONS``): the
    located value (or the rule's ``action_column``) is set missing, or the record is excluded;
    a value that places or identifies its record (``contract.RECORD_KEY_COLUMNS``) excludes the
    record. When a ``subjects`` record is excluded, every record of that subject in ``tables``
    is excluded under the same rule. Rules without an action use the record as recorded.

    Parameters
    ----------
    issues
        Validation issues (severity overrides already applied).
    tables
        The typed tables the issues were found in (``ROW``, ``USUBJID``), for the cascade.

    Returns
    -------
    pl.DataFrame
        Columns :data:`EXCLUDED_SCHEMA` (``QUERYID``: the id of the issue that acts, empty when
        ``issues`` has no query ids), sorted by table, row, column and rule.
    """
    errors = issues.filter(
        (pl.col("SEVERITY") == ERROR) & pl.col("ROW").is_not_null() & pl.col("TABLE").is_not_null()
    )
    keys = _key_columns().with_columns(pl.lit(True).alias("_KEY"))
    acted = (
        errors.join(_action_table(), on="RULE", how="inner")
        .join(keys, on=["TABLE", "COLUMN"], how="left")
        .select(
            (pl.col("QUERYID") if "QUERYID" in errors.columns else pl.lit(None, pl.String)).alias(
                "QUERYID"
            ),
            "RULE",
            "TABLE",
            "USUBJID",
            "ROW",
            pl.coalesce("_ACOL", "COLUMN").alias("COLUMN"),
            pl.when((pl.col("ACTION") == BLANK) & pl.col("_KEY").fill_null(False))
            .then(pl.lit(EXCLUDE))
            .otherwise(pl.col("ACTION"))
            .alias("ACTION"),
        )
        .cast(EXCLUDED_SCHEMA)
    )
    if tables is not None:
        acted = pl.concat([acted, _cascade(acted, tables).cast(EXCLUDED_SCHEMA)])
    return acted.unique(maintain_order=True).sort(
        ["TABLE", "ROW", "COLUMN", "RULE"], nulls_last=True, maintain_order=True
    )
