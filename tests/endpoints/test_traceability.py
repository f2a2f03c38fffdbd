"""Every adtte row's SRCDOM/SRCSEQ leads back to the export record whose date is ADT."""

from __future__ import annotations

import polars as pl

from outcomes.endpoints.datasets import create_adtte
from tests.endpoints.endpoint_builders import PARAMS, D, adsl, advisit, events, subject, visit

# The export (data-contract §1), as the ingest stage types it: ROW / CMSEQ are the SRCSEQ.
SUBJECTS = pl.DataFrame(
    {
        "ROW": [1, 2, 3, 4, 5],
        "USUBJID": ["R1", "R2", "R3", "R4", "R5"],
        "INFDT": [D("2025-01-01")] * 5,
        "DTHDT": [None, D("2025-05-10"), None, None, D("2025-06-01")],
    }
)
ASSESSMENTS = pl.DataFrame(
    {
        "ROW": [10, 11, 12, 13, 14, 15, 16, 17],
        "USUBJID": ["R1", "R1", "R1", "R2", "R3", "R3", "R4", "R5"],
        "ASMDT": [
            D(d)
            for d in (
                "2025-01-29",
                "2025-04-02",
                "2025-07-02",
                "2025-04-02",
                "2025-01-29",
                "2025-04-02",
                "2025-01-15",
                "2025-04-02",
            )
        ],
        "VISIT": [
            "DAY 28",
            "MONTH 3",
            "MONTH 6",
            "MONTH 3",
            "DAY 28",
            "MONTH 3",
            "DAY 14",
            "MONTH 3",
        ],
        # R1 DORIS F,T,F; R2 F; R3 F,T (after rescue); R4 not evaluable; R5 T then dies.
        "DORIS": [False, True, False, False, False, True, None, True],
        "LLDAS": [True, True, True, False, False, True, None, True],
    }
)
MEDICATIONS = pl.DataFrame(
    {
        "USUBJID": ["R3", "R1"],
        "CMSEQ": [3, 7],
        "CMSTDT": [D("2025-03-01"), D("2025-08-01")],
        "EVTCD": ["RESCUE", "FLARETRT"],
    }
)


def _derived_inputs():
    av = advisit(
        [
            visit(
                r["USUBJID"],
                r["ROW"],
                r["ASMDT"].isoformat(),
                r["VISIT"],
                doris=r["DORIS"],
                df=r["DORIS"],
                ll=r["LLDAS"],
            )
            for r in ASSESSMENTS.iter_rows(named=True)
        ]
    )
    sl = adsl(
        [
            subject(
                r["USUBJID"],
                r["ROW"],
                r["INFDT"].isoformat(),
                dthdt=r["DTHDT"].isoformat() if r["DTHDT"] else None,
            )
            for r in SUBJECTS.iter_rows(named=True)
        ]
    )
    ev = events(
        [
            (r["USUBJID"], r["CMSTDT"].isoformat(), r["EVTCD"], r["CMSEQ"])
            for r in MEDICATIONS.iter_rows(named=True)
        ]
    )
    return av, sl, ev


def _source_dates(row: dict) -> set:
    key = pl.col("USUBJID") == row["USUBJID"]
    if row["SRCDOM"] == "ASSESSMENTS":
        return set(ASSESSMENTS.filter(key & (pl.col("ROW") == row["SRCSEQ"]))["ASMDT"].to_list())
    if row["SRCDOM"] == "MEDICATIONS":
        return set(MEDICATIONS.filter(key & (pl.col("CMSEQ") == row["SRCSEQ"]))["CMSTDT"].to_list())
    if row["SRCDOM"] == "SUBJECTS":
        rec = SUBJECTS.filter(key & (pl.col("ROW") == row["SRCSEQ"]))
        return set(rec["INFDT"].to_list()) | set(rec["DTHDT"].drop_nulls().to_list())
    return set()


def test_every_adtte_row_traces_to_the_record_dated_adt():
    av, sl, ev = _derived_inputs()
    adtte = create_adtte(av, subjects=sl, events=ev, params=PARAMS).collect()
    # Every kind of row is present: events, the four censoring kinds, durations.
    assert set(adtte["CNSR"].to_list()) == {0, 1, 2, 3}
    assert set(adtte["SRCDOM"].to_list()) == {"ASSESSMENTS", "MEDICATIONS", "SUBJECTS"}
    untraced = [row for row in adtte.iter_rows(named=True) if row["ADT"] not in _source_dates(row)]
    assert untraced == []


def test_trace_examples_typed_by_hand():
    av, sl, ev = _derived_inputs()
    adtte = create_adtte(av, subjects=sl, events=ev, params=PARAMS).collect()
    got = (
        adtte.filter(pl.col("PARAMCD").is_in(["TTDORIS", "DURDORIS"]))
        .select("USUBJID", "PARAMCD", "ADT", "CNSR", "SRCDOM", "SRCSEQ")
        .rows()
    )
    assert got == [
        ("R1", "DURDORIS", D("2025-07-02"), 0, "ASSESSMENTS", 12),
        ("R1", "TTDORIS", D("2025-04-02"), 0, "ASSESSMENTS", 11),
        ("R2", "TTDORIS", D("2025-05-10"), 2, "SUBJECTS", 2),
        ("R3", "TTDORIS", D("2025-03-01"), 3, "MEDICATIONS", 3),
        ("R4", "TTDORIS", D("2025-01-01"), 1, "SUBJECTS", 4),
        ("R5", "DURDORIS", D("2025-06-01"), 0, "SUBJECTS", 5),
        ("R5", "TTDORIS", D("2025-04-02"), 0, "ASSESSMENTS", 17),
    ]
