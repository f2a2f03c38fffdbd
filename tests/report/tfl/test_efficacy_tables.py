"""Efficacy TFLs from tiny hand-built frames; expected cells typed by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl

from outcomes.report.tfl.efficacy import create_change_table, create_maintenance_table
from outcomes.report.tfl.groups import Columns
from outcomes.report.tfl.survival import create_tte_table

D = dt.date
COLS = Columns(("DL1", "DL2", "Total"), (2, 1, 3))


def _row(tfl, key):
    return next(r.cells for r in tfl.rows if r.key == key)


def test_maintenance_counts_subjects_who_first_reached_the_state_at_the_visit():
    # A: maintained at M3, first drug-free DORIS on the M3 date itself; B: maintained since
    # Day 28; C: not maintained.
    adrs = pl.DataFrame(
        {
            "USUBJID": ["A", "B", "C"],
            "DOSELVL": ["DL1", "DL1", "DL2"],
            "PARAMCD": ["DFMAINT"] * 3,
            "AVISIT": ["MONTH 3"] * 3,
            "AVISITN": [3] * 3,
            "ADT": [D(2025, 4, 2), D(2025, 4, 2), D(2025, 4, 3)],
            "AVALC": ["Y", "Y", "N"],
        }
    )
    adepi = pl.DataFrame(
        {
            "USUBJID": ["A", "B"],
            "PARAMCD": ["DFDORIS", "DFDORIS"],
            "EPISODE": [1, 1],
            "STARTDT": [D(2025, 4, 2), D(2025, 1, 29)],
        }
    )
    t = create_maintenance_table(adrs, adepi=adepi, columns=COLS, conf_level=0.95)
    assert t.columns == ("DL1 (N=2)", "DL2 (N=1)", "Total (N=3)")
    assert _row(t, "dfmaint_month3") == (
        "2/2 (100.0) [15.8, 100.0]",
        "0/1 (0) [0.0, 97.5]",
        "2/3 (66.7) [9.4, 99.2]",
    )
    assert _row(t, "dfmaint_month3_first") == ("1", "0", "1")
    assert any("§16.26" in f for f in t.footnotes)


def test_change_from_baseline_mean_and_t_interval():
    # SLEDAI-2K: A 10 -> 4 (-6), B 8 -> 6 (-2): mean -4, SD 2.83, t(0.975, 1) = 12.706:
    # -4 +/- 25.41. Nobody in DL2: n 0, NE.
    advisit = pl.DataFrame(
        {
            "USUBJID": ["A", "A", "B", "B"],
            "DOSELVL": ["DL1"] * 4,
            "AVISIT": ["BASELINE", "MONTH 3", "BASELINE", "MONTH 3"],
            "AVISITN": [0, 3, 0, 3],
            "ADY": [-10, 92, -8, 90],
            "SRCDOM": ["ASSESSMENTS"] * 4,
            "SRCSEQ": [1, 2, 3, 4],
            "ANL01FL": [False, True, False, True],
            "ABLFL": [True, False, True, False],
            "SLEDAI2K": [10, 4, 8, 6],
        }
    )
    adsl = pl.DataFrame({"USUBJID": ["A", "B"], "DOSELVL": ["DL1", "DL1"]})
    t = create_change_table(advisit, adsl=adsl, columns=COLS, params=["SLEDAI2K"], conf_level=0.95)
    assert _row(t, "sledai2k_month3_n") == ("2", "0", "2")
    assert _row(t, "sledai2k_month3_value") == ("5.0 (1.41)", "NE", "5.0 (1.41)")
    assert _row(t, "sledai2k_month3_chg") == (
        "-4.0 [-29.4, 21.4]",
        "NE",
        "-4.0 [-29.4, 21.4]",
    )
    # report.conf_level 0.90: t(0.95, 1) = 6.3138 -> -4.0 -/+ 6.3138 x 2.8284 / sqrt(2)
    t90 = create_change_table(
        advisit, adsl=adsl, columns=COLS, params=["SLEDAI2K"], conf_level=0.90
    )
    assert _row(t90, "sledai2k_month3_chg") == ("-4.0 [-16.6, 8.6]", "NE", "-4.0 [-16.6, 8.6]")
    labels = {r.key: r.label for r in t90.rows}
    assert labels["sledai2k_month3_chg"] == "Change from baseline, mean [90% CI]"
    assert any("90% CI: mean +/- t(0.95, n-1)" in note for note in t90.footnotes)


def test_time_to_event_summary():
    # Events on Day 31 and 62, censored on Day 92: KM 2/3, then 1/3; median = 62 days = 2.0
    # months; achieved by 3 months (Day 92): 1 - 1/3 = 0.67.
    adtte = pl.DataFrame(
        {
            "USUBJID": ["A", "B", "C"],
            "DOSELVL": ["DL1", "DL1", "DL1"],
            "PARAMCD": ["TTDORIS"] * 3,
            "AVAL": [31, 62, 92],
            "CNSR": [0, 0, 1],
            "EVNTDESC": [
                "FIRST ASSESSMENT IN STATE",
                "FIRST ASSESSMENT IN STATE",
                "LAST EVALUABLE ASSESSMENT",
            ],
        }
    )
    cols = Columns(("DL1", "DL2", "Total"), (3, 0, 3))
    t = create_tte_table(adtte, columns=cols, conf_type="log-log", conf_level=0.95)
    assert _row(t, "ttdoris_n") == ("3", "0", "3")
    assert _row(t, "ttdoris_events") == ("2 (66.7)", "0", "2 (66.7)")
    assert _row(t, "ttdoris_cens") == ("1 (33.3)", "0", "1 (33.3)")
    assert _row(t, "ttdoris_cens_last-evaluable-assessment") == ("1 (33.3)", "0", "1 (33.3)")
    median = _row(t, "ttdoris_median")
    assert median[0].startswith("2.0 [") and median[1] == "NE"
    assert _row(t, "ttdoris_m3")[0].startswith("0.67 [")


def test_time_in_lldas_mean_sd_median():
    # M3: A 50 %, B 75 %, C not evaluable (null): n 2, mean 62.5, SD 17.68, median 62.5.
    from outcomes.report.tfl.efficacy import create_lldas_time_table

    adrs = pl.DataFrame(
        {
            "USUBJID": ["A", "B", "C"],
            "DOSELVL": ["DL1", "DL1", "DL2"],
            "PARAMCD": ["LLDASPCT"] * 3,
            "AVISIT": ["MONTH 3"] * 3,
            "AVISITN": [3] * 3,
            "AVAL": [50.0, 75.0, None],
        }
    )
    t = create_lldas_time_table(adrs, columns=COLS)
    assert _row(t, "month3_n") == ("2", "0", "2")
    assert _row(t, "month3_mean") == ("62.5 (17.68)", "NE", "62.5 (17.68)")
    assert _row(t, "month3_median") == ("62.5", "NE", "62.5")
