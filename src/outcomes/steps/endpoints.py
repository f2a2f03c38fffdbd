"""Steps of the endpoint rules: create_efficacy (adrs, adepi, adtte) and create_adae."""

from __future__ import annotations

import logging

import polars as pl

from outcomes.endpoints.datasets import create_efficacy as build_efficacy
from outcomes.endpoints.params import (
    EndpointParams,
    SafetyParams,
    check_against_schedule,
    schedule_from_config,
)
from outcomes.endpoints.safety import create_adae as build_adae
from outcomes.endpoints.safety import create_adsafe as build_adsafe
from outcomes.io import atomic
from outcomes.schemas.endpoints import ADAE, ADEPI, ADRS, ADSAFE, ADTTE
from outcomes.steps import StepIO, step
from outcomes.steps.checks import validate_frame

log = logging.getLogger("outcomes.steps.endpoints")


def _log_params(frame: pl.DataFrame, name: str) -> None:
    log.info("%s: %d rows, %d subjects", name, frame.height, frame["USUBJID"].n_unique())
    if "PARAMCD" in frame.columns:
        counts = frame.group_by("PARAMCD").agg(pl.len()).sort("PARAMCD").iter_rows()
        log.info("%s rows per PARAMCD: %s", name, dict(counts))


@step
def create_efficacy(io: StepIO) -> None:
    """adam/adrs, adam/adepi and adam/adtte, collected together from one shared state stream.

    adrs: responder parameters per scheduled visit due at the cut; adepi: episodes of DORIS,
    DFDORIS, DFDORISS and LLDAS; adtte: time to first achievement and durations.
    """
    params = EndpointParams.from_config(io.params["endpoints"])
    schedule = schedule_from_config(io.params["visits"])
    check_against_schedule(params, schedule.collect())
    plans = build_efficacy(
        pl.scan_parquet(io.inputs["advisit"]),
        subjects=pl.scan_parquet(io.inputs["adsl"]),
        events=pl.scan_parquet(io.inputs["events"]),
        schedule=schedule,
        params=params,
    )
    adrs, adepi, adtte = pl.collect_all([plans.adrs, plans.adepi, plans.adtte])
    validate_frame(adrs, ADRS, log_path=io.log)
    validate_frame(adepi, ADEPI, log_path=io.log)
    validate_frame(adtte, ADTTE, log_path=io.log)
    _log_params(adrs, "adrs")
    log.info(
        "adrs AVALC Y %d, N %d, of which NRI %d",
        (adrs["AVALC"] == "Y").sum(),
        (adrs["AVALC"] == "N").sum(),
        (adrs["DTYPE"] == "NRI").sum(),
    )
    _log_params(adepi, "adepi")
    log.info("episode ends: %s", dict(adepi["ENDREAS"].value_counts().iter_rows()))
    _log_params(adtte, "adtte")
    log.info("CNSR counts: %s", dict(adtte["CNSR"].value_counts().sort("CNSR").iter_rows()))
    atomic.write_parquet(adrs, io.outputs["adrs"])
    atomic.write_parquet(adepi, io.outputs["adepi"])
    atomic.write_parquet(adtte, io.outputs["adtte"])


@step
def create_adae(io: StepIO) -> None:
    """adam/adae.parquet (one row per AE) and adam/adsafe.parquet (one row per infused subject)."""
    params = SafetyParams.from_config(io.params["safety"])
    subjects = pl.scan_parquet(io.inputs["adsl"])
    adae = build_adae(
        pl.scan_parquet(io.inputs["adverse_events"]), subjects=subjects, params=params
    )
    adae_df = adae.collect()
    validate_frame(adae_df, ADAE, log_path=io.log)
    adsafe = build_adsafe(
        adae_df.lazy(), subjects=subjects, labs=pl.scan_parquet(io.inputs["labs"]), params=params
    ).collect()
    validate_frame(adsafe, ADSAFE, log_path=io.log)
    log.info(
        "adae: %d AEs, treatment-emergent %d, onset Day 0-91 %d",
        adae_df.height,
        adae_df["TRTEMFL"].sum(),
        adae_df["W3MFL"].sum(),
    )
    log.info(
        "adsafe: %d subjects; max CRS grade counts %s",
        adsafe.height,
        dict(adsafe["CRSMAXGR"].value_counts().sort("CRSMAXGR").iter_rows()),
    )
    atomic.write_parquet(adae_df, io.outputs["adae"])
    atomic.write_parquet(adsafe, io.outputs["adsafe"])
