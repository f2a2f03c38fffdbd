"""One run of the whole workflow on a small simulated trial, shared by the slow test modules.

The run is made once per test session (the first module that asks for it) and reused: the
workflow acceptance tests read it, and the reproducibility test compares a second run of the
same export with it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from outcomes.cli import main
from outcomes.simulate import simulate_export

CUT = "2027-01-31"
SUBJECTS = 24
SEED = 11

_RUNS: dict[str, Path] = {}


def run_workflow(export: Path, out: Path, *options: str) -> Path:
    """``outcomes run`` of ``export`` at :data:`CUT` into ``out`` (with more command-line
    ``options``); fails the test if it fails."""
    args = ["run", "--export", str(export), "--data-cut", CUT, "--out", str(out)]
    code = main([*args, "--cores", "2", *options])
    if code != 0:
        pytest.fail(f"outcomes run failed (exit {code}); see {out}/logs")
    return out


def shared_run(factory: pytest.TempPathFactory) -> Path:
    """The session's workflow run: ``<base>/run`` of the export ``<base>/export``."""
    if "run" not in _RUNS:
        base = factory.mktemp("workflow")
        simulate_export(subjects=SUBJECTS, seed=SEED, out=base / "export")
        _RUNS["run"] = run_workflow(base / "export", base / "run")
    return _RUNS["run"]
