"""The workflow on an interim cut with open queries (data-contract §1.6): one record-level ERROR
planted per table plus blank measurements; ``outcomes run`` completes, lists each ERROR's action
in validation/excluded.csv, names the affected subjects in the report's first section and marks
their endpoints with QRYFL; ``outcomes run --strict`` stops with one message and no analysis.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from outcomes.cli import main
from outcomes.simulate import simulate_export

CUT = "2027-01-31"
pytestmark = pytest.mark.slow


def _edit(folder: Path, table: str, row: int, column: str, value: str | None) -> str:
    """Set one cell of ``table.csv`` (row = 1-based data record); returns the record's USUBJID."""
    path = folder / f"{table}.csv"
    frame = pl.read_csv(path, infer_schema=False)
    frame = frame.with_columns(
        pl.when(pl.int_range(1, frame.height + 1) == row)
        .then(pl.lit(value, dtype=pl.String))
        .otherwise(pl.col(column))
        .alias(column)
    )
    frame.write_csv(path)
    return frame["USUBJID"][row - 1]


def _first_row(folder: Path, table: str, condition: pl.Expr) -> int:
    frame = pl.read_csv(folder / f"{table}.csv", infer_schema=False).with_row_index("R", offset=1)
    return int(frame.filter(condition)["R"][0])


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, tuple[str, int]]]:
    """An export of 12 subjects with one ERROR per table; {table: (USUBJID, ROW)}."""
    folder = tmp_path_factory.mktemp("queries") / "export"
    simulate_export(subjects=12, seed=5, out=folder)
    post = pl.col("VISIT").is_in(["MONTH 3", "MONTH 6"])
    planted: dict[str, tuple[str, int]] = {}

    def fresh() -> pl.Expr:  # a subject no other planted error touches
        return ~pl.col("USUBJID").is_in([u for u, _ in planted.values()])

    # subjects: an age that is not a whole number (VAL-004: value set missing)
    planted["subjects"] = (_edit(folder, "subjects", 2, "AGE", "34.5"), 2)
    # assessments: PGA out of range (VAL-006: value set missing)
    row = _first_row(folder, "assessments", post & fresh())
    planted["assessments"] = (_edit(folder, "assessments", row, "PGA", "4"), row)
    # blank measurements elsewhere are warnings (not evaluable)
    row2 = _first_row(folder, "assessments", post & fresh())
    _edit(folder, "assessments", row2, "SLEDAI_ARTHRITIS", None)
    _edit(folder, "assessments", row2, "BILAG_RENAL", None)
    _edit(folder, "assessments", row2 + 1, "PGA", None)
    # medications: a same-day duplicate of a record of one drug (CON-013: record excluded)
    meds = pl.read_csv(folder / "medications.csv", infer_schema=False)
    first = meds.filter(fresh()).row(0, named=True)
    seq = meds.filter(pl.col("USUBJID") == first["USUBJID"])["CMSEQ"].cast(pl.Int64).max() + 1
    pl.concat([meds, pl.DataFrame([{**first, "CMSEQ": str(seq)}])]).write_csv(
        folder / "medications.csv"
    )
    planted["medications"] = (first["USUBJID"], meds.height + 1)
    # adverse events: end before start (DAT-004: AEENDT set missing)
    row = _first_row(folder, "adverse_events", pl.col("AEENDT").is_not_null() & fresh())
    planted["adverse_events"] = (_edit(folder, "adverse_events", row, "AEENDT", "2020-01-01"), row)
    # labs: a sample date that does not exist (VAL-003 on LBDT: record excluded)
    row = _first_row(folder, "labs", fresh())
    planted["labs"] = (_edit(folder, "labs", row, "LBDT", "2026-02-30"), row)
    assert len({u for u, _ in planted.values()}) == len(planted)
    return folder, planted


def test_run__completes_and_lists_each_error(planted, tmp_path_factory):
    folder, where = planted
    out = tmp_path_factory.mktemp("queries-run") / "run"
    code = main(["run", "--export", str(folder), "--data-cut", CUT, "--out", str(out)])
    assert code == 0, f"see {out}/logs"
    excluded = pl.read_csv(out / "validation" / "excluded.csv", infer_schema=False)
    found = set(excluded.select("RULE", "TABLE", "USUBJID", "ROW", "COLUMN", "ACTION").iter_rows())
    ex, bl = "RECORD EXCLUDED", "VALUE SET MISSING"
    assert found >= {
        ("VAL-004", "subjects", where["subjects"][0], "2", "AGE", bl),
        ("VAL-006", "assessments", *map(str, where["assessments"]), "PGA", bl),
        ("CON-013", "medications", *map(str, where["medications"]), "CMSTDT", ex),
        ("DAT-004", "adverse_events", *map(str, where["adverse_events"]), "AEENDT", bl),
        ("VAL-003", "labs", *map(str, where["labs"]), "LBDT", ex),
    }
    # the report's first section names the subjects the errors touch
    html = (out / "report.html").read_text(encoding="utf-8")
    status = html.index("Validation status of the cut")
    assert status < html.index('id="cover"')
    for usubjid, _ in where.values():
        assert usubjid in html[status : html.index("</section>", status)]
    table = pl.read_csv(out / "tables" / "report_data_status.csv", infer_schema=False)
    assert set(table.filter(pl.col("SEVERITY") == "ERROR")["TABLE"]) == set(where)
    # endpoints of subjects with an open error in an efficacy input carry QRYFL = Y
    adrs = pl.read_parquet(out / "adam" / "adrs.parquet")
    flagged = set(adrs.filter(pl.col("QRYFL") == "Y")["USUBJID"])
    efficacy = {where[t][0] for t in ("subjects", "assessments", "medications")}
    assert flagged <= efficacy
    assert flagged == efficacy & set(adrs["USUBJID"])
    for name in ("adtte", "adepi"):
        frame = pl.read_parquet(out / "adam" / f"{name}.parquet")
        assert set(frame.filter(pl.col("QRYFL") == "Y")["USUBJID"]) <= efficacy


def test_run_strict__stops_with_one_message_and_no_analysis(planted, tmp_path_factory, capsys):
    folder, _ = planted
    out = tmp_path_factory.mktemp("queries-strict") / "run"
    code = main(["run", "--export", str(folder), "--data-cut", CUT, "--out", str(out), "--strict"])
    assert code != 0
    err = capsys.readouterr().err
    messages = [line for line in err.splitlines() if line.startswith("outcomes run:")]
    assert len(messages) == 1
    assert "Strict mode" in messages[0] and "validation error(s)" in messages[0]
    assert (out / "validation" / "issues.csv").is_file()
    assert not (out / "validated").exists() or not any((out / "validated").iterdir())
    assert not (out / "adam").exists()
    assert not (out / "report.html").exists()


def test_run__injected_errors_stop_with_one_fatal_message(tmp_path: Path, capsys):
    """``outcomes simulate --inject-errors`` plants a duplicated subject id (KEY-001, FATAL): the
    run stops before any analysis with one message (README, data-contract §1.6)."""
    export, out = tmp_path / "export", tmp_path / "run"
    assert main(["simulate", "--out", str(export), "--inject-errors"]) == 0
    capsys.readouterr()
    code = main(["run", "--export", str(export), "--data-cut", CUT, "--out", str(out)])
    assert code != 0
    messages = [
        line for line in capsys.readouterr().err.splitlines() if line.startswith("outcomes run:")
    ]
    assert len(messages) == 1 and "FATAL" in messages[0] and "KEY-001" in messages[0]
    assert not (out / "adam").exists()
