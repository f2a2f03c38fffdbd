"""Simulated exports shared by the simulator tests (written once per session)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from outcomes.io.export import read_export
from outcomes.simulate import SimulationResult, simulate_export


@dataclass(frozen=True)
class Export:
    result: SimulationResult
    tables: dict[str, pl.DataFrame]


def _simulate(folder: Path, **kwargs: object) -> Export:
    result = simulate_export(out=folder, **kwargs)  # type: ignore[arg-type]
    return Export(result, read_export(folder))


@pytest.fixture(scope="session")
def sim600(tmp_path_factory: pytest.TempPathFactory) -> Export:
    """600 subjects, fixed seed: large enough for rates per dose level."""
    return _simulate(tmp_path_factory.mktemp("sim600"), subjects=600, seed=12345)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Export:
    """The demo trial: 48 subjects, seed 20260701."""
    return _simulate(tmp_path_factory.mktemp("demo"), subjects=48, seed=20260701)


@pytest.fixture(scope="session")
def early_cut(tmp_path_factory: pytest.TempPathFactory) -> Export:
    """An early export (as of 2026-01-31): partial follow-up, subjects not yet consented."""
    return _simulate(
        tmp_path_factory.mktemp("early"), subjects=200, seed=7, as_of=dt.date(2026, 1, 31)
    )
