"""Types and values rules (VAL-*): every cell of every contract column, one pass per table.

Each raw text column is checked against its contract type, allowed set and range; the typed table
(dtypes of docs/architecture.md) is built at the same time with every unparseable cell as null,
so the later rules never see a value that was already reported.
"""

from __future__ import annotations

import polars as pl

from outcomes import contract as c
from outcomes.io.export import INT64_LIMIT, NUMBER_TYPES, compute_typed
from outcomes.schemas.export import EXPORT_COLUMNS, ColumnSpec, polars_dtype
from outcomes.validate.issues import fmt, make_issues
from outcomes.validate.params import ValidationParams

DATE_SHAPE = r"^\d{4}-\d{2}-\d{2}$"


def _allowed(spec: ColumnSpec, params: ValidationParams) -> tuple[str, ...] | None:
    if spec.name == "VISIT":
        return tuple(
            dict.fromkeys(
                (
                    *c.DEFAULT_VISIT_LABELS,
                    *params.pre_infusion_visits,
                    *(w.label for w in params.windows),
                )
            )
        )
    if spec.type == "bit":
        return c.BIT_VALUES
    return spec.allowed


def _checks(
    spec: ColumnSpec, params: ValidationParams, *, keys: tuple[str, ...] = ()
) -> list[tuple[str, pl.Expr, str]]:
    """(rule, failing-cell predicate, message text) for one column; ``keys`` are the columns
    that place or identify a record of its table (a blank one is VAL-001, else VAL-012)."""
    raw = pl.col(spec.name)
    text = raw.str.strip_chars()
    filled = text.str.len_chars().fill_null(0) > 0
    typed = compute_typed(spec)
    out: list[tuple[str, pl.Expr, str]] = [
        ("VAL-009", raw.is_not_null() & (raw != text), "has leading or trailing white space"),
    ]
    if spec.is_required and spec.name in keys:
        out.append(("VAL-001", ~filled, "is required to place the record but missing"))
    elif spec.is_required:
        out.append(("VAL-012", ~filled, "is missing: enter it, or confirm it was not done"))
    if spec.type == "date":
        shaped = text.str.contains(DATE_SHAPE)
        out.append(("VAL-002", filled & ~shaped, "is not a date written as YYYY-MM-DD"))
        out.append(("VAL-003", filled & shaped & typed.is_null(), "is not a calendar date"))
    elif spec.type in NUMBER_TYPES:
        kind = "a whole number" if spec.type == "int" else "a number"
        out.append(("VAL-004", filled & typed.is_null(), f"is not {kind}"))
        out.append(
            (
                "VAL-013",
                typed.cast(pl.Float64).abs() >= params.implausible_magnitude,
                f"is implausibly large (magnitude {params.implausible_magnitude:g} or more)",
            )
        )
    allowed = _allowed(spec, params)
    if allowed is not None:
        out.append(
            ("VAL-005", filled & ~text.is_in(allowed), f"is not one of {', '.join(allowed)}")
        )
    if spec.minimum is not None:
        out.append(("VAL-006", typed < spec.minimum, f"is below the minimum {spec.minimum:g}"))
    if spec.maximum is not None:
        out.append(("VAL-006", typed > spec.maximum, f"is above the maximum {spec.maximum:g}"))
    return out + _special_checks(spec, params)


def _special_checks(spec: ColumnSpec, params: ValidationParams) -> list[tuple[str, pl.Expr, str]]:
    text = pl.col(spec.name).str.strip_chars()
    if spec.name == "PGA":
        places = params.pga_decimals_max
        pattern = r"\.\d{" + str(places) + r"}\d*[1-9]"
        return [
            (
                "VAL-007",
                text.str.contains(pattern),
                f"has more than {places} decimals (rounded half up, §16.8)",
            )
        ]
    if spec.name == "CMROUTE":
        return [("VAL-008", text == "OTHER", "is OTHER: counted as non-systemic (§16.23)")]
    if spec.name == "DOSELVL":
        filled = text.str.len_chars().fill_null(0) > 0
        return [
            (
                "VAL-011",
                filled & ~text.is_in(params.dose_levels),
                f"is not a configured dose level ({', '.join(params.dose_levels)})",
            )
        ]
    return []


def _fast(spec: ColumnSpec, params: ValidationParams, *, present: bool) -> tuple[pl.Expr, pl.Expr]:
    """(typed value for a well-formed cell, predicate of a cell that needs the full checks).

    A cheap first pass: a cell that parses as its type, lies in its set and range and has no
    surrounding white space gets its typed value here; every other cell is a suspect.
    """
    raw = pl.col(spec.name)
    allowed = _allowed(spec, params)
    if spec.type == "date":
        typed = raw.str.to_date("%Y-%m-%d", strict=False)
        suspect = raw.is_not_null() & (typed.is_null() | (raw.str.len_bytes() != 10))
    elif spec.type in NUMBER_TYPES:
        number = raw.cast(pl.Float64, strict=False)
        if spec.type == "int":
            whole = (number == number.floor()) & (number.abs() < INT64_LIMIT)
            typed = pl.when(whole).then(number).cast(pl.Int64, strict=False)
        else:
            typed = pl.when(number.is_finite()).then(number)
        suspect = raw.is_not_null() & typed.is_null()
    elif spec.type == "bit":
        one, zero = pl.lit(1, dtype=pl.Int8), pl.lit(0, dtype=pl.Int8)
        typed = pl.when(raw == "1").then(one).when(raw == "0").then(zero)
        suspect = raw.is_not_null() & typed.is_null()
    elif allowed is not None:  # a value with white space or empty is not in the set
        typed = raw
        suspect = pl.lit(False)
    else:
        typed = raw
        suspect = (raw.str.len_bytes() == 0) | raw.str.contains(r"^\s|\s$")
    if allowed is not None:
        suspect = suspect | ~raw.is_in(allowed)
    if spec.is_required and present:
        suspect = suspect | raw.is_null()
    if spec.minimum is not None:
        suspect = suspect | (typed < spec.minimum)
    if spec.maximum is not None:
        suspect = suspect | (typed > spec.maximum)
    if spec.type in NUMBER_TYPES:
        suspect = suspect | (typed.cast(pl.Float64).abs() >= params.implausible_magnitude)
    for _, failing, _ in _special_checks(spec, params):
        suspect = suspect | failing
    return typed.cast(polars_dtype(spec)).alias(spec.name), suspect.fill_null(False)


def _full_checks(
    bad: pl.DataFrame, table: str, *, params: ValidationParams, absent: frozenset[str]
) -> list[pl.LazyFrame]:
    checks = [
        (spec.name, rule, failing.fill_null(False), text)
        for spec in EXPORT_COLUMNS[table]
        if spec.name not in absent
        for rule, failing, text in _checks(spec, params, keys=c.RECORD_KEY_COLUMNS[table])
    ]
    flagged = bad.with_columns(
        [failing.alias(f"_c{i}") for i, (_, _, failing, _) in enumerate(checks)]
    )
    hits = flagged.select(pl.col(f"_c{i}").any() for i in range(len(checks))).row(0)
    return [
        make_issues(
            flagged.lazy().filter(pl.col(f"_c{i}")),
            rule=rule,
            table=table,
            column=column,
            value=pl.col(column),
            message=fmt(
                "{}.{} = '{}' " + text, pl.lit(table), pl.lit(column), pl.col(column).fill_null("")
            ),
        )
        for i, (column, rule, _, text) in enumerate(checks)
        if hits[i]
    ]


def check_cells(
    raw: pl.DataFrame, table: str, *, params: ValidationParams, absent: frozenset[str]
) -> tuple[pl.DataFrame, list[pl.LazyFrame]]:
    """Cell rules of one table and its typed version.

    A first pass types every well-formed cell and marks the records holding a suspect cell;
    only those records go through the full checks (so a clean table costs one pass).

    Parameters
    ----------
    raw
        Text table with ``ROW`` and every contract column (absent ones as nulls).
    table
        Table name (data-contract.md §1).
    params
        Validation parameters (dose levels, visit labels, PGA decimals).
    absent
        Columns missing from the file (already reported by STR-002; not checked cell by cell).

    Returns
    -------
    tuple
        The typed table (contract dtypes, ``ROW``, ``SRCSEQ`` = ``ROW``) and the issue frames.
    """
    specs = EXPORT_COLUMNS[table]
    fast = [_fast(s, params=params, present=s.name not in absent) for s in specs]
    typed = raw.with_columns(
        *[t for t, _ in fast], pl.any_horizontal([b for _, b in fast]).alias("_SUSPECT")
    )
    suspect = typed.get_column("_SUSPECT")
    typed = typed.drop("_SUSPECT")
    issues: list[pl.LazyFrame] = []
    if suspect.any():
        bad = raw.filter(suspect)
        issues = _full_checks(bad, table, params=params, absent=absent)
        slow = bad.with_columns([compute_typed(s).cast(polars_dtype(s)) for s in specs])
        typed = pl.concat([typed.filter(~suspect), slow]).sort("ROW")
    return typed.with_columns(pl.col("ROW").alias("SRCSEQ")), issues
