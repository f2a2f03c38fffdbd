"""Checks shared by the steps: schema validation of a collected dataset and count logging."""

from __future__ import annotations

import logging
from pathlib import Path

import pandera.errors as pa_errors
import pandera.polars as pa
import polars as pl

from outcomes.errors import DerivationError, describe_failures
from outcomes.io import atomic

log = logging.getLogger("outcomes.steps")


def validate_frame(frame: pl.DataFrame, schema: pa.DataFrameSchema, *, log_path: str) -> None:
    """Check ``frame`` against ``schema`` (all failures at once); failures go next to the log.

    Raises
    ------
    DerivationError
        Naming the dataset, the number of failures and the first ones; the full list is written
        to ``<log>.failures.csv``.
    """
    try:
        schema.validate(frame, lazy=True)
    except pa_errors.SchemaErrors as exc:
        failures = pl.DataFrame(
            {k: [str(v) for v in exc.failure_cases[k].to_list()] for k in exc.failure_cases.columns}
        )
        path = Path(log_path).with_suffix(".failures.csv")
        atomic.write_csv(failures, path)
        raise DerivationError(
            f"{schema.name}: {failures.height} schema check(s) failed (column, check, value):\n"
            f"{describe_failures(failures)}\nAll failures: {path}."
        ) from exc


def log_counts(frame: pl.DataFrame, *, flags: tuple[str, ...]) -> None:
    """Log rows, subjects and the true/false/null counts of each flag present."""
    log.info("%d rows, %d subjects", frame.height, frame["USUBJID"].n_unique())
    for flag in flags:
        if flag in frame.columns:
            col = frame[flag]
            log.info(
                "%s: true %d, false %d, null %d", flag, col.sum(), (~col).sum(), col.null_count()
            )
