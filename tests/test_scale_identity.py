"""At 10,000 subjects, the whole workflow's outputs equal those of the code before the scale work.

The digests in ``data/scale10k/digests.json`` were taken from ``outcomes run`` of the code before
the optimisations for 100,000 subjects (the run of ``benchmarks/workflow.py --sizes 10000`` at
commit 3b3bdea): the export of ``outcomes.simulate.simulate_export(subjects=10000,
seed=20260701)`` (the benchmarks' export) at the data cut of ``tests/workflow_support.py``
(2027-01-31, as in the benchmark). The test runs the same
export through the current code and compares every data output: the validation files, the typed
tables, every derived and ADaM dataset, every analysis table, the report's tables and the
transport files. Parquet files are compared by content (schema and every value, written as
CSV), the others byte for byte.

To regenerate after a deliberate change of an output (say which and why in the commit)::

    python tests/test_scale_identity.py <run folder> > tests/data/scale10k/digests.json
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import polars as pl
import pytest

DIGESTS = Path(__file__).parent / "data" / "scale10k" / "digests.json"
SUBJECTS = 10_000
SEED = 20260701
#: Data outputs compared (globs under the run folder). Not compared: the report's HTML and
#: figures, the RTF/DOCX TFLs (documents, whose layout is free to improve), the manifest and
#: the logs (they record times and paths).
PATTERNS = (
    "validation/issues.csv",
    "validation/excluded.csv",
    "validation/resolved.csv",
    "validated/*.parquet",
    "derived/*.parquet",
    "adam/*.parquet",
    "tables/*.csv",
    "transport/*.xpt",
    "transport/*.json",
)
#: Report tables that describe the run, not the data (software versions, file checksums, the
#: settings with the export's path).
RUN_DESCRIPTIONS = frozenset(
    {"tables/report_versions.csv", "tables/report_checksums.csv", "tables/report_settings.csv"}
)


def compute_output_digests(run: Path) -> dict[str, str]:
    """SHA-256 of every compared output of ``run``, by path relative to ``run``."""
    digests = {}
    for pattern in PATTERNS:
        for path in sorted(run.glob(pattern)):
            name = path.relative_to(run).as_posix()
            if name in RUN_DESCRIPTIONS:
                continue
            if path.suffix == ".parquet":
                frame = pl.read_parquet(path)
                content = (repr(frame.schema) + "\n" + frame.write_csv()).encode("utf-8")
            else:
                content = path.read_bytes()
            digests[name] = hashlib.sha256(content).hexdigest()
    return digests


@pytest.mark.slow
def test_outputs_at_10k_equal_those_before_the_scale_work(tmp_path: Path):
    from outcomes.simulate import simulate_export
    from tests.workflow_support import CUT, run_workflow

    assert CUT == "2027-01-31", "the data cut of the run the digests were taken from"
    simulate_export(subjects=SUBJECTS, seed=SEED, out=tmp_path / "export")
    run = run_workflow(tmp_path / "export", tmp_path / "run")
    expected = json.loads(DIGESTS.read_text(encoding="utf-8"))
    got = compute_output_digests(run)
    assert sorted(got) == sorted(expected), "the same output files"
    differing = sorted(name for name in expected if got[name] != expected[name])
    assert differing == [], f"outputs that differ from the code before: {differing}"


if __name__ == "__main__":
    print(json.dumps(compute_output_digests(Path(sys.argv[1])), indent=1, sort_keys=True))
