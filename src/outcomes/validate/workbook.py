"""``validation/issues.xlsx``: the issues as a workbook in the shape data managers know from
Pinnacle 21 Community (Summary, Issue Summary, Details, Rules, and one sheet per site).

Written with XlsxWriter: every cell is text or a whole number, never a formula or a link
(``strings_to_formulas``, ``strings_to_urls`` and ``strings_to_numbers`` off, and text cells
neutralised as in the CSV files, :mod:`outcomes.io.spreadsheet`). The document's creation time
is fixed, so the same issues give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter

from outcomes.io import atomic
from outcomes.io.spreadsheet import neutralize_csv_cells
from outcomes.validate.catalogue import SEVERITIES, SITE_QUERY

#: Creation time written into the workbook's properties (reruns give identical bytes).
FIXED_CREATED = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
SHEETS = ("Summary", "Issue Summary", "Details", "Rules")
#: Columns of the Details and site sheets, in this order.
DETAIL_COLUMNS = (
    "QUERYID",
    "STATUS",
    "SEVERITY",
    "CATEGORY",
    "RULE",
    "SITEID",
    "USUBJID",
    "TABLE",
    "RECKEY",
    "COLUMN",
    "VALUE",
    "MESSAGE",
    "FIRSTCUT",
    "ROW",
)
_NOT_IN_SHEET_NAME = re.compile(r"[\[\]:*?/\\']")
#: Data rows a worksheet holds below its header (the format's limit is 1,048,576 rows).
MAX_SHEET_ROWS = 1_048_575


def site_sheet_names(sites: list[str]) -> dict[str, str]:
    """A valid, unique worksheet name per site: ``Site <SITEID>``, at most 31 characters,
    without the characters a sheet name cannot hold."""
    names: dict[str, str] = {}
    used = {s.lower() for s in SHEETS}
    for site in sites:
        base = ("Site " + _NOT_IN_SHEET_NAME.sub("_", site))[:31]
        name, n = base, 1
        while name.lower() in used:
            n += 1
            suffix = f" ({n})"
            name = base[: 31 - len(suffix)] + suffix
        used.add(name.lower())
        names[site] = name
    return names


def _counts(issues: pl.DataFrame, column: str, order: list[str] | None = None) -> pl.DataFrame:
    counts = (
        issues.group_by(column)
        .agg(
            pl.len().cast(pl.Int64).alias("ISSUES"),
            (pl.col("STATUS") == "NEW").sum().cast(pl.Int64).alias("NEW"),
            (pl.col("STATUS") == "OPEN").sum().cast(pl.Int64).alias("OPEN"),
        )
        .with_columns(pl.col(column).fill_null("(none)"))
    )
    if order is not None:
        keep = pl.DataFrame({column: order}).with_row_index("_k")
        return counts.join(keep, on=column, how="left").sort("_k", column).drop("_k")
    return counts.sort(column)


def _issue_summary(issues: pl.DataFrame, rules: pl.DataFrame) -> pl.DataFrame:
    per = issues.group_by("RULE").agg(
        pl.len().cast(pl.Int64).alias("ISSUES"),
        pl.col("USUBJID").drop_nulls().n_unique().cast(pl.Int64).alias("SUBJECTS"),
        (pl.col("STATUS") == "NEW").sum().cast(pl.Int64).alias("NEW"),
    )
    return (
        rules.select("RULE", "SEVERITY", "CATEGORY", "DESCRIPTION", "ACTION")
        .join(per, on="RULE", how="inner", maintain_order="left")
        .select("RULE", "SEVERITY", "CATEGORY", "DESCRIPTION", "ISSUES", "SUBJECTS", "NEW")
    )


class _Sheets:
    """Writes frames into worksheets with a bold header, column widths and no formulas."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.book = book
        self.bold = book.add_format({"bold": True})
        self.title = book.add_format({"bold": True, "font_size": 13})

    def frame(
        self,
        sheet: Any,
        frame: pl.DataFrame,
        *,
        first_row: int = 0,
        table: bool = False,
    ) -> int:
        """Write ``frame`` from ``first_row`` (header then rows); return the next free row.
        ``table`` adds an autofilter and freezes the header (a list sheet)."""
        safe = neutralize_csv_cells(frame.head(MAX_SHEET_ROWS - first_row))
        for col, name in enumerate(safe.columns):
            longest = safe[name].cast(pl.String).str.len_chars().max()
            width = max(len(name), int(longest or 0))
            sheet.set_column(col, col, min(max(width + 2, 8), 80))
            sheet.write_string(first_row, col, name, self.bold)
        for r, row in enumerate(safe.iter_rows(), start=first_row + 1):
            for col, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, int):
                    sheet.write_number(r, col, value)
                else:
                    sheet.write_string(r, col, str(value))
        if table:
            sheet.freeze_panes(first_row + 1, 0)
            sheet.autofilter(first_row, 0, first_row + safe.height, max(len(safe.columns) - 1, 0))
        return first_row + safe.height + 2


def write_issues_workbook(
    path: Path,
    *,
    issues: pl.DataFrame,
    rules: pl.DataFrame,
    resolved: pl.DataFrame,
    sites: list[str],
    data_cut: str | None,
    max_rows: int | None = None,
) -> None:
    """Write ``issues.xlsx`` atomically.

    Sheets: ``Summary`` (the cut, then issue counts by severity, table, site, category and
    status, and the number of queries resolved since the previous cut), ``Issue Summary`` (one
    row per rule that found issues, with its description and counts), ``Details`` (every
    issue; autofilter, frozen header), ``Rules`` (every rule of the catalogue with the records
    it checked and failed, and its result) and ``Site <SITEID>`` (that site's site queries) for
    each site in ``sites``.

    With more than ``max_rows`` issues, the Details sheet lists the first ``max_rows`` in the
    order of ``issues`` and the site sheets are left out; the Summary sheet says so. Writing
    cells is the workbook's cost (about 20 µs each), so an export with hundreds of thousands
    of issues is served by ``issues.csv`` and ``sites/<SITEID>.csv``, and the workbook stays
    quick to write and to open.

    Parameters
    ----------
    path
        Target file.
    issues
        This cut's issues with the query columns.
    rules
        :func:`outcomes.validate.coverage.create_rule_results`.
    resolved
        Queries resolved since the previous cut.
    sites
        Sites that get a sheet, in order.
    data_cut
        The data cut (shown on the Summary sheet).
    max_rows
        Most issues listed (``validation.workbook_max_rows``); ``None``: the format's limit.
    """
    details = issues.select(DETAIL_COLUMNS)
    limit = MAX_SHEET_ROWS if max_rows is None else min(max_rows, MAX_SHEET_ROWS)
    complete = issues.height <= limit
    with atomic.atomic_path(path) as tmp:
        book = xlsxwriter.Workbook(
            str(tmp),
            {
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "constant_memory": True,
            },
        )
        book.set_properties({"title": "Validation issues", "created": FIXED_CREATED})
        out = _Sheets(book)
        summary = book.add_worksheet("Summary")
        summary.write_string(0, 0, "Validation issues", out.title)
        head = pl.DataFrame(
            {
                "ITEM": [
                    "Data cut",
                    "Issues",
                    "Queries resolved since the previous cut",
                    "Issues on the Details sheet (all are in issues.csv)",
                    "Site sheets",
                ],
                "VALUE": [
                    data_cut or "(none)",
                    str(issues.height),
                    str(resolved.height),
                    str(min(issues.height, limit)),
                    "one per site"
                    if complete
                    else f"left out: more than {limit} issues (validation.workbook_max_rows); "
                    "each site's queries are in sites/<SITEID>.csv",
                ],
            }
        )
        row = out.frame(summary, head, first_row=2)
        for column, order in (
            ("SEVERITY", list(SEVERITIES)),
            ("TABLE", None),
            ("SITEID", None),
            ("CATEGORY", None),
            ("STATUS", None),
        ):
            row = out.frame(summary, _counts(issues, column, order), first_row=row)
        out.frame(book.add_worksheet("Issue Summary"), _issue_summary(issues, rules), table=True)
        out.frame(book.add_worksheet("Details"), details.head(limit), table=True)
        out.frame(book.add_worksheet("Rules"), rules, table=True)
        queries = details.filter(pl.col("CATEGORY") == SITE_QUERY)
        for site, name in site_sheet_names(sites if complete else []).items():
            out.frame(
                book.add_worksheet(name),
                queries.filter(pl.col("SITEID") == site),
                table=True,
            )
        book.close()
