"""[D-18] death without prior loss in durations: an event (default) or censored (sensitivity).

endpoints.md §6.3, E-21, Ex 12 Patient B: drug-free DORIS TRUE at M3 (2025-07-01, SRCSEQ 4)
and M6 (2025-09-30, SRCSEQ 5); death on 2025-12-07 (subject record SRCSEQ 22).
"""

from __future__ import annotations

import dataclasses

import polars as pl

from outcomes.endpoints.datasets import create_adtte
from tests.endpoints.endpoint_builders import (
    PARAMS,
    D,
    adsl,
    advisit,
    events,
    ex11_visits,
    subject,
    visit,
)

CENSOR = dataclasses.replace(PARAMS, duration_death="censor")
COLS = ("STARTDT", "ADT", "AVAL", "CNSR", "EVNTDESC", "CNSDTDSC", "SRCDOM", "SRCSEQ")


def _dead(dthdt: str) -> pl.LazyFrame:
    return adsl(
        [
            subject(
                "B",
                22,
                "2025-04-01",
                cut="2026-05-01",
                dthdt=dthdt,
                eosstt="DISCONTINUED",
                eosdt=dthdt,
            )
        ]
    )


def _row(visits: list[dict], subjects: pl.LazyFrame, params, paramcd: str) -> tuple:
    out = create_adtte(advisit(visits), subjects=subjects, events=events([]), params=params)
    return out.collect().filter(pl.col("PARAMCD") == paramcd).select(COLS).row(0)


def test_default_death_without_prior_loss_is_an_event():
    assert PARAMS.duration_death == "event"
    assert _row(ex11_visits("B"), _dead("2025-12-07"), PARAMS, "DURDFREM") == (
        D("2025-07-01"),
        D("2025-12-07"),
        160,
        0,
        "LOSS: DEATH",
        None,
        "SUBJECTS",
        22,
    )


def test_censor_death_without_prior_loss_censors_at_last_assessment_in_state():
    assert _row(ex11_visits("B"), _dead("2025-12-07"), CENSOR, "DURDFREM") == (
        D("2025-07-01"),
        D("2025-09-30"),
        92,
        1,
        "DEATH WITHOUT PRIOR LOSS",
        "LAST ASSESSMENT IN STATE",
        "ASSESSMENTS",
        5,
    )


def test_censor_keeps_a_loss_before_death_as_the_event():
    lost = [*ex11_visits("B"), visit("B", 6, "2025-12-30", "MONTH 9", doris=False, df=False)]
    assert _row(lost, _dead("2026-01-15"), CENSOR, "DURDFREM") == (
        D("2025-07-01"),
        D("2025-12-30"),
        183,
        0,
        "LOSS: FAILED_ASSESSMENT",
        None,
        "ASSESSMENTS",
        6,
    )


def test_censor_death_on_the_day_of_the_last_assessment_in_state():
    assert _row(ex11_visits("B"), _dead("2025-09-30"), CENSOR, "DURDFREM") == (
        D("2025-07-01"),
        D("2025-09-30"),
        92,
        1,
        "DEATH WITHOUT PRIOR LOSS",
        "LAST ASSESSMENT IN STATE",
        "ASSESSMENTS",
        5,
    )


def test_censor_leaves_time_to_first_achievement_unchanged():
    dead = _dead("2025-12-07")
    assert _row(ex11_visits("B"), dead, CENSOR, "TTDFREM") == _row(
        ex11_visits("B"), dead, PARAMS, "TTDFREM"
    )
    assert _row(ex11_visits("B"), dead, CENSOR, "TTDFREM")[1:4] == (D("2025-07-01"), 92, 0)


def test_censor_death_on_the_date_of_a_rescue_stays_an_event_named_death():
    # §16.25: a rescue (medication record 61) and death on 2025-12-07: the episode ends on that
    # date as an event (CNSR 0) whatever duration_death says; DEATH names it, traced to adsl.
    out = create_adtte(
        advisit(ex11_visits("B")),
        subjects=_dead("2025-12-07"),
        events=events([("B", "2025-12-07", "RESCUE", 61)]),
        params=CENSOR,
    ).collect()
    row = out.filter(pl.col("PARAMCD") == "DURDFREM").select(COLS).row(0)
    assert row == (
        D("2025-07-01"),
        D("2025-12-07"),
        160,
        0,
        "LOSS: DEATH",
        None,
        "SUBJECTS",
        22,
    )
