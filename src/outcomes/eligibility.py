"""Eligibility at screening (endpoints.md §10, §16.20): one tri-state flag per inclusion criterion.

Name: create_eligibility. Input: typed ``subjects``, ``assessments`` and ``labs`` (data-contract
§1). Output grain: one row per subject. Each criterion is null when it cannot be assessed; ELIGFL
is their three-valued AND (endpoints.md §0). Screening assessment = the last one labelled
SCREENING, else the baseline of §16.5; screening lab = the last result per test dated
CONSDT − ``screening_lab_days_before_consent`` … LDSTDT (INFDT without lymphodepletion).

References
----------
Cockcroft DW, Gault MH. Nephron 1976;16:31-41 (endpoints.md §10.3 [R36]).
Petri M et al. SELENA-SLEDAI, N Engl J Med 2005;353:2550-2558 (§1.3); BILAG-2004 (§2).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import polars as pl

from outcomes.config import register_check
from outcomes.decimal import compute_fixed, to_fixed
from outcomes.scoring import compute_bilag_count, compute_sledai

LAB_DECIMALS = 6
CRCL_DECIMALS = 4
#: Criterion flag columns, in the order of endpoints.md §10 / §16.20.
CRITERIA: tuple[str, ...] = (
    "ELAGEFL",
    "ELACTFL",
    "ELANCFL",
    "ELHGBFL",
    "ELALTFL",
    "ELASTFL",
    "ELTBILFL",
    "ELINRFL",
    "ELPTFL",
    "ELCRCLFL",
)
ULN_TESTS: dict[str, str] = {
    "ALT": "ELALTFL",
    "AST": "ELASTFL",
    "TBIL": "ELTBILFL",
    "INR": "ELINRFL",
    "PT": "ELPTFL",
}


def _fraction(value: Any) -> Fraction:
    return Fraction(str(value))


@dataclass(frozen=True)
class EligibilityParams:
    """Inclusion criteria of endpoints.md §10 and §16.20 (config section ``eligibility``)."""

    age_min: int
    age_max: int
    selena_ge_with_bilag: int
    bilag_a_ge: int
    bilag_b_ge: int
    selena_ge_alone: int
    anc_ge_10e9_per_l: Fraction
    hgb_ge_g_per_l: Fraction
    uln_multiple_le: Mapping[str, Fraction]
    crcl_ge_ml_per_min: Fraction
    crcl_body_weight: str
    activity_missing: str
    cg_female_factor: Fraction
    creatinine_umol_per_l_per_mg_dl: Fraction
    lab_unit_factors: Mapping[str, Mapping[str, Fraction]]
    screening_visit: str
    screening_lab_days_before_consent: int
    baseline_window_days: int

    @classmethod
    def from_config(
        cls, section: Mapping[str, Any], *, baseline_window_days: int
    ) -> EligibilityParams:
        """Build from config ``eligibility``; ``baseline_window_days`` is config
        ``visits.baseline_window_days`` (§16.5)."""
        return cls(
            age_min=int(section["age_min"]),
            age_max=int(section["age_max"]),
            selena_ge_with_bilag=int(section["selena_ge_with_bilag"]),
            bilag_a_ge=int(section["bilag_a_ge"]),
            bilag_b_ge=int(section["bilag_b_ge"]),
            selena_ge_alone=int(section["selena_ge_alone"]),
            anc_ge_10e9_per_l=_fraction(section["anc_ge_10e9_per_l"]),
            hgb_ge_g_per_l=_fraction(section["hgb_ge_g_per_l"]),
            uln_multiple_le={t: _fraction(v) for t, v in section["uln_multiple_le"].items()},
            crcl_ge_ml_per_min=_fraction(section["crcl_ge_ml_per_min"]),
            crcl_body_weight=str(section["crcl_body_weight"]),
            activity_missing=str(section["activity_missing"]),
            cg_female_factor=_fraction(section["cg_female_factor"]),
            creatinine_umol_per_l_per_mg_dl=_fraction(section["creatinine_umol_per_l_per_mg_dl"]),
            lab_unit_factors={
                t: {u: _fraction(f) for u, f in units.items()}
                for t, units in section["lab_unit_factors"].items()
            },
            screening_visit=str(section["screening_visit"]),
            screening_lab_days_before_consent=int(section["screening_lab_days_before_consent"]),
            baseline_window_days=int(baseline_window_days),
        )


@register_check
def check_eligibility(config: Mapping[str, Any]) -> Iterator[str]:
    """Cross-field rules of ``eligibility``: age_min <= age_max; unit factors for ANC, HGB and
    CREAT; the ULN multiples name ALT, AST, TBIL, INR and PT; the drugs of §16.27
    (``refractory_drugs``, ``csf_drugs``) are INNs of ``medications.dictionary``."""
    section = config.get("eligibility") or {}
    if not section:
        return
    if section["age_min"] > section["age_max"]:
        yield "eligibility.age_min must be <= eligibility.age_max (§16.20)"
    for test in ("ANC", "HGB", "CREAT"):
        if test not in section["lab_unit_factors"]:
            yield f"eligibility.lab_unit_factors: no units for {test} (§10.2)"
    missing = sorted(set(ULN_TESTS) - set(section["uln_multiple_le"]))
    if missing:
        yield f"eligibility.uln_multiple_le: no multiple for {', '.join(missing)} (§10.2)"
    known = {k.lower() for k in ((config.get("medications") or {}).get("dictionary") or {})}
    for key in ("refractory_drugs", "csf_drugs"):
        for drug in section.get(key, []) if known else []:
            if drug.lower() not in known:
                yield f"eligibility.{key}: {drug!r} is not in medications.dictionary (§16.27)"


def compute_creatinine_clearance(
    *,
    age: pl.Expr,
    weight_kg: pl.Expr,
    creatinine_umol_per_l: pl.Expr,
    female: pl.Expr,
    umol_per_mg_dl: Fraction,
    female_factor: Fraction,
) -> pl.Expr:
    """Creatinine clearance by Cockcroft-Gault, mL/min, not indexed to body surface.

    CrCl = (140 − age) × weight / (72 × SCr[mg/dL]) × (``female_factor`` if female), with
    SCr[mg/dL] = SCr[µmol/L] / 88.4 exactly (never the rounded 1.23/1.04 shortcuts, [D-29]);
    actual body weight [D-30]. Null when an input is missing. Round only for display.

    References
    ----------
    endpoints.md §10.3 [R36][R36b][R36c], [D-29], [D-30]; Ex 17.
    """
    scr_mg_dl = creatinine_umol_per_l / float(umol_per_mg_dl)
    sex = pl.when(female).then(pl.lit(float(female_factor))).when(~female).then(pl.lit(1.0))
    return ((140 - age) * weight_kg / (72 * scr_mg_dl) * sex).cast(pl.Float64)


def _ge(value: pl.Expr, threshold: Fraction) -> pl.Expr:
    """value ≥ threshold in exact integers (value at LAB_DECIMALS, threshold as p/q)."""
    fixed = compute_fixed(value, decimals=LAB_DECIMALS)
    return fixed * threshold.denominator >= threshold.numerator * 10**LAB_DECIMALS


def _le_multiple(value: pl.Expr, uln: pl.Expr, multiple: Fraction) -> pl.Expr:
    """value ≤ multiple × ULN in exact integers."""
    fixed_v = compute_fixed(value, decimals=LAB_DECIMALS)
    fixed_u = compute_fixed(uln, decimals=LAB_DECIMALS)
    return fixed_v * multiple.denominator <= fixed_u * multiple.numerator


def compare_value(value: pl.Expr, threshold: Fraction, *, at_least: bool) -> pl.Expr:
    """value ≥ threshold (``at_least``) or value ≤ threshold, in exact integers (value at
    LAB_DECIMALS, threshold as p/q; D-01)."""
    if at_least:
        return _ge(value, threshold)
    fixed = compute_fixed(value, decimals=LAB_DECIMALS)
    return fixed * threshold.denominator <= threshold.numerator * 10**LAB_DECIMALS


def compute_lab_compared(
    *, test: str, threshold: Fraction, at_least: bool, params: EligibilityParams
) -> pl.Expr:
    """Result (``LBSTRESN`` in unit ``LBSTRESU``) ≥ (``at_least``) or ≤ ``threshold`` in standard
    units, compared in the recorded unit (threshold ÷ unit factor, exact); null for a unit
    without a factor. A test without ``lab_unit_factors`` is compared as recorded (data-contract
    §1.5: LBSTRESN is in standard units)."""
    factors = params.lab_unit_factors.get(test)
    if factors is None:
        return compare_value(pl.col("LBSTRESN"), threshold, at_least=at_least)
    expr = pl.lit(None, dtype=pl.Boolean)
    for unit, factor in factors.items():
        expr = (
            pl.when(pl.col("LBSTRESU") == unit)
            .then(compare_value(pl.col("LBSTRESN"), threshold / factor, at_least=at_least))
            .otherwise(expr)
        )
    return expr


def compute_lab_at_least(*, test: str, threshold: Fraction, params: EligibilityParams) -> pl.Expr:
    """Result ≥ ``threshold`` in standard units (:func:`compute_lab_compared`; §10.2)."""
    return compute_lab_compared(test=test, threshold=threshold, at_least=True, params=params)


def compute_standard_value(*, test: str, params: EligibilityParams) -> pl.Expr:
    """``LBSTRESN`` in the standard unit of ``test`` (× its unit factor, Float64, for display and
    ordering; comparisons use :func:`compute_lab_compared`); null for a unit without a factor;
    as recorded for a test without ``lab_unit_factors``."""
    factors = params.lab_unit_factors.get(test)
    if factors is None:
        return pl.col("LBSTRESN").cast(pl.Float64)
    expr = pl.lit(None, dtype=pl.Float64)
    for unit, factor in factors.items():
        expr = (
            pl.when(pl.col("LBSTRESU") == unit)
            .then(pl.col("LBSTRESN") * float(factor))
            .otherwise(expr)
        )
    return expr


def filter_screening_assessment(
    assessments: pl.LazyFrame, *, subjects: pl.LazyFrame, params: EligibilityParams
) -> pl.LazyFrame:
    """One assessment per subject: the last labelled SCREENING, else the §16.5 baseline (the
    latest before LDSTDT, or INFDT without lymphodepletion, within the baseline window)."""
    ref = subjects.select("USUBJID", _reference_date().alias("_REF"))
    window = pl.duration(days=params.baseline_window_days)
    in_baseline = (pl.col("ASMDT") < pl.col("_REF")) & (pl.col("ASMDT") >= pl.col("_REF") - window)
    candidates = (
        assessments.select("USUBJID", "VISIT", "ASMDT", "ROW")
        .join(ref, on="USUBJID", how="left")
        .with_columns(
            pl.when(pl.col("VISIT") == params.screening_visit)
            .then(pl.lit(1))
            .when(in_baseline)
            .then(pl.lit(0))
            .alias("_PRI")
        )
        .filter(pl.col("_PRI").is_not_null())
    )
    return filter_last_record(assessments, candidates, by=["USUBJID"], order=["_PRI", "ASMDT"])


def filter_last_record(
    records: pl.LazyFrame, candidates: pl.LazyFrame, *, by: list[str], order: list[str]
) -> pl.LazyFrame:
    """The rows of ``records`` that are the last of their ``by`` group among ``candidates`` in
    the order ``order`` then ``ROW`` (the record number, unique within a table).

    Only the key columns are sorted (``candidates`` holds ``by``, ``order`` and ``ROW``); the
    chosen records are then taken whole from ``records`` by ``ROW``, in no particular order.
    """
    chosen = (
        candidates.select(*by, *order, "ROW")
        .sort([*order, "ROW"])
        .unique(by, keep="last")
        .select("ROW")
    )
    return records.join(chosen, on="ROW", how="semi")


def _reference_date() -> pl.Expr:
    return pl.when(pl.col("LDFL") == "Y").then(pl.col("LDSTDT")).otherwise(pl.col("INFDT"))


def _activity(params: EligibilityParams) -> pl.Expr:
    def decide(bound: str, bilag_b_bound: str) -> pl.Expr:
        ss = compute_sledai(index="selena", bound=bound)  # type: ignore[arg-type]
        n_a = compute_bilag_count(grade="A", bound=bound)  # type: ignore[arg-type]
        n_b = compute_bilag_count(grade="B", bound=bilag_b_bound)  # type: ignore[arg-type]
        with_bilag = (n_a >= params.bilag_a_ge) | (n_b >= params.bilag_b_ge)
        return ((ss >= params.selena_ge_with_bilag) & with_bilag) | (ss >= params.selena_ge_alone)

    low, high = decide("lo", "lo"), decide("hi", "lo")
    return pl.when(low).then(pl.lit(True)).when(~high).then(pl.lit(False)).otherwise(None)


def filter_screening_labs(
    labs: pl.LazyFrame, subjects: pl.LazyFrame, params: EligibilityParams
) -> pl.LazyFrame:
    """The screening result per subject and test (§16.20): the last one dated CONSDT −
    ``screening_lab_days_before_consent`` … LDSTDT (INFDT without lymphodepletion; no upper
    limit when neither is known), of the tests the criteria use."""
    window = pl.duration(days=params.screening_lab_days_before_consent)
    dates = subjects.select("USUBJID", "CONSDT", _reference_date().alias("_REF"))
    upper_ok = pl.col("_REF").is_null() | (pl.col("LBDT") <= pl.col("_REF"))
    tests = ["ANC", "HGB", "CREAT", *ULN_TESTS]
    candidates = (
        labs.filter(pl.col("LBTESTCD").is_in(tests))
        .join(dates, on="USUBJID")
        .filter(
            (pl.col("LBDT") >= pl.col("CONSDT") - window)
            & upper_ok
            & pl.col("LBSTRESN").is_not_null()
        )
    )
    return filter_last_record(candidates, candidates, by=["USUBJID", "LBTESTCD"], order=["LBDT"])


def _lab_flags(params: EligibilityParams) -> list[tuple[str, str, pl.Expr]]:
    flags = [
        (
            "ANC",
            "ELANCFL",
            compute_lab_at_least(test="ANC", threshold=params.anc_ge_10e9_per_l, params=params),
        ),
        (
            "HGB",
            "ELHGBFL",
            compute_lab_at_least(test="HGB", threshold=params.hgb_ge_g_per_l, params=params),
        ),
    ]
    flags += [
        (
            test,
            flag,
            _le_multiple(pl.col("LBSTRESN"), pl.col("LBSTNRHI"), params.uln_multiple_le[test]),
        )
        for test, flag in ULN_TESTS.items()
    ]
    return flags


def _creatinine_umol(params: EligibilityParams) -> pl.Expr:
    return compute_standard_value(test="CREAT", params=params).alias("_CREAT")


def derive_vars_crcl(
    frame: pl.LazyFrame, *, creatinine: pl.LazyFrame, params: EligibilityParams
) -> pl.LazyFrame:
    """Add ``CRCL`` (Cockcroft-Gault, mL/min) and ``ELCRCLFL`` (CRCL ≥ ``crcl_ge_ml_per_min``,
    compared at 4 decimals, E-25) from each subject's screening creatinine result.

    ``frame`` holds one row per subject with ``AGE``, ``WEIGHT`` and ``SEX``; ``creatinine`` the
    chosen screening labs. Rows and order unchanged.
    """
    creat = creatinine.filter(pl.col("LBTESTCD") == "CREAT").select(
        "USUBJID", _creatinine_umol(params)
    )
    crcl = compute_creatinine_clearance(
        age=pl.col("AGE"),
        weight_kg=pl.col("WEIGHT"),
        creatinine_umol_per_l=pl.col("_CREAT"),
        female=pl.col("SEX") == "F",
        umol_per_mg_dl=params.creatinine_umol_per_l_per_mg_dl,
        female_factor=params.cg_female_factor,
    )
    threshold = to_fixed(float(params.crcl_ge_ml_per_min), decimals=CRCL_DECIMALS)
    passed = compute_fixed(pl.col("CRCL"), decimals=CRCL_DECIMALS) >= threshold
    return (
        frame.join(creat, on="USUBJID", how="left", maintain_order="left")
        .with_columns(crcl.alias("CRCL"))
        .with_columns(passed.alias("ELCRCLFL"))
        .drop("_CREAT")
    )


def create_eligibility(
    subjects: pl.LazyFrame,
    *,
    assessments: pl.LazyFrame,
    labs: pl.LazyFrame,
    params: EligibilityParams,
) -> pl.LazyFrame:
    """Eligibility of each subject at screening (endpoints.md §10, §16.20).

    Criteria: age ``age_min``–``age_max`` inclusive; activity (SS ≥ 6 and (nA ≥ 1 or nB ≥ 2)) or
    SS ≥ 8 with SS = SELENA-SLEDAI, decided only when identical at the lower and upper bounds of
    missing items (E-05, E-32); ANC ≥ 1.0 ×10⁹/L; Hb ≥ 60 g/L; ALT, AST ≤ 3 × ULN; TBIL, INR,
    PT ≤ 1.5 × ULN; Cockcroft-Gault CrCl ≥ 30 mL/min (E-25). Every comparison is exact (D-01).

    Returns
    -------
    pl.LazyFrame
        One row per subject (first ``subjects`` record of each USUBJID, in input order):
        ``USUBJID``, the Boolean flags of :data:`CRITERIA`, ``CRCL`` (mL/min), ``ELIGFL`` and
        ``SRCSEQ`` (of the screening assessment; null when there is none).
    """
    subj = subjects.unique("USUBJID", keep="first", maintain_order=True)
    screening = filter_screening_assessment(assessments, subjects=subj, params=params).select(
        "USUBJID", _activity(params).alias("ELACTFL"), pl.col("SRCSEQ")
    )
    chosen = filter_screening_labs(labs, subj, params)
    out = subj.select(
        "USUBJID",
        "AGE",
        "WEIGHT",
        "SEX",
        pl.col("AGE").is_between(params.age_min, params.age_max).alias("ELAGEFL"),
    ).join(screening, on="USUBJID", how="left", maintain_order="left")
    for test, flag, expr in _lab_flags(params):
        values = chosen.filter(pl.col("LBTESTCD") == test).select("USUBJID", expr.alias(flag))
        out = out.join(values, on="USUBJID", how="left", maintain_order="left")
    out = derive_vars_crcl(out, creatinine=chosen, params=params)
    return out.select(
        "USUBJID",
        *CRITERIA,
        "CRCL",
        pl.all_horizontal(*CRITERIA).alias("ELIGFL"),
        "SRCSEQ",
    )
