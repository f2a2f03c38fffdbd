"""``outcomes import-sdtm``: SDTM domains → an export folder in the contract format.

Reads DM, DS, EX, CM, AE, LB and the disease-activity domain (RS or QS) as named by the
mapping's ``files``, builds the five export tables (data-contract.md §1) and writes them as CSV,
with ``import_problems.csv`` (one row per record that could not be mapped as it stands) and
``import_summary.json`` (source record counts, rows written, problems by rule). A missing
disease-activity domain is one ERROR: the ``assessments`` table is then not written, the other
tables are. DM is required; an absent CM or AE gives an empty table (SDTM omits empty domains).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from outcomes.errors import ExportReadError
from outcomes.interop.mapping import SdtmMapping
from outcomes.interop.problems import (
    PROBLEM_SCHEMA,
    MappedTable,
    create_domain_problem,
    create_empty_problems,
    create_problem_rows,
    summarize_problems,
)
from outcomes.interop.sdtm_activity import create_assessments
from outcomes.interop.sdtm_events import create_adverse_events, create_labs, create_medications
from outcomes.interop.sdtm_read import read_sdtm_domain
from outcomes.interop.sdtm_subjects import create_subjects
from outcomes.io import atomic
from outcomes.schemas.export import EXPORT_COLUMNS

PROBLEMS_FILE = "import_problems.csv"
SUMMARY_FILE = "import_summary.json"

#: Variables read from each domain; absent ones are added empty and reported.
VARIABLES: dict[str, tuple[str, ...]] = {
    "dm": (
        "STUDYID",
        "USUBJID",
        "SITEID",
        "AGE",
        "SEX",
        "RFICDTC",
        "RFXSTDTC",
        "DTHDTC",
        "ARMCD",
        "ACTARMCD",
    ),
    "ds": ("USUBJID", "DSCAT", "DSDECOD", "DSSTDTC"),
    "ex": ("USUBJID", "EXTRT", "EXDOSE", "EXDOSU", "EXSTDTC"),
    "cm": (
        "USUBJID",
        "CMSEQ",
        "CMTRT",
        "CMDOSE",
        "CMDOSU",
        "CMDOSFRQ",
        "CMROUTE",
        "CMINDC",
        "CMSTDTC",
        "CMENDTC",
    ),
    "ae": (
        "USUBJID",
        "AESEQ",
        "AETERM",
        "AEDECOD",
        "AECAT",
        "AESTDTC",
        "AEENDTC",
        "AETOXGR",
        "AESEV",
        "AESER",
        "AEREL",
    ),
    "lb": ("USUBJID", "LBTESTCD", "LBSTRESN", "LBSTRESU", "LBSTNRLO", "LBSTNRHI", "LBDTC"),
}
_OPTIONAL_VARIABLES = {
    "AECAT",
    "AETOXGR",
    "AESEV",
    "AEDECOD",
    "CMINDC",
    "DSCAT",
    "DTHDTC",
    "RFICDTC",
    "RFXSTDTC",
    "LBSTNRLO",
    "LBSTNRHI",
}


@dataclass(frozen=True)
class ImportResult:
    """The export tables built from SDTM, the problems met and the source record counts."""

    tables: dict[str, pl.DataFrame]
    problems: pl.DataFrame
    source_records: dict[str, int]

    @property
    def errors(self) -> int:
        """Number of ERROR problems."""
        return int(self.problems.filter(pl.col("SEVERITY") == "ERROR").height)

    @property
    def exit_code(self) -> int:
        """0 when no ERROR was met, else 1."""
        return 1 if self.errors else 0

    def summary(self) -> str:
        """Rows per table and problem counts, for the command line."""
        rows = ", ".join(f"{t} {f.height}" for t, f in self.tables.items())
        return (
            f"Export tables written: {rows}.\n"
            f"{self.errors} error(s), {self.problems.height - self.errors} warning(s) "
            f"(see {PROBLEMS_FILE}):\n{summarize_problems(self.problems)}"
        )


def _with_variables(
    frame: pl.DataFrame, *, domain: str, names: Sequence[str]
) -> tuple[pl.LazyFrame, list[pl.LazyFrame]]:
    missing = [n for n in names if n not in frame.columns]
    problems = [
        create_domain_problem(
            domain=domain.upper(),
            rule="SDTM_VARIABLE_ABSENT",
            variable=n,
            severity="WARNING" if n in _OPTIONAL_VARIABLES else "ERROR",
            message=f"{domain.upper()}.{n} is absent; the columns it feeds are left empty",
        )
        for n in missing
    ]
    added = frame.with_columns([pl.lit(None, dtype=pl.String).alias(n) for n in missing])
    return added.lazy(), problems


def _required_empty(table: str, frame: pl.LazyFrame) -> list[pl.LazyFrame]:
    return [
        create_problem_rows(
            frame.with_columns(pl.col("SDTMSEQ").alias("SRCSEQ")),
            condition=pl.col(s.name).is_null(),
            domain=table,
            variable=s.name,
            value=pl.lit(None, dtype=pl.String),
            rule="SDTM_REQUIRED_EMPTY",
            severity="WARNING",
            message=f"required export column {table}.{s.name} is empty for this record",
        )
        for s in EXPORT_COLUMNS[table]
        if s.is_required
    ]


def _domains(sdtm_dir: Path, mapping: SdtmMapping) -> dict[str, pl.DataFrame | None]:
    seqs = {
        "dm": None,
        "ds": "DSSEQ",
        "ex": "EXSEQ",
        "cm": "CMSEQ",
        "ae": "AESEQ",
        "lb": "LBSEQ",
        "activity": f"{mapping.activity.prefix}SEQ",
    }
    return {d: read_sdtm_domain(sdtm_dir, stems=mapping.files[d], seq=s) for d, s in seqs.items()}


def _activity_variables(mapping: SdtmMapping) -> tuple[str, ...]:
    p = mapping.activity.prefix
    return ("USUBJID", "VISIT", f"{p}TESTCD", f"{p}STRESC", f"{p}ORRES", f"{p}DTC")


def _prepare_domains(
    raw: dict[str, pl.DataFrame | None], *, mapping: SdtmMapping
) -> tuple[dict[str, pl.LazyFrame | None], list[pl.LazyFrame]]:
    """Lazy domains with every variable the mapping reads; an absent CM or AE becomes empty."""
    variables = {**VARIABLES, "activity": _activity_variables(mapping)}
    if mapping.medications.class_variable:
        variables["cm"] = (*variables["cm"], mapping.medications.class_variable)
    lazy: dict[str, pl.LazyFrame | None] = {}
    problems: list[pl.LazyFrame] = [create_empty_problems()]
    for domain, frame in raw.items():
        if frame is None and domain in ("cm", "ae"):
            frame = pl.DataFrame(
                schema={"ROW": pl.Int64, "SRCSEQ": pl.Int64}
                | {n: pl.String for n in variables[domain]}
            )
            problems.append(
                create_domain_problem(
                    domain=domain.upper(),
                    rule="SDTM_DOMAIN_ABSENT",
                    severity="WARNING",
                    message=f"no {domain.upper()} file; the export table has no rows",
                )
            )
        if frame is None:
            lazy[domain] = None
            continue
        lazy[domain], found = _with_variables(frame, domain=domain, names=variables[domain])
        problems += found
    return lazy, problems


def create_export_from_sdtm(sdtm_dir: Path, *, mapping: SdtmMapping) -> ImportResult:
    """Build the export tables from the SDTM files of ``sdtm_dir`` (nothing is written).

    Raises
    ------
    ExportReadError
        When DM is absent or a file cannot be read.
    """
    raw = _domains(sdtm_dir, mapping)
    if raw["dm"] is None:
        raise ExportReadError(
            f"SDTM folder {sdtm_dir} holds no DM domain "
            f"(looked for {', '.join(mapping.files['dm'])})."
        )
    lazy, problems = _prepare_domains(raw, mapping=mapping)
    mapped = _map_tables(lazy, mapping=mapping, problems=problems)
    tables = {t: m.table.collect() for t, m in mapped.items()}
    problems += [m.problems for m in mapped.values()]
    problems += [p for t, m in mapped.items() for p in _required_empty(t, m.table)]
    return ImportResult(
        tables=tables,
        problems=pl.concat(problems).collect(),
        source_records={
            (mapping.activity.prefix if d == "activity" else d.upper()): f.height
            for d, f in raw.items()
            if f is not None
        },
    )


def _map_tables(
    lazy: dict[str, pl.LazyFrame | None], *, mapping: SdtmMapping, problems: list[pl.LazyFrame]
) -> dict[str, MappedTable]:
    dm, cm, ae = lazy["dm"], lazy["cm"], lazy["ae"]
    if dm is None or cm is None or ae is None:
        raise ExportReadError("DM, CM and AE must be present (or CM/AE empty) at this point.")
    for domain in ("ex", "ds"):
        if lazy[domain] is None:
            problems.append(
                create_domain_problem(
                    domain=domain.upper(),
                    rule="SDTM_DOMAIN_ABSENT",
                    severity="WARNING",
                    message=f"no {domain.upper()} file; the subjects columns it feeds are left "
                    "empty or default (EOSSTT = ONGOING without DS)",
                )
            )
    mapped = {
        "subjects": create_subjects(
            dm,
            ex=lazy["ex"],
            ds=lazy["ds"],
            rules=mapping.subjects,
            disposition=mapping.disposition,
        ),
        "medications": create_medications(cm, rules=mapping.medications),
        "adverse_events": create_adverse_events(ae, rules=mapping.adverse_events),
    }
    activity, lb = lazy["activity"], lazy["lb"]
    if activity is None:
        problems.append(
            create_domain_problem(
                domain=mapping.activity.prefix,
                rule="SDTM_NO_ACTIVITY",
                severity="ERROR",
                message=f"no disease-activity domain ({mapping.activity.prefix}; files "
                f"{', '.join(mapping.files['activity'])}): SLEDAI-2K, BILAG-2004 and PGA cannot be "
                "mapped, so the required assessments table is not written",
            )
        )
    else:
        mapped["assessments"] = create_assessments(activity, rules=mapping.activity)
    if lb is not None:
        mapped["labs"] = create_labs(lb)
    return mapped


def write_import(result: ImportResult, out: Path) -> None:
    """Write the export tables (CSV), ``import_problems.csv`` and ``import_summary.json``."""
    out.mkdir(parents=True, exist_ok=True)
    for table, frame in result.tables.items():
        atomic.write_csv(frame, out / f"{table}.csv", date_format="%Y-%m-%d")
    atomic.write_csv(result.problems.select(list(PROBLEM_SCHEMA)), out / PROBLEMS_FILE)
    counts = result.problems.group_by("SEVERITY", "RULE").len().sort("SEVERITY", "RULE")
    summary = {
        "source_records": result.source_records,
        "rows_written": {t: f.height for t, f in result.tables.items()},
        "errors": result.errors,
        "problems": [{"severity": r[0], "rule": r[1], "count": r[2]} for r in counts.rows()],
    }
    atomic.write_text(out / SUMMARY_FILE, json.dumps(summary, indent=2) + "\n")


def import_sdtm(sdtm_dir: Path, *, mapping: SdtmMapping, out: Path) -> ImportResult:
    """Build the export from ``sdtm_dir`` and write it to ``out`` (see :func:`write_import`)."""
    result = create_export_from_sdtm(sdtm_dir, mapping=mapping)
    write_import(result, out)
    return result
