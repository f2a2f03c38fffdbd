"""One validation report from the validation of an export's shards (subjects split by a hash).

Each shard export (``outcomes.shards.split_export``) is validated on its own and leaves its
report's parts (:func:`write_report_parts`): issues, excluded records and values, rule results
and what the report needs besides. :func:`combine_reports` makes the report of the whole export
from them, as a data manager expects it from one run:

- ``ROW`` is the record's row in the export's file (the shard's row mapped through the split's
  row map), in issues and in excluded records;
- an issue about a file rather than a record (found in every shard) is listed once;
- issues are in the validation's stable order, excluded records by table, row, column, rule;
- rule results count the records checked in all shards (a sum: every rule checks records);
- query ids are those of one run (``QUERYID`` depends on rule, table, subject, record key and
  column, never on the row), and the queries are tracked against the previous cut once, for
  the whole export (``validation.previous``).

The combined report is written with :func:`outcomes.validate.write_validation_report`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from outcomes.io import atomic
from outcomes.validate.coverage import create_rule_results
from outcomes.validate.excluded import EXCLUDED_SCHEMA
from outcomes.validate.issues import ISSUE_ORDER
from outcomes.validate.params import WORKBOOK_MAX_ROWS
from outcomes.validate.report import ValidationReport
from outcomes.validate.tracking import empty_resolved, read_previous_issues, track_queries

#: Files of a shard's report parts, in its validation folder.
PARTS = ("issues.parquet", "excluded.parquet", "rules.parquet", "report.json")
#: Columns of a shard's row map: the table, the shard file's row and the export file's row.
ROW_MAP_SCHEMA: dict[str, pl.DataType] = {
    "TABLE": pl.String(),
    "ROW": pl.Int64(),
    "SOURCEROW": pl.Int64(),
}


@dataclass(frozen=True)
class ReportParts:
    """What :func:`combine_reports` needs of one shard's validation report."""

    issues: pl.DataFrame
    excluded: pl.DataFrame
    rules: pl.DataFrame
    readable: bool
    sites: tuple[str, ...]
    rows_per_group: int
    data_cut: str | None
    workbook_max_rows: int | None = WORKBOOK_MAX_ROWS


def write_report_parts(report: ValidationReport, folder: Path) -> None:
    """Write the parts of a shard's ``report`` (:data:`PARTS`) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    atomic.write_parquet(report.issues, folder / "issues.parquet")
    atomic.write_parquet(report.excluded, folder / "excluded.parquet")
    atomic.write_parquet(report.rule_results, folder / "rules.parquet")
    meta = {
        "readable": report.readable,
        "sites": list(report.sites),
        "rows_per_group": report.rows_per_group,
        "data_cut": report.data_cut,
        "workbook_max_rows": report.workbook_max_rows,
    }
    atomic.write_text(folder / "report.json", json.dumps(meta, indent=2))


def read_report_parts(folder: Path) -> ReportParts:
    """The parts :func:`write_report_parts` wrote into ``folder``."""
    meta = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    return ReportParts(
        issues=pl.read_parquet(folder / "issues.parquet"),
        excluded=pl.read_parquet(folder / "excluded.parquet"),
        rules=pl.read_parquet(folder / "rules.parquet"),
        readable=bool(meta["readable"]),
        sites=tuple(meta["sites"]),
        rows_per_group=int(meta["rows_per_group"]),
        data_cut=meta["data_cut"],
        workbook_max_rows=meta["workbook_max_rows"],
    )


def map_source_rows(frame: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with ``ROW`` (a row of a shard's file of ``TABLE``) replaced by the row of the
    export's file (``rows``: :data:`ROW_MAP_SCHEMA`); a row the map does not know is kept."""
    mapped = frame.join(rows, on=["TABLE", "ROW"], how="left", maintain_order="left")
    return mapped.with_columns(pl.coalesce("SOURCEROW", "ROW").alias("ROW")).select(frame.columns)


def _file_level_once(issues: pl.DataFrame) -> pl.DataFrame:
    """Issues of a file (no row, no subject) once, though every shard found them."""
    file_level = pl.col("ROW").is_null() & pl.col("USUBJID").is_null()
    first = pl.int_range(pl.len()).over("QUERYID") == 0
    return issues.filter(~file_level | first)


def sum_checked(rules: Sequence[pl.DataFrame]) -> dict[str, int | None]:
    """Records each rule checked over all shards (``CHECKED`` summed; None when no shard had a
    count for the rule)."""
    checked = (
        pl.concat([r.select("RULE", "CHECKED") for r in rules])
        .group_by("RULE", maintain_order=True)
        .agg(pl.when(pl.col("CHECKED").count() > 0).then(pl.col("CHECKED").sum()))
    )
    return dict(checked.iter_rows())


def combine_reports(
    parts: Sequence[ReportParts],
    row_maps: Sequence[pl.DataFrame],
    *,
    previous: Path | None = None,
) -> ValidationReport:
    """The validation report of the whole export from its shards' reports.

    Parameters
    ----------
    parts
        Each shard's report parts (:func:`read_report_parts`), validated without a previous
        cut.
    row_maps
        Each shard's row map (:data:`ROW_MAP_SCHEMA`), in the order of ``parts``.
    previous
        The validation folder of an earlier cut (``validation.previous``): each issue is then
        ``NEW`` or ``OPEN`` and the queries gone since are listed as resolved.

    Returns
    -------
    ValidationReport
        The report one validation of the whole export gives (see the module docstring).
    """
    issues = pl.concat(
        [map_source_rows(p.issues, rows) for p, rows in zip(parts, row_maps, strict=True)]
    )
    issues = _file_level_once(issues.unique(maintain_order=True)).sort(
        list(ISSUE_ORDER), nulls_last=True, maintain_order=True
    )
    excluded = (
        pl.concat(
            [map_source_rows(p.excluded, rows) for p, rows in zip(parts, row_maps, strict=True)]
        )
        .cast(EXCLUDED_SCHEMA)
        .unique(maintain_order=True)
        .sort(["TABLE", "ROW", "COLUMN", "RULE"], nulls_last=True, maintain_order=True)
    )
    resolved = empty_resolved()
    if previous is not None:
        prior, previous_cut = read_previous_issues(previous)
        issues, resolved = track_queries(issues, prior, previous_cut=previous_cut)
    return ValidationReport(
        issues,
        readable=any(p.readable for p in parts),
        rows_per_group=parts[0].rows_per_group,
        workbook_max_rows=parts[0].workbook_max_rows,
        excluded=excluded,
        rules=create_rule_results(issues, sum_checked([p.rules for p in parts])),
        resolved=resolved,
        data_cut=parts[0].data_cut,
        previous_known=previous is not None,
        sites=tuple(sorted({site for p in parts for site in p.sites})),
    )
