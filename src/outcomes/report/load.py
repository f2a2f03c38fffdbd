"""Read what one data cut's run folder holds, tolerating datasets that are not there yet.

Every file of data-contract.md §3 that the report reads is optional here: a missing dataset is
listed in :attr:`RunData.missing` and its section says so, the report never invents numbers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

#: Datasets the report reads, by name -> path relative to the run folder.
DATASETS: dict[str, str] = {
    "adsl": "adam/adsl.parquet",
    "advisit": "adam/advisit.parquet",
    "adrs": "adam/adrs.parquet",
    "adepi": "adam/adepi.parquet",
    "adtte": "adam/adtte.parquet",
    "adae": "adam/adae.parquet",
    "adsafe": "adam/adsafe.parquet",
    "events": "derived/events.parquet",
    "adcm": "derived/adcm.parquet",
}

#: Prefix of the tables the report writes itself into tables/ (never read back as analyses).
OWN_TABLE_PREFIX = "report_"


@dataclass(frozen=True)
class RunData:
    """The datasets of one run folder; ``None`` where the file does not exist."""

    frames: dict[str, pl.DataFrame | None]
    tables: dict[str, pl.DataFrame]
    validation: dict[str, Any] | None
    missing: tuple[str, ...]
    transport: dict[str, Any] | None = None
    issues: pl.DataFrame | None = None
    excluded: pl.DataFrame | None = None

    def get(self, name: str) -> pl.DataFrame | None:
        """The dataset ``name`` (a key of :data:`DATASETS`), or ``None`` when absent."""
        return self.frames.get(name)


#: Columns of the large datasets that the report (sections, figures and TFLs) reads; the other
#: datasets are read whole. The score columns of the configuration are added to ``advisit``
#: (:func:`select_report_columns`).
REPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "advisit": (
        "USUBJID",
        "DOSELVL",
        "AVISIT",
        "AVISITN",
        "ADY",
        "ABLFL",
        "ANL01FL",
        "FLAREFL",
        "SRCDOM",
        "SRCSEQ",
    ),
    "adrs": ("USUBJID", "DOSELVL", "PARAMCD", "AVISIT", "AVISITN", "ADT", "AVALC", "AVAL"),
    "adcm": ("USUBJID", "CMSTDT", "CARTTXFL", "DRUG", "GCFL"),
}


def select_report_columns(config: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """The columns the report reads of ``advisit``, ``adrs`` and ``adcm``
    (:data:`REPORT_COLUMNS`, and in ``advisit`` the scores of ``report.activity_scores`` and
    ``analysis.activity.params``)."""
    scores = [*config["report"]["activity_scores"], *config["analysis"]["activity"]["params"]]
    return {
        **REPORT_COLUMNS,
        "advisit": tuple(dict.fromkeys([*REPORT_COLUMNS["advisit"], *scores])),
    }


def _read_dataset(path: Path, columns: Sequence[str] | None) -> pl.DataFrame:
    """``path`` whole, or only those of ``columns`` it holds (in the file's column order)."""
    if columns is None:
        return pl.read_parquet(path)
    scan = pl.scan_parquet(path)
    wanted = set(columns)
    return scan.select([c for c in scan.collect_schema().names() if c in wanted]).collect()


def read_run(
    run_dir: Path,
    *,
    tables: list[Path] | None = None,
    columns: Mapping[str, Sequence[str]] | None = None,
    transport: Mapping[str, Any] | None = None,
) -> RunData:
    """Read the datasets of ``run_dir`` that exist.

    Parameters
    ----------
    run_dir
        A data cut's output folder (data-contract.md §3).
    tables
        Analysis tables to show; by default every ``tables/*.csv`` not written by the report.
    columns
        Dataset name -> the columns to read (those the file holds); datasets not named are read
        whole (:func:`select_report_columns`).
    transport
        The transport list (``{"datasets": [...]}``, as in ``transport/define.json``); by
        default read from ``transport/define.json`` when the run has it.

    Returns
    -------
    RunData
        Frames by name, analysis tables by file stem (sorted), the validation summary and the
        relative paths of the files that are missing.
    """
    frames: dict[str, pl.DataFrame | None] = {}
    missing: list[str] = []
    for name, rel in DATASETS.items():
        path = run_dir / rel
        frames[name] = _read_dataset(path, (columns or {}).get(name)) if path.is_file() else None
        if frames[name] is None:
            missing.append(rel)
    if tables is None:
        tables = sorted((run_dir / "tables").glob("*.csv"))
    found = {
        p.stem: pl.read_csv(p, infer_schema_length=None)
        for p in sorted(tables)
        if not p.stem.startswith(OWN_TABLE_PREFIX)
    }
    summary_path = run_dir / "validation" / "summary.json"
    validation = None
    if summary_path.is_file():
        validation = json.loads(summary_path.read_text(encoding="utf-8"))
    else:
        missing.append("validation/summary.json")
    define = run_dir / "transport" / "define.json"
    if transport is None and define.is_file():
        transport = json.loads(define.read_text(encoding="utf-8"))
    transport = dict(transport) if transport is not None else None
    issues, excluded = (_read_text_csv(run_dir / "validation" / n) for n in VALIDATION_FILES)
    return RunData(frames, found, validation, tuple(missing), transport, issues, excluded)


#: The validation lists the report reads (data status, data-contract §1.6).
VALIDATION_FILES: tuple[str, str] = ("issues.csv", "excluded.csv")


def _read_text_csv(path: Path) -> pl.DataFrame | None:
    return pl.read_csv(path, infer_schema=False) if path.is_file() else None


def report_table_stems(*, activity_scores: list[str] | tuple[str, ...]) -> list[str]:
    """Stems of every table the report writes to ``tables/`` (fixed for a configuration)."""
    names = [
        "data_status",
        "checksums",
        "versions",
        "validation",
        "disposition",
        "baseline",
        "safety_3m",
        "rates",
        *[f"mean_{s.lower()}" for s in activity_scores],
        "settings",
        "dictionary",
    ]
    return [f"{OWN_TABLE_PREFIX}{n}" for n in names]
