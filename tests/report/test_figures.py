"""Figures: deterministic PNG bytes, curves drawn from hand-built curve frames."""

from __future__ import annotations

import polars as pl

from outcomes.report import figures as fg
from outcomes.report.survival import create_tte_input, summarize_at_risk

from .report_builders import SUBJECTS, _advisit

SIZE = fg.FigureSize(4.0, 3.0, 50)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

CURVES = pl.DataFrame(
    {  # a hand-built Kaplan-Meier curve frame, two groups
        "group": ["DL1", "DL1", "DL2"],
        "time": [5.0, 8.0, 12.0],
        "estimate": [0.75, 0.5, 0.9],
        "lower": [0.3, 0.2, None],
        "upper": [0.9, 0.8, None],
    }
)
AT_RISK = pl.DataFrame(
    {"group": ["DL1", "DL1", "DL2", "DL2"], "day": [1, 10, 1, 10], "n": [4, 1, 3, 2]}
)


def test_render_png__identical_bytes_without_software_metadata():
    first = fg.render_png(
        fg.plot_survival(CURVES, at_risk=AT_RISK, ylabel="S", start=1.0, size=SIZE), dpi=SIZE.dpi
    )
    second = fg.render_png(
        fg.plot_survival(CURVES, at_risk=AT_RISK, ylabel="S", start=1.0, size=SIZE), dpi=SIZE.dpi
    )
    assert first.startswith(PNG_MAGIC)
    assert first == second
    assert b"Software" not in first and b"matplotlib" not in first.lower()


def test_plot_survival__steps_from_start_and_at_risk_table():
    fig = fg.plot_survival(CURVES, at_risk=AT_RISK, ylabel="S", start=1.0, size=SIZE)
    ax, table_ax = fig.axes
    lines = ax.get_lines()
    assert [list(line.get_xdata()) for line in lines] == [[0.0, 5.0, 8.0], [0.0, 12.0]]
    assert list(lines[0].get_ydata()) == [1.0, 0.75, 0.5]
    cells = table_ax.tables[0].get_celld()
    assert cells[(1, 0)].get_text().get_text() == "4" and cells[(2, 1)].get_text().get_text() == "2"
    fg.plt.close(fig)


def test_plot_survival__curve_without_bands():
    fig = fg.plot_survival(
        CURVES.drop("lower", "upper"), at_risk=AT_RISK, ylabel="CIF", start=0.0, size=SIZE
    )
    assert len(fig.axes[0].collections) == 0
    fg.plt.close(fig)


def test_summarize_at_risk__counts_aval_at_or_after_day():
    import datetime as dt

    adtte = pl.DataFrame(
        {
            "USUBJID": ["A", "B", "C"],
            "PARAMCD": ["TTDORIS"] * 3,
            "AVAL": [1.0, 92.0, 200.0],
            "CNSR": [1, 0, 3],  # death (CNSR 2) is tested below
            "STARTDT": [dt.date(2026, 1, 1)] * 3,
        }
    )
    adsl = pl.DataFrame({"USUBJID": ["A", "B", "C"], "DOSELVL": ["DL1", "DL1", "DL2"]})
    tte = create_tte_input(adtte, adsl=adsl, paramcd="TTDORIS")
    assert tte.select("USUBJID", "EVENT", "EVCODE").rows() == [
        ("A", 0, 0),  # censored (CNSR 1)
        ("B", 1, 1),  # event (CNSR 0)
        ("C", 0, 0),  # rescue before achievement (CNSR 3): censored, not competing
    ]
    out = summarize_at_risk(tte, days=(1, 92, 93))
    assert out.rows() == [
        ("DL1", 1, 2),
        ("DL1", 92, 1),
        ("DL1", 93, 0),  # at 92: B only
        ("DL2", 1, 1),
        ("DL2", 92, 1),
        ("DL2", 93, 1),
    ]


def test_plot_trajectories_and_means__one_panel_per_dose_level():
    fig = fg.plot_trajectories(
        _advisit(SUBJECTS), score="SLEDAI2K", dose_levels=("DL1", "DL2"), size=SIZE
    )
    assert [a.get_title() for a in fig.axes] == ["DL1 (n=2)", "DL2 (n=3)"]
    assert len(fig.axes[0].get_lines()) == 2
    fg.plt.close(fig)


def test_create_tte_input__death_before_achievement_is_competing():
    import datetime as dt

    adtte = pl.DataFrame(
        {
            "USUBJID": ["D"],
            "PARAMCD": ["TTLLDAS"],
            "AVAL": [40.0],
            "CNSR": [2],
            "STARTDT": [dt.date(2026, 1, 1)],
            "DOSELVL": ["DL3"],
        }
    )
    tte = create_tte_input(adtte, adsl=pl.DataFrame(), paramcd="TTLLDAS")
    assert tte.select("DOSELVL", "EVENT", "EVCODE").rows() == [("DL3", 0, 2)]
