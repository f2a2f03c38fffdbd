"""Fit a dataset to what SAS XPT v5 can hold, so that transport never fails a validated run.

XPT v5 holds text of at most 200 bytes per variable and numbers as IBM System/360 doubles.

* **Long text is split, not truncated** (the CDISC convention for text over 200 characters:
  SDTMIG v3.4 §4.5.3.2, ADaMIG v1.3 §3.1.4): the first 200 bytes stay in the variable
  (``AETERM``), the rest goes to numbered continuation variables (``AETERM1``, ``AETERM2``, …),
  each cut before the last space within 200 bytes (the space opens the next part; a chunk with
  no space is cut at a character boundary), so that concatenating the variables gives the value
  back and no word or multi-byte character is cut. Splitting keeps every byte of the data in the
  submission file; truncation would lose text that a reviewer of the XPT file cannot recover.
  The name of a continuation variable keeps the 8-character limit: the base name is shortened
  to make room for the digit.
* **Numbers beyond the IBM range** (magnitude above about 7.2e75, or non-zero below about
  5.4e-79) cannot be written; they are written as missing in the XPT file and named in the
  step's log. Validation already warns about them (TRN-002). IEEE infinities are missing too.

Dataset-JSON has none of these limits and always keeps the full values.

References
----------
SAS Institute, TS-140: The record layout of a SAS transport (XPORT) file (IBM floating point).
CDISC SDTM Implementation Guide v3.4, §4.5.3.2 Text strings that exceed 200 characters.
"""

from __future__ import annotations

import dataclasses

import polars as pl

from outcomes.contract import XPT_NUMBER_MAX, XPT_NUMBER_MIN
from outcomes.interop.metadata import CHAR_MAX, LABEL_MAX, DatasetMeta, VariableMeta

#: Longest variable name of XPT v5.
NAME_MAX = 8


def split_text(value: str, limit: int = CHAR_MAX) -> list[str]:
    """Split ``value`` into chunks of at most ``limit`` UTF-8 bytes at word boundaries.

    A chunk ends before the last run of spaces that fits, and the next chunk starts with it
    (XPT drops trailing blanks, keeps leading ones); a run of text without a space is cut at
    the last whole character that fits. ``"".join(chunks) == value``.
    """
    chunks = []
    rest = value
    while len(rest.encode("utf-8")) > limit:
        head = rest.encode("utf-8")[:limit].decode("utf-8", errors="ignore")
        cut = head.rfind(" ")
        while cut > 0 and head[cut - 1] == " ":
            cut -= 1
        cut = cut if cut > 0 else len(head)
        chunks.append(rest[:cut])
        rest = rest[cut:]
    chunks.append(rest)
    return chunks


def _continuation_name(base: str, k: int, taken: set[str]) -> str:
    suffix = str(k)
    name = base[: NAME_MAX - len(suffix)] + suffix
    while name in taken:  # a shortened base may meet an existing variable: shorten further
        base = base[:-1]
        name = base[: NAME_MAX - len(suffix)] + suffix
    return name


def _split_column(
    frame: pl.DataFrame, var: VariableMeta, taken: set[str]
) -> tuple[list[pl.Series], list[VariableMeta]]:
    parts = frame.get_column(var.name).map_elements(
        split_text, return_dtype=pl.List(pl.String), skip_nulls=True
    )
    count = int(parts.list.len().max() or 1)
    series, variables = [], []
    for k in range(count):
        name = var.name if k == 0 else _continuation_name(var.name, k, taken)
        taken.add(name)
        chunk = parts.list.get(k, null_on_oob=True).alias(name)
        longest = int(chunk.str.len_bytes().max() or 1)
        label = var.label if k == 0 else f"{var.label[: LABEL_MAX - 8]} (part {k + 1})"
        series.append(chunk)
        variables.append(dataclasses.replace(var, name=name, label=label, length=longest))
    return series, variables


def fit_to_xpt(
    frame: pl.DataFrame, meta: DatasetMeta
) -> tuple[pl.DataFrame, DatasetMeta, list[str]]:
    """The dataset and metadata as XPT v5 can hold them, and one note per change made.

    Parameters
    ----------
    frame
        The dataset, its columns those of ``meta`` in order.
    meta
        Its metadata (:func:`~outcomes.interop.metadata.create_dataset_metadata`).
    """
    taken = set(frame.columns)
    columns: list[pl.Series] = []
    variables: list[VariableMeta] = []
    notes: list[str] = []
    for var in meta.variables:
        col = frame.get_column(var.name)
        if col.dtype == pl.String and int(col.str.len_bytes().max() or 0) > CHAR_MAX:
            series, split = _split_column(frame, var, taken)
            columns += series
            variables += split
            longest = int(col.str.len_bytes().max() or 0)
            notes.append(
                f"{meta.name}.{var.name}: text up to {longest} bytes split over "
                f"{', '.join(v.name for v in split)} (XPT v5 holds {CHAR_MAX} bytes)"
            )
            continue
        if col.dtype.is_numeric() and col.dtype != pl.Boolean:
            number = col.cast(pl.Float64)
            size = number.abs()
            unfit = (size > XPT_NUMBER_MAX) | ((size < XPT_NUMBER_MIN) & (size > 0))
            count = int(unfit.fill_null(False).sum())
            if count:
                col = pl.select(
                    pl.when(unfit).then(None).otherwise(number).alias(var.name)
                ).to_series()
                notes.append(
                    f"{meta.name}.{var.name}: {count} value(s) of a magnitude XPT v5 cannot hold "
                    f"(beyond {XPT_NUMBER_MIN:.3g} to {XPT_NUMBER_MAX:.3g}) written as missing; "
                    "Dataset-JSON keeps them"
                )
        columns.append(col)
        variables.append(var)
    fitted = pl.DataFrame(columns)
    return fitted, dataclasses.replace(meta, variables=tuple(variables)), notes
