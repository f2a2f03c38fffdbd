"""The IO boundary of the workflow: one step function per Snakemake rule, same name as the rule.

A step reads its inputs, calls one pure function, checks and writes its outputs, and logs counts.
Rules call :func:`run_step` through ``workflow/scripts/run_step.py``. Step modules register their
functions with :func:`step`; :data:`STEPS` maps rule names to them and :data:`RULE_MODULES` names
the one module each rule imports.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from outcomes.errors import (
    EXIT_INTERNAL,
    EXIT_USER,
    OutcomesError,
    describe_environment_error,
)


@dataclass(frozen=True)
class StepIO:
    """What a rule hands to its step: named inputs, outputs and params, and the log path."""

    inputs: Mapping[str, Any]
    outputs: Mapping[str, Any]
    params: Mapping[str, Any]
    log: str
    #: Cores the rule is given (its ``threads``).
    threads: int = 1


StepFunction = Callable[[StepIO], None]
STEPS: dict[str, StepFunction] = {}


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
    "write_tfls": "outcomes.steps.report",
    "write_manifest": "outcomes.steps.report",
    "create_shard_exports": "outcomes.steps.sharded",
    "validate_shard": "outcomes.steps.sharded",
    "combine_validation": "outcomes.steps.sharded",
    "create_shard_tables": "outcomes.steps.sharded",
    "derive_shard": "outcomes.steps.sharded",
    "combine_validated_tables": "outcomes.steps.sharded",
    "combine_shard_datasets": "outcomes.steps.sharded",
}


def load_step(rule: str) -> StepFunction:
    """The step function of ``rule``, importing only its module (:data:`RULE_MODULES`).

    The rule's process runs only that module's imports, which is what the workflow lists as the
    rule's code inputs (``outcomes.imports``).

    Raises
    ------
    OutcomesError
        When ``rule`` has no step module.
    """
    module = RULE_MODULES.get(rule)
    if module is None:
        raise OutcomesError(f"rule {rule!r} has no step module in outcomes.steps.RULE_MODULES.")
    importlib.import_module(module)
    return STEPS[rule]


def load_steps() -> dict[str, StepFunction]:
    """Import every step module (each registers its steps) and return the registry."""
    for module in dict.fromkeys(RULE_MODULES.values()):
        importlib.import_module(module)
    return STEPS


def _named(items: Any) -> dict[str, Any]:
    return {k: v for k, v in items.items()} if hasattr(items, "items") else {}


#: Environment variable naming the folder where a failing step leaves its reason for
#: ``outcomes run`` (one JSON file per rule: rule, exit code, message, log).
STOP_DIR_ENV = "OUTCOMES_STOP_DIR"


def record_stop(rule: str, *, exit_code: int, message: str, log: str) -> None:
    """Leave the reason a rule stopped where ``outcomes run`` finds it (when it runs the rule)."""
    folder = os.environ.get(STOP_DIR_ENV)
    if not folder:
        return
    from outcomes.io import atomic

    record = {"rule": rule, "exit_code": exit_code, "message": message, "log": log}
    atomic.write_text(Path(folder) / f"{rule}.json", json.dumps(record, ensure_ascii=False))


def run_step(smk: Any) -> None:
    """Run the step of ``smk.rule`` with logging to its log file.

    A user or data problem (:class:`~outcomes.errors.OutcomesError`) or an environment problem
    (full disk, read-only folder) exits with its code and one line; any other exception is an
    internal failure: its traceback goes to the rule's log and the rule exits with code 3.
    """
    log_path = str(smk.log[0]) if len(smk.log) else "/dev/null"
    Path(log_path).parent.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        filename=log_path,
        filemode="w",
        level=logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
        force=True,
    )
    # A log line the disk refuses is lost quietly: the reason still reaches stderr in one line.
    logging.raiseExceptions = False
    logger = logging.getLogger("outcomes")
    io = StepIO(
        _named(smk.input), _named(smk.output), _named(smk.params), log_path, int(smk.threads)
    )
    func = load_step(smk.rule)
    try:
        func(io)
    except OutcomesError as exc:
        _stop(smk.rule, exc.exit_code or 1, str(exc), log_path)
    except Exception as exc:  # the boundary: nothing escapes as a bare traceback
        message = describe_environment_error(exc)
        if message is not None:
            _stop(smk.rule, EXIT_USER, message, log_path)
        logger.exception("internal failure")
        _stop(
            smk.rule,
            EXIT_INTERNAL,
            f"internal failure ({type(exc).__name__}: {exc}); the traceback is in {log_path}",
            log_path,
        )


def _stop(rule: str, exit_code: int, message: str, log_path: str) -> None:
    logging.getLogger("outcomes").error("%s", message)
    print(f"{rule}: {message}", file=sys.stderr)
    # a full disk may refuse the record too; the exit code still tells
    with contextlib.suppress(OSError):
        record_stop(rule, exit_code=exit_code, message=message, log=log_path)
    sys.exit(exit_code)
