"""Swimmer-plot lanes, episodes and marks on study days (Day 0 = infusion)."""

from __future__ import annotations

import datetime as dt

import polars as pl
from polars.testing import assert_frame_equal

from outcomes.report.swimmer import (
    create_swimmer_episodes,
    create_swimmer_lanes,
    create_swimmer_marks,
)

from .report_builders import SUBJECTS, _adsl, _advisit

D = dt.date
DL = ("DL1", "DL2", "DL3")


def test_create_swimmer_lanes__end_death_and_order():
    actual = create_swimmer_lanes(_adsl(SUBJECTS), dose_levels=DL)
    expected = pl.DataFrame(
        [
            ("S01", "DL1", 365, False, True),  # last assessment 2027-01-10; on study: arrow
            ("S02", "DL1", 273, False, True),
            ("S03", "DL2", 90, False, False),  # last assessment before the end of study
            ("S04", "DL2", 60, True, False),  # death on Day 60, after the last assessment (Day 29)
            ("S06", "DL2", 0, False, True),  # only the infusion-day assessment
        ],  # S05 not infused: no lane
        schema={
            "USUBJID": pl.String,
            "DOSELVL": pl.String,
            "ENDDY": pl.Int64,
            "DEATHFL": pl.Boolean,
            "ONGOINGFL": pl.Boolean,
        },
        orient="row",
    )
    assert_frame_equal(actual, expected)


def test_create_swimmer_lanes__no_assessment_ends_at_infusion():
    adsl = _adsl(SUBJECTS).with_columns(
        pl.when(pl.col("USUBJID") == "S06")
        .then(None)
        .otherwise(pl.col("LSTASMDT"))
        .alias("LSTASMDT")
    )
    lanes = create_swimmer_lanes(adsl, dose_levels=DL)
    assert lanes.filter(pl.col("USUBJID") == "S06").select("ENDDY", "DEATHFL").row(0) == (0, False)


def test_create_swimmer_episodes__study_days():
    adepi = pl.DataFrame(
        {
            "USUBJID": ["S01"],
            "PARAMCD": ["DORIS"],
            "STARTDT": [D(2026, 4, 10)],
            "ENDDT": [D(2026, 7, 10)],
            "ENDREAS": ["CENSORED"],
        }
    )
    out = create_swimmer_episodes(adepi, adsl=_adsl(SUBJECTS))
    assert out.rows() == [("S01", "DORIS", 90, 181, "CENSORED")]


def test_create_swimmer_marks__every_source_and_null_flare_not_drawn():
    adsl = _adsl(SUBJECTS)
    lanes = create_swimmer_lanes(adsl, dose_levels=DL)
    events = pl.DataFrame(
        {
            "USUBJID": ["S02", "S02", "S05"],
            "EVTDT": [D(2026, 5, 1)] * 3,
            "EVTCD": ["RESCUE", "FLARETRT", "RESCUE"],
        }
    )  # S05 has no lane
    adae = pl.DataFrame(
        {
            "USUBJID": ["S03", "S03"],
            "AECAT": ["CRS", "INFECTION"],
            "AESTDT": [D(2026, 1, 11), D(2026, 1, 12)],
        }
    )
    marks = create_swimmer_marks(
        lanes, adsl=adsl, events=events, advisit=_advisit(SUBJECTS), adae=adae
    )
    assert marks.rows() == [
        ("S01", 365, "Censored"),
        ("S02", 91, "Flare"),  # advisit FLAREFL true on Day 91; null flags not drawn
        ("S02", 111, "Flare"),  # FLARETRT event
        ("S02", 111, "Rescue"),
        ("S02", 273, "Censored"),
        ("S03", 1, "CRS"),  # INFECTION is not marked
        ("S03", 90, "Censored"),
        ("S04", 60, "Death"),
        ("S06", 0, "Censored"),
    ]


def test_create_swimmer_marks__optional_sources_absent():
    adsl = _adsl(SUBJECTS)
    lanes = create_swimmer_lanes(adsl, dose_levels=DL)
    marks = create_swimmer_marks(lanes, adsl=adsl, events=None, advisit=None, adae=None)
    assert marks["KIND"].unique().sort().to_list() == ["Censored", "Death"]
