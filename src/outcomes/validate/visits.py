"""Visit rules: baseline (CON-005, endpoints.md §16.5), scheduled visits outside their window
(CON-006) and scheduled visits due but missed (CON-007), windows from config ``visits`` (§11).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from outcomes.validate.issues import fmt, make_issues
from outcomes.validate.params import ValidationParams


def _infused(subjects: pl.DataFrame) -> pl.LazyFrame:
    ref = pl.when(pl.col("LDFL") == "Y").then(pl.col("LDSTDT")).otherwise(pl.col("INFDT"))
    return (
        subjects.lazy()
        .unique("USUBJID", keep="first", maintain_order=True)
        .filter(pl.col("INFDT").is_not_null())
        .with_columns(ref.alias("_REF"))
    )


def _windows(params: ValidationParams) -> pl.LazyFrame:
    return pl.LazyFrame(
        {
            "_LABEL": [w.label for w in params.windows],
            "_LO": [w.lower_day for w in params.windows],
            "_HI": [w.upper_day for w in params.windows],
        },
        schema={"_LABEL": pl.String, "_LO": pl.Int64, "_HI": pl.Int64},
    )


def check_baseline(
    subjects: pl.DataFrame, assessments: pl.DataFrame, *, params: ValidationParams
) -> pl.LazyFrame:
    """An infused subject without an assessment in [reference − window, reference), the
    reference being LDSTDT (INFDT without lymphodepletion) (CON-005, warning, §16.5)."""
    infused = _infused(subjects).filter(pl.col("_REF").is_not_null())
    window = pl.duration(days=params.baseline_window_days)
    found = (
        assessments.lazy()
        .select("USUBJID", "ASMDT")
        .join(infused.select("USUBJID", "_REF"), on="USUBJID")
        .filter((pl.col("ASMDT") < pl.col("_REF")) & (pl.col("ASMDT") >= pl.col("_REF") - window))
        .select("USUBJID")
        .unique()
    )
    missing = infused.join(found, on="USUBJID", how="anti")
    with_ld = (pl.col("LDFL") == "Y").fill_null(False)
    return pl.concat(
        [
            make_issues(
                missing.filter(pick),
                rule="CON-005",
                table="subjects",
                column=col,
                value=pl.col("_REF").cast(pl.String),
                message=fmt(
                    "subjects: no assessment in the {} days before {} = {} (no baseline)",
                    pl.lit(params.baseline_window_days),
                    pl.lit(col),
                    pl.col("_REF").cast(pl.String),
                ),
            )
            for col, pick in (("LDSTDT", with_ld), ("INFDT", ~with_ld))
        ]
    )


def _with_day(assessments: pl.DataFrame, subjects: pl.DataFrame) -> pl.LazyFrame:
    return (
        assessments.lazy()
        .join(_infused(subjects).select("USUBJID", "INFDT"), on="USUBJID")
        .with_columns((pl.col("ASMDT") - pl.col("INFDT")).dt.total_days().alias("_ADY"))
    )


def check_visit_windows(
    assessments: pl.DataFrame, subjects: pl.DataFrame, *, params: ValidationParams
) -> pl.LazyFrame:
    """A scheduled visit outside its study-day window, or a pre-infusion visit on or after
    Day 0 (CON-006, warning, §11 [D-31])."""
    frame = _with_day(assessments, subjects).join(
        _windows(params), left_on="VISIT", right_on="_LABEL", how="left"
    )
    outside = (pl.col("_ADY") < pl.col("_LO")) | (pl.col("_ADY") > pl.col("_HI"))
    pre = pl.col("VISIT").is_in(params.pre_infusion_visits) & (pl.col("_ADY") >= 0)
    return make_issues(
        frame.filter((outside | pre).fill_null(False)),
        rule="CON-006",
        table="assessments",
        column="VISIT",
        value=pl.col("VISIT"),
        message=fmt(
            "assessments: {} on study day {} lies outside its window",
            pl.col("VISIT"),
            pl.col("_ADY"),
        ),
    )


def check_missed_visits(
    assessments: pl.DataFrame,
    subjects: pl.DataFrame,
    *,
    params: ValidationParams,
    data_cut: dt.date | None,
) -> pl.LazyFrame:
    """A scheduled visit whose window closed before death, end of study or the cut (else the
    last assessment) without any assessment inside it (CON-007, warning, §11, §16.1)."""
    last = assessments.lazy().group_by("USUBJID").agg(pl.col("ASMDT").max().alias("_LAST"))
    ends = [pl.col("DTHDT"), pl.col("EOSDT")]
    if data_cut is not None:
        ends.append(pl.lit(data_cut))
    subj = (
        _infused(subjects)
        .join(last, on="USUBJID", how="left")
        .with_columns(
            (pl.min_horizontal(ends).fill_null(pl.col("_LAST")) - pl.col("INFDT"))
            .dt.total_days()
            .alias("_END")
        )
    )
    due = subj.join(_windows(params), how="cross").filter(pl.col("_HI") <= pl.col("_END"))
    days = _with_day(assessments, subjects).select("USUBJID", "_ADY").drop_nulls()
    hits = (
        days.sort("_ADY")
        .join_asof(
            _windows(params).sort("_LO"), left_on="_ADY", right_on="_LO", strategy="backward"
        )
        .filter(pl.col("_ADY") <= pl.col("_HI"))
        .select("USUBJID", "_LABEL")
        .unique()
    )
    missed = due.join(hits, on=["USUBJID", "_LABEL"], how="anti").with_columns(
        pl.lit(None, dtype=pl.Int64).alias("ROW")
    )
    return make_issues(
        missed,
        rule="CON-007",
        table="assessments",
        column="VISIT",
        value=pl.col("_LABEL"),
        message=fmt(
            "assessments: no assessment in the window of {} (days {}-{}), which was due",
            pl.col("_LABEL"),
            pl.col("_LO"),
            pl.col("_HI"),
        ),
    )
