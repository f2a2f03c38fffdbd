"""Queries tracked from one data cut to the next (data-contract.md §3, revision 2).

An issue whose ``QUERYID`` was listed at the previous cut is ``OPEN`` and keeps the previous
``FIRSTCUT``; any other issue is ``NEW``. Queries listed at the previous cut and gone now are
``RESOLVED`` (``validation/resolved.csv``).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl

from outcomes.errors import ExportReadError
from outcomes.validate.issues import ISSUE_SCHEMA
from outcomes.validate.queries import NEW, OPEN, QUERY_SCHEMA, RESOLVED

TRACKED_SCHEMA: dict[str, pl.DataType] = ISSUE_SCHEMA | QUERY_SCHEMA


def check_previous_folder(previous: Path, *, out: Path) -> None:
    """Refuse a previous-cut folder that is this cut's own output folder (its issues would be
    compared with themselves and a rerun would not give the same files).

    Raises
    ------
    ExportReadError
        When ``previous`` is ``out`` or its ``validation/`` folder, or holds no issues file.
    """
    here = out.resolve()
    target = find_previous_issues(previous).parent.resolve()
    if target in (here, here / "validation"):
        raise ExportReadError(
            f"The previous cut's folder {previous} is this cut's own output folder {out}; "
            "give the folder of an earlier cut."
        )


def find_earlier_cut(out: Path, *, data_cut: dt.date) -> Path | None:
    """The output folder beside ``out`` (same parent folder) of the latest data cut before
    ``data_cut``, or None.

    A folder counts when it holds ``validation/issues.csv`` and ``validation/summary.json``
    recording its data cut; ``out`` itself, folders of the same or a later cut, and folders whose
    summary cannot be read are skipped. Among folders of the same cut the first by name is taken.
    """
    here = out.resolve()
    parent = here.parent
    best: tuple[dt.date, Path] | None = None
    for folder in sorted(parent.iterdir()) if parent.is_dir() else []:
        validation = folder / "validation"
        if folder.resolve() == here or not (validation / "issues.csv").is_file():
            continue
        try:
            summary = json.loads((validation / "summary.json").read_text(encoding="utf-8"))
            cut = dt.date.fromisoformat(summary["data_cut"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if cut < data_cut and (best is None or cut > best[0]):
            best = (cut, folder)
    return None if best is None else best[1]


def find_previous_issues(folder: Path) -> Path:
    """``issues.csv`` of an earlier cut: ``FOLDER/issues.csv`` (an ``outcomes validate --out``
    folder) or ``FOLDER/validation/issues.csv`` (an ``outcomes run`` folder).

    Raises
    ------
    ExportReadError
        When neither exists.
    """
    for path in (folder / "issues.csv", folder / "validation" / "issues.csv"):
        if path.is_file():
            return path
    raise ExportReadError(
        f"The previous cut's folder {folder} holds neither issues.csv nor "
        "validation/issues.csv; give the --out folder of an earlier `outcomes validate` or "
        "`outcomes run`."
    )


def list_previous_inputs(previous: str | None) -> list[str]:
    """The previous cut's issues file as a workflow input (so a new previous cut re-runs the
    validation); empty when none is configured or found (the validation step then names the
    problem)."""
    if not previous:
        return []
    try:
        return [str(find_previous_issues(Path(previous)))]
    except ExportReadError:
        return []


def read_previous_issues(folder: Path) -> tuple[pl.DataFrame, str | None]:
    """The previous cut's issues (columns :data:`TRACKED_SCHEMA`) and its data cut (from
    ``summary.json`` beside them, when recorded).

    Raises
    ------
    ExportReadError
        When the file has no ``QUERYID`` column (written before query ids existed).
    """
    path = find_previous_issues(folder)
    frame = pl.read_csv(path, infer_schema=False)
    if "QUERYID" not in frame.columns:
        raise ExportReadError(
            f"{path} has no QUERYID column (written by an earlier version); validate that cut "
            "again to compare with it."
        )
    missing = [c for c in TRACKED_SCHEMA if c not in frame.columns]
    frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in missing)
    frame = frame.select(
        pl.col(c).cast(pl.Int64, strict=False) if c == "ROW" else pl.col(c) for c in TRACKED_SCHEMA
    ).cast(TRACKED_SCHEMA)
    summary = path.with_name("summary.json")
    cut = None
    if summary.is_file():
        try:
            cut = json.loads(summary.read_text(encoding="utf-8")).get("data_cut")
        except (ValueError, AttributeError):
            cut = None
    return frame, cut if isinstance(cut, str) else None


def track_queries(
    issues: pl.DataFrame, previous: pl.DataFrame, *, previous_cut: str | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """This cut's issues marked ``NEW`` or ``OPEN``, and the previous cut's resolved queries.

    Parameters
    ----------
    issues
        This cut's issues with the query columns (every ``STATUS`` ``NEW``).
    previous
        The previous cut's issues (:func:`read_previous_issues`).
    previous_cut
        The previous data cut, ``FIRSTCUT`` of an open query the previous file left empty.

    Returns
    -------
    tuple
        (issues with ``STATUS`` and ``FIRSTCUT``, in their order; resolved queries: the previous
        rows whose ``QUERYID`` is gone, ``STATUS`` = ``RESOLVED``, in the previous order).
    """
    before = previous.select(
        "QUERYID",
        pl.coalesce(pl.col("FIRSTCUT"), pl.lit(previous_cut, dtype=pl.String)).alias("_FIRST"),
        pl.lit(True).alias("_SEEN"),
    ).unique("QUERYID", keep="first", maintain_order=True)
    tracked = (
        issues.join(before, on="QUERYID", how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.col("_SEEN"))
            .then(pl.coalesce("_FIRST", "FIRSTCUT"))
            .otherwise(pl.col("FIRSTCUT"))
            .alias("FIRSTCUT"),
            pl.when(pl.col("_SEEN")).then(pl.lit(OPEN)).otherwise(pl.lit(NEW)).alias("STATUS"),
        )
        .select(issues.columns)
    )
    resolved = (
        previous.filter(
            pl.col("QUERYID").is_not_null() & ~pl.col("QUERYID").is_in(issues["QUERYID"].implode())
        )
        .with_columns(pl.lit(RESOLVED).alias("STATUS"))
        .select(list(TRACKED_SCHEMA))
    )
    return tracked, resolved


def empty_resolved() -> pl.DataFrame:
    """A resolved-queries frame without rows."""
    return pl.DataFrame(schema=TRACKED_SCHEMA)
