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
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pyreadstat

from outcomes.errors import OutcomesError
from outcomes.interop.metadata import CHAR_MAX, DatasetMeta
from outcomes.interop.xpt_records import can_encode, encode_observations
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


def compute_image_widths(image: pl.DataFrame) -> tuple[int, ...]:
    """Bytes of each variable of an XPT image in a record: 8 per number, the longest text else."""
    return tuple(
        max(int(image.get_column(n).str.len_bytes().max() or 0), 1) if t == pl.String else 8
        for n, t in image.schema.items()
    )


def _check_lengths(meta: DatasetMeta, widths: tuple[int, ...]) -> None:
    for var, width in zip(meta.variables, widths, strict=True):
        if width > CHAR_MAX and var.data_type in ("string", "boolean"):
            raise OutcomesError(
                f"write_xpt: dataset {meta.name}, column {var.name}: a value is {width} bytes "
                f"long; XPT v5 holds at most {CHAR_MAX}. Shorten the values or use Dataset-JSON."
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


def _stamp(header: bytes, created: dt.datetime | dt.date, path: Path) -> bytes:
    """The header with its datetimes set to ``created``, so reruns write identical bytes."""
    content = bytearray(header)
    stamp = compute_sas_datetime(created)
    for offset in _STAMPS:
        if not _STAMP_RE.match(bytes(content[offset : offset + 16])):
            raise OutcomesError(f"write_xpt: {path}: no header datetime at byte {offset}.")
        content[offset : offset + 16] = stamp
    return bytes(content)


#: The header record after which the observations of an XPT v5 file start.
_OBS_HEADER = b"HEADER RECORD*******OBS     HEADER RECORD!!!!!!!"
_RECORD = 80


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
    widths = compute_image_widths(compute_transport_frame(frame))
    write_xpt_batches([frame], path, meta=meta, widths=widths, created=created)


def write_xpt_batches(
    batches: Iterable[pl.DataFrame],
    path: Path,
    *,
    meta: DatasetMeta,
    widths: tuple[int, ...],
    created: dt.datetime | dt.date | None = None,
) -> None:
    """Write a dataset given in batches of rows as one SAS XPT v5 file, batch by batch.

    Memory holds one batch, whatever the number of rows. The header records are pyreadstat's,
    written for the first row with every text variable at its width for the whole dataset (the
    value padded with blanks, which is how XPT stores text) and read back; the observations of
    each batch are encoded with numpy (:func:`~outcomes.interop.xpt_records.encode_observations`),
    and the first record must be the one pyreadstat wrote. The file is the header and the
    observations of the batches, padded with blanks to a whole 80-byte record: the bytes of one
    pyreadstat write of all rows. A dataset with a column of another type than text, number,
    date or flag is encoded by pyreadstat batch by batch and read back.

    Parameters
    ----------
    batches
        The rows in order; each batch has the columns of ``meta`` in the same order.
    path, meta, created
        As for :func:`write_xpt`.
    widths
        Bytes of each variable in a record, over all rows (:func:`compute_image_widths`, or
        :func:`~outcomes.interop.xpt_fit.compute_xpt_widths` from a profile of the batches).

    Raises
    ------
    OutcomesError
        As :func:`write_xpt`.
    """
    names = [v.name for v in meta.variables]
    _check_lengths(meta, widths)
    size = sum(widths)
    total = 0
    last = b""
    with atomic.atomic_path(path) as tmp, tempfile.TemporaryDirectory() as scratch:
        batch_path = Path(scratch) / "batch.xpt"
        with tmp.open("wb") as out:
            empty: pl.DataFrame | None = None
            for frame in batches:
                if frame.columns != names:
                    raise OutcomesError(
                        f"write_xpt: dataset {meta.name}: columns {frame.columns} differ from its "
                        f"metadata {names}."
                    )
                if frame.height == 0:
                    empty = frame
                    continue
                header, data = _encode_batch(
                    frame, batch_path, meta=meta, widths=widths, first=total == 0
                )
                if total == 0:
                    out.write(header if created is None else _stamp(header, created, path))
                out.write(data)
                last = bytes(data[-size:])
                total += frame.height
            if total == 0:
                if empty is None:
                    raise OutcomesError(f"write_xpt: dataset {meta.name}: no batch of rows given.")
                header, _ = _encode(compute_transport_frame(empty), batch_path, meta, widths)
                out.write(header if created is None else _stamp(header, created, path))
            out.write(b" " * (-total * size % _RECORD))
        _check_last_record(last, total, meta=meta)


def _encode_batch(
    frame: pl.DataFrame, path: Path, *, meta: DatasetMeta, widths: tuple[int, ...], first: bool
) -> tuple[bytes, np.ndarray]:
    """The observations of one batch (records one after another) and, for the first, the header.

    The header comes with the first batch (else it is empty): pyreadstat's for its first row,
    whose record must be the first one encoded here.
    """
    if not all(can_encode(dtype) for dtype in frame.schema.values()):
        header, data = _encode(compute_transport_frame(frame), path, meta, widths)
        return header if first else b"", np.frombuffer(data, dtype=np.uint8)
    records = encode_observations(frame, widths, dataset=meta.name)
    if not first:
        return b"", records.reshape(-1)
    header, record = _encode(compute_transport_frame(frame.head(1)), path, meta, widths)
    if records[0].tobytes() != record:
        raise OutcomesError(
            f"write_xpt: dataset {meta.name}: the first record differs from the one pyreadstat "
            "writes (variable widths or types disagree with the header)."
        )
    return header, records.reshape(-1)


def _encode(
    image: pl.DataFrame, path: Path, meta: DatasetMeta, widths: tuple[int, ...]
) -> tuple[bytes, bytes]:
    """The XPT header and the observations of ``image``, written by pyreadstat and read back."""
    _write_image(image, path, meta=meta, widths=widths)
    _verify(path, image, meta=meta, complete=False)
    content = path.read_bytes()
    start = content.index(_OBS_HEADER) + _RECORD
    return content[:start], content[start : start + image.height * sum(widths)]


def _write_image(
    image: pl.DataFrame, path: Path, *, meta: DatasetMeta, widths: tuple[int, ...]
) -> None:
    """One pyreadstat write of ``image``, each text variable at its given width."""
    data = _to_pandas(image)
    if len(data):
        for (name, dtype), width in zip(image.schema.items(), widths, strict=True):
            if dtype == pl.String:
                value = data.at[0, name]
                data.at[0, name] = value + " " * (width - len(value.encode("utf-8")))
    pyreadstat.write_xport(
        data,
        str(path),
        file_label=meta.label,
        column_labels=[v.label for v in meta.variables],
        table_name=meta.name,
        file_format_version=5,
        variable_format={v.name: v.display_format for v in meta.variables if v.display_format},
    )


def _verify(path: Path, image: pl.DataFrame, *, meta: DatasetMeta, complete: bool = True) -> None:
    """Read the file back: values and labels must be those written.

    XPT v5 stores no record count, so trailing records that are entirely blank text cannot be
    told from padding; with ``complete`` this check turns that silent loss into an error,
    without it (a batch within the file) such trailing records are only checked to be blank.
    """
    content = read_xpt(path)
    labels = {v.name: v.label for v in meta.variables}
    read = content.frame.height
    rest = image.slice(read)
    blank = rest.height == 0 or (
        not complete
        and all(t == pl.String for t in rest.schema.values())
        and rest.select(pl.all().str.len_bytes().max()).row(0) == (0,) * rest.width
    )
    if read > image.height or not blank or content.labels != labels:
        raise OutcomesError(
            f"write_xpt: dataset {meta.name} reads back with {read} of "
            f"{image.height} records or other labels; XPT v5 cannot hold trailing records whose "
            "every value is blank text. Add a key column or use Dataset-JSON."
        )
    try:
        back = content.frame.cast(dict(image.schema), strict=True)
    except pl.exceptions.PolarsError as exc:
        raise OutcomesError(f"write_xpt: dataset {meta.name} reads back with other types.") from exc
    if not back.equals(image.head(read), null_equal=True):
        raise OutcomesError(f"write_xpt: dataset {meta.name} does not read back identically.")


def _check_last_record(last: bytes, records: int, *, meta: DatasetMeta) -> None:
    """The last record is not all blanks: readers take trailing blank records for padding.

    XPT v5 stores no record count; ReadStat (pyreadstat) drops the records that are entirely
    blank at the end of a file, so a file ending with one would read back with fewer records.
    """
    if records and not last.strip(b" "):
        raise OutcomesError(
            f"write_xpt: dataset {meta.name} reads back with {records - 1} of "
            f"{records} records; XPT v5 cannot hold trailing records whose every value is "
            "blank text. Add a key column or use Dataset-JSON."
        )


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
