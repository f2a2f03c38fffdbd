"""Dataset-JSON rows streamed by polars: the bytes ``json.dumps`` gives the rows."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from outcomes.interop.dataset_json import write_dataset_json
from outcomes.interop.metadata import create_dataset_metadata


def _rows_text(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text[text.index('"rows":') + len('"rows":') : -len("}\n")]


def _python_rows(rows: list[list[object]]) -> str:
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"), allow_nan=True)


def _write(frame: pl.DataFrame, path: Path) -> None:
    meta = create_dataset_metadata(frame, name="RND")
    write_dataset_json(frame, path, meta=meta, created=dt.date(2027, 1, 31), study_oid="S")


def test_write_dataset_json__plain_rows_hand_typed(tmp_path: Path):
    frame = pl.DataFrame(
        {
            "T": ["a,b", None, ""],
            "I": [1, None, -3],
            "D": [dt.date(1899, 12, 31), None, dt.date(2025, 1, 2)],
            "B": [True, None, False],
            "F": [1e300, float("nan"), -0.0],
        }
    )
    _write(frame, tmp_path / "a.json")
    assert _rows_text(tmp_path / "a.json") == (
        '[["a,b",1,"1899-12-31",true,1e+300],[null,null,null,null,null],'
        '["",-3,"2025-01-02",false,-0.0]]'
    )


def test_write_dataset_json__escapes_and_python_floats_hand_typed(tmp_path: Path):
    frame = pl.DataFrame(
        {
            "T": ['say "hi"', "back\\slash", "line\nnext\x01", "é肺"],
            "F": [1e-05, 5e-07, float("inf"), 0.0001],
        }
    )
    _write(frame, tmp_path / "a.json")
    assert _rows_text(tmp_path / "a.json") == (
        '[["say \\"hi\\"",1e-05],["back\\\\slash",5e-07],'
        '["line\\nnext\\u0001",Infinity],["é肺",0.0001]]'
    )


def test_write_dataset_json__no_rows(tmp_path: Path):
    _write(pl.DataFrame(schema={"T": pl.String, "I": pl.Int64}), tmp_path / "a.json")
    assert _rows_text(tmp_path / "a.json") == "[]"


@pytest.mark.parametrize("special", [False, True])
def test_write_dataset_json__the_bytes_of_json_dumps_on_random_values(
    tmp_path: Path, special: bool
):
    rng = np.random.default_rng(11 + special)
    rows = 20_000
    alphabet = [chr(c) for c in range(0x20, 0x7F)] + ["é", "肺", "\u2028", "😀", "\x7f"]
    if special:
        alphabet += [chr(c) for c in range(0x20)] + ['"', "\\"]
    else:
        alphabet = [c for c in alphabet if c not in '"\\']
    text = [
        None
        if rng.random() < 0.1
        else "".join(rng.choice(alphabet, size=int(rng.integers(0, 12))).tolist())
        for _ in range(rows)
    ]
    bits = rng.integers(0, 2**64, rows, dtype=np.uint64).view(np.float64)
    scaled = rng.standard_normal(rows) * 10.0 ** rng.integers(-3 if not special else -30, 30, rows)
    numbers = np.where(rng.random(rows) < 0.5, scaled, bits)
    if not special:
        numbers = np.where(np.isfinite(numbers) & (np.abs(numbers) >= 1e-4), numbers, 1.5)
    floats = [None if i % 9 == 0 else float(v) for i, v in enumerate(numbers)]
    frame = pl.DataFrame(
        {
            "T": text,
            "F": floats,
            "F32": [None if v is None else v for v in floats],
            "I": [
                None if i % 6 == 0 else int(v)
                for i, v in enumerate(rng.integers(-(2**62), 2**62, rows))
            ],
            "D": [
                None if i % 5 == 0 else dt.date(1, 1, 1) + dt.timedelta(days=int(d))
                for i, d in enumerate(rng.integers(0, 3_000_000, rows))
            ],
            "B": [None if i % 4 == 0 else bool(i % 3) for i in range(rows)],
        },
        schema={
            "T": pl.String,
            "F": pl.Float64,
            "F32": pl.Float32,
            "I": pl.Int64,
            "D": pl.Date,
            "B": pl.Boolean,
        },
    )
    _write(frame, tmp_path / "a.json")
    expected = [
        [
            None if isinstance(v, float) and v != v else v
            for v in (d.isoformat() if isinstance(d, dt.date) else d for d in row)
        ]
        for row in frame.rows()
    ]
    assert _rows_text(tmp_path / "a.json") == _python_rows(expected)
