"""Structure rules (STR-*): every file-level fault is reported, located, and the other tables
are still checked; an export that cannot be read at all gives exit code 2."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from tests.validate.conftest import located, run, set_cell, write_tables


def test_find_table__missing_required_table(tmp_path: Path, tables):
    del tables["medications"]
    report = run(write_tables(tmp_path, tables))
    assert ("STR-001", "medications", None, None, None) in located(report)
    assert report.exit_code == 2  # FATAL: the export cannot be derived (data-contract §1.6)


def test_find_table__optional_labs_may_be_absent(tmp_path: Path, tables):
    """Without labs only the colony-stimulating factor criterion is not evaluable (it needs the
    screening ANC, endpoints §16.27): a warning per subject, nothing else."""
    del tables["labs"]
    report = run(write_tables(tmp_path, tables))
    assert located(report) == {
        ("ELG-014", "subjects", "S1", 1, None),
        ("ELG-014", "subjects", "S2", 2, None),
    }
    assert report.exit_code == 0


def test_find_table__csv_and_parquet_of_one_table(tmp_path: Path, tables):
    folder = write_tables(tmp_path, tables)
    pl.read_csv(folder / "labs.csv").write_parquet(folder / "labs.parquet")
    assert ("STR-004", "labs", None, None, None) in located(run(folder))


def test_complete_columns__missing_required_column(tmp_path: Path, tables):
    columns, rows = tables["adverse_events"]
    i = columns.index("AESER")
    tables["adverse_events"] = (columns[:i] + columns[i + 1 :], [r[:i] + r[i + 1 :] for r in rows])
    found = located(run(write_tables(tmp_path, tables)))
    assert ("STR-002", "adverse_events", None, None, "AESER") in found
    assert not any(r == "VAL-001" and col == "AESER" for r, _, _, _, col in found)


def test_read_csv_checked__duplicated_column(tmp_path: Path, tables):
    folder = write_tables(tmp_path, tables)
    path = folder / "labs.csv"
    lines = path.read_text().splitlines()
    lines = [lines[0] + ",LBDT"] + [line + ",1999-01-01" for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n")
    report = run(folder)
    assert ("STR-003", "labs", None, None, "LBDT") in located(report)
    assert not any(r == "DAT-001" for r, *_ in located(report))  # the first LBDT is read


def test_read_table_checked__unreadable_parquet_other_tables_still_checked(tmp_path: Path, tables):
    set_cell(tables, "subjects", 1, "SEX", "X")
    folder = write_tables(tmp_path, tables)
    (folder / "labs.csv").unlink()
    (folder / "labs.parquet").write_bytes(b"PAR1 not really parquet")
    found = located(run(folder))
    assert ("STR-004", "labs", None, None, None) in found
    assert ("VAL-005", "subjects", "S1", 1, "SEX") in found


def test_read_csv_checked__wrong_delimiter_is_reported_and_read(tmp_path: Path, tables):
    set_cell(tables, "adverse_events", 1, "AETOXGR", "7")
    folder = write_tables(tmp_path, tables)
    path = folder / "adverse_events.csv"
    path.write_text(path.read_text().replace(",", ";"))
    found = located(run(folder))
    assert ("STR-005", "adverse_events", None, None, None) in found
    assert ("VAL-006", "adverse_events", "S1", 1, "AETOXGR") in found


def test_read_csv_checked__non_utf8_cell_located(tmp_path: Path, tables):
    set_cell(tables, "adverse_events", 1, "AETERM", "XXLATINXX")
    folder = write_tables(tmp_path, tables)
    path = folder / "adverse_events.csv"
    path.write_bytes(path.read_bytes().replace(b"XXLATINXX", "Fi\u00e8vre".encode("latin-1")))
    report = run(folder)
    assert ("STR-006", "adverse_events", "S1", 1, "AETERM") in located(report)
    assert report.exit_code == 1


def test_read_csv_checked__byte_order_mark_is_a_warning(tmp_path: Path, tables):
    folder = write_tables(tmp_path, tables)
    path = folder / "subjects.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    report = run(folder)
    assert located(report) == {("STR-007", "subjects", None, None, None)}
    assert report.exit_code == 0


def test_read_csv_checked__empty_file(tmp_path: Path, tables):
    folder = write_tables(tmp_path, tables)
    (folder / "adverse_events.csv").write_bytes(b"")
    report = run(folder)
    assert ("STR-008", "adverse_events", None, None, None) in located(report)
    assert report.exit_code == 2  # FATAL


def test_read_csv_checked__truncated_last_line(tmp_path: Path, tables):
    folder = write_tables(tmp_path, tables)
    path = folder / "labs.csv"
    text = path.read_text().rstrip("\n")
    path.write_text(text[: text.rindex(",", 0, text.rindex(","))])  # drop the last 2 fields
    assert ("STR-009", "labs", None, 9, "LBSTNRHI") in located(run(folder))


def test_read_csv_checked__record_with_too_many_fields(tmp_path: Path, tables):
    folder = write_tables(tmp_path, tables)
    path = folder / "labs.csv"
    lines = path.read_text().splitlines()
    lines[2] += ",extra"
    path.write_text("\n".join(lines) + "\n")
    assert ("STR-009", "labs", None, 2, None) in located(run(folder))


def test_validate_export__missing_folder_exit_2(tmp_path: Path):
    report = run(tmp_path / "nowhere")
    assert report.exit_code == 2
    assert not report.readable


def test_validate_export__no_required_table_readable_exit_2(tmp_path: Path):
    for name in ("subjects", "assessments", "medications", "adverse_events"):
        (tmp_path / f"{name}.csv").write_bytes(b"")
    assert run(tmp_path).exit_code == 2


def test_validate_export__parquet_rows_match_csv_rows(tmp_path: Path, tables):
    set_cell(tables, "assessments", 3, "PGA", "3.5")
    folder = write_tables(tmp_path, tables)
    pl.read_csv(folder / "assessments.csv").write_parquet(folder / "assessments.parquet")
    (folder / "assessments.csv").unlink()
    assert ("VAL-006", "assessments", "S1", 3, "PGA") in located(run(folder))
