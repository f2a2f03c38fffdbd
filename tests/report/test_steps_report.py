"""The render_report and write_manifest steps: files written, reruns byte-identical."""

from __future__ import annotations

import json
from pathlib import Path

from outcomes.report.load import report_table_stems
from outcomes.steps import StepIO
from outcomes.steps.report import render_report, write_manifest

from .report_builders import report_config, write_run


def _io(run: Path, export: Path, config: dict, threads: int = 1) -> StepIO:
    return StepIO(
        inputs={"export": [str(p) for p in sorted(export.iterdir())]},
        outputs={"report": str(run / "report.html"), "figures": str(run / "figures")},
        params={"config": config},
        log=str(run / "logs" / "render_report.log"),
        threads=threads,
    )


def _export(tmp_path: Path) -> Path:
    export = tmp_path / "export"
    export.mkdir()
    (export / "subjects.csv").write_text("USUBJID\nS01\n")
    return export


def _snapshot(run: Path) -> dict[str, bytes]:
    files = [
        run / "report.html",
        *sorted((run / "figures").iterdir()),
        *sorted((run / "tables").iterdir()),
    ]
    return {str(p.relative_to(run)): p.read_bytes() for p in files}


def test_render_report_step__rerun_gives_identical_bytes(tmp_path):
    run, export, config = write_run(tmp_path / "run"), _export(tmp_path), report_config()
    render_report(_io(run, export, config))
    first = _snapshot(run)
    (run / "figures" / "stale.png").write_bytes(b"old")  # figures/ is rewritten as a whole
    render_report(_io(run, export, config))
    assert _snapshot(run) == first
    names = ["cif_ttdoris", "km_ttdoris", "mean_sledai2k", "rate_doris", "rate_sri4"]
    names += ["swimmer", "trajectories_sledai2k"]
    # Each figure as a 300 dpi PNG and an SVG.
    assert sorted(p.name for p in (run / "figures").iterdir()) == sorted(
        f"{n}.{ext}" for n in names for ext in ("png", "svg")
    )
    assert (run / "figures" / "km_ttdoris.svg").read_bytes().startswith(b"<?xml")
    for stem in report_table_stems(activity_scores=["SLEDAI2K"]):
        assert (run / "tables" / f"{stem}.csv").is_file()
    checksums = (run / "tables" / "report_checksums.csv").read_text()
    assert str(export / "subjects.csv") in checksums


def test_render_report_step__two_threads_write_the_files_of_one(tmp_path):
    run, export, config = write_run(tmp_path / "run"), _export(tmp_path), report_config()
    render_report(_io(run, export, config, threads=1))
    one = _snapshot(run)
    render_report(_io(run, export, config, threads=2))
    assert _snapshot(run) == one


def test_render_report_step__tables_of_skipped_sections_say_why(tmp_path):
    run, export, config = write_run(tmp_path / "run"), _export(tmp_path), report_config()
    (run / "adam" / "adrs.parquet").unlink()
    config["report"]["section_order"] = ["cover", "rates"]
    render_report(_io(run, export, config))
    note = (run / "tables" / "report_baseline.csv").read_text()
    assert note.startswith("NOTE\nNot produced in this run")
    assert "adam/adrs.parquet" in (run / "tables" / "report_rates.csv").read_text()


def test_write_manifest_step(tmp_path):
    export = _export(tmp_path)
    config = report_config()
    out = tmp_path / "run" / "manifest.json"
    write_manifest(
        StepIO(
            inputs={"export": [str(export / "subjects.csv")]},
            outputs={"manifest": str(out)},
            params={"config": config},
            log=str(tmp_path / "log"),
        )
    )
    manifest = json.loads(out.read_text())
    assert manifest["data_cut"] == "2027-01-31"
    assert list(manifest["inputs_sha256"]) == [str(export / "subjects.csv")]
