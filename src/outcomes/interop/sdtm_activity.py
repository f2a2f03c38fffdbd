"""SDTM RS or QS (disease activity) → the export's ``assessments`` table (data-contract.md §1.2).

CDISC has no controlled terminology for SLEDAI-2K (Gladman 2002), BILAG-2004 (Yee 2007) or the
physician global assessment, so the mapping file's ``activity.tests`` names the sponsor test
code of each column. The records of one USUBJID × VISIT × ``--DTC`` date form one assessment
(one export row); the result is ``--STRESC``, else ``--ORRES``. SLEDAI-2K descriptors take their
0/1 from ``present_values``; PGA and the serology columns are numbers; BILAG grades are A–E;
HAEMOLYSIS and the ``_NEW`` items are Y/N; FLARE is the contract's flare list.

Reported, never dropped silently: test codes without a mapping (WARNING, records not used),
results that do not fit their column (ERROR, value left empty), and two different results for
one column of one assessment (ERROR, value left empty).
"""

from __future__ import annotations

import polars as pl

from outcomes import contract as c
from outcomes.interop.mapping import ActivityRules
from outcomes.interop.problems import (
    MappedTable,
    compute_iso_date,
    compute_text,
    compute_vocab,
    create_date_problems,
    create_empty_problems,
    create_problem_rows,
    create_vocab_problems,
)
from outcomes.schemas.export import EXPORT_COLUMNS, ColumnSpec

KEYS: tuple[str, ...] = ("USUBJID", "VISIT", "ASMDT")
ITEM_SPECS: tuple[ColumnSpec, ...] = tuple(
    s for s in EXPORT_COLUMNS["assessments"] if s.name not in KEYS
)


def compute_typed_result(spec: ColumnSpec, *, rules: ActivityRules) -> pl.Expr:
    """The result text ``_RES`` typed for contract column ``spec`` (null when it does not fit)."""
    upper = pl.col("_RES").str.to_uppercase()
    if spec.type == "bit":
        return upper.replace_strict(rules.present_values, default=None, return_dtype=pl.Int8)
    if spec.type == "float":
        return pl.col("_RES").cast(pl.Float64, strict=False)
    allowed = spec.allowed or ()
    return pl.when(upper.is_in(list(allowed))).then(upper)


def _records(frame: pl.LazyFrame, *, rules: ActivityRules) -> pl.LazyFrame:
    p = rules.prefix
    return frame.with_columns(
        compute_text("USUBJID").alias("USUBJID"),
        compute_text(f"{p}TESTCD").str.to_uppercase().alias("_CODE"),
        pl.coalesce(compute_text(f"{p}STRESC"), compute_text(f"{p}ORRES")).alias("_RES"),
        compute_vocab("VISIT", values=rules.visits, allowed=c.DEFAULT_VISIT_LABELS).alias("_VISIT"),
        compute_iso_date(f"{p}DTC").alias("ASMDT"),
    ).with_columns(
        pl.col("_CODE")
        .replace_strict(rules.tests, default=None, return_dtype=pl.String)
        .alias("_COL"),
    )


def _typed(records: pl.LazyFrame, *, rules: ActivityRules) -> pl.LazyFrame:
    """Mapped records with ``_OK`` (result fits its column) and ``_NCONF`` (distinct results)."""
    fits = pl.lit(None, dtype=pl.Boolean)
    for spec in ITEM_SPECS:
        fits = (
            pl.when(pl.col("_COL") == spec.name)
            .then(compute_typed_result(spec, rules=rules).is_not_null())
            .otherwise(fits)
        )
    keys = ["USUBJID", "_VISIT", "ASMDT", "_COL"]
    return records.filter(pl.col("_COL").is_not_null()).with_columns(
        (fits | pl.col("_RES").is_null()).alias("_OK"),
        pl.col("_RES").drop_nulls().n_unique().over(keys).alias("_NCONF"),
    )


def _problems(
    records: pl.LazyFrame, typed: pl.LazyFrame, *, rules: ActivityRules
) -> list[pl.LazyFrame]:
    p = rules.prefix
    return [
        create_problem_rows(
            records,
            condition=pl.col("_COL").is_null(),
            domain=p,
            variable=f"{p}TESTCD",
            value=pl.col("_CODE"),
            rule="SDTM_TEST_UNMAPPED",
            severity="WARNING",
            message="test code has no mapping in activity.tests; record not used",
        ),
        create_problem_rows(
            typed,
            condition=~pl.col("_OK"),
            domain=p,
            variable=f"{p}STRESC",
            value=pl.concat_str(pl.col("_CODE"), pl.lit("="), pl.col("_RES")),
            rule="SDTM_VALUE_INVALID",
            severity="ERROR",
            message="result does not fit its assessments column; value left empty",
        ),
        create_problem_rows(
            typed,
            condition=pl.col("_NCONF") > 1,
            domain=p,
            variable=f"{p}STRESC",
            value=pl.concat_str(pl.col("_CODE"), pl.lit("="), pl.col("_RES")),
            rule="SDTM_CONFLICT",
            severity="ERROR",
            message="different results for one column of one assessment (USUBJID, VISIT, "
            "date); value left empty",
        ),
        create_vocab_problems(
            records, domain=p, variable="VISIT", target="_VISIT", allowed=c.DEFAULT_VISIT_LABELS
        ),
        create_date_problems(records, domain=p, variable=f"{p}DTC", target="ASMDT"),
    ]


def create_assessments(activity: pl.LazyFrame, *, rules: ActivityRules) -> MappedTable:
    """The ``assessments`` table: one row per USUBJID × VISIT × date of the activity domain.

    Parameters
    ----------
    activity
        Text table of the RS or QS domain with ``SRCSEQ``.
    rules
        The mapping's ``activity`` section.

    Returns
    -------
    MappedTable
        Rows in order of first appearance: the contract's columns plus ``SDTMDOM`` and
        ``SDTMSEQ`` (the smallest --SEQ of the assessment's records), and the problems met.
    """
    records = _records(activity, rules=rules)
    typed = _typed(records, rules=rules)
    usable = pl.col("_OK") & (pl.col("_NCONF") == 1)
    items = [
        compute_typed_result(spec, rules=rules)
        .filter(usable & (pl.col("_COL") == spec.name))
        .first()
        .alias(spec.name)
        for spec in ITEM_SPECS
    ]
    table = (
        typed.group_by("USUBJID", "_VISIT", "ASMDT", maintain_order=True)
        .agg(*items, pl.col("SRCSEQ").min().alias("SDTMSEQ"))
        .with_columns(pl.col("_VISIT").alias("VISIT"), pl.lit(rules.prefix).alias("SDTMDOM"))
        .select(*KEYS, *(s.name for s in ITEM_SPECS), "SDTMDOM", "SDTMSEQ")
    )
    problems = _problems(records, typed, rules=rules)
    return MappedTable(table=table, problems=pl.concat([create_empty_problems(), *problems]))
