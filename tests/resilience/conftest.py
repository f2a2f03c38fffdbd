"""A small clean export shared by the property tests of this folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from outcomes.simulate import simulate_export


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An export of 8 simulated subjects (seed 5) with no validation error."""
    out = tmp_path_factory.mktemp("clean")
    simulate_export(subjects=8, seed=5, out=out)
    return out


def write_cell(clean: Path, export: Path, *, table: str, column: str, text: str) -> None:
    """A copy of ``clean`` in ``export`` with ``text`` in ``column`` of the first record of
    ``table``."""
    shutil.copytree(clean, export)
    frame = pl.read_csv(export / f"{table}.csv", infer_schema=False)
    frame = frame.with_columns(
        pl.when(pl.int_range(pl.len()) == 0)
        .then(pl.lit(text))
        .otherwise(pl.col(column))
        .alias(column)
    )
    frame.write_csv(export / f"{table}.csv")
