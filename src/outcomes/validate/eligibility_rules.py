"""Eligibility rules (ELG-*): each inclusion criterion that is FALSE at screening is a warning
(a protocol deviation), listed per subject and criterion (endpoints.md §10, §16.20).
A criterion of §10 that cannot be assessed (null) is not reported; a criterion of §16.27 (the
medication history, ELG-011 … ELG-014) that cannot be assessed is reported as not evaluable.
"""

from __future__ import annotations

import polars as pl

from outcomes.drugs.history import HistoryParams
from outcomes.validate.catalogue import RULES
from outcomes.validate.issues import fmt, make_issues

#: criterion flag → (rule, table, column, value shown)
LOCATION: dict[str, tuple[str, str, str | None, str | None]] = {
    "ELAGEFL": ("ELG-001", "subjects", "AGE", None),
    "ELACTFL": ("ELG-002", "assessments", None, None),
    "ELANCFL": ("ELG-003", "labs", "LBSTRESN", "ANC"),
    "ELHGBFL": ("ELG-004", "labs", "LBSTRESN", "HGB"),
    "ELALTFL": ("ELG-005", "labs", "LBSTRESN", "ALT"),
    "ELASTFL": ("ELG-006", "labs", "LBSTRESN", "AST"),
    "ELTBILFL": ("ELG-007", "labs", "LBSTRESN", "TBIL"),
    "ELINRFL": ("ELG-008", "labs", "LBSTRESN", "INR"),
    "ELPTFL": ("ELG-009", "labs", "LBSTRESN", "PT"),
    "ELCRCLFL": ("ELG-010", "labs", "LBSTRESN", "CREAT"),
}


def check_eligibility_rules(
    eligibility: pl.LazyFrame, *, subjects: pl.DataFrame
) -> list[pl.LazyFrame]:
    """Warnings for the failed criteria of :func:`outcomes.eligibility.create_eligibility`.

    The age row points at the subject's record, the activity row at the screening assessment
    (its SRCSEQ is the assessment's ROW); lab rows name the test in VALUE.
    """
    rows = (
        subjects.lazy()
        .unique("USUBJID", keep="first")
        .select(
            "USUBJID", pl.col("ROW").alias("_SROW"), pl.col("AGE").cast(pl.String).alias("_AGE")
        )
    )
    frame = eligibility.join(rows, on="USUBJID", how="left")
    out = []
    for flag, (rule, table, column, shown) in LOCATION.items():
        failed = frame.filter(pl.col(flag) == False)  # noqa: E712 (null = not assessable, kept out)
        if flag == "ELAGEFL":
            failed, value = failed.with_columns(pl.col("_SROW").alias("ROW")), pl.col("_AGE")
        elif flag == "ELACTFL":
            failed, value = failed.with_columns(pl.col("SRCSEQ").alias("ROW")), None
        else:
            failed, value = (
                failed.with_columns(pl.lit(None, dtype=pl.Int64).alias("ROW")),
                pl.lit(shown),
            )
        extra = (
            fmt(" (CrCl {} mL/min)", pl.col("CRCL").round(2)) if flag == "ELCRCLFL" else pl.lit("")
        )
        out.append(
            make_issues(
                failed,
                rule=rule,
                table=table,
                column=column,
                value=value,
                message=pl.concat_str(
                    pl.lit(f"{table}: {RULES[rule].text[0].lower()}{RULES[rule].text[1:-1]}"),
                    extra,
                ),
            )
        )
    return out


def check_history_rules(
    history: pl.LazyFrame, *, subjects: pl.DataFrame, params: HistoryParams
) -> list[pl.LazyFrame]:
    """Warnings for the §16.27 criteria of :func:`outcomes.drugs.history.
    create_history_eligibility` that are not met (on the first offending medication record)
    or not evaluable (on the subject's record, saying what is missing): ELG-011 … ELG-014."""
    rows = subjects.lazy().unique("USUBJID", keep="first").select("USUBJID", "ROW")
    frame = history.join(rows, on="USUBJID", how="left")
    consent = pl.col("CONSDT").cast(pl.String).fill_null("(missing)")
    no_consent = pl.col("CONSDT").is_null()
    drugs = f"{params.refractory_min_drugs}"
    days = f"{params.refractory_min_days}"
    lives = f"{float(params.washout_half_lives):g}"
    refractory = fmt(
        "subjects: treatment-refractory criterion {}: {} conventional SLE treatment(s) with at "
        f"least {days} exposure days before consent on {{}} ({{}}); at least {drugs} are "
        "required{}",
        pl.when(pl.col("ELREFRFL").is_null())
        .then(pl.lit("not evaluable"))
        .otherwise(pl.lit("not met")),
        pl.col("NREFR"),
        consent,
        pl.col("REFRTXT").fill_null("none"),
        pl.when(no_consent)
        .then(pl.lit("; the consent date is missing"))
        .when(pl.col("REFRUNK").is_not_null())
        .then(
            pl.format(
                "; drugs given for SLE before consent that are not in the drug dictionary: {}",
                "REFRUNK",
            )
        )
        .otherwise(pl.lit("")),
    )
    out = [
        make_issues(
            frame.filter(pl.col("ELREFRFL").ne_missing(True)),
            rule="ELG-011",
            table="subjects",
            column="CONSDT",
            value=pl.col("NREFR").cast(pl.String),
            message=refractory,
        )
    ]
    not_evaluable_consent = pl.lit("not evaluable: the consent date (CONSDT) is missing")
    specs = (
        (
            "ELG-012",
            "ELWOISFL",
            "WOISROW",
            fmt(
                f"medications: immunosuppressant active within {lives} half-lives before consent "
                "on {}: {}",
                consent,
                pl.col("WOISTXT"),
            ),
            pl.when(no_consent)
            .then(
                pl.concat_str(
                    pl.lit("subjects: washout of immunosuppressants "), not_evaluable_consent
                )
            )
            .otherwise(
                fmt(
                    "subjects: washout of immunosuppressants before consent on {} not evaluable: "
                    "no half-life in the drug dictionary for {}",
                    consent,
                    pl.col("WOISUNK"),
                )
            ),
        ),
        (
            "ELG-013",
            "ELWOBIFL",
            "WOBIROW",
            fmt(
                f"medications: biologic active within {params.washout_biologic_days} days before "
                "consent on {}: {}",
                consent,
                pl.col("WOBITXT"),
            ),
            pl.concat_str(pl.lit("subjects: washout of biologics "), not_evaluable_consent),
        ),
        (
            "ELG-014",
            "ELCSFFL",
            "CSFROW",
            fmt(
                f"medications: colony-stimulating factor active within "
                f"{params.csf_days_before_anc} days before the screening neutrophil count on "
                "{}: {}",
                pl.col("ANCDT"),
                pl.col("CSFTXT"),
            ),
            pl.lit(
                "subjects: no colony-stimulating factor before the screening neutrophil count "
                "not evaluable: there is no screening ANC result (dated from "
                "eligibility.screening_lab_days_before_consent days before consent to the start "
                "of lymphodepletion)"
            ),
        ),
    )
    for rule, flag, row, failed, unknown in specs:
        out.append(
            make_issues(
                frame.filter(pl.col(flag) == False).with_columns(pl.col(row).alias("ROW")),  # noqa: E712
                rule=rule,
                table="medications",
                column="CMTRT",
                value=None,
                message=failed,
            )
        )
        out.append(
            make_issues(
                frame.filter(pl.col(flag).is_null()),
                rule=rule,
                table="subjects",
                column="CONSDT" if rule != "ELG-014" else None,
                value=None,
                message=unknown,
            )
        )
    return out
