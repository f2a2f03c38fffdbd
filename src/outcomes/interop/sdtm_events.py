"""SDTM CM, AE and LB → the export's ``medications``, ``adverse_events`` and ``labs`` tables.

One export row per SDTM record, in source order, so record counts match the source. Rules:

* ``medications`` (data-contract.md §1.3): CMSEQ, CMTRT, CMDOSE as they stand; CMDOSU,
  CMDOSFRQ, CMROUTE, CMINDC through the mapping's value maps; CMCLAS only from the mapping's
  ``class_variable`` (SDTM CMCLAS is a dictionary class, not the contract's override);
  CMSTDT / CMENDT = full dates of CMSTDTC / CMENDTC (partial dates are not imputed).
* ``adverse_events`` (§1.4): AECAT = SDTM AECAT when it is a contract category, else the
  mapping's term list on AEDECOD (else AETERM), else ``category_default``; AETOXGR = SDTM
  AETOXGR, else AESEV through ``grade_from_severity``; AESER and AEREL through their maps.
* ``labs`` (§1.5): LBTESTCD, LBSTRESN, LBSTRESU, LBSTNRLO, LBSTNRHI as they stand; LBDT = the
  full date of LBDTC.

Every table also carries ``SDTMDOM`` / ``SDTMSEQ`` (source domain and --SEQ or row).
"""

from __future__ import annotations

import polars as pl

from outcomes import contract as c
from outcomes.interop.mapping import AdverseEventRules, MedicationRules
from outcomes.interop.problems import (
    MappedTable,
    compute_iso_date,
    compute_number,
    compute_text,
    compute_vocab,
    create_date_problems,
    create_empty_problems,
    create_number_problems,
    create_problem_rows,
    create_vocab_problems,
)
from outcomes.schemas.export import EXPORT_COLUMNS


def create_table_columns(mapped: pl.LazyFrame, *, table: str, domain: str) -> pl.LazyFrame:
    """The export table's columns in contract order: ``_<COL>`` working columns become ``<COL>``.

    ``SDTMDOM`` / ``SDTMSEQ`` (source domain and --SEQ or row) close the table.
    """
    present = set(mapped.collect_schema().names())
    names = [s.name for s in EXPORT_COLUMNS[table]]
    return mapped.select(
        *[pl.col(f"_{n}" if f"_{n}" in present else n).alias(n) for n in names],
        pl.lit(domain).alias("SDTMDOM"),
        pl.col("SRCSEQ").alias("SDTMSEQ"),
    )


def compute_whole_number(column: str) -> pl.Expr:
    """A whole number from text (``3`` or ``3.0``); null when absent or not whole."""
    value = compute_number(column)
    return pl.when(value == value.floor()).then(value).cast(pl.Int64)


def _cm_vocab(rules: MedicationRules) -> dict[str, tuple[dict[str, str], tuple[str, ...]]]:
    vocab = {
        "CMDOSU": (rules.units, c.CMDOSU_VALUES),
        "CMDOSFRQ": (rules.frequencies, c.CMDOSFRQ_VALUES),
        "CMROUTE": (rules.routes, c.CMROUTE_VALUES),
        "CMINDC": (rules.indications, c.CMINDC_VALUES),
    }
    if rules.class_variable:
        vocab["CMCLAS"] = (rules.classes, c.CMCLAS_VALUES)
    return vocab


def create_medications(cm: pl.LazyFrame, *, rules: MedicationRules) -> MappedTable:
    """The ``medications`` table, one row per CM record (rules in the module docstring)."""
    vocab = _cm_vocab(rules)
    source = {n: n for n in vocab} | {"CMCLAS": rules.class_variable or "CMCLAS"}
    mapped = cm.with_columns(
        compute_text("USUBJID").alias("USUBJID"),
        compute_whole_number("CMSEQ").alias("_CMSEQ"),
        compute_text("CMTRT").alias("_CMTRT"),
        pl.lit(None, dtype=pl.String).alias("_CMCLAS"),
        compute_number("CMDOSE").alias("_CMDOSE"),
        compute_iso_date("CMSTDTC").alias("CMSTDT"),
        compute_iso_date("CMENDTC").alias("CMENDT"),
    ).with_columns(
        compute_vocab(source[n], values=m, allowed=a).alias(f"_{n}") for n, (m, a) in vocab.items()
    )
    problems = [
        *[
            create_vocab_problems(
                mapped, domain="CM", variable=source[n], target=f"_{n}", allowed=a
            )
            for n, (_, a) in vocab.items()
        ],
        create_number_problems(mapped, domain="CM", variable="CMDOSE", target="_CMDOSE"),
        create_date_problems(mapped, domain="CM", variable="CMSTDTC", target="CMSTDT"),
        create_date_problems(mapped, domain="CM", variable="CMENDTC", target="CMENDT"),
    ]
    table = create_table_columns(mapped, table="medications", domain="CM")
    return MappedTable(table=table, problems=pl.concat([create_empty_problems(), *problems]))


def compute_ae_category(*, rules: AdverseEventRules) -> pl.Expr:
    """AECAT: SDTM AECAT when a contract category, else the term list, else the default."""
    given = compute_text("AECAT").str.to_uppercase()
    term = pl.coalesce(compute_text("AEDECOD"), compute_text("AETERM")).str.to_uppercase()
    by_term = term.replace_strict(rules.categories, default=None, return_dtype=pl.String)
    return (
        pl.when(given.is_in(list(c.AECAT_VALUES)))
        .then(given)
        .otherwise(pl.coalesce(by_term, pl.lit(rules.category_default)))
    )


def compute_ae_grade(*, rules: AdverseEventRules) -> pl.Expr:
    """AETOXGR: SDTM AETOXGR when a whole number, else AESEV through ``grade_from_severity``."""
    severity = compute_text("AESEV").str.to_uppercase()
    by_severity = severity.replace_strict(
        rules.grade_from_severity, default=None, return_dtype=pl.Int64
    )
    return pl.coalesce(compute_whole_number("AETOXGR"), by_severity)


def _ae_problems(mapped: pl.LazyFrame) -> list[pl.LazyFrame]:
    given = pl.coalesce(compute_text("AETOXGR"), compute_text("AESEV"))
    return [
        *[
            create_vocab_problems(
                mapped, domain="AE", variable=v, target=f"_{v}", allowed=c.FLAG_VALUES
            )
            for v in ("AESER", "AEREL")
        ],
        create_problem_rows(
            mapped,
            condition=pl.col("_AETOXGR").is_null() & given.is_not_null(),
            domain="AE",
            variable="AETOXGR",
            value=given,
            rule="SDTM_VALUE_UNMAPPED",
            severity="ERROR",
            message="neither AETOXGR (a whole number) nor a mapped AESEV gives the grade; "
            "AETOXGR left empty",
        ),
        create_date_problems(mapped, domain="AE", variable="AESTDTC", target="AESTDT"),
        create_date_problems(mapped, domain="AE", variable="AEENDTC", target="AEENDT"),
    ]


def create_adverse_events(ae: pl.LazyFrame, *, rules: AdverseEventRules) -> MappedTable:
    """The ``adverse_events`` table, one row per AE record (rules in the module docstring)."""
    mapped = ae.with_columns(
        compute_text("USUBJID").alias("USUBJID"),
        compute_whole_number("AESEQ").alias("_AESEQ"),
        compute_text("AETERM").alias("_AETERM"),
        compute_text("AEDECOD").alias("_AEDECOD"),
        compute_ae_category(rules=rules).alias("_AECAT"),
        compute_ae_grade(rules=rules).alias("_AETOXGR"),
        compute_vocab("AESER", values=rules.seriousness, allowed=c.FLAG_VALUES).alias("_AESER"),
        compute_vocab("AEREL", values=rules.relationship, allowed=c.FLAG_VALUES).alias("_AEREL"),
        compute_iso_date("AESTDTC").alias("AESTDT"),
        compute_iso_date("AEENDTC").alias("AEENDT"),
    )
    table = create_table_columns(mapped, table="adverse_events", domain="AE")
    problems = _ae_problems(mapped)
    return MappedTable(table=table, problems=pl.concat([create_empty_problems(), *problems]))


def create_labs(lb: pl.LazyFrame) -> MappedTable:
    """The ``labs`` table, one row per LB record (rules in the module docstring)."""
    numbers = ("LBSTRESN", "LBSTNRLO", "LBSTNRHI")
    mapped = lb.with_columns(
        compute_text("USUBJID").alias("USUBJID"),
        compute_text("LBTESTCD").alias("_LBTESTCD"),
        compute_text("LBSTRESU").alias("_LBSTRESU"),
        *[compute_number(v).alias(f"_{v}") for v in numbers],
        compute_iso_date("LBDTC").alias("LBDT"),
    )
    problems = [
        *[create_number_problems(mapped, domain="LB", variable=v, target=f"_{v}") for v in numbers],
        create_date_problems(mapped, domain="LB", variable="LBDTC", target="LBDT"),
    ]
    table = create_table_columns(mapped, table="labs", domain="LB")
    return MappedTable(table=table, problems=pl.concat([create_empty_problems(), *problems]))
