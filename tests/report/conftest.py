"""Fixtures of the report tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from .report_builders import write_run


@pytest.fixture()
def run_dir(tmp_path: Path) -> Path:
    """A hand-built run folder (see report_builders)."""
    return write_run(tmp_path / "run")
