"""Tests of outcomes.interop.problems: value helpers and problem rows."""

from __future__ import annotations

import datetime as dt

import polars as pl
from polars.testing import assert_series_equal

from outcomes.interop.problems import (
    compute_iso_date,
    compute_number,
    compute_vocab,
    create_vocab_problems,
    summarize_problems,
)

from .frames import text_table


def test_compute_iso_date__full_partial_time_missing():
    frame = pl.DataFrame(
        {
            "X": [
                "2024-03-05",  # full date
                "2024-03-05T10:30",  # date with time: the date part
                "2024-03",  # partial: not imputed
                "2024",  # partial
                "  ",  # blank = missing
                None,  # missing
                "2024-02-30",  # not a calendar date
            ]
        }
    )
    actual = frame.select(compute_iso_date("X").alias("D")).to_series()
    expected = pl.Series(
        "D", [dt.date(2024, 3, 5), dt.date(2024, 3, 5), None, None, None, None, None], dtype=pl.Date
    )
    assert_series_equal(actual, expected)


def test_compute_number__text_and_blank():
    frame = pl.DataFrame({"X": ["1.5", " 2 ", "abc", "", None]})
    actual = frame.select(compute_number("X").alias("N")).to_series()
    assert_series_equal(actual, pl.Series("N", [1.5, 2.0, None, None, None]))


def test_compute_vocab__contract_mapped_verbatim():
    frame = pl.DataFrame(
        {
            "X": [
                "mg",  # contract value
                "MG",  # contract value in other case
                "mcg",  # mapped
                "TABLET",  # unmapped: verbatim
                " tablet ",  # unmapped: trimmed, verbatim case
                None,
            ]
        }
    )
    actual = frame.select(
        compute_vocab("X", values={"MCG": "ug"}, allowed=("mg", "g", "ug")).alias("U")
    ).to_series()
    assert_series_equal(actual, pl.Series("U", ["mg", "mg", "ug", "TABLET", "tablet", None]))


def test_create_vocab_problems__one_row_per_unmapped_record():
    frame = text_table("USUBJID U", [("S1", "mg"), ("S2", "TABLET"), ("S3", None)])
    problems = create_vocab_problems(
        frame, domain="CM", variable="CMDOSU", target="U", allowed=("mg",)
    ).collect()
    assert problems.select("SEVERITY", "RULE", "DOMAIN", "USUBJID", "SRCSEQ", "VALUE").rows() == [
        ("WARNING", "SDTM_VALUE_UNMAPPED", "CM", "S2", 2, "TABLET")
    ]


def test_summarize_problems__empty_and_counts():
    assert summarize_problems(pl.DataFrame()) == "No import problems."
    frame = text_table("USUBJID U", [("S1", "X"), ("S2", "X")])
    problems = create_vocab_problems(
        frame, domain="CM", variable="CMDOSU", target="U", allowed=("mg",)
    ).collect()
    assert "WARNING SDTM_VALUE_UNMAPPED CM.CMDOSU x2" in summarize_problems(problems)
