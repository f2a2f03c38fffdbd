"""Builders for tiny hand-typed medication frames and the shipped (spec-default) parameters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

import polars as pl
import pytest

from outcomes.config import DEFAULT_CONFIG, read_config_file
from outcomes.drugs.params import MedicationParams

MED_SCHEMA: dict[str, pl.DataType] = {
    "USUBJID": pl.String(),
    "CMSEQ": pl.Int64(),
    "CMTRT": pl.String(),
    "CMCLAS": pl.String(),
    "CMDOSE": pl.Float64(),
    "CMDOSU": pl.String(),
    "CMDOSFRQ": pl.String(),
    "CMROUTE": pl.String(),
    "CMINDC": pl.String(),
    "CMSTDT": pl.Date(),
    "CMENDT": pl.Date(),
}
CUT = dt.date(2026, 1, 31)


def d(text: str | None) -> dt.date | None:
    """A date from ISO text (None stays None)."""
    return None if text is None else dt.date.fromisoformat(text)


@pytest.fixture(scope="session")
def section() -> dict[str, Any]:
    """The shipped medications section (endpoints.md defaults)."""
    return read_config_file(DEFAULT_CONFIG)["medications"]


@pytest.fixture(scope="session")
def params(section: dict[str, Any]) -> MedicationParams:
    return MedicationParams.from_config(section)


@pytest.fixture()
def meds() -> Callable[[Iterable[tuple[Any, ...]]], pl.LazyFrame]:
    """Rows (USUBJID, CMSEQ, CMTRT, CMCLAS, CMDOSE, CMDOSU, CMDOSFRQ, CMROUTE, CMINDC, CMSTDT,
    CMENDT) with ISO date text → a typed medications LazyFrame with ROW, SRCDOM, SRCSEQ."""

    def build(rows: Iterable[tuple[Any, ...]]) -> pl.LazyFrame:
        typed = [(*r[:9], d(r[9]), d(r[10])) for r in rows]
        frame = pl.LazyFrame(typed, schema=MED_SCHEMA, orient="row")
        return frame.with_columns(
            pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("ROW"),
            pl.lit("MEDICATIONS").alias("SRCDOM"),
            pl.col("CMSEQ").alias("SRCSEQ"),
        )

    return build


@pytest.fixture()
def subjects() -> Callable[..., pl.LazyFrame]:
    """{USUBJID: INFDT text} → subjects LazyFrame (USUBJID, INFDT)."""

    def build(infusions: dict[str, str | None]) -> pl.LazyFrame:
        return pl.LazyFrame(
            {"USUBJID": list(infusions), "INFDT": [d(v) for v in infusions.values()]},
            schema={"USUBJID": pl.String(), "INFDT": pl.Date()},
        )

    return build
