"""The report rules under Snakemake: render_report and write_manifest run, and
``snakemake --report`` bundles the report, figures and tables with their captions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .report_builders import write_run

RULES = Path(__file__).resolve().parents[2] / "workflow"

SNAKEFILE = f"""
include: "{RULES}/rules/common.smk"
include: "{RULES}/rules/ingest.smk"
include: "{RULES}/rules/report.smk"

report: "{RULES}/report/workflow.rst"

rule all:
    default_target: True
    input:
        f"{{OUT}}/report.html",
        f"{{OUT}}/manifest.json",
"""


def _snakemake(work: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(work / "Snakefile"),
        "-d",
        str(work),
        "--configfile",
        str(work / "cfg.yaml"),
        "--rerun-triggers",
        "mtime",
        *args,
    ]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.slow
def test_report_rules_run_and_snakemake_report_bundles_outputs(tmp_path):
    export = tmp_path / "export"
    export.mkdir()
    for table in ("subjects", "assessments", "medications", "adverse_events", "labs"):
        (export / f"{table}.csv").write_text("USUBJID\nS01\n")
    run = write_run(tmp_path / "out")
    (run / "validation" / "issues.csv").write_text("RULE\n")
    (run / "validation" / "report.html").write_text("validation")
    (run / "transport").mkdir()
    (run / "transport" / "define.json").write_text('{"datasets": []}\n')
    for path in export.iterdir():  # the export is older than the run's datasets
        os.utime(path, (path.stat().st_mtime - 100, path.stat().st_mtime - 100))
    (tmp_path / "Snakefile").write_text(SNAKEFILE)
    (tmp_path / "cfg.yaml").write_text(
        f'data:\n  export: "{export}"\n  data_cut: "2027-01-31"\n  output_dir: "{run}"\n'
    )
    done = _snakemake(tmp_path, "--cores", "1")
    assert done.returncode == 0, done.stderr[-3000:]
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["data_cut"] == "2027-01-31" and len(manifest["inputs_sha256"]) == 5
    assert (run / "figures" / "swimmer.png").is_file()
    bundle = tmp_path / "report.zip"
    done = _snakemake(tmp_path, "--report", str(bundle))
    assert done.returncode == 0, done.stderr[-3000:]
    names = zipfile.ZipFile(bundle).namelist()
    assert any(n.endswith("report.html") for n in names)
    assert any(n.endswith("swimmer.png") for n in names)
    assert any(n.endswith("report_disposition.csv") for n in names)
