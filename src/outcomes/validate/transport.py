"""Transport-limit rules (TRN-*): values that SAS XPT v5 cannot hold as they are.

The run does not fail on them: the XPT file splits long text over continuation variables and
writes an unrepresentable number as missing, and Dataset-JSON keeps every value whole
(:mod:`outcomes.interop.xpt_fit`). The warning tells the data manager before a reviewer does.
"""

from __future__ import annotations

import polars as pl

from outcomes import contract as c
from outcomes.schemas.export import EXPORT_COLUMNS
from outcomes.validate.issues import make_issues

_NUMERIC = ("int", "float", "bit")


def check_transport_limits(
    raw: pl.DataFrame, table: str, *, typed: pl.DataFrame | None = None
) -> list[pl.LazyFrame]:
    """TRN-001 for text over 200 bytes, TRN-002 for numbers XPT v5 cannot hold.

    Parameters
    ----------
    raw
        Text table with ``ROW``, ``USUBJID`` and every contract column (absent ones as nulls).
    table
        Table name (data-contract.md §1).
    typed
        ``raw`` typed by the cell rules (:func:`~outcomes.validate.cells.check_cells`), row for
        row. With it, a number's text is parsed again only where the typed value is missing
        or out of range: a typed ``int`` (whole, below 2**63) or ``bit`` always fits XPT, and
        a typed ``float`` is finite, so its magnitude decides. Without it every cell is parsed.
    """
    out = []
    for spec in EXPORT_COLUMNS[table]:
        if spec.name not in raw.columns:
            continue
        text = pl.col(spec.name)
        where = f"{table}.{spec.name}"
        if spec.type == "str":
            frame = raw.lazy()
            size = text.str.len_bytes()
            failing = size > c.XPT_TEXT_MAX_BYTES
            message = pl.format(
                f"{where}: the text is {{}} bytes long; an XPT v5 variable holds "
                f"{c.XPT_TEXT_MAX_BYTES} (the XPT file splits it over continuation variables)",
                size,
            )
            rule = "TRN-001"
        elif spec.type in _NUMERIC:
            frame = _number_candidates(raw, typed, spec.name, spec.type).lazy()
            failing = _beyond_xpt(text.str.strip_chars().cast(pl.Float64, strict=False))
            message = pl.format(
                f"{where}: the magnitude of {{}} is beyond what XPT v5 holds "
                f"({c.XPT_NUMBER_MIN:.2g} to {c.XPT_NUMBER_MAX:.2g}); the XPT file holds it "
                "as missing",
                text,
            )
            rule = "TRN-002"
        else:
            continue
        out.append(
            make_issues(
                frame.filter(failing.fill_null(False)),
                rule=rule,
                table=table,
                column=spec.name,
                value=text,
                message=message,
            )
        )
    return out


def _beyond_xpt(number: pl.Expr) -> pl.Expr:
    """True where a number is infinite or its magnitude is outside XPT v5's range."""
    magnitude = number.abs()
    return (
        (magnitude > c.XPT_NUMBER_MAX)
        | ((magnitude < c.XPT_NUMBER_MIN) & (magnitude > 0))
        | number.is_infinite()
    )


def _number_candidates(
    raw: pl.DataFrame, typed: pl.DataFrame | None, column: str, kind: str
) -> pl.DataFrame:
    """The rows of ``raw`` (``ROW``, ``USUBJID``, ``column``) whose number may not fit XPT:
    all of them without ``typed``; else those whose typed value is missing while the cell is
    not, and (``float``) those whose typed value is out of range."""
    cells = raw.select("ROW", "USUBJID", column)
    if typed is None:
        return cells
    value = typed.get_column(column)
    maybe = value.is_null() & cells.get_column(column).is_not_null()
    if kind == "float":
        maybe = maybe | typed.select(_beyond_xpt(pl.col(column)).fill_null(False)).to_series()
    return cells.filter(maybe)
