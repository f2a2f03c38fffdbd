# Configuration (checked against config/config.schema.json), output folder and final targets.

import os

from outcomes.config import DEFAULT_CONFIG, export_dir, merge, output_dir, read_config_file
from outcomes.config import validate_config
from outcomes.contract import TABLES

CFG = validate_config(merge(read_config_file(DEFAULT_CONFIG), config))
OUT = output_dir(CFG)
EXPORT = export_dir(CFG)
DEMO = CFG["data"]["export"] == "demo"
RUN_STEP = "../scripts/run_step.py"
ADAM = ("adsl", "advisit", "adrs", "adepi", "adtte", "adae", "adsafe")
ANALYSES = (
    "analyze_survival", "analyze_response", "analyze_disease_activity", "analyze_safety",
    "analyze_obd",
)


def export_files():
    """Files of the export: the simulated demo tables, or the tables present in the folder."""
    if DEMO:
        return [f"{EXPORT}/{table}.csv" for table in TABLES]
    names = sorted(os.listdir(EXPORT)) if os.path.isdir(EXPORT) else []
    stems = {os.path.splitext(n)[0] for n in names}
    return [os.path.join(EXPORT, n) for n in names if os.path.splitext(n)[0] in TABLES] or [EXPORT]


def final_targets():
    """Everything a complete run leaves in the data cut's folder."""
    return [
        f"{OUT}/validation/issues.csv",
        *[f"{OUT}/validated/{table}.parquet" for table in TABLES],
        f"{OUT}/derived/adcm.parquet",
        f"{OUT}/derived/events.parquet",
        *[f"{OUT}/adam/{name}.parquet" for name in ADAM],
        *[path for name in ANALYSES for path in getattr(rules, name).output],
        f"{OUT}/report.html",
        f"{OUT}/manifest.json",
    ]
