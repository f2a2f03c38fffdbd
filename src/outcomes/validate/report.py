"""The validation report: ``issues.csv``, ``summary.json`` and a self-contained ``report.html``
(data-contract.md §2, §3). Every data string in the HTML is escaped.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from outcomes.io import atomic
from outcomes.io.spreadsheet import neutralize_csv_cells
from outcomes.validate.catalogue import ERROR, FATAL, GROUPS, RULES, WARNING, describe_action
from outcomes.validate.excluded import EXCLUDED_SCHEMA

SHOWN = ("TABLE", "USUBJID", "ROW", "COLUMN", "VALUE", "MESSAGE")


@dataclass(frozen=True)
class ValidationReport:
    """Result of :func:`outcomes.validate.validate_export`.

    ``issues`` has the columns RULE, SEVERITY, TABLE, USUBJID, ROW, COLUMN, VALUE, MESSAGE in a
    stable order; ``readable`` is False when the export cannot be read at all; ``excluded``
    lists what the ERRORs exclude or blank (data-contract §1.6, ``excluded.csv``).
    """

    issues: pl.DataFrame
    readable: bool
    rows_per_group: int = 200
    excluded: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=EXCLUDED_SCHEMA))

    @property
    def n_fatal(self) -> int:
        """Number of FATAL issues."""
        return int((self.issues["SEVERITY"] == FATAL).sum())

    @property
    def n_errors(self) -> int:
        """Number of ERROR issues."""
        return int((self.issues["SEVERITY"] == ERROR).sum())

    @property
    def n_warnings(self) -> int:
        """Number of WARNING issues."""
        return int((self.issues["SEVERITY"] == WARNING).sum())

    @property
    def exit_code(self) -> int:
        """0 no errors, 1 errors, 2 the export cannot be read or derived at all (a FATAL issue;
        data-contract §1.6, §2)."""
        if not self.readable or self.n_fatal:
            return 2
        return 1 if self.n_errors else 0

    def summary(self) -> str:
        """One line for the console and the log."""
        if not self.readable or self.n_fatal:
            state = "cannot be derived"
        else:
            state = "has errors" if self.n_errors else "passes"
        return (
            f"Validation: the export {state}: "
            + (f"{self.n_fatal} fatal, " if self.n_fatal else "")
            + f"{self.n_errors} error(s), "
            f"{self.n_warnings} warning(s), "
            f"{self.issues['RULE'].n_unique() if self.issues.height else 0} rule(s) hit."
        )


def _counts(issues: pl.DataFrame, column: str) -> dict[str, int]:
    counts = issues.group_by(column).len().sort(column, nulls_last=True)
    return {("" if k is None else str(k)): int(n) for k, n in counts.iter_rows()}


def summarize_issues(report: ValidationReport) -> dict[str, object]:
    """Counts by rule, severity, table and subject (the content of ``summary.json``)."""
    issues = report.issues
    return {
        "readable": report.readable,
        "exit_code": report.exit_code,
        "n_issues": issues.height,
        "n_fatal": report.n_fatal,
        "n_errors": report.n_errors,
        "n_excluded_records": int((report.excluded["ACTION"] == "RECORD EXCLUDED").sum()),
        "n_values_set_missing": int((report.excluded["ACTION"] == "VALUE SET MISSING").sum()),
        "n_warnings": report.n_warnings,
        "by_rule": _counts(issues, "RULE"),
        "by_severity": _counts(issues, "SEVERITY"),
        "by_table": _counts(issues, "TABLE"),
        "by_subject": _counts(issues.filter(pl.col("USUBJID").is_not_null()), "USUBJID"),
    }


def _cell(value: object) -> str:
    return "" if value is None else html.escape(str(value))


def _table(frame: pl.DataFrame, columns: tuple[str, ...], limit: int) -> str:
    head = "".join(f"<th>{c}</th>" for c in columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>"
        for row in frame.head(limit).select(columns).iter_rows()
    )
    more = frame.height - limit
    tail = f"<p class='more'>… and {more} more (see issues.csv)</p>" if more > 0 else ""
    return f"<table><tr>{head}</tr>{rows}</table>{tail}"


def _by_rule(issues: pl.DataFrame, limit: int) -> str:
    parts = []
    for (rule,), group in issues.group_by("RULE", maintain_order=True):
        r = RULES[str(rule)]
        parts.append(
            f"<h3 id='{r.id}'>{r.id} · {group['SEVERITY'][0]} · {group.height} issue(s)</h3>"
            f"<p>{html.escape(r.text)} <i>({html.escape(r.reference)})</i></p>"
            + _table(group, SHOWN, limit)
        )
    return "".join(parts)


def _by_subject(issues: pl.DataFrame, limit: int) -> str:
    subjects = issues.filter(pl.col("USUBJID").is_not_null()).sort("USUBJID", maintain_order=True)
    parts = []
    for i, ((usubjid,), group) in enumerate(subjects.group_by("USUBJID", maintain_order=True)):
        if i >= limit:
            parts.append("<p class='more'>… more subjects (see issues.csv)</p>")
            break
        parts.append(
            f"<h3>{_cell(usubjid)} · {group.height} issue(s)</h3>"
            + _table(group, ("RULE", "SEVERITY", *SHOWN[:1], *SHOWN[2:]), limit)
        )
    return "".join(parts)


STYLE = (
    "body{font-family:sans-serif;margin:2em;max-width:80em}table{border-collapse:collapse;"
    "margin-bottom:1em}td,th{border:1px solid #ccc;padding:2px 6px;font-size:90%;"
    "text-align:left}.more{color:#666}"
)


def _severity(issues: pl.DataFrame, rule: str) -> str:
    """The rule's severity in this report (after config overrides), else the catalogue's."""
    found = issues.filter(pl.col("RULE") == rule)["SEVERITY"]
    return str(found[0]) if found.len() else RULES[rule].severity


def render_validation_html(report: ValidationReport) -> str:
    """The self-contained HTML report: counts, then issues by rule and by subject."""
    issues, limit = report.issues, report.rows_per_group
    counts = pl.DataFrame(
        [
            (
                r.id,
                _severity(issues, r.id),
                r.group,
                r.text,
                describe_action(r, _severity(issues, r.id)),
                int((issues["RULE"] == r.id).sum()),
            )
            for r in RULES.values()
        ],
        schema=["RULE", "SEVERITY", "GROUP", "EXPLANATION", "ACTION", "COUNT"],
        orient="row",
    ).filter(pl.col("COUNT") > 0)
    by_table = pl.DataFrame(
        {"TABLE": list(_counts(issues, "TABLE")), "COUNT": list(_counts(issues, "TABLE").values())}
    )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Validation report</title>"
        f"<style>{STYLE}</style></head><body><h1>Validation report</h1>"
        f"<p>{html.escape(report.summary())}</p>"
        f"<p>Rule groups: {html.escape(', '.join(GROUPS.values()))}.</p>"
        "<h2>Counts by rule</h2>"
        + _table(counts, tuple(counts.columns), len(RULES))
        + "<h2>Counts by table</h2>"
        + _table(by_table, ("TABLE", "COUNT"), 100)
        + "<h2>Issues by rule</h2>"
        + _by_rule(issues, limit)
        + "<h2>Issues by subject</h2>"
        + _by_subject(issues, limit)
        + "</body></html>"
    )


def write_validation_report(report: ValidationReport, out_dir: Path) -> None:
    """Write ``issues.csv``, ``excluded.csv``, ``summary.json`` and ``report.html`` into
    ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    atomic.write_csv(neutralize_csv_cells(report.issues), out_dir / "issues.csv")
    atomic.write_csv(neutralize_csv_cells(report.excluded), out_dir / "excluded.csv")
    atomic.write_text(out_dir / "summary.json", json.dumps(summarize_issues(report), indent=2))
    atomic.write_text(out_dir / "report.html", render_validation_html(report))
