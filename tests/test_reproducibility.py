"""The same export and configuration give byte-identical outputs (issue 7).

Two runs of ``outcomes run`` on one simulated export (the session's shared workflow run and one
more, with ``--no-step-server``: every rule in a fresh process of its own instead of a fork of
the step server), into two different output folders, must write the same bytes to every
dataset, table, figure and report (paths relative to the run folder). Every file of the run
folder is compared except ``manifest.json``, which may differ only in its timestamp,
``config.yaml`` (the effective configuration the command line hands to Snakemake, which names
the output folder), and ``logs/`` and ``.snakemake/`` (Snakemake's bookkeeping).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from .workflow_support import run_workflow, shared_run

pytestmark = pytest.mark.slow

#: Outputs the acceptance criterion names; all must exist (other files are compared too).
REQUIRED = ("validation", "validated", "derived", "adam", "tables", "figures", "report.html")
NOT_COMPARED = ("logs", ".snakemake", "manifest.json", "config.yaml")
#: Key of manifest.json that records when the run happened.
TIME_KEYS = {"created_utc"}


def _digests(run: Path) -> dict[str, str]:
    """SHA-256 of every compared file, keyed by its path relative to the run folder."""
    missing = [name for name in REQUIRED if not (run / name).exists()]
    assert missing == [], f"{run} lacks {missing}"
    files = [
        p
        for p in sorted(run.rglob("*"))
        if p.is_file() and p.relative_to(run).parts[0] not in NOT_COMPARED
    ]
    return {
        p.relative_to(run).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files
    }


def _without_time(value: object) -> object:
    """manifest.json content with its timestamp keys removed, at any depth."""
    if isinstance(value, dict):
        return {k: _without_time(v) for k, v in value.items() if k not in TIME_KEYS}
    if isinstance(value, list):
        return [_without_time(v) for v in value]
    return value


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The session's workflow run (through the step server) and a second run of the same export
    into another folder, every rule in a process of its own."""
    first = shared_run(tmp_path_factory)
    second = run_workflow(
        first.parent / "export", tmp_path_factory.mktemp("repro") / "second", "--no-step-server"
    )
    return first, second


def test_two_runs__write_the_same_files(two_runs: tuple[Path, Path]):
    first, second = (_digests(run) for run in two_runs)
    assert len(first) > 30
    only_one = sorted(set(first) ^ set(second))
    assert only_one == [], f"files written by one run only: {only_one}"


def test_two_runs__datasets_tables_figures_and_report_are_byte_identical(
    two_runs: tuple[Path, Path],
):
    first, second = (_digests(run) for run in two_runs)
    differ = sorted(path for path in first.keys() & second.keys() if first[path] != second[path])
    assert differ == [], f"files that differ between two identical runs: {differ}"


def test_two_runs__manifest_differs_at_most_in_its_timestamp(two_runs: tuple[Path, Path]):
    first, second = (
        json.loads((run / "manifest.json").read_text(encoding="utf-8")) for run in two_runs
    )
    assert first.keys() >= TIME_KEYS
    assert _without_time(first) == _without_time(second)


def test_two_runs__no_output_names_its_run_folder(two_runs: tuple[Path, Path]):
    for run in two_runs:
        leaks = [path for path in _digests(run) if str(run).encode() in (run / path).read_bytes()]
        assert leaks == [], f"files holding the absolute run folder {run}: {leaks}"
