"""Maintenance rates carry how many maintained subjects first reached the state at T (§16.26)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from outcomes.analysis.params import ResponseParams
from outcomes.analysis.response_tables import analyze_response, derive_first_at_visit

D = dt.date
PARAMS = ResponseParams(
    paramcds=("DFMAINT", "DORIS"), ci_methods=("exact",), logistic_method="auto", conf_level=0.95
)
ADSL = pl.DataFrame(
    {"USUBJID": ["A", "B", "C"], "DOSELVL": ["DL1", "DL1", "DL2"], "DOSELVLN": [1, 1, 2]}
)
# A: maintained at M6, first drug-free DORIS on the M6 date itself; B: maintained since M3;
# C: not maintained. DORIS is not a maintenance parameter: no count.
ADRS = pl.DataFrame(
    {
        "USUBJID": ["A", "B", "C", "A", "B", "C"],
        "PARAMCD": ["DFMAINT"] * 3 + ["DORIS"] * 3,
        "AVISIT": ["MONTH 6"] * 6,
        "AVISITN": [6] * 6,
        "ADT": [D(2025, 7, 2), D(2025, 7, 3), D(2025, 7, 1)] * 2,
        "AVALC": ["Y", "Y", "N", "Y", "Y", "N"],
    }
)
ADEPI = pl.DataFrame(
    {
        "USUBJID": ["A", "B", "A"],
        "PARAMCD": ["DFDORIS", "DFDORIS", "DORIS"],
        "EPISODE": [1, 1, 1],
        "STARTDT": [D(2025, 7, 2), D(2025, 4, 2), D(2025, 7, 2)],
    }
)


def test_derive_first_at_visit_flags_only_maintained_subjects_starting_at_t():
    out = derive_first_at_visit(ADRS, adepi=ADEPI)
    assert out.rows() == [("A", "DFMAINT", "MONTH 6", 6)]


def test_rates_carry_n_first_at_t_on_maintenance_rows():
    rates = analyze_response(ADRS, ADSL, params=PARAMS, adepi=ADEPI).rates
    got = {
        (p, d): n
        for p, d, n in rates.select("PARAMCD", "DOSELVL", "n_first_at_t").sort("PARAMCD").rows()
    }
    assert got[("DFMAINT", "DL1")] == 1
    assert got[("DFMAINT", "DL2")] == 0
    assert got[("DFMAINT", "OVERALL")] == 1
    assert got[("DORIS", "DL1")] is None
