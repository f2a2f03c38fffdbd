"""Acceptance (issue 17): two cuts of the demo trial. Cut 1 has three planted problems; the
later cut corrects two, keeps one (on a record whose row number moved: a lab record was added
above it) and has one new. The later run gives the kept problem the same QUERYID (``OPEN``, first
seen at cut 1), the new one ``NEW``, and ``resolved.csv`` lists the two corrected ones.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import polars as pl
import pytest

from outcomes.cli import _earlier_cut, build_parser, main
from outcomes.errors import ExportReadError
from outcomes.simulate import simulate_export
from outcomes.steps import StepIO
from outcomes.steps.ingest import validate_export as validate_step
from outcomes.validate.tracking import find_earlier_cut

from .conftest import repo_config, set_cell, write_tables

AS_OF = dt.date(2027, 6, 30)
CUT_1, CUT_2 = "2027-03-31", "2027-06-30"


def _read(path: Path) -> pl.DataFrame:
    return pl.read_csv(path, infer_schema=False)


def _edit(export: Path, table: str, row: int, column: str, value: str) -> None:
    """Set one cell (1-based data record) of an export CSV."""
    frame = _read(export / f"{table}.csv")
    frame = frame.with_columns(
        pl.when(pl.int_range(1, pl.len() + 1) == row)
        .then(pl.lit(value))
        .otherwise(pl.col(column))
        .alias(column)
    )
    frame.write_csv(export / f"{table}.csv")


def _prepend_lab(export: Path) -> None:
    """A new lab record before every other (every later lab row number moves by one)."""
    labs = _read(export / "labs.csv")
    first = labs.head(1).with_columns(
        pl.lit("2026-01-02").alias("LBDT"), pl.lit("WBC").alias("LBTESTCD")
    )
    pl.concat([first, labs]).write_csv(export / "labs.csv")


@pytest.fixture(scope="module")
def cuts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("cuts")
    clean = base / "clean"
    simulate_export(subjects=12, seed=20260701, out=clean, as_of=AS_OF)
    first, second = base / "export-1", base / "export-2"
    shutil.copytree(clean, first)
    _edit(first, "assessments", 5, "PGA", "9")  # A: PGA out of range (VAL-006)
    _edit(first, "medications", 3, "CMDOSE", "ten")  # B: dose not a number (VAL-004)
    _edit(first, "labs", 10, "LBSTRESN", "n/a")  # C: lab result not a number (VAL-004)
    shutil.copytree(clean, second)  # A and B corrected (the simulated values)
    _edit(second, "labs", 10, "LBSTRESN", "n/a")  # C not corrected ...
    _prepend_lab(second)  # ... and now on row 11
    _edit(second, "adverse_events", 2, "AETOXGR", "9")  # D: new, grade out of range (VAL-006)
    out_1, out_2 = base / "val-1", base / "val-2"
    assert main(["validate", str(first), "--out", str(out_1), "--data-cut", CUT_1]) == 1
    code = main(
        [
            "validate",
            str(second),
            "--out",
            str(out_2),
            "--data-cut",
            CUT_2,
            "--previous",
            str(out_1),
        ]
    )
    assert code == 1
    return {"first": out_1, "second": out_2}


def _planted(issues: pl.DataFrame) -> dict[tuple[str, str], dict]:
    """The planted problems by (table, column) of rules VAL-004 / VAL-006."""
    found = issues.filter(pl.col("RULE").is_in(["VAL-004", "VAL-006"]))
    return {(r["TABLE"], r["COLUMN"]): r for r in found.iter_rows(named=True)}


def test_two_cuts__unchanged_problem_keeps_its_query_id_and_first_cut(cuts):
    before = _planted(_read(cuts["first"] / "issues.csv"))
    after = _planted(_read(cuts["second"] / "issues.csv"))
    assert set(before) == {
        ("assessments", "PGA"),
        ("medications", "CMDOSE"),
        ("labs", "LBSTRESN"),
    }
    assert set(after) == {("labs", "LBSTRESN"), ("adverse_events", "AETOXGR")}
    kept_before, kept_after = before[("labs", "LBSTRESN")], after[("labs", "LBSTRESN")]
    assert (kept_before["ROW"], kept_after["ROW"]) == ("10", "11")
    assert kept_after["QUERYID"] == kept_before["QUERYID"]
    assert (kept_after["STATUS"], kept_after["FIRSTCUT"]) == ("OPEN", CUT_1)
    new = after[("adverse_events", "AETOXGR")]
    assert (new["STATUS"], new["FIRSTCUT"]) == ("NEW", CUT_2)
    assert new["QUERYID"] not in {r["QUERYID"] for r in before.values()}


def test_two_cuts__resolved_lists_the_two_corrected_problems(cuts):
    before = _planted(_read(cuts["first"] / "issues.csv"))
    resolved = _read(cuts["second"] / "resolved.csv")
    corrected = {
        before[("assessments", "PGA")]["QUERYID"],
        before[("medications", "CMDOSE")]["QUERYID"],
    }
    planted = resolved.filter(pl.col("RULE").is_in(["VAL-004", "VAL-006"]))
    assert set(planted["QUERYID"]) == corrected
    # a cross-check on the AE whose grade the new problem made unreadable is not checked now
    others = resolved.filter(
        (pl.col("CATEGORY") == "SITE QUERY") & ~pl.col("RULE").is_in(["VAL-004", "VAL-006"])
    )
    assert set(others.select("RULE", "TABLE", "RECKEY").rows()) <= {
        ("CON-014", "adverse_events", "AESEQ=2")
    }
    assert set(resolved["STATUS"]) == {"RESOLVED"}
    # everything else that went: records after the first cut, now inside the second
    assert set(resolved.filter(pl.col("CATEGORY") != "SITE QUERY")["RULE"]) <= {"DAT-008"}


def test_two_cuts__every_issue_is_new_or_open_against_the_previous_cut(cuts):
    before = _read(cuts["first"] / "issues.csv")
    after = _read(cuts["second"] / "issues.csv")
    resolved = _read(cuts["second"] / "resolved.csv")
    seen = set(before["QUERYID"])
    expected = ["OPEN" if q in seen else "NEW" for q in after["QUERYID"]]
    assert after["STATUS"].to_list() == expected
    assert set(before["QUERYID"]) == (set(after["QUERYID"]) & seen) | set(resolved["QUERYID"])
    assert set(before["STATUS"]) == {"NEW"}  # no earlier cut known
    assert after["QUERYID"].is_unique().all()


# -- the workflow step: config validation.previous (an earlier run folder) ------------------------
def _step_io(export: Path, run: Path, *, cut: str, previous: str | None) -> StepIO:
    config = repo_config()
    config["data"]["data_cut"] = cut
    config["validation"]["previous"] = previous
    names = ("issues.csv", "excluded.csv", "summary.json", "report.html", "resolved.csv")
    outputs = {name.split(".")[0]: str(run / "validation" / name) for name in names}
    return StepIO(
        inputs={},
        outputs=outputs | {"workbook": str(run / "validation" / "issues.xlsx")},
        params={"export": str(export), "config": config},
        log=str(run / "logs" / "validate_export.log"),
    )


def test_validate_export_step__previous_run_folder_from_config(tmp_path: Path, tables):
    set_cell(tables, "assessments", 3, "PGA", "9")
    set_cell(tables, "assessments", 4, "PGA", "8")
    first = write_tables(tmp_path / "export-1", tables)
    set_cell(tables, "assessments", 4, "PGA", "1")  # corrected at the later cut
    second = write_tables(tmp_path / "export-2", tables)
    run_1, run_2 = tmp_path / "cut-1", tmp_path / "cut-2"
    validate_step(_step_io(first, run_1, cut="2026-03-31", previous=None))
    validate_step(_step_io(second, run_2, cut="2026-06-30", previous=str(run_1)))
    after = _read(run_2 / "validation" / "issues.csv").filter(pl.col("RULE") == "VAL-006")
    assert after.select("RECKEY", "STATUS", "FIRSTCUT").rows() == [
        ("VISIT=DAY 14, ASMDT=2026-02-20", "OPEN", "2026-03-31")
    ]
    resolved = _read(run_2 / "validation" / "resolved.csv")
    assert resolved.select("RULE", "RECKEY", "STATUS").rows() == [
        ("VAL-006", "VISIT=DAY 28, ASMDT=2026-03-06", "RESOLVED")
    ]
    with pytest.raises(ExportReadError, match="own output folder"):
        validate_step(_step_io(second, run_2, cut="2026-06-30", previous=str(run_2)))


def _cut_folder(parent: Path, name: str, data_cut: str | None) -> Path:
    """An output folder with validation/issues.csv and a summary recording ``data_cut``."""
    validation = parent / name / "validation"
    validation.mkdir(parents=True)
    (validation / "issues.csv").write_text("RULE\n", encoding="utf-8")
    summary = {} if data_cut is None else {"data_cut": data_cut}
    (validation / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    return parent / name


def test_find_earlier_cut__latest_earlier_cut_beside_the_output(tmp_path: Path):
    _cut_folder(tmp_path, "cut-2026-06", "2026-06-30")
    expected = _cut_folder(tmp_path, "cut-2026-09", "2026-09-30")
    _cut_folder(tmp_path, "cut-2027-03", "2027-03-31")  # later: not a previous cut
    _cut_folder(tmp_path, "unknown", None)  # no data cut recorded: skipped
    (tmp_path / "export").mkdir()  # not an output folder
    out = tmp_path / "cut-2026-12"
    assert find_earlier_cut(out, data_cut=dt.date(2026, 12, 31)) == expected


def test_find_earlier_cut__same_cut_and_the_output_itself_are_not_earlier(tmp_path: Path):
    out = _cut_folder(tmp_path, "cut-b", "2026-12-31")
    _cut_folder(tmp_path, "cut-a", "2026-12-31")  # a rerun of the same cut elsewhere
    assert find_earlier_cut(out, data_cut=dt.date(2026, 12, 31)) is None
    assert find_earlier_cut(tmp_path / "cut-c", data_cut=dt.date(2026, 12, 30)) is None


def test_run__previous_cut_found_beside_out_unless_told(tmp_path: Path, capsys):
    earlier = _cut_folder(tmp_path, "cut-1", "2026-06-30")
    out = tmp_path / "cut-2"
    base = ["run", "--export", "x", "--data-cut", "2026-12-31", "--out", str(out)]
    config = {"validation": {"previous": None}}
    args = build_parser().parse_args(base)
    assert _earlier_cut(args, config, out=out) == earlier
    assert "earlier cut in" in capsys.readouterr().out
    args = build_parser().parse_args([*base, "--no-previous"])
    assert _earlier_cut(args, config, out=out) is None
    named = {"validation": {"previous": "/elsewhere"}}  # config or --previous decides
    assert _earlier_cut(build_parser().parse_args(base), named, out=out) is None
