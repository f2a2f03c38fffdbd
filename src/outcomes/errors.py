"""Exception hierarchy: every user-facing failure is one of these, never a bare traceback.

Each message follows one shape: where (function, table or config key), the rule that must hold,
how many records break it, the first records by key, and what to do next.
"""

from __future__ import annotations

import errno
import os
import re

import polars as pl

#: Exit codes of every command (README "Exit codes"): one meaning each.
EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USER = 2
EXIT_INTERNAL = 3

#: Operating-system errors that are the environment's or the user's, not the program's.
ENVIRONMENT_ERRNOS = frozenset(
    {
        errno.ENOSPC,
        errno.EDQUOT,
        errno.EROFS,
        errno.EACCES,
        errno.EPERM,
        errno.ENOENT,
        errno.ENOTDIR,
        errno.EISDIR,
        errno.EEXIST,
        errno.ENAMETOOLONG,
        errno.EMFILE,
        errno.ENFILE,
        errno.ENOMEM,
        errno.EIO,
        errno.ELOOP,
        errno.EXDEV,
    }
)


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


_OS_ERROR = re.compile(r"\(os error (\d+)\)")


def describe_environment_error(exc: BaseException) -> str | None:
    """One-line message for an operating-system error caused by the environment, else None.

    A full disk, a read-only file system, a folder that cannot be written or a path that does
    not exist is a problem the user can fix, reported without a traceback (exit 2).
    """
    code = exc.errno if isinstance(exc, OSError) else None
    reported = _OS_ERROR.search(str(exc))  # libraries in Rust report "(os error 28)"
    if code is None and reported is not None:
        code = int(reported.group(1))
    if code not in ENVIRONMENT_ERRNOS:
        return None
    filename = getattr(exc, "filename", None)
    where = f" {filename}" if filename else ""
    strerror = getattr(exc, "strerror", None) or os.strerror(code)
    hint = {
        errno.ENOSPC: "free some space and rerun the same command",
        errno.EDQUOT: "free some space and rerun the same command",
        errno.EROFS: "choose a writable folder",
        errno.EACCES: "check the permissions or choose another folder",
        errno.EPERM: "check the permissions or choose another folder",
    }.get(code, "check the path")
    return f"cannot use{where}: {strerror}; {hint}."


def describe_failures(failures: pl.DataFrame, *, limit: int = 5) -> str:
    """Format the first ``limit`` failing records as ``COL=value`` lines for a message."""
    lines = []
    for row in failures.head(limit).iter_rows(named=True):
        lines.append("  " + " ".join(f"{k}={v}" for k, v in row.items()))
    more = failures.height - limit
    if more > 0:
        lines.append(f"  ... and {more} more")
    return "\n".join(lines)
