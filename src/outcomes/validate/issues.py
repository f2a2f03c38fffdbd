"""The issue record: one row per problem, located by table, row, column and value."""

from __future__ import annotations

import polars as pl

from outcomes.errors import DerivationError
from outcomes.validate.catalogue import RULES

ISSUE_SCHEMA: dict[str, pl.DataType] = {
    "RULE": pl.String(),
    "SEVERITY": pl.String(),
    "TABLE": pl.String(),
    "USUBJID": pl.String(),
    "ROW": pl.Int64(),
    "COLUMN": pl.String(),
    "VALUE": pl.String(),
    "MESSAGE": pl.String(),
}


def empty_issues() -> pl.DataFrame:
    """An issue frame without rows."""
    return pl.DataFrame(schema=ISSUE_SCHEMA)


def make_issue(
    rule: str,
    table: str | None,
    *,
    message: str,
    usubjid: str | None = None,
    row: int | None = None,
    column: str | None = None,
    value: str | None = None,
) -> pl.DataFrame:
    """One issue as a one-row frame (file-level problems)."""
    return pl.DataFrame(
        [[rule, RULES[rule].severity, table, usubjid, row, column, value, message]],
        schema=ISSUE_SCHEMA,
        orient="row",
    )


def make_issues(
    frame: pl.LazyFrame,
    *,
    rule: str,
    table: str,
    column: str | None,
    value: pl.Expr | None,
    message: pl.Expr,
) -> pl.LazyFrame:
    """Issues for every row of ``frame`` (already filtered to the failing records).

    ``frame`` must hold ``ROW`` and ``USUBJID`` (every export table has both).
    """
    return frame.select(
        pl.lit(rule).alias("RULE"),
        pl.lit(RULES[rule].severity).alias("SEVERITY"),
        pl.lit(table, dtype=pl.String).alias("TABLE"),
        pl.col("USUBJID").cast(pl.String).alias("USUBJID"),
        pl.col("ROW").cast(pl.Int64).alias("ROW"),
        pl.lit(column, dtype=pl.String).alias("COLUMN"),
        (value if value is not None else pl.lit(None)).cast(pl.String).alias("VALUE"),
        message.cast(pl.String).alias("MESSAGE"),
    )


#: The stable order of the issues (rule, table, row, column, subject, value, message).
ISSUE_ORDER = ("RULE", "TABLE", "ROW", "COLUMN", "USUBJID", "VALUE", "MESSAGE")


def concat_issues(parts: list[pl.DataFrame]) -> pl.DataFrame:
    """All issues in one frame, in a stable order (:data:`ISSUE_ORDER`)."""
    frame = pl.concat([empty_issues(), *parts], how="vertical") if parts else empty_issues()
    return frame.unique(maintain_order=True).sort(
        list(ISSUE_ORDER), nulls_last=True, maintain_order=True
    )


def fmt(template: str, *args: pl.Expr) -> pl.Expr:
    """A message: ``template`` with each ``{}`` replaced by the text of the next argument
    (missing values shown as empty text), built with ``concat_str``."""
    pieces = template.split("{}")
    if len(pieces) != len(args) + 1:
        raise DerivationError(
            f"message template {template!r} needs {len(pieces) - 1} argument(s), got {len(args)}"
        )
    parts: list[pl.Expr] = [pl.lit(pieces[0])]
    for arg, piece in zip(args, pieces[1:], strict=True):
        parts += [arg.cast(pl.String).fill_null(""), pl.lit(piece)]
    return pl.concat_str(parts)
