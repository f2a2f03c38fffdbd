"""Cross-checks between AEs, labs and subjects (VAL-014, CON-014, CON-015), all warnings
(data-contract.md §1.6: an implausible but possible value, a query to the site).

- VAL-014: a lab result outside the physiological bounds of its test (config
  ``validation.physiological_bounds``), in standard units (data-contract §1.5; units converted
  with ``eligibility.lab_unit_factors`` where a test has them) and for the raw values C3, C4
  and UPCR of assessments (§1.2), compared exactly (D-01).
- CON-014: a neutropenia AE (``validation.neutropenia_ae.terms``) whose grade contradicts the
  lowest ANC dated in the AE's window. AETOXGR is the CTCAE grade outside CRS/ICANS
  (data-contract §1.4): CTCAE v5 "Neutrophil count decreased" grade 4 < 0.5, grade 3 0.5 to
  < 1.0, grade 2 1.0 to < 1.5, grade 1 1.5 to < LLN (×10^9/L; limits in config). The window is
  AESTDT − ``window_margin_days`` … AEENDT + ``window_margin_days`` (an ongoing AE: every later
  result up to the data cut). An AE without an ANC in its window is not checked.
- CON-015: an AE of grade 5 (fatal) other than CRS or ICANS (those are CON-008) on a subject
  without a death date.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from outcomes.decimal import compute_fixed
from outcomes.drugs.history import OPEN_END
from outcomes.eligibility import (
    LAB_DECIMALS,
    EligibilityParams,
    compare_value,
    compute_lab_at_least,
    compute_lab_compared,
    compute_standard_value,
)
from outcomes.validate.consistency import filter_fatal_without_death
from outcomes.validate.issues import fmt, make_issues
from outcomes.validate.params import ValidationParams

#: Raw lab values of assessments and their units (data-contract §1.2).
ASSESSMENT_LAB_UNITS: dict[str, str] = {"C3": "g/L", "C4": "g/L", "UPCR": "g/g"}


def _text(value: object) -> str:
    return f"{float(value):g}"  # type: ignore[arg-type]


def _outside(value: pl.Expr, low: object, high: object) -> pl.Expr:
    """Value below ``low`` or above ``high`` (exact; null when the value is missing)."""
    return ~compare_value(value, low, at_least=True) | ~compare_value(value, high, at_least=False)  # type: ignore[arg-type]


def check_physiological_bounds(
    tables: dict[str, pl.DataFrame], *, params: ValidationParams, eligibility: EligibilityParams
) -> list[pl.LazyFrame]:
    """VAL-014: lab results and the assessments' C3, C4 and UPCR outside their configured
    physiological bounds (one issue per value)."""
    out = []
    bounds = params.physiological_bounds
    labs = tables.get("labs")
    if labs is not None:
        # one pass splits the labs by test; each test's bounds are then compared on its rows only
        by_test = labs.filter(pl.col("LBTESTCD").is_in(list(bounds))).partition_by(
            "LBTESTCD", as_dict=True
        )
        for test, (low, high) in bounds.items():
            rows = by_test.get((test,))
            if rows is None:
                continue
            outside = ~compute_lab_compared(
                test=test, threshold=low, at_least=True, params=eligibility
            ) | ~compute_lab_compared(test=test, threshold=high, at_least=False, params=eligibility)
            out.append(
                make_issues(
                    rows.lazy().filter(outside.fill_null(False)),
                    rule="VAL-014",
                    table="labs",
                    column="LBSTRESN",
                    value=pl.col("LBSTRESN").cast(pl.String),
                    message=fmt(
                        f"labs: {test} = {{}} {{}} on {{}} lies outside the physiologically "
                        f"possible range {_text(low)} to {_text(high)} (standard units); please "
                        "check the value and its unit",
                        pl.col("LBSTRESN"),
                        pl.col("LBSTRESU"),
                        pl.col("LBDT"),
                    ),
                )
            )
    assessments = tables.get("assessments")
    if assessments is not None:
        for column, unit in ASSESSMENT_LAB_UNITS.items():
            if column not in bounds:
                continue
            low, high = bounds[column]
            out.append(
                make_issues(
                    assessments.lazy().filter(_outside(pl.col(column), low, high).fill_null(False)),
                    rule="VAL-014",
                    table="assessments",
                    column=column,
                    value=pl.col(column).cast(pl.String),
                    message=fmt(
                        f"assessments: {column} = {{}} {unit} at visit {{}} on {{}} lies outside "
                        f"the physiologically possible range {_text(low)} to {_text(high)} {unit}; "
                        "please check the value",
                        pl.col(column),
                        pl.col("VISIT"),
                        pl.col("ASMDT"),
                    ),
                )
            )
    return out


def _grade_words(params: ValidationParams) -> dict[int, str]:
    """What each CTCAE grade needs, in words (for the message)."""
    lt = params.neutropenia_ae.anc_lt
    return {
        4: f"below {_text(lt[4])}",
        3: f"from {_text(lt[4])} to below {_text(lt[3])}",
        2: f"from {_text(lt[3])} to below {_text(lt[2])}",
        1: f"from {_text(lt[2])} to below the lower limit of normal",
    }


def compute_anc_grade(*, params: ValidationParams, eligibility: EligibilityParams) -> pl.Expr:
    """The CTCAE grade of the ANC result on the row (4, 3, 2; 1 below its LLN, 0 at or above
    it; null when it is 1.5 or more and the LLN is missing, or the unit is unknown)."""
    lt = params.neutropenia_ae.anc_lt

    def below(grade: int) -> pl.Expr:
        return ~compute_lab_at_least(test="ANC", threshold=lt[grade], params=eligibility)

    lln = compute_fixed(pl.col("LBSTRESN"), decimals=LAB_DECIMALS) < compute_fixed(
        pl.col("LBSTNRLO"), decimals=LAB_DECIMALS
    )
    return (
        pl.when(below(4))
        .then(pl.lit(4))
        .when(below(3))
        .then(pl.lit(3))
        .when(below(2))
        .then(pl.lit(2))
        .when(lln)
        .then(pl.lit(1))
        .when(~lln)
        .then(pl.lit(0))
    )


def check_neutropenia_grades(
    adverse_events: pl.DataFrame,
    labs: pl.DataFrame,
    *,
    params: ValidationParams,
    eligibility: EligibilityParams,
    data_cut: dt.date | None,
) -> pl.LazyFrame:
    """CON-014: each neutropenia AE of grade 1-4 whose grade differs from the CTCAE grade of
    the lowest ANC dated in its window (an unknown LLN allows grade 0 or 1)."""
    cfg = params.neutropenia_ae
    margin = pl.duration(days=cfg.window_margin_days)

    def is_term(column: str) -> pl.Expr:
        return pl.col(column).str.strip_chars().str.to_uppercase().is_in(cfg.terms)

    aes = (
        adverse_events.lazy()
        .filter(
            (is_term("AETERM") | is_term("AEDECOD")).fill_null(False)
            & pl.col("AETOXGR").is_between(1, 4).fill_null(False)
            & pl.col("AESTDT").is_not_null()
        )
        .select(
            "USUBJID",
            "ROW",
            "AESEQ",
            "AETERM",
            "AETOXGR",
            "AESTDT",
            "AEENDT",
            (pl.col("AESTDT") - margin).alias("_LO"),
            pl.coalesce(pl.col("AEENDT") + margin, pl.lit(data_cut or OPEN_END)).alias("_HI"),
        )
    )
    anc = (
        labs.lazy()
        .filter((pl.col("LBTESTCD") == "ANC") & pl.col("LBDT").is_not_null())
        .select(
            "USUBJID",
            "LBDT",
            "LBSTRESN",
            "LBSTRESU",
            "LBSTNRLO",
            compute_standard_value(test="ANC", params=eligibility).alias("_STD"),
        )
        .filter(pl.col("_STD").is_not_null())
    )
    nadir = (
        aes.join(anc, on="USUBJID", how="inner")
        .filter(pl.col("LBDT").is_between(pl.col("_LO"), pl.col("_HI")))
        .sort("_STD", "LBDT")
        .unique(["USUBJID", "ROW"], keep="first")
        .with_columns(compute_anc_grade(params=params, eligibility=eligibility).alias("_OBS"))
    )
    contradicts = pl.when(pl.col("_OBS").is_null()).then(pl.col("AETOXGR") >= 2)
    contradicts = contradicts.otherwise(pl.col("_OBS") != pl.col("AETOXGR"))
    needs = pl.col("AETOXGR").replace_strict(
        _grade_words(params), default=None, return_dtype=pl.String
    )
    return make_issues(
        nadir.filter(contradicts),
        rule="CON-014",
        table="adverse_events",
        column="AETOXGR",
        value=pl.col("AETOXGR").cast(pl.String),
        message=fmt(
            "adverse_events: {} (AESEQ {}) is grade {} from {} to {}, but the lowest neutrophil "
            "count (ANC) dated in that period is {} {} on {}, which is grade {}; grade {} needs an "
            "ANC {} x 10^9/L",
            pl.col("AETERM"),
            pl.col("AESEQ"),
            pl.col("AETOXGR"),
            pl.col("AESTDT"),
            pl.col("AEENDT").cast(pl.String).fill_null("ongoing"),
            pl.col("LBSTRESN"),
            pl.col("LBSTRESU"),
            pl.col("LBDT"),
            pl.col("_OBS").cast(pl.String).fill_null("0 or 1"),
            pl.col("AETOXGR"),
            needs,
        ),
    )


def check_fatal_ae_other_without_death(
    adverse_events: pl.DataFrame, subjects: pl.DataFrame
) -> pl.LazyFrame:
    """CON-015: an AE of grade 5 (fatal) other than CRS or ICANS on a subject without a death
    date."""
    return make_issues(
        filter_fatal_without_death(adverse_events, subjects, crs_icans=False),
        rule="CON-015",
        table="adverse_events",
        column="AETOXGR",
        value=pl.col("AETOXGR").cast(pl.String),
        message=fmt(
            "adverse_events: {} (AESEQ {}, {}) starting {} is grade 5 (fatal), but the subject "
            "has no death date (subjects.DTHDT is blank)",
            pl.col("AETERM"),
            pl.col("AESEQ"),
            pl.col("AECAT"),
            pl.col("AESTDT"),
        ),
    )
