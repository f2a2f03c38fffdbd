"""The report's figure files at scale: the same bytes as matplotlib's own writers, fewer steps.

The 300-dpi PNG encoded in a second thread equals ``savefig(format="png")``; the SVG written by
:mod:`outcomes.report.svg` equals matplotlib's SVG canvas; a censor mark sits on the step
curve; ``read_run`` reads only the columns asked for.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib.pyplot as plt
import polars as pl
import pytest
from PIL import Image

from outcomes.report import figures as fg
from outcomes.report.load import read_run, select_report_columns
from outcomes.report.svg import BACKEND

SIZE = fg.FigureSize(3.0, 2.0, 50)


def _marker_figure():
    fig, ax = plt.subplots(figsize=(SIZE.width_in, SIZE.height_in), layout="constrained")
    ax.plot([0.0, 1.0, 2.0], [1.0, 0.5, 0.25], marker="|", ls="none", ms=8, color="#444444")
    ax.plot([0.5, 1.5], [0.2, 0.4], marker="o", ls="none")
    ax.set_title("censor marks")
    return fig


def test_svg_backend__same_bytes_as_matplotlib_svg():
    meta = {"Date": None, "Creator": None}
    ours, theirs = io.BytesIO(), io.BytesIO()
    fig = _marker_figure()
    fig.savefig(theirs, format="svg", metadata=meta)
    fig.savefig(ours, format="svg", backend=BACKEND, metadata=meta)
    plt.close(fig)
    assert ours.getvalue() == theirs.getvalue()
    assert b"<use " in ours.getvalue()  # markers, as matplotlib writes them


def test_render_figure_files__300_dpi_png_has_the_pixels_savefig_writes():
    reference = io.BytesIO()
    fig = _marker_figure()
    fig.savefig(reference, format="png", dpi=fg.FILE_DPI, metadata={"Software": None})
    plt.close(fig)
    hires, svg, small = fg.render_figure_files(_marker_figure(), dpi=SIZE.dpi)
    ours, theirs = Image.open(io.BytesIO(hires)), Image.open(io.BytesIO(reference.getvalue()))
    assert ours.mode == "RGB" and theirs.mode == "RGBA"  # opaque: no alpha channel written
    assert ours.size == theirs.size == (3 * fg.FILE_DPI, 2 * fg.FILE_DPI)
    assert ours.tobytes() == theirs.convert("RGB").tobytes()
    assert ours.info["dpi"] == pytest.approx((fg.FILE_DPI, fg.FILE_DPI), abs=0.01)
    assert b"Software" not in hires
    assert svg.startswith(b"<?xml")
    assert small.startswith(b"\x89PNG\r\n\x1a\n") and len(small) < len(hires)


def test_step_value__last_point_at_or_before_each_time():
    part = pl.DataFrame({"time": [2.0, 5.0, 9.0], "estimate": [0.9, 0.6, 0.3]})
    times = [0.0, 2.0, 3.5, 5.0, 9.0, 12.0]
    assert fg._step_value(part, times, 1.0) == [1.0, 0.9, 0.9, 0.6, 0.3, 0.3]
    assert fg._step_value(part, [], 1.0) == []


def test_read_run__only_the_columns_asked_for_that_the_file_holds(tmp_path: Path):
    (tmp_path / "adam").mkdir()
    pl.DataFrame({"USUBJID": ["S1"], "PARAM": ["long label"], "AVALC": ["Y"]}).write_parquet(
        tmp_path / "adam" / "adrs.parquet"
    )
    pl.DataFrame({"USUBJID": ["S1"], "AGE": [40]}).write_parquet(tmp_path / "adam" / "adsl.parquet")
    run = read_run(tmp_path, tables=[], columns={"adrs": ["AVALC", "USUBJID", "ABSENT"]})
    assert run.get("adrs").columns == ["USUBJID", "AVALC"]
    assert run.get("adsl").columns == ["USUBJID", "AGE"]


def test_select_report_columns__advisit_gets_the_configured_scores():
    config = {"report": {"activity_scores": ["PGA"]}, "analysis": {"activity": {"params": ["C3"]}}}
    columns = select_report_columns(config)
    assert columns["advisit"][-2:] == ("PGA", "C3")
    assert "FLAREFL" in columns["advisit"] and "AVALC" in columns["adrs"]
