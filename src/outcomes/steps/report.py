"""Steps of the report rules: render_report (report.html, figures, report tables), write_tfls
(each TFL of each section as RTF and DOCX, and all TFLs in one RTF and one DOCX with a table of
contents) and write_manifest (manifest.json).

Each step imports what it runs inside its function: the manifest's process does not load the
report's plotting and statistics libraries (``outcomes.imports`` still lists every module a
function imports as the rule's code inputs).
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path
from typing import Any

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
    import polars as pl

    from outcomes.interop.metadata import summarize_transport_datasets
    from outcomes.io import atomic
    from outcomes.io.spreadsheet import neutralize_csv_cells
    from outcomes.report import manifest as mf
    from outcomes.report.load import read_run, report_table_stems, select_report_columns
    from outcomes.report.params import ReportParams
    from outcomes.report.render import build_report

    config = _run_relative(io.params["config"])
    params = ReportParams.from_config(config["report"])
    report_path = Path(io.outputs["report"])
    run_dir = report_path.parent
    tables = _paths(io.inputs["tables"]) if "tables" in io.inputs else None
    # the transport list from the datasets themselves: the report does not wait for the files
    transport = (
        summarize_transport_datasets(_paths(io.inputs["adam"])) if "adam" in io.inputs else None
    )
    run = read_run(
        run_dir, tables=tables, columns=select_report_columns(config), transport=transport
    )
    checksums = mf.summarize_checksums(_paths(io.inputs["export"]))
    content = build_report(
        run,
        config=config,
        params=params,
        checksums=checksums,
        versions=mf.summarize_versions(),
        workers=io.threads,
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
def write_tfls(io: StepIO) -> None:
    """tfl/<section>/: each TFL of a section as <stem>.rtf (rtflite) and <stem>.docx; tfl/tfls.rtf
    and tfl/tfls.docx: every TFL in TFL order after a table of contents.

    Each table is built once; the combined RTF assembles the sections' RTF files and the combined
    DOCX copies the sections' DOCX content (the same bytes as encoding each table again).
    """
    from outcomes.report.tfl.catalogue import (
        build_tfl_sections,
        order_tfls,
        read_issues,
        read_tfl_run,
    )
    from outcomes.report.tfl.writers import (
        write_combined_docx,
        write_combined_rtf,
        write_tfl_docx,
        write_tfl_rtf,
    )

    rtf = Path(io.outputs["rtf"])
    run_dir = rtf.parents[1]
    sections = build_tfl_sections(
        read_tfl_run(run_dir),
        config=io.params["config"],
        issues=read_issues(run_dir, rule_prefix="ELG"),
    )
    written: dict[str, Path] = {}
    documents: dict[str, object] = {}
    for section, tfls in sections.items():
        out = Path(io.outputs[section])
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        for tfl in tfls:
            written[tfl.stem] = out / f"{tfl.stem}.rtf"
            write_tfl_rtf(tfl, written[tfl.stem])
            documents[tfl.stem] = write_tfl_docx(tfl, out / f"{tfl.stem}.docx")
        log.info("tfl section %s: %d TFLs", section, len(tfls))
    combined = order_tfls([tfl for tfls in sections.values() for tfl in tfls])
    work = rtf.parent / ".parts"
    write_combined_rtf(combined, rtf, work_dir=work, written=written)
    shutil.rmtree(work, ignore_errors=True)
    write_combined_docx(combined, Path(io.outputs["docx"]), written=documents)
    log.info("combined TFLs: %d", len(combined))


@step
def write_manifest(io: StepIO) -> None:
    """manifest.json: input SHA-256 sums, config, data cut, package and code versions."""
    from outcomes.report import manifest as mf

    manifest = mf.create_manifest(
        inputs=_paths(io.inputs["export"]), config=_run_relative(io.params["config"])
    )
    mf.write_manifest(manifest, Path(io.outputs["manifest"]))
    log.info("manifest: %d input files", len(manifest["inputs_sha256"]))
