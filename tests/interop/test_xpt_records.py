"""XPT v5 observation records encoded with numpy: the bytes pyreadstat (ReadStat) writes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pyreadstat
import pytest

from outcomes.errors import OutcomesError
from outcomes.interop.metadata import create_dataset_metadata
from outcomes.interop.xpt import compute_image_widths, compute_transport_frame, write_xpt
from outcomes.interop.xpt_records import (
    encode_fixed_text,
    encode_flags,
    encode_ibm_doubles,
    encode_observations,
)

_OBS = b"HEADER RECORD*******OBS     HEADER RECORD!!!!!!!"


def _pyreadstat_numbers(values: np.ndarray, path: Path) -> np.ndarray:
    pyreadstat.write_xport(pd.DataFrame({"X": values}), str(path), file_format_version=5)
    content = path.read_bytes()
    start = content.index(_OBS) + 80
    return np.frombuffer(content[start : start + 8 * len(values)], np.uint8).reshape(-1, 8)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.0, "4110000000000000"),  # TS-140: 1 is 0x41 then fraction 0x1
        (-1.0, "c110000000000000"),
        (0.5, "4080000000000000"),
        (100.0, "4264000000000000"),
        (-3.25, "c134000000000000"),
        (0.0, "0000000000000000"),
        (-0.0, "0000000000000000"),
        (float("nan"), "2e00000000000000"),  # missing: '.' then zero bytes
        (2.0**62, "5040000000000000"),
        (1e-320, "0000000000000000"),  # subnormal: below the IBM range, zero as ReadStat writes
        (float("inf"), "7fffffffffffffff"),
        (float("-inf"), "ffffffffffffffff"),
    ],
)
def test_encode_ibm_doubles__hand_computed_values(value: float, expected: str):
    assert encode_ibm_doubles(np.array([value]))[0].tobytes().hex() == expected


def test_encode_ibm_doubles__the_bytes_of_pyreadstat_on_random_values(tmp_path: Path):
    rng = np.random.default_rng(20261207)
    bits = rng.integers(0, 2**64, 200_000, dtype=np.uint64).view(np.float64)
    scaled = rng.standard_normal(50_000) * 10.0 ** rng.integers(-80, 80, 50_000)
    edges = [0.0, -0.0, 1.0, -1.0, 2.0**62, 1e300, -1e300, 5e-324, 2.0**-260, 2.0**249, 1e-79]
    values = np.concatenate([bits[np.isfinite(bits)], scaled, edges, [np.nan]])
    expected = _pyreadstat_numbers(values, tmp_path / "x.xpt")
    assert (encode_ibm_doubles(values) == expected).all()


def test_encode_fixed_text__blank_padded_bytes_and_null_as_blanks():
    column = pl.Series("T", ["é", None, "ab  ", "", "肺"])
    assert encode_fixed_text(column, 3).tobytes() == (
        "é ".encode() + b"   " + b"ab " + b"   " + "肺".encode()
    )


def test_encode_fixed_text__values_of_one_length_and_all_missing():
    assert encode_fixed_text(pl.Series("T", ["ab", "cd"]), 3).tobytes() == b"ab cd "
    missing = pl.Series("T", [None, None], dtype=pl.String)
    assert encode_fixed_text(missing, 2).tobytes() == b"    "


def test_encode_fixed_text__trailing_blanks_beyond_the_width_are_dropped():
    assert encode_fixed_text(pl.Series("T", ["x   ", "yz"]), 2).tobytes() == b"x yz"


def test_encode_fixed_text__too_long_or_nul_is_an_error():
    with pytest.raises(OutcomesError, match="3 bytes long"):
        encode_fixed_text(pl.Series("T", ["abc"]), 2)
    with pytest.raises(OutcomesError, match="NUL"):
        encode_fixed_text(pl.Series("T", ["a\x00b"]), 3)


def test_encode_flags__y_n_blank():
    assert encode_flags(pl.Series("F", [True, False, None])).tobytes() == b"YN "


def test_encode_observations__unwritable_number_is_an_error():
    frame = pl.DataFrame({"X": [1.0, 2.0**250]})
    with pytest.raises(OutcomesError, match="column X"):
        encode_observations(frame, (8,), dataset="T")


def _random_frame(rows: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    words = ["", "a", "é", "肺炎", "x  y", "  lead", "Zürich", 'quote"d', "back\\slash", "tab\t"]
    text = [None if rng.random() < 0.2 else words[rng.integers(len(words))] for _ in range(rows)]
    numbers = rng.standard_normal(rows) * 10.0 ** rng.integers(-30, 30, rows)
    days = rng.integers(-30_000, 30_000, rows)
    return pl.DataFrame(
        {
            "TXT": text,
            "NUM": [None if i % 7 == 0 else float(v) for i, v in enumerate(numbers)],
            "INT": [None if i % 5 == 0 else int(v) for i, v in enumerate(days)],
            "DT": [
                None if i % 3 == 0 else dt.date(1970, 1, 1) + dt.timedelta(days=int(d))
                for i, d in enumerate(days)
            ],
            "FL": [None if i % 4 == 0 else bool(i % 2) for i in range(rows)],
            "KEY": [f"K{i}" for i in range(rows)],
        },
        schema={
            "TXT": pl.String,
            "NUM": pl.Float64,
            "INT": pl.Int64,
            "DT": pl.Date,
            "FL": pl.Boolean,
            "KEY": pl.String,
        },
    )


def test_write_xpt__the_bytes_of_one_pyreadstat_write(tmp_path: Path):
    frame = _random_frame(2_000, seed=7)
    meta = create_dataset_metadata(frame, name="RND")
    write_xpt(frame, tmp_path / "new.xpt", meta=meta, created=dt.date(2027, 1, 31))
    image = compute_transport_frame(frame)
    widths = compute_image_widths(image)
    data = image.with_columns(
        ((pl.col("DT") - pl.date(1960, 1, 1)).dt.total_days()).cast(pl.Float64)
    ).to_pandas()
    for name, width in zip(image.columns, widths, strict=True):  # each text at its width
        if image.schema[name] == pl.String:
            data.at[0, name] = data.at[0, name] + " " * (width - len(data.at[0, name].encode()))
    pyreadstat.write_xport(
        data,
        str(tmp_path / "old.xpt"),
        file_label=meta.label,
        column_labels=[v.label for v in meta.variables],
        table_name=meta.name,
        file_format_version=5,
        variable_format={v.name: v.display_format for v in meta.variables if v.display_format},
    )
    new, old = (tmp_path / "new.xpt").read_bytes(), (tmp_path / "old.xpt").read_bytes()
    start = old.index(_OBS) + 80
    assert new[start:] == old[start:]
