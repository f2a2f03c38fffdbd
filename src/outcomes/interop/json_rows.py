"""The rows of a Dataset-JSON document as text, streamed by polars' CSV writer.

Each row is the compact JSON array of its values, byte for byte what
``json.dumps(row, ensure_ascii=False, separators=(",", ":"))`` gives for the row as Python
values (text as strings, integers, floats with NaN as ``null``, dates as ISO 8601 strings,
flags as ``true``/``false``, null as ``null``), but written by polars rather than value by
value: a JSON row is a CSV record whose text fields are quoted by hand, with ``,`` between
values and ``],[`` after each row (:func:`write_json_rows`).

Text is escaped as :mod:`json` escapes it (the quote, the backslash, the control characters)
in the columns that hold such a character (:func:`compute_escape_checks`). Python writes a
float as its shortest round-trip text (``repr``), in exponent notation below 1e-4 or from
1e16 (``1e-05``, ``1e+16``); polars writes the same digits and notation except below 1e-4
(``0.00001``, ``1e-7``), so in a column holding such values they are written by Python, as
are the infinities (``Infinity``).

References
----------
RFC 8259, The JavaScript Object Notation (JSON) Data Interchange Format, §7 Strings.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any, BinaryIO

import polars as pl

#: What ``json.dumps(..., ensure_ascii=False)`` escapes in a string: the quote, the backslash
#: and the control characters U+0000 to U+001F (RFC 8259 §7), in its notation.
_SHORT_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}
_ESCAPES = {
    **{chr(c): f"\\u{c:04x}" for c in range(0x20)},
    **_SHORT_ESCAPES,
}
#: Below this magnitude Python writes a float in exponent notation (``1e-05``), polars not.
_POSITIONAL_MIN = 1e-4


def dumps_compact(value: Any) -> str:
    """``value`` as compact JSON text (``ensure_ascii=False``, no blanks)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _float_text_expr(name: str) -> pl.Expr:
    """Floats as JSON text the way polars writes them: NaN null, infinities ``Infinity``."""
    number = pl.col(name).cast(pl.Float64)
    return (
        pl.when(number.is_nan())
        .then(None)
        .when(number == float("inf"))
        .then(pl.lit("Infinity"))
        .when(number == float("-inf"))
        .then(pl.lit("-Infinity"))
        .otherwise(number.cast(pl.String))
        .fill_null(pl.lit("null"))
        .alias(name)
    )


def _small_floats(number: pl.Expr) -> pl.Expr:
    size = number.cast(pl.Float64).abs()
    return ((size < _POSITIONAL_MIN) & (size > 0)).fill_null(False)


def compute_escape_checks(schema: pl.Schema) -> dict[str, pl.Expr]:
    """Per column that may need it, whether any value needs the careful way to JSON.

    Text holding a quote, a backslash or a control character (a JSON escape); a float below
    1e-4 or infinite (written by Python). Aggregations, to be collected over all rows.
    """
    checks: dict[str, pl.Expr] = {}
    for name, dtype in schema.items():
        col = pl.col(name)
        if dtype == pl.String:
            checks[name] = col.str.contains_any(list(_ESCAPES)).any()
        elif dtype.is_float():
            checks[name] = (_small_floats(col) | col.cast(pl.Float64).is_infinite()).any()
    return checks


def _float_texts(values: pl.Series) -> pl.Series:
    """Floats as Python writes them in JSON (polars' text, but Python's below 1e-4)."""
    texts = values.to_frame().select(_float_text_expr(values.name)).to_series()
    small = values.to_frame().select(_small_floats(pl.col(values.name))).to_series()
    if small.any():
        where = small.arg_true()
        numbers = values.cast(pl.Float64).gather(where).to_list()
        texts = texts.scatter(where, [repr(v) for v in numbers])
    return texts


def _dumps_values(values: pl.Series) -> pl.Series:
    return pl.Series(values.name, [dumps_compact(v) for v in values.to_list()], dtype=pl.String)


def create_row_exprs(schema: pl.Schema, careful: Collection[str]) -> list[pl.Expr]:
    """The columns as polars' CSV writer must see them for each row to come out as JSON.

    With :func:`write_json_rows`: text quoted (and escaped as :mod:`json` escapes it when the
    column is in ``careful``), floats as doubles with NaN as null (as text written by
    :func:`_float_texts` when in ``careful``); integers, dates, flags and nulls as they are; a
    column of another type as the text :mod:`json` writes, value by value.
    """
    exprs = []
    for name, dtype in schema.items():
        col = pl.col(name)
        if dtype == pl.String:
            text = col.str.replace_many(_ESCAPES) if name in careful else col
            exprs.append(pl.concat_str(pl.lit('"'), text, pl.lit('"')).alias(name))
        elif dtype.is_float():
            if name in careful:
                exprs.append(col.map_batches(_float_texts, return_dtype=pl.String))
            else:
                exprs.append(col.cast(pl.Float64).fill_nan(None))
        elif dtype.is_integer() or dtype in (pl.Date, pl.Boolean, pl.Null):
            exprs.append(col)
        else:
            exprs.append(col.map_batches(_dumps_values, return_dtype=pl.String))
    return exprs


def write_json_rows(
    frame: pl.LazyFrame, out: BinaryIO, *, careful: Collection[str], records: int, batch_rows: int
) -> None:
    """Write the rows of ``frame`` to ``out`` as ``r1],[r2],[…rn],[`` (each ``r`` a row's values).

    Written by polars' CSV writer (``quote_style="never"``, ``,`` between values, ``],[``
    after each row, ``null`` for null, dates as ``"%Y-%m-%d"``, flags as ``true``/``false``)
    from the columns of :func:`create_row_exprs`, for one slice of ``batch_rows`` of the
    ``records`` rows after another (one ``sink_csv`` of the whole frame holds more in memory
    as the rows grow); ``careful`` names the columns whose values need escapes or Python's
    float text (:func:`compute_escape_checks`).
    """
    exprs = create_row_exprs(frame.collect_schema(), careful)
    for start in range(0, records, batch_rows):
        frame.slice(start, batch_rows).select(exprs).collect().write_csv(
            out,
            include_header=False,
            separator=",",
            line_terminator="],[",
            quote_style="never",
            null_value="null",
            date_format='"%Y-%m-%d"',
        )
