"""The validation report: ``issues.csv``, ``summary.json`` and a self-contained ``report.html``
(data-contract.md §2, §3). Every data string in the HTML is escaped.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from outcomes.io import atomic
from outcomes.io.spreadsheet import neutralize_csv_cells
from outcomes.validate.catalogue import ERROR, FATAL, GROUPS, RULES, SITE_QUERY, WARNING
from outcomes.validate.coverage import FAILED, create_rule_results
from outcomes.validate.excluded import EXCLUDED_SCHEMA
from outcomes.validate.params import WORKBOOK_MAX_ROWS
from outcomes.validate.queries import NEW, derive_query_columns
from outcomes.validate.tracking import empty_resolved
from outcomes.validate.workbook import write_issues_workbook

SHOWN = ("TABLE", "USUBJID", "ROW", "COLUMN", "VALUE", "MESSAGE")
#: File of the site queries of issues without a known site (an unknown subject).
NO_SITE = "NO_SITE"
#: The site filter's choice for issues without a site (file problems, unknown subjects).
NO_SITE_OPTION = "(no site)"


@dataclass(frozen=True)
class ValidationReport:
    """Result of :func:`outcomes.validate.validate_export`.

    ``issues`` has the columns RULE, SEVERITY, TABLE, USUBJID, ROW, COLUMN, VALUE, MESSAGE and
    the query columns SITEID, RECKEY, QUERYID, FIRSTCUT, CATEGORY, STATUS (derived here when
    absent) in a stable order; ``readable`` is False when the export cannot be read at all;
    ``excluded`` lists what the ERRORs exclude or blank (data-contract §1.6, ``excluded.csv``);
    ``rules`` is every catalogue rule with its checked and failed counts; ``resolved`` the
    queries open at the previous cut and gone now; ``sites`` every site of the export.
    """

    issues: pl.DataFrame
    readable: bool
    rows_per_group: int = 200
    workbook_max_rows: int | None = WORKBOOK_MAX_ROWS
    excluded: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=EXCLUDED_SCHEMA))
    rules: pl.DataFrame | None = None
    resolved: pl.DataFrame = field(default_factory=empty_resolved)
    data_cut: str | None = None
    previous_known: bool = False
    sites: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if "QUERYID" not in self.issues.columns:
            object.__setattr__(self, "issues", derive_query_columns(self.issues))
        if self.rules is None:
            object.__setattr__(self, "rules", create_rule_results(self.issues, {}))
        found = self.issues["SITEID"].drop_nulls().unique().to_list()
        object.__setattr__(self, "sites", tuple(sorted(set(self.sites) | set(found))))

    @property
    def rule_results(self) -> pl.DataFrame:
        """Every catalogue rule with its checked and failed counts (never None)."""
        return self.rules if self.rules is not None else create_rule_results(self.issues, {})

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
        tracked = ""
        if self.previous_known:
            new = int((self.issues["STATUS"] == NEW).sum())
            tracked = (
                f" Against the previous cut: {new} new, {self.issues.height - new} still open, "
                f"{self.resolved.height} resolved."
            )
        return (
            f"Validation: the export {state}: "
            + (f"{self.n_fatal} fatal, " if self.n_fatal else "")
            + f"{self.n_errors} error(s), "
            f"{self.n_warnings} warning(s), "
            f"{self.issues['RULE'].n_unique() if self.issues.height else 0} rule(s) hit." + tracked
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
        "data_cut": report.data_cut,
        "by_site": _counts(issues.filter(pl.col("SITEID").is_not_null()), "SITEID"),
        "by_category": _counts(issues, "CATEGORY"),
        "by_status": _counts(issues, "STATUS"),
        "n_resolved": report.resolved.height,
        "rules_checked": report.rule_results.height,
        "rules_failed": int((report.rule_results["RESULT"] == FAILED).sum()),
    }


def _cell(value: object) -> str:
    return "" if value is None else html.escape(str(value))


def _attr(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _table(frame: pl.DataFrame, columns: tuple[str, ...], limit: int) -> str:
    head = "".join(f"<th>{c}</th>" for c in columns)
    rows = "".join(
        "<tr>" + "".join(f"<td>{_cell(v)}</td>" for v in row) + "</tr>"
        for row in frame.head(limit).select(columns).iter_rows()
    )
    more = frame.height - limit
    tail = f"<p class='more'>… and {more} more (see issues.csv)</p>" if more > 0 else ""
    return f"<table><tr>{head}</tr>{rows}</table>{tail}"


#: Columns of an issue row in the HTML, after the query id.
ISSUE_SHOWN = ("STATUS", "SITEID", "TABLE", "USUBJID", "RECKEY", "COLUMN", "VALUE", "MESSAGE")


def _issue_rows(frame: pl.DataFrame, columns: tuple[str, ...], *, anchor: bool) -> str:
    """Issue rows carrying their site, severity and rule for the filters; the query id is an
    anchor (``anchor``) or a link to it."""
    out = []
    for row in frame.iter_rows(named=True):
        qid = _attr(row["QUERYID"])
        first = (
            f"<td id='{qid}'><a href='#{qid}'>{qid}</a></td>"
            if anchor
            else f"<td><a href='#{qid}'>{qid}</a></td>"
        )
        out.append(
            f"<tr class='issue' data-site='{_attr(row['SITEID'] or NO_SITE_OPTION)}' "
            f"data-severity='{_attr(row['SEVERITY'])}' data-rule='{_attr(row['RULE'])}'>"
            + first
            + "".join(f"<td>{_cell(row[c])}</td>" for c in columns)
            + "</tr>"
        )
    return "".join(out)


def _issue_table(frame: pl.DataFrame, columns: tuple[str, ...], limit: int, *, anchor: bool) -> str:
    head = "<th>QUERYID</th>" + "".join(f"<th>{c}</th>" for c in columns)
    more = frame.height - limit
    tail = f"<p class='more'>… and {more} more (see issues.csv)</p>" if more > 0 else ""
    body = _issue_rows(frame.head(limit), columns, anchor=anchor)
    return f"<table><tr>{head}</tr>{body}</table>{tail}"


def _by_rule(issues: pl.DataFrame, limit: int) -> str:
    parts = []
    for (rule,), group in issues.group_by("RULE", maintain_order=True):
        r = RULES[str(rule)]
        parts.append(
            f"<section class='group' data-rule='{_attr(r.id)}'>"
            f"<h3 id='{r.id}'>{r.id} · {group['SEVERITY'][0]} · {r.category} · "
            f"{group.height} issue(s)</h3>"
            f"<p>{html.escape(r.text)} <i>({html.escape(r.reference)})</i></p>"
            + _issue_table(group, ISSUE_SHOWN, limit, anchor=True)
            + "</section>"
        )
    return "".join(parts)


def _by_subject(issues: pl.DataFrame, limit: int) -> str:
    subjects = issues.filter(pl.col("USUBJID").is_not_null()).sort("USUBJID", maintain_order=True)
    parts = []
    columns = ("RULE", "SEVERITY", "STATUS", "TABLE", "RECKEY", "COLUMN", "VALUE", "MESSAGE")
    for i, ((usubjid,), group) in enumerate(subjects.group_by("USUBJID", maintain_order=True)):
        if i >= limit:
            parts.append("<p class='more'>… more subjects (see issues.csv)</p>")
            break
        parts.append(
            "<section class='group'>"
            f"<h3>{_cell(usubjid)} · {group.height} issue(s)</h3>"
            + _issue_table(group, columns, limit, anchor=False)
            + "</section>"
        )
    return "".join(parts)


def _rule_catalogue(rules: pl.DataFrame) -> str:
    """Every rule that ran, fired or passed, with its counts (rows filtered by severity and
    rule; a fired rule links to its issues)."""
    columns = [c for c in rules.columns if c != "RULE"]
    head = "<th>RULE</th>" + "".join(f"<th>{c}</th>" for c in columns)
    rows = []
    for row in rules.iter_rows(named=True):
        rule = _attr(row["RULE"])
        name = f"<a href='#{rule}'>{rule}</a>" if row["ISSUES"] else rule
        rows.append(
            f"<tr class='rule {_attr(str(row['RESULT']).lower().replace(' ', '-'))}' "
            f"data-severity='{_attr(row['SEVERITY'])}' data-rule='{rule}'><td>{name}</td>"
            + "".join(f"<td>{_cell(row[c])}</td>" for c in columns)
            + "</tr>"
        )
    return f"<table><tr>{head}</tr>{''.join(rows)}</table>"


def _options(values: list[str]) -> str:
    return "<option value=''>all</option>" + "".join(
        f"<option value='{_attr(v)}'>{_cell(v)}</option>" for v in values
    )


def _filters(report: ValidationReport) -> str:
    """Three drop-down filters (site, severity, rule) over the issue and rule rows."""
    issues = report.issues
    sites = list(report.sites) + ([NO_SITE_OPTION] if issues["SITEID"].null_count() else [])
    severities = [FATAL, ERROR, WARNING]
    rules = list(RULES)
    return (
        "<form class='filters' onsubmit='return false'>"
        f"<label>Site <select id='f-site'>{_options(sites)}</select></label> "
        f"<label>Severity <select id='f-severity'>{_options(severities)}</select></label> "
        f"<label>Rule <select id='f-rule'>{_options(rules)}</select></label> "
        "<span id='f-count'></span></form>"
    )


STYLE = (
    "body{font-family:sans-serif;margin:2em;max-width:90em}table{border-collapse:collapse;"
    "margin-bottom:1em}td,th{border:1px solid #ccc;padding:2px 6px;font-size:90%;"
    "text-align:left;vertical-align:top}.more{color:#666}.filters{position:sticky;top:0;"
    "background:#f4f4f4;padding:.5em;border:1px solid #ccc}tr.failed td:last-child"
    "{color:#a00;font-weight:bold}tr.passed td:last-child{color:#070}"
    "td:target,tr:target{background:#ffe9a8}td:first-child{white-space:nowrap}"
    ".counts{display:flex;gap:3em}"
)
#: The filters: a row shows when it matches every chosen value (a rule row has no site); a
#: section without visible issue rows is hidden.
SCRIPT = (
    "(function(){var f=['site','severity','rule'];function v(k){return "
    "document.getElementById('f-'+k).value}function ok(r,k){var w=v(k);return !w||"
    "!r.hasAttribute('data-'+k)||r.getAttribute('data-'+k)===w}function run(){var n=0;"
    "document.querySelectorAll('tr.issue,tr.rule').forEach(function(r){var s=f.every("
    "function(k){return k==='site'&&r.classList.contains('rule')?true:ok(r,k)});"
    "r.style.display=s?'':'none';if(s&&r.classList.contains('issue')&&r.querySelector("
    "'td[id]'))n++});document.querySelectorAll('section.group').forEach(function(g){"
    "var any=Array.prototype.some.call(g.querySelectorAll('tr.issue'),function(r){"
    "return r.style.display!=='none'});g.style.display=any?'':'none'});"
    "document.getElementById('f-count').textContent=n+' issue(s) shown'}"
    "f.forEach(function(k){document.getElementById('f-'+k).addEventListener('change',run)"
    "});run()})();"
)


def render_validation_html(report: ValidationReport) -> str:
    """The self-contained HTML report: status, filters (site, severity, rule), the full rule
    catalogue with checked and failed counts, counts by table and site, issues by rule (each
    with its query id as an anchor), issues by subject, and the queries resolved since the
    previous cut."""
    issues, limit = report.issues, report.rows_per_group
    by_table = pl.DataFrame(
        {"TABLE": list(_counts(issues, "TABLE")), "COUNT": list(_counts(issues, "TABLE").values())}
    )
    sites = _counts(issues, "SITEID")
    by_site = pl.DataFrame({"SITEID": list(sites), "COUNT": list(sites.values())})
    cut = f"Data cut {report.data_cut}. " if report.data_cut else ""
    resolved = ""
    if report.previous_known:
        resolved = (
            f"<h2 id='resolved'>Resolved since the previous cut ({report.resolved.height})</h2>"
            + _table(
                report.resolved,
                ("QUERYID", "SEVERITY", "RULE", "SITEID", "USUBJID", "TABLE", "RECKEY", "MESSAGE"),
                limit,
            )
        )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Validation report</title>"
        f"<style>{STYLE}</style></head><body><h1>Validation report</h1>"
        f"<p>{html.escape(cut + report.summary())}</p>"
        f"<p>Rule groups: {html.escape(', '.join(GROUPS.values()))}.</p>"
        + _filters(report)
        + "<div class='counts'><div><h2>Counts by site</h2>"
        + _table(by_site, ("SITEID", "COUNT"), len(sites) + 1)
        + "</div><div><h2>Counts by table</h2>"
        + _table(by_table, ("TABLE", "COUNT"), 100)
        + "</div></div>"
        + "<h2>Rules</h2><p>Every rule that ran: records it checked, records that failed, "
        "issues and the result.</p>"
        + _rule_catalogue(report.rule_results)
        + "<h2>Issues by rule</h2>"
        + _by_rule(issues, limit)
        + "<h2>Issues by subject</h2>"
        + _by_subject(issues, limit)
        + resolved
        + f"<script>{SCRIPT}</script></body></html>"
    )


def site_file_name(site: str | None) -> str:
    """File name of a site's queries: the site id when it is plain (letters, digits, ``.``,
    ``_``, ``-``), else the plain characters and a short digest (no clash, no path)."""
    if site is None:
        return f"{NO_SITE}.csv"
    plain = re.sub(r"[^A-Za-z0-9._-]", "_", site)
    if plain != site or plain.startswith(".") or not plain:
        plain += "-" + hashlib.sha256(site.encode("utf-8")).hexdigest()[:8]
    return f"{plain}.csv"


def write_site_queries(issues: pl.DataFrame, sites: tuple[str, ...], folder: Path) -> list[Path]:
    """``sites/<SITEID>.csv``: the site queries of each site (every site gets a file, empty
    when nothing is open; queries of a subject without a known site go to ``NO_SITE.csv``);
    files of sites no longer listed are removed. Returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)  # present even when no site is known
    queries = neutralize_csv_cells(issues.filter(pl.col("CATEGORY") == SITE_QUERY))
    keys: list[str | None] = list(sites)
    if queries["SITEID"].null_count():
        keys.append(None)
    written = []
    for site in keys:
        rows = queries.filter(
            pl.col("SITEID").is_null() if site is None else pl.col("SITEID") == site
        )
        path = folder / site_file_name(site)
        atomic.write_csv(rows, path)
        written.append(path)
    for stale in sorted(set(folder.glob("*.csv")) - set(written)):
        stale.unlink()
    return written


def write_validation_report(report: ValidationReport, out_dir: Path) -> None:
    """Write ``issues.csv``, ``excluded.csv``, ``resolved.csv``, ``summary.json``,
    ``report.html``, ``issues.xlsx`` and ``sites/<SITEID>.csv`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    atomic.write_csv(neutralize_csv_cells(report.issues), out_dir / "issues.csv")
    atomic.write_csv(neutralize_csv_cells(report.excluded), out_dir / "excluded.csv")
    atomic.write_csv(neutralize_csv_cells(report.resolved), out_dir / "resolved.csv")
    write_site_queries(report.issues, report.sites, out_dir / "sites")
    write_issues_workbook(
        out_dir / "issues.xlsx",
        issues=report.issues,
        rules=report.rule_results,
        resolved=report.resolved,
        sites=list(report.sites),
        data_cut=report.data_cut,
        max_rows=report.workbook_max_rows,
    )
    atomic.write_text(out_dir / "summary.json", json.dumps(summarize_issues(report), indent=2))
    atomic.write_text(out_dir / "report.html", render_validation_html(report))
