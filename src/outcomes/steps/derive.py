"""Steps of the per-visit rules: create_advisit, create_adsl (adam/advisit, adam/adsl)."""

from __future__ import annotations

import datetime as dt
import logging

import polars as pl

from outcomes.derive.adsl import create_adsl as build_adsl
from outcomes.derive.advisit import create_advisit as build_advisit
from outcomes.derive.medications import MedicationParams, derive_var_gcdosebl
from outcomes.derive.params import Criteria, ScoreParams, VisitParams
from outcomes.eligibility import EligibilityParams, create_eligibility
from outcomes.io import atomic
from outcomes.schemas.adam import ADSL, ADSL_FLAGS, ADVISIT_FLAGS, advisit_schema
from outcomes.steps import StepIO, step
from outcomes.steps.checks import log_counts, validate_frame

log = logging.getLogger("outcomes.steps.derive")


@step
def create_advisit(io: StepIO) -> None:
    """adam/advisit.parquet: one row per assessment with scores, medications and states."""
    criteria = Criteria.from_config(io.params["criteria"])
    advisit = build_advisit(
        pl.scan_parquet(io.inputs["assessments"]),
        subjects=pl.scan_parquet(io.inputs["subjects"]),
        adcm=pl.scan_parquet(io.inputs["adcm"]),
        visits=VisitParams.from_config(io.params["visits"]),
        scores=ScoreParams.from_config(io.params["scores"]),
        criteria=criteria,
        medications=MedicationParams.from_config(io.params["medications"]),
    ).collect()
    validate_frame(advisit, advisit_schema(criteria.sri.k_values), log_path=io.log)
    extra = tuple(f"SRI{k}FL" for k in criteria.sri.k_values)
    log_counts(advisit, flags=(*ADVISIT_FLAGS, *extra))
    atomic.write_parquet(advisit, io.outputs["advisit"])


@step
def create_adsl(io: StepIO) -> None:
    """adam/adsl.parquet: one row per subject with analysis sets and baseline values."""
    subjects = pl.scan_parquet(io.inputs["subjects"])
    visits = VisitParams.from_config(io.params["visits"])
    eligibility = create_eligibility(
        subjects,
        assessments=pl.scan_parquet(io.inputs["assessments"]),
        labs=pl.scan_parquet(io.inputs["labs"]),
        params=EligibilityParams.from_config(
            io.params["eligibility"], baseline_window_days=visits.baseline_window_days
        ),
    )
    gc_baseline = derive_var_gcdosebl(
        subjects.select("USUBJID", "LDFL", "LDSTDT", pl.col("INFDT").alias("TRTSDT")),
        adcm=pl.scan_parquet(io.inputs["adcm"]),
        params=MedicationParams.from_config(io.params["medications"]),
    )
    adsl = build_adsl(
        subjects,
        advisit=pl.scan_parquet(io.inputs["advisit"]),
        eligibility=eligibility,
        gc_baseline=gc_baseline,
        dose_levels=tuple(io.params["dose_levels"]),
        data_cut=dt.date.fromisoformat(io.params["data_cut"]),
    ).collect()
    validate_frame(adsl, ADSL, log_path=io.log)
    log_counts(adsl, flags=ADSL_FLAGS)
    atomic.write_parquet(adsl, io.outputs["adsl"])
