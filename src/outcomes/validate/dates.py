"""Date rules (DAT-*) and the conditional requirements of ``subjects`` (VAL-010).

Dates are compared on the typed tables (unparseable dates are null and were reported already).
Each record is compared with its subject's dates from the first ``subjects`` record of that
USUBJID (endpoints.md §16.21; data-contract.md §1.1).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from outcomes.ingest.data_cut import RECORD_DATE
from outcomes.validate.issues import fmt, make_issues
from outcomes.validate.params import ValidationParams

#: Record dates that must not precede consent (medications are exempt, §16.21).
AFTER_CONSENT: dict[str, tuple[str, ...]] = {
    "subjects": ("LDSTDT", "INFDT"),
    "assessments": ("ASMDT",),
    "adverse_events": ("AESTDT",),
    "labs": ("LBDT",),
}
#: Dates that must not follow the date of death.
NOT_AFTER_DEATH: dict[str, tuple[str, ...]] = {
    "subjects": ("LDSTDT", "INFDT", "LSTALVDT", "EOSDT"),
    "assessments": ("ASMDT",),
    "medications": ("CMSTDT",),
    "adverse_events": ("AESTDT",),
    "labs": ("LBDT",),
}
END_AFTER_START: dict[str, tuple[str, str]] = {
    "medications": ("CMSTDT", "CMENDT"),
    "adverse_events": ("AESTDT", "AEENDT"),
}
SUBJECT_DATES = ("CONSDT", "LDFL", "LDSTDT", "INFDT", "DTHDT")


def _with_subject(typed: pl.DataFrame, subjects: pl.DataFrame, table: str) -> pl.LazyFrame:
    """The record dates of ``table`` with its subject's dates (one join, materialized once)."""
    dates = {*AFTER_CONSENT.get(table, ()), *NOT_AFTER_DEATH.get(table, ())}
    kept = typed.select("ROW", "USUBJID", *sorted(dates))
    if table == "subjects":
        extra = typed.select([pl.col(c).alias(f"_S{c}") for c in SUBJECT_DATES])
        return pl.concat([kept, extra], how="horizontal").lazy()
    first = subjects.unique("USUBJID", keep="first", maintain_order=True).select(
        "USUBJID", *[pl.col(c).alias(f"_S{c}") for c in SUBJECT_DATES]
    )
    return kept.join(first, on="USUBJID", how="inner").lazy()


def _date_issue(
    frame: pl.LazyFrame,
    failing: pl.Expr,
    *,
    rule: str,
    table: str,
    column: str,
    other: str,
    words: str,
) -> pl.LazyFrame:
    return make_issues(
        frame.filter(failing.fill_null(False)),
        rule=rule,
        table=table,
        column=column,
        value=pl.col(column).cast(pl.String),
        message=fmt(
            "{}.{} = {} " + words + " {}",
            pl.lit(table),
            pl.lit(column),
            pl.col(column).cast(pl.String),
            pl.col(other).cast(pl.String),
        ),
    )


def check_record_dates(tables: dict[str, pl.DataFrame]) -> list[pl.LazyFrame]:
    """Before consent (DAT-001), after death (DAT-005), end before start (DAT-004)."""
    out = []
    for table, typed in tables.items():
        if "subjects" not in tables:
            break
        frame = _with_subject(typed, tables["subjects"], table)
        for col in AFTER_CONSENT.get(table, ()):
            out.append(
                _date_issue(
                    frame,
                    pl.col(col) < pl.col("_SCONSDT"),
                    rule="DAT-001",
                    table=table,
                    column=col,
                    other="_SCONSDT",
                    words="is before informed consent on",
                )
            )
        for col in NOT_AFTER_DEATH.get(table, ()):
            out.append(
                _date_issue(
                    frame,
                    pl.col(col) > pl.col("_SDTHDT"),
                    rule="DAT-005",
                    table=table,
                    column=col,
                    other="_SDTHDT",
                    words="is after the death on",
                )
            )
    for table, (start, end) in END_AFTER_START.items():
        if table in tables:
            out.append(
                _date_issue(
                    tables[table].lazy(),
                    pl.col(end) < pl.col(start),
                    rule="DAT-004",
                    table=table,
                    column=end,
                    other=start,
                    words="is before the start date",
                )
            )
    return out


# fmt: off
def _subject_rules(params: ValidationParams) -> list[tuple[str, str, pl.Expr, str]]:
    """(rule, column, failing predicate, words) of the subject-level date rules."""
    gap = (pl.col("INFDT") - pl.col("LDSTDT")).dt.total_days()
    died = (pl.col("EOSSTT") == "DISCONTINUED") & (pl.col("DCSREAS") == "DEATH")
    ended = pl.col("EOSSTT").is_in(["COMPLETED", "DISCONTINUED"])
    limit = params.ld_to_infusion_max_days
    missing = pl.Expr.is_null
    return [
        ("DAT-002", "INFDT", pl.col("INFDT") < pl.col("LDSTDT"),
         "infusion before the start of lymphodepletion"),
        ("DAT-003", "INFDT", gap > limit,
         f"infusion more than {limit} days after the start of lymphodepletion"),
        ("DAT-006", "DTHDT", pl.col("DTHDT").is_not_null() & ~died,
         "a death date needs EOSSTT = DISCONTINUED and DCSREAS = DEATH"),
        ("DAT-006", "DCSREAS", (pl.col("DCSREAS") == "DEATH") & missing(pl.col("DTHDT")),
         "DCSREAS = DEATH but DTHDT is missing"),
        ("DAT-007", "EOSDT", ended & missing(pl.col("EOSDT")),
         "EOSDT is missing although EOSSTT is not ONGOING"),
        ("VAL-010", "DOSELVL", pl.col("INFDT").is_not_null() & missing(pl.col("DOSELVL")),
         "DOSELVL is required for an infused subject"),
        ("VAL-010", "LDSTDT", (pl.col("LDFL") == "Y") & missing(pl.col("LDSTDT")),
         "LDSTDT is required when LDFL = Y"),
        ("VAL-010", "DCSREAS", (pl.col("EOSSTT") == "DISCONTINUED") & missing(pl.col("DCSREAS")),
         "DCSREAS is required when EOSSTT = DISCONTINUED"),
    ]


def check_subject_dates(subjects: pl.DataFrame, *, params: ValidationParams) -> list[pl.LazyFrame]:
    """Infusion vs lymphodepletion (DAT-002, DAT-003), death vs end of study (DAT-006), missing
    EOSDT (DAT-007) and the conditional requirements of data-contract §1.1 (VAL-010)."""
    return [
        make_issues(
            subjects.lazy().filter(failing.fill_null(False)), rule=rule, table="subjects",
            column=column, value=pl.col(column).cast(pl.String),
            message=fmt("subjects.{} = '{}': " + words, pl.lit(column),
                              pl.col(column).cast(pl.String).fill_null("")),
        )
        for rule, column, failing, words in _subject_rules(params)
    ]
# fmt: on


def check_after_cut(tables: dict[str, pl.DataFrame], *, data_cut: dt.date) -> list[pl.LazyFrame]:
    """Records dated after the data cut (DAT-008, warning: not used in this cut's analysis,
    §16.2)."""
    out = []
    for table, typed in tables.items():
        col = RECORD_DATE[table]
        if col is None:
            continue
        out.append(
            make_issues(
                typed.lazy().filter(pl.col(col) > data_cut),
                rule="DAT-008",
                table=table,
                column=col,
                value=pl.col(col).cast(pl.String),
                message=fmt(
                    "{}.{} = {} is after the data cut "
                    + data_cut.isoformat()
                    + "; the record is not used in the analysis of this cut",
                    pl.lit(table),
                    pl.lit(col),
                    pl.col(col).cast(pl.String),
                ),
            )
        )
    return out
