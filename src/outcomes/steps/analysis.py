"""Steps of the analysis rules: analyze_survival, analyze_response, analyze_disease_activity,
analyze_safety, analyze_obd. Each reads adam/*.parquet, calls one pure function of
:mod:`outcomes.analysis` with its typed config and writes tables/*.csv.

CSV files are written with a stable row order and fixed float formatting, so a rerun on the
same inputs is byte-identical. Only the columns an analysis uses are read; adrs and advisit
are handed over as lazy scans and read one parameter at a time (docs/performance.md).
"""

from __future__ import annotations

import logging
from pathlib import Path

import polars as pl

from outcomes.analysis.activity_tables import analyze_disease_activity as run_activity
from outcomes.analysis.obd import analyze_obd as run_obd
from outcomes.analysis.params import (
    ActivityParams,
    ObdParams,
    ResponseParams,
    SafetyParams,
    SurvivalParams,
)
from outcomes.analysis.response_tables import analyze_response as run_response
from outcomes.analysis.safety import (
    ICAHT_GRADES,
    create_obd_flags,
    summarize_crs_icans,
    summarize_icaht,
    summarize_safety,
)
from outcomes.analysis.survival_tables import analyze_survival as run_survival
from outcomes.io import atomic
from outcomes.io.spreadsheet import neutralize_csv_cells
from outcomes.steps import StepIO, step

log = logging.getLogger("outcomes.steps.analysis")

#: Decimals written for every float column of an analysis table.
FLOAT_DECIMALS = 6
#: Columns the analyses read of adtte, adsl (dose level, safety set) and adae; the others are
#: not loaded.
TTE_COLUMNS = ["USUBJID", "PARAMCD", "AVAL", "CNSR"]
DOSE_COLUMNS = ["USUBJID", "DOSELVL", "DOSELVLN"]
SAFETY_SET_COLUMNS = ["USUBJID", "DOSELVL", "SAFFL"]
AE_COLUMNS = ["USUBJID", "AECAT", "AETOXGR", "AEREL", "AESER", "W3MFL", "W28FL", "ASTDY", "ADURN"]


def write_table(frame: pl.DataFrame, path: str) -> None:
    """Write ``frame`` as CSV: rows in the given (sorted) order, floats with fixed decimals."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    atomic.write_csv(
        neutralize_csv_cells(frame), path, float_precision=FLOAT_DECIMALS, null_value=""
    )
    log.info("%s: %d rows", Path(path).name, frame.height)


def _read(io: StepIO, name: str, columns: list[str]) -> pl.DataFrame:
    """The ``columns`` of an input dataset that it has (an absent one is left to the analysis
    function, which names it in its error); its other columns are not loaded."""
    scan = _scan(io, name)
    present = scan.collect_schema().names()
    return scan.select(c for c in dict.fromkeys(columns) if c in present).collect()


def _scan(io: StepIO, name: str) -> pl.LazyFrame:
    """An input dataset as a lazy scan: the analysis reads only the rows and columns it needs."""
    return pl.scan_parquet(io.inputs[name])


@step
def analyze_survival(io: StepIO) -> None:
    """tables/survival_{km,quantiles,landmarks,tests,cox,cif}.csv from adtte."""
    params = SurvivalParams.from_config(io.params["analysis"])
    adtte, adsl = _read(io, "adtte", TTE_COLUMNS), _read(io, "adsl", DOSE_COLUMNS)
    res = run_survival(adtte, adsl, params=params)
    for name in ("km", "quantiles", "landmarks", "tests", "cox", "cif"):
        write_table(getattr(res, name), io.outputs[name])


@step
def analyze_response(io: StepIO) -> None:
    """tables/response_{rates,trend,logistic,gee}.csv from adrs."""
    params = ResponseParams.from_config(io.params["analysis"])
    adepi = (
        _read(io, "adepi", ["USUBJID", "PARAMCD", "EPISODE", "STARTDT"])
        if "adepi" in io.inputs
        else None
    )
    adsl = _read(io, "adsl", DOSE_COLUMNS)
    res = run_response(_scan(io, "adrs"), adsl, params=params, adepi=adepi)
    for name in ("rates", "trend", "logistic", "gee"):
        write_table(getattr(res, name), io.outputs[name])


@step
def analyze_disease_activity(io: StepIO) -> None:
    """tables/activity_{summary,mixed}.csv from advisit and adsl."""
    params = ActivityParams.from_config(io.params["analysis"])
    adsl = _read(io, "adsl", ["USUBJID", "DOSELVLN", *params.base_from_adsl.values()])
    res = run_activity(_scan(io, "advisit"), adsl, params=params)
    write_table(res.summary, io.outputs["summary"])
    write_table(res.mixed, io.outputs["mixed"])


@step
def analyze_safety(io: StepIO) -> None:
    """tables/safety_{events,crs_icans,icaht}.csv from adae, adsafe and adsl (primary endpoint)."""
    params = SafetyParams.from_config(io.params["analysis"])
    levels = tuple(io.params["dose_levels"])
    adsl = _read(io, "adsl", SAFETY_SET_COLUMNS)
    adae = _read(io, "adae", [*AE_COLUMNS, params.special_flag])
    write_table(
        summarize_safety(adsl, adae, dose_levels=levels, params=params), io.outputs["events"]
    )
    write_table(
        summarize_crs_icans(adsl, adae, dose_levels=levels, params=params), io.outputs["crs_icans"]
    )
    adsafe = _read(io, "adsafe", ["USUBJID", "DOSELVL", *ICAHT_GRADES])
    write_table(summarize_icaht(adsafe, dose_levels=levels), io.outputs["icaht"])


@step
def analyze_obd(io: StepIO) -> None:
    """tables/obd.csv: per dose level rates, isotonic estimates, utility and the recommendation."""
    params = ObdParams.from_config(io.params["analysis"])
    flags = create_obd_flags(
        _read(io, "adsl", SAFETY_SET_COLUMNS),
        _read(io, "adae", AE_COLUMNS),
        _scan(io, "adrs"),
        params=params,
    )
    res = run_obd(
        flags,
        tox="DLTFL",
        eff="OBDEFFFL",
        dose_levels=tuple(io.params["dose_levels"]),
        params=params,
    )
    table = res.table.with_columns(
        (pl.col("DOSELVL") == (res.recommended or "")).alias("recommended"),
        pl.lit(res.rule).alias("rule"),
        pl.lit(res.method).alias("method"),
    )
    write_table(table, io.outputs["obd"])
    log.info("recommended OBD: %s (%s)", res.recommended, res.rule)
