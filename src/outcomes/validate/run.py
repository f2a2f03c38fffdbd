"""validate_export: read every table of an export as text, apply the whole rule catalogue, and
return every problem at once (data-contract.md §2; endpoints.md §16.21).

Order: structure (per file) → types and values (per cell, building typed tables) → keys → dates
→ clinical consistency → eligibility. A table that cannot be read is reported and left out; the
rules that need it are skipped, every other rule still runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl

from outcomes import contract as c
from outcomes.drugs.history import HistoryParams, create_history_eligibility
from outcomes.eligibility import EligibilityParams, create_eligibility, filter_screening_labs
from outcomes.schemas.export import EXPORT_COLUMNS, polars_dtype
from outcomes.validate.cells import check_cells
from outcomes.validate.consistency import (
    check_assessment_consistency,
    check_fatal_ae_without_death,
)
from outcomes.validate.coverage import count_checked, create_rule_results
from outcomes.validate.crosschecks import (
    check_fatal_ae_other_without_death,
    check_neutropenia_grades,
    check_physiological_bounds,
)
from outcomes.validate.dates import check_after_cut, check_record_dates, check_subject_dates
from outcomes.validate.eligibility_rules import check_eligibility_rules, check_history_rules
from outcomes.validate.excluded import apply_severity, create_excluded, empty_excluded
from outcomes.validate.issues import concat_issues, make_issue
from outcomes.validate.keys import check_keys
from outcomes.validate.medications import check_medications
from outcomes.validate.params import ValidationParams
from outcomes.validate.queries import (
    SITE_RECORD_KEYS,
    create_record_keys,
    create_site_map,
    derive_query_columns,
    phrase_actions,
)
from outcomes.validate.report import ValidationReport
from outcomes.validate.structure import (
    complete_columns,
    find_table,
    find_unrecognised_tables,
    read_table_checked,
)
from outcomes.validate.tracking import empty_resolved, read_previous_issues, track_queries
from outcomes.validate.transport import check_transport_limits
from outcomes.validate.visits import check_baseline, check_missed_visits, check_visit_windows


def _empty_typed(table: str) -> pl.DataFrame:
    schema = {s.name: polars_dtype(s) for s in EXPORT_COLUMNS[table]}
    return pl.DataFrame(schema=schema | {"ROW": pl.Int64(), "SRCSEQ": pl.Int64()})


def read_checked_tables(
    export_dir: Path, *, params: ValidationParams
) -> tuple[
    dict[str, pl.DataFrame], list[pl.DataFrame], list[pl.LazyFrame], dict[str, pl.DataFrame]
]:
    """Typed tables that could be read, file-level issues, (lazy) cell issues, and the text of
    the columns that place each record for a site (``ROW``, :data:`SITE_RECORD_KEYS`, the
    subjects' ``SITEID``)."""
    tables: dict[str, pl.DataFrame] = {}
    site_keys: dict[str, pl.DataFrame] = {}
    issues: list[pl.DataFrame] = find_unrecognised_tables(export_dir)
    cell_issues: list[pl.LazyFrame] = []
    for table in c.TABLES:
        path, found = find_table(export_dir, table)
        issues += found
        if path is None:
            continue
        raw, read_issues = read_table_checked(path, table)
        issues += read_issues
        if raw is None:
            continue
        raw, column_issues, absent = complete_columns(raw, table)
        issues += column_issues
        wanted = ("ROW", *SITE_RECORD_KEYS[table], *(("SITEID",) if table == "subjects" else ()))
        site_keys[table] = raw.select(c for c in dict.fromkeys(wanted) if c in raw.columns)
        tables[table], more = check_cells(raw, table, params=params, absent=absent)
        cell_issues += more + check_transport_limits(raw, table, typed=tables[table])
    return tables, issues, cell_issues, site_keys


def _relation_rules(
    tables: dict[str, pl.DataFrame], *, params: ValidationParams, data_cut: dt.date | None
) -> list[pl.LazyFrame]:
    out = check_keys(tables) + check_record_dates(tables)
    if data_cut is not None:
        out += check_after_cut(tables, data_cut=data_cut)
    subjects = tables.get("subjects")
    if subjects is not None:
        out += check_subject_dates(subjects, params=params)
    if "assessments" in tables:
        assessments = tables["assessments"]
        out += check_assessment_consistency(assessments, params=params)
        if subjects is not None:
            out += [
                check_baseline(subjects, assessments, params=params),
                check_visit_windows(assessments, subjects, params=params),
                check_missed_visits(assessments, subjects, params=params, data_cut=data_cut),
            ]
    if "adverse_events" in tables and subjects is not None:
        out.append(check_fatal_ae_without_death(tables["adverse_events"], subjects))
    if "medications" in tables:
        out += check_medications(tables["medications"], subjects, params=params)
    return out


def _crosscheck_rules(
    tables: dict[str, pl.DataFrame],
    *,
    params: ValidationParams,
    eligibility: EligibilityParams,
    data_cut: dt.date | None,
) -> list[pl.LazyFrame]:
    """VAL-014, CON-014 and CON-015 (:mod:`outcomes.validate.crosschecks`)."""
    out = check_physiological_bounds(tables, params=params, eligibility=eligibility)
    aes = tables.get("adverse_events")
    if aes is not None and "labs" in tables:
        out.append(
            check_neutropenia_grades(
                aes, tables["labs"], params=params, eligibility=eligibility, data_cut=data_cut
            )
        )
    if aes is not None and "subjects" in tables:
        out.append(check_fatal_ae_other_without_death(aes, tables["subjects"]))
    return out


def _history_rules(
    tables: dict[str, pl.DataFrame],
    *,
    config: Mapping[str, Any],
    params: ValidationParams,
    eligibility: EligibilityParams,
    data_cut: dt.date | None,
) -> list[pl.LazyFrame]:
    """ELG-011 … ELG-014: the §16.27 criteria of the medication history."""
    subjects = tables["subjects"]
    anc = (
        filter_screening_labs(
            tables.get("labs", _empty_typed("labs")).lazy(),
            subjects.lazy().unique("USUBJID", keep="first"),
            eligibility,
        )
        .filter(pl.col("LBTESTCD") == "ANC")
        .select("USUBJID", pl.col("LBDT").alias("ANCDT"))
    )
    history_params = HistoryParams.from_config(config["eligibility"])
    history = create_history_eligibility(
        subjects.lazy(),
        medications=tables["medications"].lazy(),
        screening_anc=anc,
        params=history_params,
        drugs=params.drugs,
        data_cut=data_cut,
    )
    return check_history_rules(history.collect().lazy(), subjects=subjects, params=history_params)


def validate_export(
    export_dir: Path,
    *,
    config: Mapping[str, Any],
    data_cut: dt.date | None,
    previous: Path | None = None,
    typed: dict[str, pl.DataFrame] | None = None,
) -> ValidationReport:
    """Check an export against the data contract and the rule catalogue.

    Parameters
    ----------
    export_dir
        Folder with one ``.csv`` or ``.parquet`` file per table (data-contract.md §1).
    config
        The checked configuration (sections ``validation``, ``eligibility``, ``visits``,
        ``medications``, ``study``).
    data_cut
        Records dated after it are reported as warnings (DAT-008); None = no cut.
    previous
        The validation folder of an earlier cut (``issues.csv`` in it or in its
        ``validation/``): each issue is then ``NEW`` or ``OPEN`` and the queries gone since
        are listed as resolved; None = every issue is ``NEW``.
    typed
        When given, filled with each table that could be read, typed by the cell rules (contract
        dtypes, a cell that does not parse is null; ``ROW``, and ``SRCSEQ`` = ``ROW``): the
        validated tables are made from these, so the export is read and typed once.

    Returns
    -------
    ValidationReport
        Every issue found (severities after the config's per-rule overrides) with its query
        columns (site, record key, query id, category, first cut, status), what the ERRORs
        exclude or blank (data-contract §1.6), the rule results and the resolved queries;
        ``readable`` is False when the folder is missing or no required table could be read.

    Raises
    ------
    InputDataError
        When ``previous`` holds no issues file with query ids.
    """
    prior = read_previous_issues(previous) if previous is not None else None
    params = ValidationParams.from_config(config)
    eligibility = EligibilityParams.from_config(
        config["eligibility"], baseline_window_days=params.baseline_window_days
    )
    if not export_dir.is_dir():
        issue = make_issue("STR-004", None, message=f"Export folder {export_dir} does not exist.")
        found = derive_query_columns(concat_issues([issue]), data_cut=data_cut)
        return _tracked_report(
            found,
            prior,
            readable=False,
            params=params,
            data_cut=data_cut,
            excluded=None,
            records={},
        )
    tables, issues, lazy, site_keys = read_checked_tables(export_dir, params=params)
    if typed is not None:
        typed.update(tables)
    lazy += _relation_rules(tables, params=params, data_cut=data_cut)
    lazy += _crosscheck_rules(tables, params=params, eligibility=eligibility, data_cut=data_cut)
    if "subjects" in tables and "medications" in tables:
        lazy += _history_rules(
            tables, config=config, params=params, eligibility=eligibility, data_cut=data_cut
        )
    if "subjects" in tables and "assessments" in tables:
        elig = create_eligibility(
            tables["subjects"].lazy(),
            assessments=tables["assessments"].lazy(),
            labs=tables.get("labs", _empty_typed("labs")).lazy(),
            params=eligibility,
        )
        lazy += check_eligibility_rules(elig.collect().lazy(), subjects=tables["subjects"])
    issues += pl.collect_all(lazy)
    readable = any(t in tables for t in c.TABLES_REQUIRED)
    found = apply_severity(concat_issues(issues), params.severity)
    sites = create_site_map(site_keys.get("subjects"))
    found = derive_query_columns(
        found,
        record_keys=create_record_keys(site_keys, located=found.select("TABLE", "ROW")),
        sites=sites,
        data_cut=data_cut,
    )
    excluded = create_excluded(found, tables=tables)
    return _tracked_report(
        phrase_actions(found, excluded),
        prior,
        readable=readable,
        params=params,
        data_cut=data_cut,
        excluded=excluded,
        records={table: typed.height for table, typed in tables.items()},
        sites=sites["_SITE"].drop_nulls().unique(),
    )


def _tracked_report(
    found: pl.DataFrame,
    prior: tuple[pl.DataFrame, str | None] | None,
    *,
    readable: bool,
    params: ValidationParams,
    data_cut: dt.date | None,
    excluded: pl.DataFrame | None,
    records: dict[str, int],
    sites: pl.Series | None = None,
) -> ValidationReport:
    """The report with each issue NEW or OPEN against the previous cut (when known)."""
    resolved = empty_resolved()
    if prior is not None:
        found, resolved = track_queries(found, prior[0], previous_cut=prior[1])
    checked = count_checked(records, data_cut_known=data_cut is not None)
    return ValidationReport(
        found,
        readable=readable,
        rows_per_group=params.report_rows_per_group,
        workbook_max_rows=params.workbook_max_rows,
        excluded=excluded if excluded is not None else empty_excluded(),
        rules=create_rule_results(found, checked),
        resolved=resolved,
        data_cut=data_cut.isoformat() if data_cut else None,
        previous_known=prior is not None,
        sites=tuple(sorted(sites.to_list())) if sites is not None else (),
    )
