"""Curve frames for the report's time-to-event figures, from ``adtte`` and the analysis stage.

Estimates are computed by :mod:`outcomes.analysis` (``kaplan_meier`` and, when it exists,
``cumulative_incidence``); this module only prepares their input from ``adtte`` and puts their
output on one plotting scale. Numbers at risk are counted directly from ``adtte``.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

import polars as pl

#: Times to first achievement (plotted as cumulative probability of achieving, 1 − S).
TIME_TO: tuple[str, ...] = ("TTDORIS", "TTDFREM", "TTLLDAS")
#: Durations from first achievement (plotted as probability of remaining in the state, S).
DURATIONS: tuple[str, ...] = ("DURDORIS", "DURDFREM", "DURLLDAS")


def find_analysis_function(name: str) -> Callable[..., Any] | None:
    """``outcomes.analysis.<name>``, or the first submodule attribute of that name, or ``None``."""
    package = importlib.import_module("outcomes.analysis")
    func = getattr(package, name, None)
    if callable(func):
        return func
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"outcomes.analysis.{info.name}")
        func = getattr(module, name, None)
        if callable(func):
            return func
    return None


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
        (pl.col("CNSR") == 0).cast(pl.Int8).alias("EVENT"),
        pl.when(pl.col("CNSR") == 0)
        .then(1)
        .when(pl.col("CNSR") == 2)
        .then(2)
        .otherwise(0)
        .cast(pl.Int8)
        .alias("EVCODE"),
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
    upper`` (1 − S for times to achievement), or ``None`` without ``kaplan_meier``."""
    kaplan_meier = find_analysis_function("kaplan_meier")
    if kaplan_meier is None or tte.is_empty():
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
    estimate [, lower, upper]``, or ``None`` when ``cumulative_incidence`` is not available."""
    cumulative_incidence = find_analysis_function("cumulative_incidence")
    if cumulative_incidence is None or tte.is_empty():
        return None
    cif = cumulative_incidence(
        tte, time="AVAL", event_code="EVCODE", group="DOSELVL", conf_level=conf_level
    )
    if "cause" in cif.columns:
        cif = cif.filter(pl.col("cause").cast(pl.String) == "1")
    estimate = next((c for c in ("cif", "estimate", "cuminc") if c in cif.columns), None)
    if estimate is None:
        return None
    keep = [c for c in ("lower", "upper") if c in cif.columns]
    return cif.select(
        "group", pl.col("time").cast(pl.Float64), pl.col(estimate).alias("estimate"), *keep
    )
