"""SAS transport (XPT) version 5 files: write a dataset with its labels, read one back.

XPT v5 knows two types, 8-byte numbers and character strings of at most 200 bytes, and no
missing character value. The transport image of a frame is therefore: integers and floats as
doubles (null and NaN = SAS missing); dates as SAS dates (days since 1960-01-01) with the ``DATE9.``
format; Boolean flags as ``Y`` / ``N`` / blank (null = not evaluable); text with null as blank
and without trailing blanks (SAS pads text with blanks, so they do not survive).
:func:`compute_transport_frame` gives that image, so a read-back can be compared value for value.

References
----------
SAS Institute, TS-140: The record layout of a SAS transport (XPORT) file, version 5.
FDA Study Data Technical Conformance Guide, §3.3.1 (SAS XPORT v5 for submissions).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import polars as pl
import pyreadstat

from outcomes.errors import OutcomesError
from outcomes.interop.metadata import CHAR_MAX, DatasetMeta
from outcomes.io import atomic


@dataclass(frozen=True)
class XptContent:
    """What an XPT file holds: the data, the column labels and the dataset name and label."""

    frame: pl.DataFrame
    labels: dict[str, str]
    formats: dict[str, str | None]
    name: str
    label: str


def compute_transport_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """The XPT v5 image of ``frame``: doubles, dates, and text with blanks for nulls."""
    exprs = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype == pl.Boolean:
            exprs.append(
                pl.when(col)
                .then(pl.lit("Y"))
                .when(~col)
                .then(pl.lit("N"))
                .otherwise(pl.lit(""))
                .alias(name)
            )
        elif dtype == pl.String:
            exprs.append(col.fill_null("").str.strip_chars_end(" ").alias(name))
        elif dtype.is_numeric():
            exprs.append(col.cast(pl.Float64).fill_nan(None).alias(name))
        else:
            exprs.append(col)
    return frame.select(exprs)


def _check_lengths(image: pl.DataFrame, dataset: str) -> None:
    for name, dtype in image.schema.items():
        if dtype != pl.String:
            continue
        longest = image.select(pl.col(name).str.len_bytes().max()).item() or 0
        if longest > CHAR_MAX:
            raise OutcomesError(
                f"write_xpt: dataset {dataset}, column {name}: a value is {longest} bytes long; "
                f"XPT v5 holds at most {CHAR_MAX}. Shorten the values or use Dataset-JSON."
            )


def _to_pandas(image: pl.DataFrame) -> pd.DataFrame:
    """Pandas frame for pyreadstat: dates as SAS day numbers (days since 1960-01-01)."""
    sas_days = [
        (pl.col(n) - pl.date(1960, 1, 1)).dt.total_days().cast(pl.Float64).alias(n)
        for n, dtype in image.schema.items()
        if dtype == pl.Date
    ]
    numbers = image.with_columns(sas_days)
    return pd.DataFrame({n: numbers.get_column(n).to_numpy() for n in numbers.columns})


#: Byte offsets of the four created/modified datetimes of the library and member headers.
_STAMPS = (80 + 64, 160, 400 + 64, 480)
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_STAMP_RE = re.compile(rb"^\d{2}[A-Z]{3}\d{2}:\d{2}:\d{2}:\d{2}$")


def compute_sas_datetime(created: dt.datetime | dt.date) -> bytes:
    """The 16-byte ``ddMMMyy:hh:mm:ss`` header datetime of ``created`` (midnight for a date)."""
    moment = created if isinstance(created, dt.datetime) else dt.datetime(*created.timetuple()[:3])
    month = _MONTHS[moment.month - 1]
    return f"{moment:%d}{month}{moment:%y:%H:%M:%S}".encode("ascii")


def _stamp(path: Path, created: dt.datetime | dt.date) -> None:
    """Overwrite the header datetimes with ``created`` so reruns write identical bytes."""
    content = bytearray(path.read_bytes())
    stamp = compute_sas_datetime(created)
    for offset in _STAMPS:
        if not _STAMP_RE.match(bytes(content[offset : offset + 16])):
            raise OutcomesError(f"write_xpt: {path}: no header datetime at byte {offset}.")
        content[offset : offset + 16] = stamp
    path.write_bytes(bytes(content))


def write_xpt(
    frame: pl.DataFrame,
    path: Path,
    *,
    meta: DatasetMeta,
    created: dt.datetime | dt.date | None = None,
) -> None:
    """Write ``frame`` as a SAS XPT v5 file with the labels and formats of ``meta``.

    Parameters
    ----------
    frame
        The dataset; its columns must be those of ``meta`` in the same order.
    path
        Output file (``<name>.xpt``).
    meta
        Dataset metadata (:func:`~outcomes.interop.metadata.create_dataset_metadata`).
    created
        Creation and modification datetime written in the headers (pass the data cut for
        byte-identical reruns); default the current time.

    Raises
    ------
    OutcomesError
        When the columns differ from the metadata, a text value exceeds 200 bytes, or the file
        does not read back with the same values and labels.
    """
    names = [v.name for v in meta.variables]
    if frame.columns != names:
        raise OutcomesError(
            f"write_xpt: dataset {meta.name}: columns {frame.columns} differ from its metadata "
            f"{names}."
        )
    image = compute_transport_frame(frame)
    _check_lengths(image, meta.name)
    with atomic.atomic_path(path) as tmp:
        pyreadstat.write_xport(
            _to_pandas(image),
            str(tmp),
            file_label=meta.label,
            column_labels=[v.label for v in meta.variables],
            table_name=meta.name,
            file_format_version=5,
            variable_format={v.name: v.display_format for v in meta.variables if v.display_format},
        )
        if created is not None:
            _stamp(tmp, created)
        _verify(tmp, image, meta=meta)


def _verify(path: Path, image: pl.DataFrame, *, meta: DatasetMeta) -> None:
    """Read the file back: values and labels must be those written.

    XPT v5 stores no record count, so trailing records that are entirely blank text cannot be
    told from padding; this check turns that silent loss into an error.
    """
    content = read_xpt(path)
    labels = {v.name: v.label for v in meta.variables}
    if content.frame.height != image.height or content.labels != labels:
        raise OutcomesError(
            f"write_xpt: dataset {meta.name} reads back with {content.frame.height} of "
            f"{image.height} records or other labels; XPT v5 cannot hold trailing records whose "
            "every value is blank text. Add a key column or use Dataset-JSON."
        )
    try:
        back = content.frame.cast(dict(image.schema), strict=True)
    except pl.exceptions.PolarsError as exc:
        raise OutcomesError(f"write_xpt: dataset {meta.name} reads back with other types.") from exc
    if not back.equals(image, null_equal=True):
        raise OutcomesError(f"write_xpt: dataset {meta.name} does not read back identically.")


def _sas_format_name(raw: str | None) -> str | None:
    """A format reference in SAS notation, ``NAMEw.d`` ending with its period (``DATE9.``).

    Readers differ in whether they keep the period (pyreadstat gives ``DATE9`` before 1.3 and
    ``DATE9.`` from 1.3); in the file itself the name and the width are separate fields.
    """
    if not raw:
        return None
    return raw if "." in raw else f"{raw}."


def read_xpt(path: Path) -> XptContent:
    """Read an XPT file (v5 or v8) with its labels; SAS dates become ``Date`` columns.

    Raises
    ------
    OutcomesError
        When the file cannot be read as SAS transport.
    """
    try:
        data, meta = pyreadstat.read_xport(str(path))
    except Exception as exc:  # pyreadstat raises its own error types for unreadable files
        raise OutcomesError(f"{path.name}: cannot be read as SAS XPT ({exc}).") from exc
    frame = pl.from_pandas(data) if len(data.columns) else pl.DataFrame()
    dates = [
        n
        for n, f in meta.original_variable_types.items()
        if f and f.upper().startswith(("DATE", "YYMMDD", "E8601DA"))
    ]
    frame = frame.with_columns([pl.col(n).cast(pl.Date) for n in dates])
    return XptContent(
        frame=frame,
        labels={k: v or "" for k, v in meta.column_names_to_labels.items()},
        formats={k: _sas_format_name(v) for k, v in meta.original_variable_types.items()},
        name=meta.table_name or path.stem.upper(),
        label=meta.file_label or "",
    )
