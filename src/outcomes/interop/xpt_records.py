"""The observation records of a SAS XPT v5 file, encoded a whole batch at once with numpy.

An XPT v5 file is a header (library, member and NAMESTR records, written by pyreadstat in
:mod:`outcomes.interop.xpt`) followed, after the OBS header record, by one record per
observation: the variables in NAMESTR order, each in its fixed number of bytes, with no
separator (TS-140, "Observation records"). This module writes those records column by column,
the bytes ReadStat's XPT writer (which pyreadstat wraps) gives value by value:

* **number**: an 8-byte IBM System/360 double, big-endian: sign bit, 7-bit exponent of 16 in
  excess 64, 56-bit fraction (TS-140, "Numeric data fields" and its routine ``ieee2xpt``). An
  IEEE double ``1.f * 2**e`` is the fraction ``1.f * 2**(e mod 4) / 16`` with the exponent
  ``floor(e / 4) + 65``: the 53 bits of the IEEE fraction, shifted left by ``e mod 4``, fit in
  the 56 bits, so the conversion is exact. As in ``ieee2xpt``, zero (and any ``e < -260``,
  below the smallest IBM double) is eight zero bytes and ``e > 248`` (an infinity) is the
  largest IBM magnitude, ``0x7F`` followed by seven ``0xFF``, with the sign.
* **missing number** (null): ``.`` (``0x2E``) followed by seven zero bytes, the standard SAS
  missing value (TS-140, "Missing values").
* **text**: the UTF-8 bytes of the value, left-aligned and padded with blanks to the variable's
  width (a missing value is all blanks).

References
----------
SAS Institute, TS-140: The record layout of a SAS version 5 or 6 data set in SAS transport
(XPORT) format (https://support.sas.com/techsup/technote/ts140.pdf).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from outcomes.errors import OutcomesError

#: Bytes of a number in an observation record.
NUMBER_BYTES = 8
_BLANK = 0x20
_SIGN = np.uint64(1 << 63)
_FRACTION = np.uint64((1 << 52) - 1)
_IMPLICIT_ONE = np.uint64(1 << 52)
_MISSING = np.uint64(0x2E << 56)
_LARGEST = np.uint64(0x7FFFFFFFFFFFFFFF)
#: Binary exponents IBM doubles hold as ReadStat writes them (``ieee2xpt``: -260 to 248).
_EXPONENT_MIN, _EXPONENT_MAX = -260, 248
#: Days from the SAS date origin (1960-01-01) to the Unix one (1970-01-01) polars counts from.
_UNIX_SAS_DAYS = (dt.date(1970, 1, 1) - dt.date(1960, 1, 1)).days


def compute_binary_exponents(values: np.ndarray) -> np.ndarray:
    """The unbiased IEEE exponent ``e`` of each float64 value (-1023 for zero and subnormals)."""
    bits = np.ascontiguousarray(values, dtype=np.float64).view(np.uint64)
    return ((bits >> np.uint64(52)) & np.uint64(0x7FF)).astype(np.int64) - 1023


def encode_ibm_doubles(values: np.ndarray) -> np.ndarray:
    """The XPT bytes of float64 ``values``: an ``(n, 8)`` array; NaN is the missing value ``.``.

    TS-140 ``ieee2xpt``: fraction ``(1.f << (e mod 4))`` in the low 56 bits, exponent
    ``floor(e / 4) + 65`` in the next 7, sign on top, most significant byte first.
    """
    floats = np.ascontiguousarray(values, dtype=np.float64)
    bits = floats.view(np.uint64)
    exponent = compute_binary_exponents(floats)
    shift = (exponent & 3).astype(np.uint64)
    fraction = ((bits & _FRACTION) | _IMPLICIT_ONE) << shift
    excess = (((exponent >> 2) + 65) & 0x7F).astype(np.uint64)
    ibm = (bits & _SIGN) | (excess << np.uint64(56)) | fraction
    ibm[exponent < _EXPONENT_MIN] = 0
    over = exponent > _EXPONENT_MAX
    ibm[over] = (bits[over] & _SIGN) | _LARGEST
    ibm[np.isnan(floats)] = _MISSING
    return ibm.astype(">u8").view(np.uint8).reshape(-1, NUMBER_BYTES)


def find_unwritable_numbers(values: np.ndarray) -> np.ndarray:
    """Finite non-zero values an IBM double written by ``ieee2xpt`` would not give back."""
    floats = np.ascontiguousarray(values, dtype=np.float64)
    exponent = compute_binary_exponents(floats)
    finite = np.isfinite(floats) & (floats != 0)
    return finite & ((exponent < _EXPONENT_MIN) | (exponent > _EXPONENT_MAX))


def encode_fixed_text(column: pl.Series, width: int) -> np.ndarray:
    """The XPT bytes of a text column: an ``(n, width)`` array, blank-padded (null: blanks).

    Trailing blanks are not part of a value in XPT (padding restores them), so a value
    longer than ``width`` only because of them fits.

    Raises
    ------
    OutcomesError
        When a value is longer than ``width`` bytes without its trailing blanks, or holds a
        NUL character (which ends a value for ReadStat's writer).
    """
    lengths = column.str.len_bytes().fill_null(0).to_numpy()
    if lengths.size and int(lengths.max()) > width:
        column = column.str.strip_chars_end(" ")
        lengths = column.str.len_bytes().fill_null(0).to_numpy()
    out = np.full((column.len(), width), _BLANK, dtype=np.uint8)
    if not lengths.size:
        return out
    if int(lengths.max()) > width:
        raise OutcomesError(
            f"write_xpt: column {column.name}: a value is {int(lengths.max())} bytes long, "
            f"wider than the variable ({width} bytes)."
        )
    text = column.str.join("", ignore_nulls=True).item() or ""
    data = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    if (data == 0).any():
        raise OutcomesError(
            f"write_xpt: column {column.name}: a value holds a NUL character, which XPT text "
            "cannot hold; remove it from the data."
        )
    shortest = int(lengths.min())
    if shortest == int(lengths.max()):  # every value of one length (or all missing)
        if shortest:
            out[:, :shortest] = data.reshape(-1, shortest)
    else:
        out[np.arange(width) < lengths[:, None]] = data
    return out


def encode_flags(column: pl.Series) -> np.ndarray:
    """The XPT bytes of a Boolean column: ``Y``, ``N``, blank for null, an ``(n, 1)`` array."""
    flag = pl.col(column.name)
    code = pl.when(flag).then(ord("Y")).when(~flag).then(ord("N")).otherwise(_BLANK)
    codes = column.to_frame().select(code.cast(pl.UInt8)).to_series()
    return codes.to_numpy().reshape(-1, 1)


def can_encode(dtype: pl.DataType) -> bool:
    """Whether :func:`encode_observations` writes columns of ``dtype``."""
    return dtype in (pl.String, pl.Boolean, pl.Date) or (dtype.is_numeric())


def _numbers(column: pl.Series) -> np.ndarray:
    if column.dtype == pl.Date:
        column = column.cast(pl.Int64) + _UNIX_SAS_DAYS
    return column.cast(pl.Float64).to_numpy()


def encode_observations(
    frame: pl.DataFrame, widths: tuple[int, ...], *, dataset: str
) -> np.ndarray:
    """The observation records of a batch of rows: an ``(n, sum(widths))`` array of bytes.

    The values are those of the XPT image (:func:`outcomes.interop.xpt.compute_transport_frame`):
    text (null as blanks), numbers as doubles (null and NaN missing), dates as SAS dates (days
    since 1960-01-01, TS-140), flags as ``Y``/``N``/blank; ``widths`` the bytes of each variable
    in a record (8 for a number).

    Raises
    ------
    OutcomesError
        When a column has another type or a number is not 8 bytes wide, a finite number is
        beyond the IBM range ReadStat writes (:func:`find_unwritable_numbers`; it would read back
        as infinite or zero), or a text value does not fit (:func:`encode_fixed_text`).
    """
    records = np.empty((frame.height, sum(widths)), dtype=np.uint8)
    offset = 0
    for (name, dtype), width in zip(frame.schema.items(), widths, strict=True):
        column = frame.get_column(name)
        block = records[:, offset : offset + width]
        offset += width
        if dtype == pl.String:
            block[:] = encode_fixed_text(column, width)
        elif dtype == pl.Boolean and width == 1:
            block[:] = encode_flags(column)
        elif can_encode(dtype) and width == NUMBER_BYTES:
            values = _numbers(column)
            unwritable = find_unwritable_numbers(values)
            if unwritable.any():
                raise OutcomesError(
                    f"write_xpt: dataset {dataset}, column {name}: the value "
                    f"{values[unwritable][0]!r} does not read back from XPT v5 (IBM doubles "
                    "written hold magnitudes from 2**-260 to below 2**249)."
                )
            block[:] = encode_ibm_doubles(values)
        else:
            raise OutcomesError(
                f"write_xpt: dataset {dataset}, column {name}: {dtype} in {width} bytes "
                "has no XPT encoding here."
            )
    return records
