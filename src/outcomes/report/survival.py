"""Curve frames for the report's time-to-event figures, from ``adtte`` and the analysis stage.

Estimates are computed by :mod:`outcomes.analysis` (``kaplan_meier``, ``cumulative_incidence``);
this module only prepares their input from ``adtte`` and puts their output on one plotting
scale. Numbers at risk are counted directly from ``adtte``.
"""

from __future__ import annotations

import polars as pl

from outcomes.analysis.cif import cumulative_incidence
from outcomes.analysis.km import kaplan_meier, to_event

#: Times to first achievement (plotted as cumulative probability of achieving, 1 − S).
TIME_TO: tuple[str, ...] = ("TTDORIS", "TTDFREM", "TTLLDAS")
#: Durations from first achievement (plotted as probability of remaining in the state, S).
DURATIONS: tuple[str, ...] = ("DURDORIS", "DURDFREM", "DURLLDAS")


def create_tte_input(adtte: pl.DataFrame, *, adsl: pl.DataFrame, paramcd: str) -> pl.DataFrame:
    """One row per subject of ``paramcd``: ``USUBJID, DOSELVL, AVAL, EVENT, EVCODE``.

    ``EVENT`` = 1 when ``CNSR`` = 0 (event), else 0. ``EVCODE`` for competing risks: 1 event,
    2 competing (``CNSR`` 2, death before achievement), 0 censored (``CNSR`` 1, and 3: rescue
    before achievement is censored at the rescue date, endpoints.md §16.3), as in the analysis
    stage's cumulative-incidence tables.
    """
    rows = adtte.filter((pl.col("PARAMCD") == paramcd) & pl.col("AVAL").is_not_null())
    if "DOSELVL" not in rows.columns:
        rows = rows.join(adsl.select("USUBJID", "DOSELVL"), on="USUBJID", how="left")
    return rows.select(
        "USUBJID",
        "DOSELVL",
        "AVAL",
        to_event(pl.col("CNSR")).alias("EVENT"),
        to_event(pl.col("CNSR"), competing=True).alias("EVCODE"),
    ).sort("DOSELVL", "USUBJID")


def summarize_at_risk(tte: pl.DataFrame, *, days: tuple[int, ...]) -> pl.DataFrame:
    """Subjects still under observation (``AVAL`` ≥ day) per dose level: ``group, day, n``."""
    grid = pl.DataFrame({"day": list(days)}, schema={"day": pl.Int64})
    return (
        tte.select(pl.col("DOSELVL").alias("group"), "AVAL")
        .join(grid, how="cross")
        .group_by("group", "day")
        .agg((pl.col("AVAL") >= pl.col("day")).sum().alias("n"))
        .sort("group", "day")
    )


def create_km_curves(
    tte: pl.DataFrame, *, paramcd: str, conf_type: str, conf_level: float
) -> pl.DataFrame | None:
    """Kaplan–Meier curves by dose level on the plotting scale ``group, time, estimate, lower,
    upper`` (1 − S for times to achievement), or ``None`` without data."""
    if tte.is_empty():
        return None
    km = kaplan_meier(
        tte, time="AVAL", event="EVENT", group="DOSELVL", conf_type=conf_type, conf_level=conf_level
    )
    if paramcd in TIME_TO:
        return km.select(
            "group",
            "time",
            (1 - pl.col("surv")).alias("estimate"),
            (1 - pl.col("upper")).alias("lower"),
            (1 - pl.col("lower")).alias("upper"),
        )
    return km.select("group", "time", pl.col("surv").alias("estimate"), "lower", "upper")


def create_cif_curves(tte: pl.DataFrame, *, conf_level: float) -> pl.DataFrame | None:
    """Cumulative incidence of achievement with death competing (``EVCODE``), ``group, time,
    estimate, lower, upper``, or ``None`` without data."""
    if tte.is_empty():
        return None
    cif = cumulative_incidence(
        tte, time="AVAL", event_code="EVCODE", group="DOSELVL", conf_level=conf_level
    )
    return cif.select(
        "group", pl.col("time").cast(pl.Float64), pl.col("cif").alias("estimate"), "lower", "upper"
    )
