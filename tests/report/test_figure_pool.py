"""Figures rendered in forked children: the same files and page as rendered in the process."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from outcomes.report import figures as fg
from outcomes.report.figure_pool import FigurePool
from outcomes.report.load import read_run
from outcomes.report.params import ReportParams
from outcomes.report.render import build_report
from outcomes.report.sections import figure_marker

from .report_builders import report_config


def _figure(title: str):
    fig, ax = plt.subplots(figsize=(3.0, 2.0), layout="constrained")
    ax.plot([0.0, 1.0, 2.0], [1.0, 0.5, 0.25], marker="|", ls="none", ms=8)
    ax.step([0.0, 1.0, 2.0], [1.0, 0.8, 0.4], where="post", label="DL1")
    ax.legend()
    ax.set_title(title)
    return fig


def _render(workers: int) -> dict[str, tuple[bytes, bytes, bytes]]:
    pool = FigurePool(workers=workers, dpi=50)
    for title in ("first", "second", "third"):
        pool.submit(title, _figure(title))
    return pool.results()


def test_figure_pool__two_workers_write_the_bytes_of_one():
    one, two = _render(1), _render(2)
    assert sorted(two) == ["first", "second", "third"]
    assert two == one
    reference = fg.render_figure_files(_figure("second"), dpi=50)
    assert two["second"] == reference


def test_figure_pool__results_of_no_figure_is_empty():
    assert FigurePool(workers=2, dpi=50).results() == {}


def test_build_report__same_page_and_files_with_one_and_two_workers(run_dir):
    config = report_config()
    run = read_run(run_dir)

    def build(workers: int):
        return build_report(
            run,
            config=config,
            params=ReportParams.from_config(config["report"]),
            checksums={"export/subjects.csv": "ab" * 32},
            versions={"polars": "x"},
            workers=workers,
        )

    one, two = build(1), build(2)
    assert one.figures  # the hand-built run draws figures
    assert two.html == one.html
    assert two.figures == one.figures
    assert two.files == one.files
    assert "<!--figure:" not in two.html
    assert figure_marker("swimmer") == "<!--figure:swimmer-->"


def test_figure_pool__a_child_failure_names_the_figure():
    pool = FigurePool(workers=2, dpi=50)
    pool.submit("not_a_figure", "no such figure")
    with pytest.raises(RuntimeError, match="figure not_a_figure: AttributeError"):
        pool.results()
