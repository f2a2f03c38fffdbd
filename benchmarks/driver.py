"""Run one stage of the pipeline (or its floor) in this process: read -> stage -> write parquet.

``python benchmarks/driver.py STAGE --export DIR --run DIR [--floor] [--forked RESULT.json]``

A stage is the list of step functions of its Snakemake rules (``outcomes.steps``), called with
the same inputs, outputs and params as the rules in ``workflow/rules/*.smk``. The floor of a
stage reads the same input files and makes one group-by pass over each (rows and the last value
of every column per subject), writing the result to parquet: the least any stage reading those
tables can cost.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from outcomes.config import DEFAULT_CONFIG, read_config_file
from outcomes.contract import TABLES

ADAM = "{run}/adam/{name}.parquet"
#: The export as validation typed it (validate_export's temporary outputs, the tables' inputs).
TYPED = {f"typed_{t}": f"{{run}}/.typed/{t}.parquet" for t in TABLES}


def _validated(*names: str) -> dict[str, str]:
    return {name: f"{{run}}/validated/{name}.parquet" for name in names}


def _adam(*names: str) -> dict[str, str]:
    return {name: ADAM.replace("{name}", name) for name in names}


def step_table(cfg: dict[str, Any]) -> dict[str, tuple[dict, dict, dict]]:
    """Inputs, outputs and params of each rule's step, as in workflow/rules/*.smk."""
    derived = {"adcm": "{run}/derived/adcm.parquet", "events": "{run}/derived/events.parquet"}
    endpoint_in = {**_adam("advisit", "adsl"), "events": derived["events"]}
    return {
        "validate_export": (
            {},
            {
                "issues": "{run}/validation/issues.csv",
                "excluded": "{run}/validation/excluded.csv",
                "summary": "{run}/validation/summary.json",
                "report": "{run}/validation/report.html",
                "resolved": "{run}/validation/resolved.csv",
                "workbook": "{run}/validation/issues.xlsx",
                "sites": "{run}/validation/sites",
                **TYPED,
            },
            {"export": "{export}", "config": cfg},
        ),
        "create_validated_tables": (
            {
                "issues": "{run}/validation/issues.csv",
                "excluded": "{run}/validation/excluded.csv",
                **TYPED,
            },
            _validated(*TABLES),
            {
                "export": "{export}",
                "data_cut": cfg["data"]["data_cut"],
                "on_error": cfg["validation"]["on_error"],
            },
        ),
        "create_adcm": (
            _validated("medications", "subjects"),
            {"adcm": derived["adcm"]},
            {"medications": cfg["medications"], "data_cut": cfg["data"]["data_cut"]},
        ),
        "create_events": (
            {"adcm": derived["adcm"], **_validated("subjects", "assessments")},
            {"events": derived["events"]},
            {"medications": cfg["medications"]},
        ),
        "create_advisit": (
            {**_validated("assessments", "subjects"), "adcm": derived["adcm"]},
            _adam("advisit"),
            {k: cfg[k] for k in ("visits", "scores", "criteria", "medications")},
        ),
        "create_adsl": (
            {**_validated("subjects", "assessments", "labs"), "adcm": derived["adcm"]}
            | _adam("advisit"),
            _adam("adsl"),
            {
                "visits": cfg["visits"],
                "eligibility": cfg["eligibility"],
                "medications": cfg["medications"],
                "dose_levels": cfg["study"]["dose_levels"],
                "data_cut": cfg["data"]["data_cut"],
            },
        ),
        "create_efficacy": (
            endpoint_in,
            _adam("adrs", "adepi", "adtte"),
            {"endpoints": cfg["endpoints"], "visits": cfg["visits"]},
        ),
        "create_adae": (
            {**_validated("adverse_events", "labs"), **_adam("adsl")},
            _adam("adae", "adsafe"),
            {"safety": cfg["safety"]},
        ),
        "analyze_survival": (
            _adam("adtte", "adsl"),
            {
                n: f"{{run}}/tables/survival_{n}.csv"
                for n in ("km", "quantiles", "landmarks", "tests", "cox", "cif")
            },
            {"analysis": cfg["analysis"]},
        ),
        "analyze_response": (
            _adam("adrs", "adsl", "adepi"),
            {n: f"{{run}}/tables/response_{n}.csv" for n in ("rates", "trend", "logistic", "gee")},
            {"analysis": cfg["analysis"]},
        ),
        "analyze_disease_activity": (
            _adam("advisit", "adsl"),
            {n: f"{{run}}/tables/activity_{n}.csv" for n in ("summary", "mixed")},
            {"analysis": cfg["analysis"]},
        ),
        "analyze_safety": (
            _adam("adae", "adsafe", "adsl"),
            {n: f"{{run}}/tables/safety_{n}.csv" for n in ("events", "crs_icans", "icaht")},
            {"analysis": cfg["analysis"], "dose_levels": cfg["study"]["dose_levels"]},
        ),
        "analyze_obd": (
            _adam("adae", "adrs", "adsl"),
            {"obd": "{run}/tables/obd.csv"},
            {"analysis": cfg["analysis"], "dose_levels": cfg["study"]["dose_levels"]},
        ),
    }


#: Stages timed by benchmarks/run.py, each a list of rules run in one process.
STAGES: dict[str, tuple[str, ...]] = {
    "validate": ("validate_export",),
    "validate_nocut": ("validate_export",),
    "tables": ("create_validated_tables",),
    "medications": ("create_adcm", "create_events"),
    "visits": ("create_advisit", "create_adsl"),
    "endpoints": ("create_efficacy", "create_adae"),
    "analyses": (
        "analyze_survival",
        "analyze_response",
        "analyze_disease_activity",
        "analyze_safety",
        "analyze_obd",
    ),
}


def _fill(value: Any, *, export: Path, run: Path) -> Any:
    if isinstance(value, str):
        return value.format(export=export, run=run)
    return value


def stage_inputs(stage: str, *, cfg: dict[str, Any], export: Path, run: Path) -> list[Path]:
    """Files a stage reads that no earlier rule of the same stage writes (export CSVs for the
    ingest stages)."""
    if stage in ("validate", "validate_nocut", "tables"):
        return sorted(export.glob("*.csv"))
    table = step_table(cfg)
    outputs = [p for r in STAGES[stage] for p in table[r][1].values()]
    written = {_fill(p, export=export, run=run) for p in outputs}
    seen: dict[str, None] = {}
    for rule in STAGES[stage]:
        for path in table[rule][0].values():
            filled = _fill(path, export=export, run=run)
            if filled not in written and filled.endswith(".parquet"):
                seen[filled] = None
    return [Path(p) for p in seen]


def run_stage(stage: str, *, cfg: dict[str, Any], export: Path, run: Path) -> None:
    """Call the step functions of ``stage`` with the rules' inputs, outputs and params."""
    from outcomes.steps import StepIO, load_step

    if stage == "validate_nocut":
        validate_without_cut(cfg=cfg, export=export, run=run)
        return
    # Each rule's process imports only its own step module, as run_step does in the workflow.
    steps = {rule: load_step(rule) for rule in STAGES[stage]}
    table = step_table(cfg)
    for rule in STAGES[stage]:
        inputs, outputs, params = table[rule]
        fill = {k: _fill(v, export=export, run=run) for k, v in params.items()}
        outs = {k: _fill(v, export=export, run=run) for k, v in outputs.items()}
        for path in outs.values():
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        ins = {k: _fill(v, export=export, run=run) for k, v in inputs.items()}
        log = run / "logs" / f"{rule}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        steps[rule](StepIO(ins, outs, fill, str(log)))


def validate_without_cut(*, cfg: dict[str, Any], export: Path, run: Path) -> None:
    """The validate_export step without the data cut (records after the cut are checked too)."""
    from outcomes.steps import load_step
    from outcomes.validate import validate_export, write_validation_report

    load_step("validate_export")
    report = validate_export(export, config=cfg, data_cut=None)
    write_validation_report(report, run / "validation")


def run_floor(paths: list[Path], *, out: Path) -> None:
    """Read ``paths`` and make one group-by pass over each: rows and last values per subject."""
    import polars as pl

    out.mkdir(parents=True, exist_ok=True)
    for path in paths:
        if path.suffix == ".csv":
            frame = pl.scan_csv(path, infer_schema=False)
        else:
            frame = pl.scan_parquet(path)
        key = "USUBJID" if "USUBJID" in frame.collect_schema().names() else None
        if key is None:
            result = frame.select(pl.len(), pl.all().last())
        else:
            result = frame.group_by(key).agg(pl.len().alias("N__"), pl.all().last())
        result.collect().write_parquet(out / f"{path.stem}.parquet")


def run_forked(stage: str, *, cfg: dict[str, Any], export: Path, run: Path, result: Path) -> int:
    """Import every step module, then run ``stage`` in a forked child; write the child's wall
    time and peak RSS to ``result`` and return its exit code (as the step server runs a rule)."""
    from outcomes.steps import load_steps

    load_steps()
    try:
        from outcomes.steps.server import preload
    except ImportError:  # a checkout without the step server: the step modules only
        pass
    else:
        preload()
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the child: run the stage and leave without the parent's exit handlers
        code = 0
        try:
            run_stage(stage, cfg=cfg, export=export, run=run)
        except BaseException:
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    record = {"seconds": seconds, "rss_mib": usage.ru_maxrss / 1024, "exit_code": code}
    result.write_text(json.dumps(record), encoding="utf-8")
    return code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stage", choices=sorted(STAGES))
    parser.add_argument("--export", type=Path, required=True)
    parser.add_argument("--run", type=Path, required=True)
    parser.add_argument("--data-cut", default=None, help="override data.data_cut (ISO date)")
    parser.add_argument("--floor", action="store_true", help="run the stage's floor instead")
    parser.add_argument(
        "--forked",
        type=Path,
        metavar="RESULT",
        help="import first, run the stage in a forked child, write its time and RSS to RESULT",
    )
    args = parser.parse_args(argv)
    cfg = read_config_file(DEFAULT_CONFIG)
    cfg["data"]["export"] = str(args.export)
    if args.data_cut:
        cfg["data"]["data_cut"] = args.data_cut
    # The config is checked once by benchmarks/run.py, as Snakemake checks it once in its main
    # process before the rules' processes start (the check imports every stage's modules).
    if args.floor:
        paths = stage_inputs(args.stage, cfg=cfg, export=args.export, run=args.run)
        run_floor(paths, out=args.run / "floor" / args.stage)
    elif args.forked:
        return run_forked(args.stage, cfg=cfg, export=args.export, run=args.run, result=args.forked)
    else:
        run_stage(args.stage, cfg=cfg, export=args.export, run=args.run)
    return 0


if __name__ == "__main__":
    sys.exit(main())
