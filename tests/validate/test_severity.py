"""Severity policy of data-contract §1.6: FATAL stops, an ERROR acts on its record (listed in
excluded.csv) and the run goes on, a blank measurement is a WARNING; per-rule overrides; the
validated tables apply exactly excluded.csv; QRYFL marks the subjects with an open ERROR."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from outcomes.configuration import load_config
from outcomes.errors import ConfigError
from outcomes.ingest.exclusions import apply_exclusions, derive_var_qryfl
from outcomes.validate.excluded import EXCLUDED_SCHEMA, apply_severity, create_excluded
from outcomes.validate.issues import ISSUE_SCHEMA

from .conftest import base_tables, repo_config, set_cell, write_tables
from .conftest import run as validate

EX, BL = "RECORD EXCLUDED", "VALUE SET MISSING"


def _issues(*rows: tuple) -> pl.DataFrame:
    """Issues from (RULE, SEVERITY, TABLE, USUBJID, ROW, COLUMN)."""
    return pl.DataFrame([(*r, None, "m") for r in rows], schema=ISSUE_SCHEMA, orient="row")


def _actions(excluded: pl.DataFrame) -> set[tuple]:
    return set(excluded.select("RULE", "TABLE", "USUBJID", "ROW", "COLUMN", "ACTION").iter_rows())


# -- create_excluded: each ERROR's action -------------------------------------------------------
def test_create_excluded__value_set_missing_or_record_excluded_by_rule_and_column():
    issues = _issues(
        ("VAL-006", "ERROR", "assessments", "S1", 3, "PGA"),  # out of range: value missing
        ("VAL-002", "ERROR", "assessments", "S1", 4, "ASMDT"),  # date places the record
        ("VAL-005", "ERROR", "adverse_events", "S1", 1, "AECAT"),  # key column: record
        ("KEY-005", "ERROR", "labs", "S9", 2, "USUBJID"),  # unknown subject: record
        ("DAT-003", "ERROR", "subjects", "S1", 1, "INFDT"),  # acts on LDSTDT
        ("CON-011", "ERROR", "medications", "S1", 1, "CMENDT"),  # earlier record's end
        ("CON-013", "ERROR", "medications", "S1", 5, "CMSTDT"),  # same-day duplicate
        ("DAT-006", "ERROR", "subjects", "S1", 1, "DTHDT"),  # used as recorded: no row
        ("VAL-012", "WARNING", "assessments", "S1", 3, "SLEDAI_RASH"),  # warning: no row
        ("STR-001", "FATAL", "labs", None, None, None),  # file level: no row
    )
    assert _actions(create_excluded(issues)) == {
        ("VAL-006", "assessments", "S1", 3, "PGA", BL),
        ("VAL-002", "assessments", "S1", 4, "ASMDT", EX),
        ("VAL-005", "adverse_events", "S1", 1, "AECAT", EX),
        ("KEY-005", "labs", "S9", 2, "USUBJID", EX),
        ("DAT-003", "subjects", "S1", 1, "LDSTDT", BL),
        ("CON-011", "medications", "S1", 1, "CMENDT", BL),
        ("CON-013", "medications", "S1", 5, "CMSTDT", EX),
    }


def test_create_excluded__an_excluded_subject_takes_its_records_along():
    issues = _issues(("VAL-001", "ERROR", "subjects", "S1", 1, "CONSDT"))
    tables = {
        "subjects": pl.DataFrame({"ROW": [1, 2], "USUBJID": ["S1", "S2"]}),
        "assessments": pl.DataFrame({"ROW": [1, 2, 3], "USUBJID": ["S1", "S2", "S1"]}),
    }
    assert _actions(create_excluded(issues, tables=tables)) == {
        ("VAL-001", "subjects", "S1", 1, "CONSDT", EX),
        ("VAL-001", "assessments", "S1", 1, "USUBJID", EX),
        ("VAL-001", "assessments", "S1", 3, "USUBJID", EX),
    }


def test_apply_severity__a_lowered_error_no_longer_acts():
    issues = _issues(
        ("VAL-006", "ERROR", "assessments", "S1", 3, "PGA"),
        ("CON-006", "WARNING", "assessments", "S1", 3, "VISIT"),
    )
    changed = apply_severity(issues, {"VAL-006": "WARNING", "CON-006": "ERROR"})
    assert changed["SEVERITY"].to_list() == ["WARNING", "ERROR"]
    assert create_excluded(changed).height == 0  # CON-006 has no action: used as recorded


# -- config: per-rule overrides are checked -----------------------------------------------------
@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"STR-001": "ERROR"}, "cannot be lowered"),
        ({"KEY-001": "WARNING"}, "cannot be lowered"),
        ({"VAL-999": "ERROR"}, "not a validation rule"),
    ],
)
def test_config__severity_overrides_are_checked(overrides, words):
    with pytest.raises(ConfigError, match=words):
        load_config(overrides={"validation": {"severity": overrides}})


def test_config__on_error_takes_continue_or_stop():
    assert load_config()["validation"]["on_error"] == "continue"  # data-contract §1.6 default
    assert load_config(overrides={"validation": {"on_error": "stop"}})
    with pytest.raises(ConfigError):
        load_config(overrides={"validation": {"on_error": "ignore"}})


# -- apply_exclusions and QRYFL ------------------------------------------------------------------
def test_apply_exclusions__drops_and_blanks_exactly_what_is_listed():
    typed = pl.LazyFrame({"ROW": [1, 2, 3], "USUBJID": ["S1", "S1", "S2"], "PGA": [0.5, 1.0, 2.0]})
    excluded = pl.DataFrame(
        [
            (None, "KEY-004", "assessments", "S1", 2, "ASMDT", EX),
            (None, "VAL-006", "assessments", "S2", 3, "PGA", BL),
            (None, "VAL-006", "subjects", "S1", 1, "AGE", BL),  # another table
        ],
        schema=EXCLUDED_SCHEMA,
        orient="row",
    )
    out = apply_exclusions(typed, excluded, table="assessments").collect()
    assert out.rows() == [(1, "S1", 0.5), (3, "S2", None)]


def test_derive_var_qryfl__open_errors_of_efficacy_tables_only():
    subjects = pl.LazyFrame({"USUBJID": ["S1", "S2", "S3", "S4"]})
    issues = _issues(
        ("VAL-006", "ERROR", "assessments", "S1", 3, "PGA"),
        ("DAT-004", "ERROR", "adverse_events", "S2", 1, "AEENDT"),  # not an efficacy input
        ("VAL-012", "WARNING", "assessments", "S3", 2, "PGA"),  # a warning
        ("CON-011", "ERROR", "medications", "S4", 1, "CMENDT"),
    )
    out = derive_var_qryfl(subjects, issues).collect()
    assert out["QRYFL"].to_list() == ["Y", "N", "N", "Y"]


# -- the validator on a small export --------------------------------------------------------------
def test_validate__blank_measurements_are_warnings_and_nothing_is_excluded(tmp_path: Path):
    tables = base_tables()
    set_cell(tables, "assessments", 3, "PGA", "")
    set_cell(tables, "assessments", 4, "SLEDAI_ARTHRITIS", "")
    set_cell(tables, "assessments", 4, "BILAG_RENAL", "")
    set_cell(tables, "medications", 1, "CMDOSE", "")
    report = validate(write_tables(tmp_path, tables))
    assert set(report.issues["RULE"]) == {"VAL-012"}
    assert report.exit_code == 0
    assert report.excluded.height == 0


def test_validate__record_level_errors_are_listed_with_their_action(tmp_path: Path):
    tables = base_tables()
    set_cell(tables, "subjects", 1, "AGE", "34.5")  # VAL-004: value missing
    set_cell(tables, "assessments", 3, "PGA", "4")  # VAL-006: value missing
    set_cell(tables, "medications", 3, "CMSTDT", "2025-13-01")  # VAL-003 on CMSTDT: record
    set_cell(tables, "adverse_events", 1, "AEENDT", "2026-02-01")  # DAT-004: AEENDT missing
    set_cell(tables, "labs", 2, "USUBJID", "S9")  # KEY-005: record
    report = validate(write_tables(tmp_path, tables), data_cut=dt.date(2026, 6, 30))
    assert report.exit_code == 1
    assert _actions(report.excluded) == {
        ("VAL-004", "subjects", "S1", 1, "AGE", BL),
        ("VAL-006", "assessments", "S1", 3, "PGA", BL),
        ("VAL-003", "medications", "S1", 3, "CMSTDT", EX),
        ("DAT-004", "adverse_events", "S1", 1, "AEENDT", BL),
        ("KEY-005", "labs", "S9", 2, "USUBJID", EX),
    }


def test_validate__a_lowered_rule_is_reported_with_its_new_severity(tmp_path: Path):
    tables = base_tables()
    set_cell(tables, "assessments", 3, "PGA", "4")
    config = repo_config()
    config["validation"]["severity"] = {"VAL-006": "WARNING"}
    from outcomes.validate import validate_export

    report = validate_export(write_tables(tmp_path, tables), config=config, data_cut=None)
    assert report.issues.filter(pl.col("RULE") == "VAL-006")["SEVERITY"].to_list() == ["WARNING"]
    assert report.exit_code == 0
    assert report.excluded.height == 0


# -- create_validated_tables: what stops the run -------------------------------------------------
def _type_export(folder: Path, typed: Path) -> dict[str, str]:
    """The ``validate_export`` step on ``folder`` with its typed outputs; those as the
    ``create_validated_tables`` inputs (``typed_<table>``)."""
    from outcomes import contract as c
    from outcomes.steps import StepIO, load_step

    typed.mkdir()
    paths = {f"typed_{t}": str(typed / f"{t}.parquet") for t in c.TABLES}
    report = {n: str(typed / "validation" / n) for n in ("issues.csv", "excluded.csv")}
    config = repo_config()
    config["data"]["data_cut"] = "2026-06-30"
    load_step("validate_export")(
        StepIO(
            {},
            {"issues": report["issues.csv"], **paths},
            {"export": str(folder), "config": config},
            str(typed / "log"),
        )
    )
    return paths


def _validated_tables(tmp_path: Path, tables, *, on_error: str, typed: bool = False) -> Path:
    from outcomes import contract as c
    from outcomes.steps import StepIO, load_step
    from outcomes.validate import write_validation_report

    folder = write_tables(tmp_path / "export", tables)
    write_validation_report(validate(folder), tmp_path / "validation")
    typed_inputs = _type_export(folder, tmp_path / "typed") if typed else {}
    out = tmp_path / "validated"
    out.mkdir()
    load_step("create_validated_tables")(
        StepIO(
            {
                "issues": str(tmp_path / "validation" / "issues.csv"),
                "excluded": str(tmp_path / "validation" / "excluded.csv"),
                **typed_inputs,
            },
            {t: str(out / f"{t}.parquet") for t in c.TABLES},
            {"export": str(folder), "data_cut": "2026-06-30", "on_error": on_error},
            str(tmp_path / "ingest.log"),
        )
    )
    return out


@pytest.mark.parametrize("typed", [False, True], ids=["from the export", "validation typed"])
def test_create_validated_tables__errors_are_applied_and_flagged(tmp_path: Path, typed: bool):
    tables = base_tables()
    set_cell(tables, "assessments", 3, "PGA", "4")  # VAL-006 on S1
    out = _validated_tables(tmp_path, tables, on_error="continue", typed=typed)
    assessments = pl.read_parquet(out / "assessments.parquet")
    assert assessments.filter(pl.col("ROW") == 3)["PGA"].to_list() == [None]
    assert assessments.filter(pl.col("ROW") == 4)["PGA"].to_list() == [2.1]
    subjects = pl.read_parquet(out / "subjects.parquet")
    assert subjects.select("USUBJID", "QRYFL").rows() == [("S1", "Y"), ("S2", "N")]


def test_create_validated_tables__strict_stops_on_an_error(tmp_path: Path):
    from outcomes.errors import InputDataError

    tables = base_tables()
    set_cell(tables, "assessments", 3, "PGA", "4")
    with pytest.raises(InputDataError, match=r"Strict mode .* 1 validation error\(s\)"):
        _validated_tables(tmp_path, tables, on_error="stop")
    assert not list((tmp_path / "validated").iterdir())


@pytest.mark.parametrize("typed", [False, True], ids=["from the export", "validation typed"])
def test_create_validated_tables__fatal_stops_whatever_on_error_says(tmp_path: Path, typed: bool):
    from outcomes.errors import InputDataError

    tables = base_tables()
    tables["subjects"][1].append(list(tables["subjects"][1][0]))  # S1 twice: KEY-001
    with pytest.raises(InputDataError, match=r"cannot be derived: 1 FATAL problem.*KEY-001"):
        _validated_tables(tmp_path, tables, on_error="continue", typed=typed)


def test_validate_export__typed_tables_and_an_absent_table_is_empty(tmp_path: Path):
    tables = base_tables()
    set_cell(tables, "assessments", 3, "PGA", " 4 ")  # surrounding blanks are ignored
    set_cell(tables, "assessments", 4, "PGA", "n/a")  # does not parse: null
    del tables["labs"]
    folder = write_tables(tmp_path / "export", tables)
    typed = _type_export(folder, tmp_path / "typed")
    assessments = pl.read_parquet(typed["typed_assessments"])
    assert assessments.filter(pl.col("ROW").is_in([3, 4])).select("ROW", "PGA").rows() == [
        (3, 4.0),
        (4, None),
    ]
    assert assessments.select("SRCDOM", "SRCSEQ").row(0) == ("ASSESSMENTS", 1)
    labs = pl.read_parquet(typed["typed_labs"])
    assert labs.height == 0
    assert labs.schema["LBSTRESN"] == pl.Float64


def test_create_validated_tables__a_clean_export_passes_strict_mode(tmp_path: Path):
    out = _validated_tables(tmp_path, base_tables(), on_error="stop")
    assert pl.read_parquet(out / "subjects.parquet")["QRYFL"].to_list() == ["N", "N"]
