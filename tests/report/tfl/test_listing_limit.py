"""A listing longer than report.listing_max_rows shows its first records and says so."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from outcomes.report.load import read_run
from outcomes.report.tfl.catalogue import build_tfls, select_tfl_config
from outcomes.report.tfl.listings import create_death_listing, create_listing

from ..report_builders import report_config

HEADERS = {"USUBJID": "Subject", "AETERM": "Reported term"}
FRAME = pl.DataFrame({"USUBJID": ["S01", "S02", "S03"], "AETERM": ["Fever", "Rash", "Cough"]})


def _listing(max_rows):
    return create_listing(
        FRAME,
        number="Listing 16.2.7.1",
        title="Adverse events",
        population="Safety analysis set",
        headers=HEADERS,
        source="adam/adae.parquet",
        footnotes=("Onset day: AESTDT - infusion date.",),
        max_rows=max_rows,
    )


@pytest.mark.parametrize("max_rows", [None, 3, 4])
def test_a_listing_at_or_under_the_limit_shows_every_record(max_rows):
    tfl = _listing(max_rows)
    assert [r.label for r in tfl.rows] == ["S01", "S02", "S03"]
    assert tfl.footnotes == ("Onset day: AESTDT - infusion date.",)


def test_a_listing_over_the_limit_shows_the_first_records_and_says_so():
    tfl = _listing(2)
    assert [(r.label, r.cells) for r in tfl.rows] == [("S01", ("Fever",)), ("S02", ("Rash",))]
    assert tfl.footnotes == (
        "Onset day: AESTDT - infusion date.",
        "The listing shows the first 2 of 3 records in this order (report.listing_max_rows); "
        "every record is in adam/adae.parquet.",
    )


def test_the_limit_applies_after_the_listing_order():
    adsl = pl.DataFrame(
        {
            "USUBJID": ["S03", "S01", "S02"],
            "DOSELVL": ["DL1", "DL1", "DL2"],
            "TRTSDT": [dt.date(2026, 1, 1)] * 3,
            "DTHDT": [dt.date(2026, 2, 1), dt.date(2026, 3, 1), None],
            "DCSREAS": ["DEATH", "DEATH", None],
        }
    )
    tfl = create_death_listing(adsl, max_rows=1)
    assert [r.label for r in tfl.rows] == ["S01"]
    assert tfl.footnotes[-1].startswith("The listing shows the first 1 of 2 records")


def test_the_tfl_rules_read_the_limit_from_the_report_section():
    config = report_config()
    assert select_tfl_config(config)["report"]["listing_max_rows"] == 2000
    config["report"]["listing_max_rows"] = None
    assert select_tfl_config(config)["report"]["listing_max_rows"] is None


def test_the_limit_reaches_every_listing_of_a_run(run_dir):
    config = report_config()
    config["report"]["listing_max_rows"] = 1
    listings = [t for t in build_tfls(read_run(run_dir), config=config) if t.section == "listings"]
    assert listings, "the hand-built run has listings"
    assert all(len(t.rows) <= 1 for t in listings)
