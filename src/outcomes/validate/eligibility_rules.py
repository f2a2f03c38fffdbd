"""Eligibility rules (ELG-*): each inclusion criterion that is FALSE at screening is a warning
(a protocol deviation), listed per subject and criterion (endpoints.md §10, §16.20).
A criterion that cannot be assessed (null) is not reported.
"""

from __future__ import annotations

import polars as pl

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
