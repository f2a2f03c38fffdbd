"""Every rule of the catalogue with what it checked and what failed, so that a rule that passed
is visible too (the ``Rules`` sheet of ``validation/issues.xlsx`` and the rule list of
``report.html``).
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from outcomes.validate.catalogue import RULES, describe_action

PASSED = "PASSED"
FAILED = "FAILED"
NOT_CHECKED = "NOT CHECKED"

RULE_RESULT_SCHEMA: dict[str, pl.DataType] = {
    "RULE": pl.String(),
    "SEVERITY": pl.String(),
    "CATEGORY": pl.String(),
    "GROUP": pl.String(),
    "DESCRIPTION": pl.String(),
    "ACTION": pl.String(),
    "CHECKED": pl.Int64(),
    "FAILED": pl.Int64(),
    "ISSUES": pl.Int64(),
    "RESULT": pl.String(),
}


def count_checked(
    records: Mapping[str, int], *, data_cut_known: bool = True
) -> dict[str, int | None]:
    """Records each rule checked: the records of the tables it applies to (catalogue
    ``tables``) that were read; None when the catalogue gives no tables for the rule; 0 for the
    data-cut rule when no cut is known.

    Parameters
    ----------
    records
        Records read per table (tables that could not be read are absent).
    data_cut_known
        Whether the run had a data cut (DAT-008 checks nothing without one).
    """
    out: dict[str, int | None] = {}
    for rule in RULES.values():
        if rule.tables is None:
            out[rule.id] = None
        elif rule.id == "DAT-008" and not data_cut_known:
            out[rule.id] = 0
        else:
            out[rule.id] = sum(records.get(t, 0) for t in rule.tables)
    return out


def create_rule_results(issues: pl.DataFrame, checked: Mapping[str, int | None]) -> pl.DataFrame:
    """One row per catalogue rule: severity in this run (after overrides), category, group,
    description, action, records checked, records failed, issues and the result.

    Parameters
    ----------
    issues
        This cut's issues (``RULE``, ``SEVERITY``, ``TABLE``, ``ROW``, ``USUBJID``, ``RECKEY``).
    checked
        :func:`count_checked` (a rule absent from it has no count).

    Returns
    -------
    pl.DataFrame
        Columns :data:`RULE_RESULT_SCHEMA` in catalogue order; ``FAILED`` counts distinct
        records (table and row, or subject and record key for an absent record); ``RESULT`` is
        ``FAILED`` with issues, ``NOT CHECKED`` when nothing was checked, else ``PASSED``.
    """
    per_rule = issues.group_by("RULE").agg(
        pl.len().cast(pl.Int64).alias("ISSUES"),
        pl.struct(pl.col("TABLE"), pl.col("ROW"), pl.col("USUBJID"), pl.col("RECKEY"))
        .n_unique()
        .cast(pl.Int64)
        .alias("FAILED"),
        pl.col("SEVERITY").first().alias("_SEV"),
    )
    catalogue = pl.DataFrame(
        [
            (
                r.id,
                r.severity,
                r.category,
                r.group,
                r.text,
                checked.get(r.id),
            )
            for r in RULES.values()
        ],
        schema=["RULE", "SEVERITY", "CATEGORY", "GROUP", "DESCRIPTION", "CHECKED"],
        schema_overrides={"CHECKED": pl.Int64},
        orient="row",
    )
    frame = catalogue.join(per_rule, on="RULE", how="left", maintain_order="left").with_columns(
        pl.coalesce("_SEV", "SEVERITY").alias("SEVERITY"),
        pl.col("ISSUES").fill_null(0),
        pl.col("FAILED").fill_null(0),
    )
    actions = [
        describe_action(RULES[rule], severity)
        for rule, severity in frame.select("RULE", "SEVERITY").iter_rows()
    ]
    return (
        frame.with_columns(
            pl.Series("ACTION", actions, dtype=pl.String),
            pl.when(pl.col("ISSUES") > 0)
            .then(pl.lit(FAILED))
            .when(pl.col("CHECKED") == 0)
            .then(pl.lit(NOT_CHECKED))
            .otherwise(pl.lit(PASSED))
            .alias("RESULT"),
        )
        .select(list(RULE_RESULT_SCHEMA))
        .cast(RULE_RESULT_SCHEMA)
    )
