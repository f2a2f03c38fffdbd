"""Benchmark: validation of a 100,000-subject simulated export (acceptance: under 15 s on a
2-core machine). Not collected by pytest; run ``python tests/validate/benchmark_validation.py``.

Prints the row counts, the wall-clock and CPU seconds of ``validate_export`` and the issue counts.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

from outcomes.config import DEFAULT_CONFIG, read_config_file
from outcomes.simulate import simulate_export
from outcomes.validate import validate_export


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main(subjects: int = 100_000) -> None:
    """Simulate an export of ``subjects`` subjects and time its validation."""
    config = read_config_file(DEFAULT_CONFIG)
    with tempfile.TemporaryDirectory() as tmp:
        result = simulate_export(subjects=subjects, seed=7, out=Path(tmp))
        print(result.summary())
        wall, cpu = time.perf_counter(), _cpu_seconds()
        report = validate_export(Path(tmp), config=config, data_cut=None)
        wall, cpu = time.perf_counter() - wall, _cpu_seconds() - cpu
    print(report.summary())
    print(f"validate_export: {wall:.1f} s wall-clock, {cpu:.1f} s CPU")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
