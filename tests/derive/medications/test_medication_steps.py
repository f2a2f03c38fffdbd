"""Steps create_adcm and create_events: read validated parquet, write derived parquet."""

from __future__ import annotations

import polars as pl

from outcomes.steps import StepIO
from outcomes.steps.medications import create_adcm, create_events

from .conftest import d


def test_steps__write_adcm_and_events(tmp_path, meds, subjects, section):
    rows = [
        ("S1", 1, "prednisone", None, 10.0, "mg", "QD", "ORAL", "SLE", "2025-04-10", None),
        (
            "S1",
            2,
            "hydroxychloroquine",
            None,
            200.0,
            "mg",
            "BID",
            "ORAL",
            "SLE",
            "2025-01-01",
            None,
        ),
    ]
    meds(rows).collect().write_parquet(tmp_path / "medications.parquet")
    subjects({"S1": "2025-04-01"}).collect().write_parquet(tmp_path / "subjects.parquet")
    pl.DataFrame({"USUBJID": ["S1"], "ASMDT": [d("2025-03-20")]}).write_parquet(
        tmp_path / "assessments.parquet"
    )
    params = {"medications": section, "data_cut": "2026-01-31"}
    log = str(tmp_path / "step.log")
    create_adcm(
        StepIO(
            {
                "medications": str(tmp_path / "medications.parquet"),
                "subjects": str(tmp_path / "subjects.parquet"),
            },
            {"adcm": str(tmp_path / "adcm.parquet")},
            params,
            log,
        )
    )
    create_events(
        StepIO(
            {
                "adcm": str(tmp_path / "adcm.parquet"),
                "subjects": str(tmp_path / "subjects.parquet"),
                "assessments": str(tmp_path / "assessments.parquet"),
            },
            {"events": str(tmp_path / "events.parquet")},
            {"medications": section},
            log,
        )
    )
    adcm = pl.read_parquet(tmp_path / "adcm.parquet")
    events = pl.read_parquet(tmp_path / "events.parquet")
    assert adcm["CLASS"].to_list() == ["GC_SYSTEMIC", "ANTIMALARIAL"]
    assert adcm["AENDT"].to_list() == [d("2026-01-31"), d("2026-01-31")]
    assert events.select("EVTDT", "EVTCD", "SRCSEQ").rows() == [(d("2025-04-10"), "RESCUE", 1)]
