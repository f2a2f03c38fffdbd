# Configuration (checked against config/config.schema.json), output folder and final targets.

import os
from pathlib import Path

from outcomes.config import DEFAULT_CONFIG, export_dir, merge, output_dir, read_config_file
from outcomes.configuration import validate_config
from outcomes.contract import TABLES
from outcomes.imports import compute_source_files
from outcomes.io.export import list_table_like_files
from outcomes.steps import RULE_MODULES
from outcomes.steps.server import start_step_server, stop_step_server
from outcomes.validate.tracking import list_previous_inputs

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


# Rules run their steps in forks of one step server (outcomes.steps.server), which imports the
# step modules once per run; OUTCOMES_STEP_SERVER=off runs every rule in a fresh process, as do
# jobs of a cluster executor and runs of a few jobs.
onstart:
    start_step_server(local=workflow.local_exec, jobs=len(workflow.dag))


onsuccess:
    stop_step_server()


onerror:
    stop_step_server()


def export_files():
    """Files of the export: the simulated demo tables, or the tables present in the folder
    (names in any letter case; special files are left to the validation, which refuses them)."""
    if DEMO or SDTM:
        return [f"{EXPORT}/{table}.csv" for table in TABLES]
    found = list_table_like_files(Path(EXPORT)) if os.path.isdir(EXPORT) else {}
    files = [str(p) for table in TABLES for p in found.get(table, []) if p.is_file()]
    return files or [EXPORT]


def code_inputs(rule):
    """Source files of every module the rule's process imports, so a code change re-runs it.

    Snakemake does not track changes inside an imported package. A rule's process imports
    ``outcomes.steps`` and the rule's step module (``RULE_MODULES``); ``outcomes.imports`` follows
    every import from there, so a changed module re-runs exactly the rules that run it, and
    everything downstream of them (plain mtimes).
    """
    return compute_source_files(("outcomes.steps", RULE_MODULES[rule]))


def config_without(*sections):
    """The checked configuration less ``sections`` that a rule never reads (so their keys do
    not re-run it)."""
    return {key: value for key, value in CFG.items() if key not in sections}


def analysis_block(name):
    """The keys of config `analysis` that one analysis rule reads: its block and conf_level."""
    return {name: CFG["analysis"][name], "conf_level": CFG["analysis"]["conf_level"]}


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
