"""Exception hierarchy: every user-facing failure is one of these, never a bare traceback.

Each message follows one shape: where (function, table or config key), the rule that must hold,
how many records break it, the first records by key, and what to do next.
"""

from __future__ import annotations

import polars as pl


class OutcomesError(Exception):
    """Base class of every error the pipeline raises on purpose."""

    exit_code: int = 2


class ConfigError(OutcomesError):
    """The configuration breaks its schema or a cross-field rule; the message names the key."""


class ExportReadError(OutcomesError):
    """An export (or one of its tables) cannot be read at all."""


class InputDataError(OutcomesError):
    """Records break a data rule; ``failures`` holds the offending records with their keys."""

    exit_code = 1

    def __init__(self, message: str, failures: pl.DataFrame | None = None) -> None:
        super().__init__(message)
        self.failures = failures if failures is not None else pl.DataFrame()


class DerivationError(OutcomesError):
    """A derivation met a state that its definition does not allow (a bug or an unhandled case)."""


def describe_failures(failures: pl.DataFrame, *, limit: int = 5) -> str:
    """Format the first ``limit`` failing records as ``COL=value`` lines for a message."""
    lines = []
    for row in failures.head(limit).iter_rows(named=True):
        lines.append("  " + " ".join(f"{k}={v}" for k, v in row.items()))
    more = failures.height - limit
    if more > 0:
        lines.append(f"  ... and {more} more")
    return "\n".join(lines)
