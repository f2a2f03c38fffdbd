"""The validation status of the data cut, the report's first section (data-contract.md §1.6):
how many open errors and warnings the cut has, which subjects they touch, what the errors
excluded or set missing, and which results they can change.
"""

from __future__ import annotations

import polars as pl

#: Which results a problem in each export table can change (data-contract §3 outputs).
RESULTS_BY_TABLE: dict[str, str] = {
    "subjects": "every result: analysis sets (adsl), efficacy endpoints (adrs, adtte, adepi), "
    "safety (adae)",
    "assessments": "disease activity (advisit) and the efficacy endpoints (adrs, adtte, adepi)",
    "medications": "glucocorticoid dose, drug-free and LLDAS criteria (advisit), rescue "
    "(events), the efficacy endpoints (adrs, adtte, adepi)",
    "adverse_events": "safety (adae, adsafe)",
    "labs": "eligibility (ELIGFL) and ICAHT grades (adsafe)",
}
#: Columns of the data status table, in order.
STATUS_COLUMNS: tuple[str, ...] = (
    "SEVERITY",
    "TABLE",
    "ISSUES",
    "SUBJECTS",
    "RECEXCL",
    "VALMISS",
    "USUBJIDS",
    "RESULTS",
)
_ORDER = {"FATAL": 0, "ERROR": 1, "WARNING": 2}


def summarize_data_status(issues: pl.DataFrame, excluded: pl.DataFrame | None) -> pl.DataFrame:
    """One row per severity and table with open issues.

    Parameters
    ----------
    issues
        ``validation/issues.csv`` (SEVERITY, TABLE, USUBJID).
    excluded
        ``validation/excluded.csv`` (TABLE, ACTION), or None when absent.

    Returns
    -------
    pl.DataFrame
        Columns :data:`STATUS_COLUMNS`: ``ISSUES`` (count), ``SUBJECTS`` (distinct subjects
        touched), ``RECEXCL``/``VALMISS`` (records excluded and values set missing by the
        table's errors, ERROR rows only), ``USUBJIDS`` (the subjects touched by errors,
        comma-separated; empty for warnings), ``RESULTS`` (which results they can change).
        Sorted FATAL, ERROR, WARNING, then table; no rows when the cut has no issue.
    """
    table = pl.col("TABLE").fill_null("(export)")
    counts = (
        issues.with_columns(table.alias("TABLE"))
        .group_by("SEVERITY", "TABLE")
        .agg(
            pl.len().cast(pl.Int64).alias("ISSUES"),
            pl.col("USUBJID").drop_nulls().n_unique().cast(pl.Int64).alias("SUBJECTS"),
            pl.col("USUBJID").drop_nulls().unique().sort().str.join(", ").alias("_IDS"),
        )
    )
    actions = pl.DataFrame(schema={"TABLE": pl.String, "ACTION": pl.String})
    if excluded is not None:
        actions = excluded.select(pl.col("TABLE").cast(pl.String), pl.col("ACTION").cast(pl.String))
    acted = actions.group_by("TABLE").agg(
        (pl.col("ACTION") == "RECORD EXCLUDED").sum().cast(pl.Int64).alias("RECEXCL"),
        (pl.col("ACTION") == "VALUE SET MISSING").sum().cast(pl.Int64).alias("VALMISS"),
    )
    is_error = pl.col("SEVERITY") == "ERROR"
    return (
        counts.join(acted, on="TABLE", how="left")
        .with_columns(
            pl.when(is_error).then(pl.col("RECEXCL").fill_null(0)).otherwise(0).alias("RECEXCL"),
            pl.when(is_error).then(pl.col("VALMISS").fill_null(0)).otherwise(0).alias("VALMISS"),
            pl.when(pl.col("SEVERITY") != "WARNING")
            .then(pl.col("_IDS"))
            .otherwise(pl.lit(""))
            .alias("USUBJIDS"),
            pl.col("TABLE")
            .replace_strict(RESULTS_BY_TABLE, default="the whole export", return_dtype=pl.String)
            .alias("RESULTS"),
            pl.col("SEVERITY")
            .replace_strict(_ORDER, default=3, return_dtype=pl.Int64)
            .alias("_SORT"),
        )
        .sort("_SORT", "TABLE")
        .select(STATUS_COLUMNS)
    )


def describe_data_status(status: pl.DataFrame) -> str:
    """One sentence: open errors and warnings of the cut and the subjects they touch."""

    def total(severity: str) -> int:
        return int(status.filter(pl.col("SEVERITY") == severity)["ISSUES"].sum())

    errors = status.filter(pl.col("SEVERITY") == "ERROR")
    subjects = sorted({s for ids in errors["USUBJIDS"].to_list() for s in ids.split(", ") if s})
    fatal = f"{total('FATAL')} fatal problem(s), " if total("FATAL") else ""
    return (
        f"This cut has {fatal}{total('ERROR')} open error(s) and {total('WARNING')} "
        f"warning(s). Errors touch {len(subjects)} subject(s)"
        + (f": {', '.join(subjects)}" if subjects else "")
        + ". The efficacy endpoints of a subject with an error in subjects, assessments or "
        "medications carry QRYFL = Y; excluded records and values set missing are listed in "
        "validation/excluded.csv."
    )
