"""SDTM DM + EX + DS → the export's ``subjects`` table (data-contract.md §1.1), one row per DM
record.

Rules (the mapping file's ``subjects`` and ``disposition`` sections):

* STUDYID, USUBJID, SITEID, AGE, SEX from DM; CONSDT = DM.RFICDTC; DTHDT = DM.DTHDTC.
* DOSELVL: the arm code in ``dose_level_variable`` (ACTARMCD by default) through ``dose_levels``.
* INFDT (Day 0) and DOSE: the first EX record of the CAR-T product (``cart_treatments``); without
  one, DM.RFXSTDTC when ``infusion_date_from_rfxstdtc``. DOSE only when EXDOSU is
  ``cart_dose_unit`` (10^6 cells/kg).
* LDFL = Y when EX holds a lymphodepletion record (fludarabine / cyclophosphamide), N when EX
  holds none for the subject, empty when the study has no EX domain; LDSTDT = first such EXSTDTC.
* EOSSTT / EOSDT / DCSREAS: the latest DS record of category ``category``; DSDECOD in
  ``completed_terms`` = COMPLETED, any other = DISCONTINUED with DCSREAS through ``reasons``;
  no such record = ONGOING.
"""

from __future__ import annotations

import polars as pl

from outcomes import contract as c
from outcomes.interop.mapping import DispositionRules, SubjectRules
from outcomes.interop.problems import (
    MappedTable,
    compute_iso_date,
    compute_number,
    compute_text,
    compute_vocab,
    create_date_problems,
    create_empty_problems,
    create_problem_rows,
    create_vocab_problems,
)
from outcomes.schemas.export import EXPORT_COLUMNS

SUBJECT_COLUMNS: tuple[str, ...] = tuple(s.name for s in EXPORT_COLUMNS["subjects"])


def compute_dose_level(*, rules: SubjectRules) -> pl.Expr:
    """DOSELVL from the arm code: mapped label, empty for untreated arms, else the code verbatim."""
    arm = compute_text(rules.dose_level_variable)
    upper = arm.str.to_uppercase()
    return (
        pl.when(upper.is_in(list(rules.untreated_arms)))
        .then(pl.lit(None, dtype=pl.String))
        .otherwise(upper.replace_strict(rules.dose_levels, default=arm, return_dtype=pl.String))
    )


def create_exposure_summary(ex: pl.LazyFrame, *, rules: SubjectRules) -> pl.LazyFrame:
    """One row per subject with EX records: INFDT, DOSE and its unit, LDSTDT and record counts."""
    trt = compute_text("EXTRT").str.to_uppercase()
    start = compute_iso_date("EXSTDTC")
    cart, ld = (
        trt.is_in(list(rules.cart_treatments)),
        trt.is_in(list(rules.lymphodepletion_treatments)),
    )
    order = pl.struct(start.is_null().alias("_a"), start.alias("_b"), pl.col("SRCSEQ"))
    return ex.group_by("USUBJID").agg(
        start.filter(cart).sort_by(order.filter(cart)).first().alias("_EXINF"),
        compute_number("EXDOSE").filter(cart).sort_by(order.filter(cart)).first().alias("_DOSE"),
        compute_text("EXDOSU")
        .str.to_uppercase()
        .filter(cart)
        .sort_by(order.filter(cart))
        .first()
        .alias("_DOSU"),
        pl.col("SRCSEQ").filter(cart).sort_by(order.filter(cart)).first().alias("_EXSEQ"),
        cart.sum().alias("_NCART"),
        start.filter(ld).min().alias("LDSTDT"),
        ld.sum().alias("_NLD"),
    )


def create_disposition_summary(ds: pl.LazyFrame, *, rules: DispositionRules) -> pl.LazyFrame:
    """One row per subject with disposition records: the latest record's term and date."""
    disp = ds.filter(compute_text("DSCAT").str.to_uppercase() == rules.category)
    date = compute_iso_date("DSSTDTC")
    order = pl.struct(date.is_not_null().alias("_a"), date.alias("_b"), pl.col("SRCSEQ"))
    return disp.group_by("USUBJID").agg(
        compute_text("DSDECOD").sort_by(order).last().alias("_DSDECOD"),
        date.sort_by(order).last().alias("_DSDT"),
        pl.col("SRCSEQ").sort_by(order).last().alias("_DSSEQ"),
        pl.len().alias("_NDS"),
    )


def compute_eosstt(*, rules: DispositionRules) -> pl.Expr:
    """EOSSTT from the latest disposition term (null term = ONGOING)."""
    term = pl.col("_DSDECOD").str.to_uppercase()
    return (
        pl.when(term.is_null())
        .then(pl.lit("ONGOING"))
        .when(term.is_in(list(rules.completed_terms)))
        .then(pl.lit("COMPLETED"))
        .otherwise(pl.lit("DISCONTINUED"))
    )


_EMPTY_EX = pl.LazyFrame(
    schema={n: pl.String for n in ("USUBJID", "EXTRT", "EXSTDTC", "EXDOSE", "EXDOSU")}
    | {"SRCSEQ": pl.Int64}
)
_EMPTY_DS = pl.LazyFrame(
    schema={n: pl.String for n in ("USUBJID", "DSCAT", "DSDECOD", "DSSTDTC")} | {"SRCSEQ": pl.Int64}
)


def derive_vars_exposure(
    subjects: pl.LazyFrame, *, rules: SubjectRules, has_ex: bool
) -> pl.LazyFrame:
    """INFDT, DOSE and LDFL from the joined exposure summary; rows and order unchanged.

    INFDT is the first CAR-T EXSTDTC, else DM.RFXSTDTC when the mapping allows it; DOSE needs the
    mapped CAR-T unit; LDFL is Y with a lymphodepletion record, N without one, null without EX.
    """
    infdt = pl.col("_EXINF")
    if rules.infusion_date_from_rfxstdtc:
        infdt = pl.coalesce(pl.col("_EXINF"), pl.col("_RFXST"))
    return subjects.with_columns(
        infdt.alias("INFDT"),
        pl.when(pl.col("_DOSU") == rules.cart_dose_unit).then(pl.col("_DOSE")).alias("DOSE"),
        pl.when(pl.col("_NLD") > 0)
        .then(pl.lit("Y"))
        .when(pl.lit(has_ex))
        .then(pl.lit("N"))
        .alias("LDFL"),
        pl.lit(None, dtype=pl.Float64).alias("WEIGHT"),
        pl.lit(None, dtype=pl.Date).alias("LSTALVDT"),
    )


def derive_vars_disposition(subjects: pl.LazyFrame, *, rules: DispositionRules) -> pl.LazyFrame:
    """EOSSTT, EOSDT and DCSREAS from the joined disposition summary; rows and order unchanged."""
    return subjects.with_columns(compute_eosstt(rules=rules).alias("EOSSTT")).with_columns(
        pl.when(pl.col("EOSSTT") != "ONGOING").then(pl.col("_DSDT")).alias("EOSDT"),
        pl.when(pl.col("EOSSTT") == "DISCONTINUED")
        .then(compute_vocab("_DSDECOD", values=rules.reasons, allowed=c.DCSREAS_VALUES))
        .alias("DCSREAS"),
    )


def _base(dm: pl.LazyFrame, *, rules: SubjectRules) -> pl.LazyFrame:
    age = compute_number("AGE")
    return dm.with_columns(
        compute_text("STUDYID").alias("STUDYID"),
        compute_text("USUBJID").alias("USUBJID"),
        compute_text("SITEID").alias("SITEID"),
        compute_text("AGE").alias("_AGETXT"),
        pl.when(age == age.floor()).then(age).cast(pl.Int64).alias("AGE"),
        compute_vocab("SEX", values=rules.sex, allowed=c.SEX_VALUES).alias("SEX"),
        compute_iso_date("RFICDTC").alias("CONSDT"),
        compute_iso_date("DTHDTC").alias("DTHDT"),
        compute_iso_date("RFXSTDTC").alias("_RFXST"),
        compute_dose_level(rules=rules).alias("DOSELVL"),
    )


def _dm_problems(joined: pl.LazyFrame, *, rules: SubjectRules) -> list[pl.LazyFrame]:
    arm = compute_text(rules.dose_level_variable)
    return [
        create_problem_rows(
            joined,
            condition=pl.col("_AGETXT").is_not_null() & pl.col("AGE").is_null(),
            domain="DM",
            variable="AGE",
            value=pl.col("_AGETXT"),
            rule="SDTM_NOT_A_NUMBER",
            severity="ERROR",
            message="DM.AGE is not a whole number; AGE left empty",
        ),
        create_vocab_problems(
            joined, domain="DM", variable="SEX", target="SEX", allowed=c.SEX_VALUES
        ),
        create_date_problems(joined, domain="DM", variable="RFICDTC", target="CONSDT"),
        create_date_problems(joined, domain="DM", variable="DTHDTC", target="DTHDT"),
        create_problem_rows(
            joined,
            condition=pl.col("DOSELVL").is_not_null()
            & ~pl.col("DOSELVL").is_in(list(rules.dose_levels.values())),
            domain="DM",
            variable=rules.dose_level_variable,
            value=arm,
            rule="SDTM_VALUE_UNMAPPED",
            severity="WARNING",
            message="arm code is neither a mapped dose level nor an untreated arm; "
            "kept verbatim as DOSELVL",
        ),
    ]


def _ex_problems(joined: pl.LazyFrame, *, rules: SubjectRules) -> list[pl.LazyFrame]:
    return [
        create_problem_rows(
            joined.with_columns(pl.col("_EXSEQ").alias("SRCSEQ")),
            condition=pl.col("_DOSE").is_not_null() & pl.col("DOSE").is_null(),
            domain="EX",
            variable="EXDOSU",
            value=pl.col("_DOSU"),
            rule="SDTM_DOSE_UNIT",
            severity="WARNING",
            message=f"CAR-T dose unit is not {rules.cart_dose_unit}; DOSE left empty",
        ),
        create_problem_rows(
            joined.with_columns(pl.col("_EXSEQ").alias("SRCSEQ")),
            condition=pl.col("_NCART") > 1,
            domain="EX",
            variable="EXTRT",
            value=pl.col("_NCART"),
            rule="SDTM_CART_REPEATED",
            severity="WARNING",
            message="several CAR-T records; the first gives INFDT and DOSE (a re-treatment "
            "belongs in CM with class CART_RETREATMENT)",
        ),
        create_problem_rows(
            joined,
            condition=pl.col("_EXINF").is_not_null()
            & pl.col("_RFXST").is_not_null()
            & (pl.col("_EXINF") != pl.col("_RFXST")),
            domain="DM",
            variable="RFXSTDTC",
            value=pl.col("_RFXST"),
            rule="SDTM_INFDT_CONFLICT",
            severity="WARNING",
            message="DM.RFXSTDTC differs from the first CAR-T EXSTDTC; INFDT taken from EX",
        ),
    ]


def _disposition_problems(joined: pl.LazyFrame) -> list[pl.LazyFrame]:
    at_ds = joined.with_columns(pl.col("_DSSEQ").alias("SRCSEQ"))
    return [
        create_vocab_problems(
            at_ds, domain="DS", variable="DSDECOD", target="DCSREAS", allowed=c.DCSREAS_VALUES
        ),
        create_problem_rows(
            at_ds,
            condition=pl.col("_NDS") > 1,
            domain="DS",
            variable="DSDECOD",
            value=pl.col("_DSDECOD"),
            rule="SDTM_DISPOSITION_REPEATED",
            severity="WARNING",
            message="several end-of-study disposition records; the latest is used",
        ),
        create_problem_rows(
            at_ds,
            condition=pl.col("_NDS").is_not_null() & pl.col("EOSDT").is_null(),
            domain="DS",
            variable="DSSTDTC",
            value=pl.col("_DSDECOD"),
            rule="SDTM_PARTIAL_DATE",
            severity="WARNING",
            message="disposition record without a full DSSTDTC; EOSDT left empty",
        ),
    ]


def create_subjects(
    dm: pl.LazyFrame,
    *,
    ex: pl.LazyFrame | None,
    ds: pl.LazyFrame | None,
    rules: SubjectRules,
    disposition: DispositionRules,
) -> MappedTable:
    """The ``subjects`` table from DM, EX and DS (rules in the module docstring).

    Parameters
    ----------
    dm, ex, ds
        Text tables of the domains with ``SRCSEQ`` (``ex`` / ``ds`` None when absent).
    rules, disposition
        The mapping's ``subjects`` and ``disposition`` sections.

    Returns
    -------
    MappedTable
        One row per DM record in DM order: the contract's columns plus ``SDTMDOM`` / ``SDTMSEQ``
        (DM row), and the problems met.
    """
    ex_summary = create_exposure_summary(ex if ex is not None else _EMPTY_EX, rules=rules)
    ds_summary = create_disposition_summary(ds if ds is not None else _EMPTY_DS, rules=disposition)
    joined = (
        _base(dm, rules=rules)
        .join(ex_summary, on="USUBJID", how="left", maintain_order="left")
        .join(ds_summary, on="USUBJID", how="left", maintain_order="left")
        .pipe(derive_vars_exposure, rules=rules, has_ex=ex is not None)
        .pipe(derive_vars_disposition, rules=disposition)
    )
    problems = _dm_problems(joined, rules=rules) + _ex_problems(joined, rules=rules)
    problems += _disposition_problems(joined)
    table = joined.with_columns(
        pl.lit("DM").alias("SDTMDOM"),
        pl.col("ROW").alias("SDTMSEQ"),
    ).select(*SUBJECT_COLUMNS, "SDTMDOM", "SDTMSEQ")
    return MappedTable(table=table, problems=pl.concat([create_empty_problems(), *problems]))
