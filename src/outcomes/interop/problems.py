"""Import problems: one row per SDTM record (or domain) that could not be mapped as it stands.

Nothing is dropped silently: every value kept verbatim outside the contract's vocabulary, every
partial date, every unmapped test code and every conflict becomes a row of
``import_problems.csv`` with ``SEVERITY`` (``ERROR``: a value was lost or is ambiguous;
``WARNING``: kept verbatim or not used, the export validator will judge it), a stable ``RULE``,
the SDTM ``DOMAIN``, ``USUBJID``, ``SRCSEQ`` (the record's --SEQ, else its 1-based row),
``VARIABLE``, ``VALUE`` and ``MESSAGE``. Also the value helpers that produce them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

PROBLEM_SCHEMA: dict[str, pl.DataType] = {
    "SEVERITY": pl.String(),
    "RULE": pl.String(),
    "DOMAIN": pl.String(),
    "USUBJID": pl.String(),
    "SRCSEQ": pl.Int64(),
    "VARIABLE": pl.String(),
    "VALUE": pl.String(),
    "MESSAGE": pl.String(),
}
_FULL_DATE = r"^\d{4}-\d{2}-\d{2}(T|$)"


@dataclass(frozen=True)
class MappedTable:
    """One export table built from SDTM, with the problems met on the way."""

    table: pl.LazyFrame
    problems: pl.LazyFrame


def create_empty_problems() -> pl.LazyFrame:
    """A problems frame with no rows."""
    return pl.LazyFrame(schema=PROBLEM_SCHEMA)


def create_problem_rows(
    frame: pl.LazyFrame,
    *,
    condition: pl.Expr,
    domain: str,
    variable: str,
    value: pl.Expr,
    rule: str,
    severity: str,
    message: str,
) -> pl.LazyFrame:
    """Problem rows for the records of ``frame`` (``USUBJID``, ``SRCSEQ``) meeting ``condition``."""
    return frame.filter(condition).select(
        pl.lit(severity).alias("SEVERITY"),
        pl.lit(rule).alias("RULE"),
        pl.lit(domain).alias("DOMAIN"),
        pl.col("USUBJID").cast(pl.String),
        pl.col("SRCSEQ").cast(pl.Int64),
        pl.lit(variable).alias("VARIABLE"),
        value.cast(pl.String).alias("VALUE"),
        pl.lit(message).alias("MESSAGE"),
    )


def create_domain_problem(
    *, domain: str, rule: str, severity: str, message: str, variable: str | None = None
) -> pl.LazyFrame:
    """One problem row about a whole domain or variable (no subject, no record)."""
    return pl.LazyFrame(
        [(severity, rule, domain, None, None, variable, None, message)],
        schema=PROBLEM_SCHEMA,
        orient="row",
    )


def compute_text(column: str) -> pl.Expr:
    """The column's text, trimmed, with empty text as null."""
    text = pl.col(column).cast(pl.String).str.strip_chars()
    return pl.when(text.str.len_chars() > 0).then(text).alias(column)


def compute_vocab(column: str, *, values: Mapping[str, str], allowed: tuple[str, ...]) -> pl.Expr:
    """Translate a coded value: contract values pass, mapped values translate, others stay verbatim.

    Comparison is on upper-cased trimmed text; ``values`` keys are upper case.
    """
    text = compute_text(column)
    lookup = {a.upper(): a for a in allowed} | dict(values)
    return text.str.to_uppercase().replace_strict(lookup, default=text, return_dtype=pl.String)


def compute_iso_date(column: str) -> pl.Expr:
    """The calendar date of an ISO 8601 ``--DTC`` value; partial dates give null (not imputed)."""
    text = compute_text(column)
    return (
        pl.when(text.str.contains(_FULL_DATE))
        .then(text.str.slice(0, 10).str.strptime(pl.Date, "%Y-%m-%d", strict=False))
        .otherwise(pl.lit(None, dtype=pl.Date))
    )


def compute_number(column: str) -> pl.Expr:
    """The numeric value of a text column (null where it is not a number)."""
    return compute_text(column).cast(pl.Float64, strict=False)


def create_vocab_problems(
    frame: pl.LazyFrame, *, domain: str, variable: str, target: str, allowed: tuple[str, ...]
) -> pl.LazyFrame:
    """WARNING rows for values of ``target`` kept verbatim outside ``allowed``."""
    return create_problem_rows(
        frame,
        condition=pl.col(target).is_not_null() & ~pl.col(target).is_in(list(allowed)),
        domain=domain,
        variable=variable,
        value=pl.col(target),
        rule="SDTM_VALUE_UNMAPPED",
        severity="WARNING",
        message=f"{domain}.{variable} value is not in the contract's {target.lstrip('_')} list "
        "and no "
        "mapping translates it; kept verbatim (add it to the mapping file)",
    )


def create_date_problems(
    frame: pl.LazyFrame, *, domain: str, variable: str, target: str
) -> pl.LazyFrame:
    """WARNING rows for ``--DTC`` values that are not full dates (``target`` left empty)."""
    return create_problem_rows(
        frame,
        condition=compute_text(variable).is_not_null() & pl.col(target).is_null(),
        domain=domain,
        variable=variable,
        value=compute_text(variable),
        rule="SDTM_PARTIAL_DATE",
        severity="WARNING",
        message=f"{domain}.{variable} is not a full ISO 8601 date; {target} left empty "
        "(dates are never imputed)",
    )


def create_number_problems(
    frame: pl.LazyFrame, *, domain: str, variable: str, target: str
) -> pl.LazyFrame:
    """ERROR rows for values that should be numbers but are not (``target`` left empty)."""
    return create_problem_rows(
        frame,
        condition=compute_text(variable).is_not_null() & pl.col(target).is_null(),
        domain=domain,
        variable=variable,
        value=compute_text(variable),
        rule="SDTM_NOT_A_NUMBER",
        severity="ERROR",
        message=f"{domain}.{variable} is not a number; {target} left empty",
    )


def summarize_problems(problems: pl.DataFrame, *, limit: int = 12) -> str:
    """Counts of problems by severity, rule, domain and variable, most frequent first."""
    if problems.height == 0:
        return "No import problems."
    counts = (
        problems.group_by("SEVERITY", "RULE", "DOMAIN", "VARIABLE")
        .agg(pl.len().alias("N"), pl.col("MESSAGE").first())
        .sort(
            ["SEVERITY", "N", "RULE", "DOMAIN"],
            descending=[False, True, False, False],
            nulls_last=True,
        )
    )
    lines = [
        f"  {r['SEVERITY']} {r['RULE']} {r['DOMAIN']}.{r['VARIABLE'] or '-'} x{r['N']}: "
        f"{r['MESSAGE']}"
        for r in counts.head(limit).iter_rows(named=True)
    ]
    if counts.height > limit:
        lines.append(f"  ... and {counts.height - limit} more kinds")
    return "\n".join(lines)
