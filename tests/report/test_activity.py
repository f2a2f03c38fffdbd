"""Means and responder rates by visit, with intervals checked against R."""

from __future__ import annotations

import polars as pl
import pytest

from outcomes.report.activity import summarize_activity, summarize_rates

from .report_builders import SUBJECTS, _adrs, _adsl, _advisit


def test_summarize_activity__t_interval_and_single_value():
    """R: t.test(c(12, 10))$conf.int -> -1.706205 23.706205."""
    out = summarize_activity(_advisit(SUBJECTS), score="SLEDAI2K", conf_level=0.95)
    dl1_bl = out.filter((pl.col("DOSELVL") == "DL1") & (pl.col("AVISITN") == 0)).row(0, named=True)
    assert (dl1_bl["N"], dl1_bl["MEAN"]) == (2, 11.0)
    assert dl1_bl["LOWER"] == pytest.approx(-1.706205, abs=1e-6)
    assert dl1_bl["UPPER"] == pytest.approx(23.706205, abs=1e-6)
    single = out.filter((pl.col("DOSELVL") == "DL1") & (pl.col("AVISITN") == 6)).row(0, named=True)
    assert (single["N"], single["MEAN"], single["LOWER"], single["UPPER"]) == (1, 0.0, None, None)
    assert out.height == 5  # records outside every window (S04 Day 29) are not used


def test_summarize_rates__counts_denominators_and_order():
    out = summarize_rates(
        _adrs(SUBJECTS), adsl=_adsl(SUBJECTS), conf_level=0.95, method="clopper-pearson"
    )
    assert out.select("PARAMCD", "DOSELVL", "AVISITN", "N", "RESP").rows() == [
        ("DORIS", "DL1", 3, 2, 1),
        ("DORIS", "DL1", 6, 1, 1),
        ("DORIS", "DL2", 3, 3, 1),
        ("SRI4", "DL1", 3, 2, 2),
    ]
    assert out["RATE"].to_list() == pytest.approx([0.5, 1.0, 1 / 3, 1.0])
    assert out["LOWER"][1] == pytest.approx(0.025)  # binom.test(1, 1)
    # R: binom.test(1, 2)$conf.int -> 0.01257912 0.98742088
    assert (out["LOWER"][0], out["UPPER"][0]) == pytest.approx((0.01257912, 0.98742088), abs=1e-7)
    wilson = summarize_rates(
        _adrs(SUBJECTS), adsl=_adsl(SUBJECTS), conf_level=0.95, method="wilson"
    )
    # R: prop.test(1, 3, correct = FALSE)$conf.int -> 0.06149194 0.79234040
    assert (wilson["LOWER"][2], wilson["UPPER"][2]) == pytest.approx(
        (0.06149194, 0.79234040), abs=1e-7
    )


def test_summarize_rates__missing_avalc_is_not_counted():
    adrs = _adrs(SUBJECTS).with_columns(
        pl.when(pl.col("USUBJID") == "S02").then(None).otherwise(pl.col("AVALC")).alias("AVALC")
    )
    out = summarize_rates(adrs, adsl=_adsl(SUBJECTS), conf_level=0.95, method="wilson")
    first = out.row(0, named=True)
    assert (first["PARAMCD"], first["DOSELVL"], first["N"], first["RESP"]) == ("DORIS", "DL1", 1, 1)
