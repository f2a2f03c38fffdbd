"""Per-subject figures draw at most report.figure_max_subjects subjects and say so."""

from __future__ import annotations

import polars as pl

from outcomes.report import figures as fg
from outcomes.report.load import read_run
from outcomes.report.params import ReportParams
from outcomes.report.render import render_report
from outcomes.report.sampling import describe_figure_sample, select_figure_subjects

from .report_builders import SUBJECTS, _advisit, report_config, write_run

SIZE = fg.FigureSize(4.0, 3.0, 50)
TEN = [f"S{i:02d}" for i in range(1, 11)]


def test_select_figure_subjects__at_most_the_maximum_keeps_everyone_sorted():
    chosen = select_figure_subjects(pl.Series(["S3", "S1", "S3", None, "S2"]), max_subjects=3)
    assert chosen.to_list() == ["S1", "S2", "S3"]


def test_select_figure_subjects__above_the_maximum_a_sample_of_that_size():
    chosen = select_figure_subjects(pl.Series(TEN), max_subjects=4).to_list()
    assert len(chosen) == 4
    assert len(set(chosen)) == 4
    assert set(chosen) <= set(TEN)
    assert chosen == sorted(chosen)


def test_select_figure_subjects__same_sample_whatever_the_row_order():
    shuffled = ["S07", "S02", "S10", "S01", "S05", "S09", "S03", "S08", "S06", "S04", "S02"]
    first = select_figure_subjects(pl.Series(TEN), max_subjects=4)
    again = select_figure_subjects(pl.Series(shuffled), max_subjects=4)
    assert first.to_list() == again.to_list()


def test_describe_figure_sample__sentence_only_for_a_sample():
    assert describe_figure_sample(200, 5000) == (
        "The figure draws a random sample of 200 of 5000 subjects "
        "(report.figure_max_subjects; seed 20260701)."
    )
    assert describe_figure_sample(5, 5) is None


def test_plot_trajectories__only_the_given_subjects_are_drawn():
    fig = fg.plot_trajectories(
        _advisit(SUBJECTS),
        score="SLEDAI2K",
        dose_levels=("DL1", "DL2"),
        size=SIZE,
        subjects=pl.Series(["S01"]),
    )
    assert [a.get_title() for a in fig.axes] == ["DL1 (n=2, 1 drawn)", "DL2 (n=3, 0 drawn)"]
    assert len(fig.axes[0].get_lines()) == 1
    assert len(fig.axes[1].get_lines()) == 0
    fg.plt.close(fig)


def test_render_report__captions_state_the_sample(tmp_path):
    config = report_config()
    config["report"]["figure_max_subjects"] = 2
    page = render_report(
        read_run(write_run(tmp_path / "run")),
        config=config,
        params=ReportParams.from_config(config["report"]),
        checksums={},
        versions={},
    )
    # SLEDAI2K trajectories (5 subjects with a score), swimmer (5 infused): alt text and caption
    assert page.count("a random sample of 2 of 5 subjects") == 4
    assert page.count('<figcaption class="caption">') == page.count("<figure>")
