"""Key rules (KEY-*): unique subjects, unique sequence numbers, one assessment per date, and
records that belong to an enrolled subject (data-contract.md §1).

Every later occurrence of a duplicated key is reported (the first one is taken as the record).
"""

from __future__ import annotations

import polars as pl

from outcomes.validate.issues import fmt, make_issues


def _later_duplicates(
    typed: pl.DataFrame, keys: list[str], *, rule: str, table: str, column: str, what: str
) -> pl.LazyFrame:
    lazy = typed.lazy().filter(pl.all_horizontal(pl.col(k).is_not_null() for k in keys))
    first = pl.col("ROW").min().over(keys)
    return make_issues(
        lazy.filter(pl.col("ROW") != first).with_columns(first.alias("_first")),
        rule=rule,
        table=table,
        column=column,
        value=pl.col(column).cast(pl.String),
        message=fmt(
            "{}: " + what + " {} already used in record {}",
            pl.lit(table),
            pl.col(column).cast(pl.String),
            pl.col("_first"),
        ),
    )


def check_keys(tables: dict[str, pl.DataFrame]) -> list[pl.LazyFrame]:
    """Duplicate subjects (KEY-001), CMSEQ (KEY-002), AESEQ (KEY-003), two assessments of a
    subject on one date (KEY-004) and records of subjects not in ``subjects`` (KEY-005)."""
    out: list[pl.LazyFrame] = []
    specs = (
        ("subjects", ["USUBJID"], "KEY-001", "USUBJID", "USUBJID"),
        ("medications", ["USUBJID", "CMSEQ"], "KEY-002", "CMSEQ", "CMSEQ"),
        ("adverse_events", ["USUBJID", "AESEQ"], "KEY-003", "AESEQ", "AESEQ"),
        ("assessments", ["USUBJID", "ASMDT"], "KEY-004", "ASMDT", "assessment date"),
    )
    for table, keys, rule, column, what in specs:
        if table in tables:
            out.append(
                _later_duplicates(
                    tables[table], keys, rule=rule, table=table, column=column, what=what
                )
            )
    if "subjects" not in tables:
        return out
    known = tables["subjects"].lazy().select("USUBJID").drop_nulls().unique()
    for table, typed in tables.items():
        if table == "subjects":
            continue
        orphans = (
            typed.lazy()
            .filter(pl.col("USUBJID").is_not_null())
            .join(known, on="USUBJID", how="anti")
        )
        out.append(
            make_issues(
                orphans,
                rule="KEY-005",
                table=table,
                column="USUBJID",
                value=pl.col("USUBJID"),
                message=fmt("{}: USUBJID {} is not in subjects", pl.lit(table), pl.col("USUBJID")),
            )
        )
    return out
