# Configuration (checked against config/config.schema.json), output folder and final targets.

import os

from outcomes.config import DEFAULT_CONFIG, export_dir, merge, output_dir, read_config_file
from outcomes.config import validate_config
from outcomes.contract import TABLES

CFG = validate_config(merge(read_config_file(DEFAULT_CONFIG), config))
OUT = output_dir(CFG)
DEMO = CFG["data"]["export"] == "demo"
# An SDTM data cut (data.format: sdtm) is read through the export that import_sdtm writes.
SDTM = CFG["data"]["format"] == "sdtm" and not DEMO
EXPORT = f"{OUT}/imported-export" if SDTM else export_dir(CFG)
RUN_STEP = "../scripts/run_step.py"
ADAM = ("adsl", "advisit", "adrs", "adepi", "adtte", "adae", "adsafe")
ANALYSES = (
    "analyze_survival", "analyze_response", "analyze_disease_activity", "analyze_safety",
    "analyze_obd",
)


def export_files():
    """Files of the export: the simulated demo tables, or the tables present in the folder."""
    if DEMO or SDTM:
        return [f"{EXPORT}/{table}.csv" for table in TABLES]
    names = sorted(os.listdir(EXPORT)) if os.path.isdir(EXPORT) else []
    return [os.path.join(EXPORT, n) for n in names if os.path.splitext(n)[0] in TABLES] or [EXPORT]


FOUNDATION = ("contract.py", "errors.py", "decimal.py", "scoring.py", "eligibility.py", "io", "schemas")


def code_inputs(*parts):
    """Source files a rule's results depend on, so that a code change re-runs the rule.

    Snakemake does not track changes inside an imported package; listing the modules as inputs
    makes a changed derivation re-run its rule and everything downstream (plain mtimes).
    """
    root = os.path.join(workflow.basedir, "src", "outcomes")
    files = []
    for part in (*FOUNDATION, *parts):
        path = os.path.join(root, part)
        if os.path.isdir(path):
            for folder, _, names in os.walk(path):
                files += [os.path.join(folder, n) for n in names if n.endswith(".py")]
        elif os.path.isfile(path):
            files.append(path)
    return sorted(files)


def final_targets():
    """Everything a complete run leaves in the data cut's folder."""
    return [
        f"{OUT}/validation/issues.csv",
        *[f"{OUT}/validated/{table}.parquet" for table in TABLES],
        f"{OUT}/derived/adcm.parquet",
        f"{OUT}/derived/events.parquet",
        *[f"{OUT}/adam/{name}.parquet" for name in ADAM],
        *rules.write_adam_transport.output,
        *[path for name in ANALYSES for path in getattr(rules, name).output],
        f"{OUT}/report.html",
        f"{OUT}/tfl/tfls.rtf",
        f"{OUT}/tfl/tfls.docx",
        f"{OUT}/manifest.json",
    ]
