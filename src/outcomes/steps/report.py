"""Steps of the report rules: render_report (report.html, figures, report tables),
write_tfl_section (each TFL of a section as RTF and DOCX), write_tfl_combined (all TFLs in one
RTF and one DOCX with a table of contents) and write_manifest (manifest.json)."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

import polars as pl

from outcomes.io import atomic
from outcomes.io.spreadsheet import neutralize_csv_cells
from outcomes.report import manifest as mf
from outcomes.report.load import read_run, report_table_stems
from outcomes.report.params import ReportParams
from outcomes.report.render import build_report
from outcomes.report.tfl.catalogue import build_tfls, read_issues
from outcomes.report.tfl.writers import (
    write_combined_docx,
    write_combined_rtf,
    write_tfl_docx,
    write_tfl_rtf,
)
from outcomes.steps import StepIO, step

log = logging.getLogger("outcomes.steps.report")


def _run_relative(config: dict[str, Any]) -> dict[str, Any]:
    """The configuration as the report and manifest show it: ``data.output_dir`` is the run
    folder itself, so it is written as ``.`` (relative to the run folder) whenever it is set;
    an absolute output path would make two runs of the same export and configuration into
    different folders differ byte for byte."""
    if not config["data"].get("output_dir"):
        return config
    return {**config, "data": {**config["data"], "output_dir": "."}}


def _paths(value: object) -> list[Path]:
    items = [value] if isinstance(value, str | Path) else list(value)  # type: ignore[call-overload]
    return [Path(str(v)) for v in items]


@step
def render_report(io: StepIO) -> None:
    """Render report.html; write every figure to figures/ and every report table to tables/."""
    config = _run_relative(io.params["config"])
    params = ReportParams.from_config(config["report"])
    report_path = Path(io.outputs["report"])
    run_dir = report_path.parent
    tables = _paths(io.inputs["tables"]) if "tables" in io.inputs else None
    run = read_run(run_dir, tables=tables)
    checksums = mf.summarize_checksums(_paths(io.inputs["export"]))
    content = build_report(
        run, config=config, params=params, checksums=checksums, versions=mf.summarize_versions()
    )
    atomic.write_text(report_path, content.html)
    figures = Path(io.outputs["figures"])
    shutil.rmtree(figures, ignore_errors=True)
    figures.mkdir(parents=True)
    for name, png in sorted(content.figures.items()):
        hires, svg = (content.files or {}).get(name, (png, b""))
        atomic.write_bytes(figures / f"{name}.png", hires)
        if svg:
            atomic.write_bytes(figures / f"{name}.svg", svg)
    for stem in report_table_stems(activity_scores=params.activity_scores):
        frame = content.tables.get(stem)
        if frame is None:
            frame = pl.DataFrame(
                {
                    "NOTE": [
                        f"Not produced in this run: section not configured "
                        f"or input missing ({', '.join(run.missing)})."
                    ]
                }
            )
        atomic.write_csv(neutralize_csv_cells(frame), run_dir / "tables" / f"{stem}.csv")
    log.info(
        "report: %d sections, %d figures, %d tables; missing inputs: %s",
        len(params.section_order),
        len(content.figures),
        len(content.tables),
        ", ".join(run.missing) or "none",
    )


@step
def write_tfl_section(io: StepIO) -> None:
    """tfl/<section>/: each TFL of the section as <stem>.rtf (rtflite) and <stem>.docx."""
    out = Path(io.outputs["folder"])
    run_dir = out.parents[1]
    section = str(io.params["section"])
    tfls = build_tfls(
        read_run(run_dir, tables=[]),
        config=io.params["config"],
        issues=read_issues(run_dir),
        sections=(section,),
    )
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for tfl in tfls:
        write_tfl_rtf(tfl, out / f"{tfl.stem}.rtf")
        write_tfl_docx(tfl, out / f"{tfl.stem}.docx")
    log.info("tfl section %s: %d TFLs", section, len(tfls))


@step
def write_tfl_combined(io: StepIO) -> None:
    """tfl/tfls.rtf and tfl/tfls.docx: every TFL in TFL order after a table of contents."""
    rtf = Path(io.outputs["rtf"])
    run_dir = rtf.parents[1]
    tfls = build_tfls(
        read_run(run_dir, tables=[]),
        config=io.params["config"],
        issues=read_issues(run_dir),
    )
    work = rtf.parent / ".parts"
    write_combined_rtf(tfls, rtf, work_dir=work)
    shutil.rmtree(work, ignore_errors=True)
    write_combined_docx(tfls, Path(io.outputs["docx"]))
    log.info("combined TFLs: %d", len(tfls))


@step
def write_manifest(io: StepIO) -> None:
    """manifest.json: input SHA-256 sums, config, data cut, package and code versions."""
    manifest = mf.create_manifest(
        inputs=_paths(io.inputs["export"]), config=_run_relative(io.params["config"])
    )
    mf.write_manifest(manifest, Path(io.outputs["manifest"]))
    log.info("manifest: %d input files", len(manifest["inputs_sha256"]))
