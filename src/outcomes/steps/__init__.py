"""The IO boundary of the workflow: one step function per Snakemake rule, same name as the rule.

A step reads its inputs, calls one pure function, checks and writes its outputs, and logs counts.
Rules call :func:`run_step` through ``workflow/scripts/run_step.py``. Step modules register their
functions with :func:`step`; :data:`STEPS` maps rule names to them.
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from outcomes.errors import OutcomesError


@dataclass(frozen=True)
class StepIO:
    """What a rule hands to its step: named inputs, outputs and params, and the log path."""

    inputs: Mapping[str, Any]
    outputs: Mapping[str, Any]
    params: Mapping[str, Any]
    log: str


StepFunction = Callable[[StepIO], None]
STEPS: dict[str, StepFunction] = {}
STEP_MODULES: tuple[str, ...] = (
    "outcomes.steps.ingest",
    "outcomes.steps.interop",
    "outcomes.steps.medications",
    "outcomes.steps.derive",
    "outcomes.steps.endpoints",
    "outcomes.steps.analysis",
    "outcomes.steps.report",
)


def step(func: StepFunction) -> StepFunction:
    """Register ``func`` as the step of the rule with the same name."""
    STEPS[func.__name__] = func
    return func


#: The step module of each rule, so that a rule's process imports only what it runs.
RULE_MODULES: dict[str, str] = {
    "simulate_demo": "outcomes.steps.ingest",
    "validate_export": "outcomes.steps.ingest",
    "create_validated_tables": "outcomes.steps.ingest",
    "import_sdtm": "outcomes.steps.interop",
    "write_adam_transport": "outcomes.steps.interop",
    "create_adcm": "outcomes.steps.medications",
    "create_events": "outcomes.steps.medications",
    "create_advisit": "outcomes.steps.derive",
    "create_adsl": "outcomes.steps.derive",
    "create_efficacy": "outcomes.steps.endpoints",
    "create_adae": "outcomes.steps.endpoints",
    "analyze_survival": "outcomes.steps.analysis",
    "analyze_response": "outcomes.steps.analysis",
    "analyze_disease_activity": "outcomes.steps.analysis",
    "analyze_safety": "outcomes.steps.analysis",
    "analyze_obd": "outcomes.steps.analysis",
    "render_report": "outcomes.steps.report",
    "write_tfl_section": "outcomes.steps.report",
    "write_tfl_combined": "outcomes.steps.report",
    "write_manifest": "outcomes.steps.report",
}


def load_step(rule: str) -> StepFunction:
    """The step function of ``rule``, importing only its module (all modules if unlisted)."""
    module = RULE_MODULES.get(rule)
    if module is not None:
        importlib.import_module(module)
    if rule not in STEPS:
        load_steps()
    return STEPS[rule]


def load_steps() -> dict[str, StepFunction]:
    """Import every step module (each registers its steps) and return the registry."""
    for module in STEP_MODULES:
        try:
            importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name is None or not module.startswith(exc.name):
                raise
    return STEPS


def _named(items: Any) -> dict[str, Any]:
    return {k: v for k, v in items.items()} if hasattr(items, "items") else {}


def run_step(smk: Any) -> None:
    """Run the step of ``smk.rule`` with logging to its log file; user errors exit cleanly."""
    log_path = str(smk.log[0]) if len(smk.log) else "/dev/null"
    Path(log_path).parent.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        filename=log_path,
        filemode="w",
        level=logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
        force=True,
    )
    io = StepIO(_named(smk.input), _named(smk.output), _named(smk.params), log_path)
    func = load_step(smk.rule)
    try:
        func(io)
    except OutcomesError as exc:
        logging.getLogger("outcomes").error("%s", exc)
        print(f"{smk.rule}: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code or 1)
