"""CSV cells safe to open in a spreadsheet (OWASP "CSV injection" guidance).

A spreadsheet program reads a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula, so a value copied from an export (an adverse-event term, a
validation ``VALUE``) could run a command on the machine of whoever opens the file. Such text
cells are written with a leading single quote (``'``), which spreadsheets show as text. Text
that is exactly a plain number (``-1.5``, ``+3``) is left as it is: a spreadsheet reads it as
that number, nothing more. Numeric columns are never changed.
"""

from __future__ import annotations

import polars as pl

#: First characters that make a spreadsheet evaluate a cell.
FORMULA_TRIGGERS = "=+-@\t\r"
_PLAIN_NUMBER = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


def neutralize_csv_cells(frame: pl.DataFrame) -> pl.DataFrame:
    """Prefix ``'`` to every text cell a spreadsheet would read as a formula.

    Parameters
    ----------
    frame
        Any frame about to be written as CSV; only ``String`` columns are changed.
    """
    starts = "[" + "".join("\\" + ch if ch in "-+" else ch for ch in FORMULA_TRIGGERS) + "]"
    exprs = []
    for name, dtype in frame.schema.items():
        if dtype != pl.String:
            continue
        col = pl.col(name)
        risky = col.str.contains("^" + starts) & ~col.str.contains(_PLAIN_NUMBER)
        exprs.append(pl.when(risky).then(pl.lit("'") + col).otherwise(col).alias(name))
    return frame.with_columns(exprs) if exprs else frame
