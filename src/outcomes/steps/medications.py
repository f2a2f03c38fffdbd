"""Steps of the medications rules: create_adcm, create_events (endpoints.md §8)."""

from __future__ import annotations

import datetime as dt
import logging

import polars as pl

from outcomes.derive.medications import MedicationParams
from outcomes.derive.medications import create_adcm as build_adcm
from outcomes.derive.medications import create_events as build_events
from outcomes.io import atomic
from outcomes.steps import StepIO, step
from outcomes.steps.checks import log_counts

log = logging.getLogger("outcomes.steps.medications")


@step
def create_adcm(io: StepIO) -> None:
    """derived/adcm.parquet: one row per medication record with class, window and doses."""
    params = MedicationParams.from_config(io.params["medications"])
    medications = pl.scan_parquet(io.inputs["medications"])
    adcm = build_adcm(
        medications,
        subjects=pl.scan_parquet(io.inputs["subjects"]),
        data_cut=dt.date.fromisoformat(io.params["data_cut"]),
        params=params,
    ).collect(engine="in-memory")  # faster than streaming for these sorts and joins
    log.info("%d medication records, %d subjects", adcm.height, adcm["USUBJID"].n_unique())
    log.info("records per class: %s", dict(adcm["CLASS"].value_counts().iter_rows()))
    log.info("CMTRT not in the dictionary: %d records", adcm.filter(~pl.col("DICTFL")).height)
    log_counts(adcm, flags=("SYSTEMFL", "SLEFL", "CARTTXFL", "GCFL", "OVRFL", "NEWFL", "DOSEUPFL"))
    atomic.write_parquet(adcm, io.outputs["adcm"])


@step
def create_events(io: StepIO) -> None:
    """derived/events.parquet: rescue, flare-treatment and re-treatment events."""
    params = MedicationParams.from_config(io.params["medications"])
    events = build_events(
        pl.scan_parquet(io.inputs["adcm"]),
        subjects=pl.scan_parquet(io.inputs["subjects"]),
        assessments=pl.scan_parquet(io.inputs["assessments"]),
        params=params,
    ).collect()
    log.info("%d events, %d subjects", events.height, events["USUBJID"].n_unique())
    log.info("events per code: %s", dict(events["EVTCD"].value_counts().iter_rows()))
    atomic.write_parquet(events, io.outputs["events"])
