"""Two cuts of one simulated trial: compare lists exactly the changes planted in cut B."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from outcomes.ingest.data_cut import filter_by_data_cut
from outcomes.io.export import cast_table, read_raw_table
from outcomes.report.compare import compare_cuts

CUT_A, CUT_B = dt.date(2026, 6, 30), dt.date(2027, 6, 30)
TABLES = ("subjects", "assessments", "medications", "adverse_events", "labs")


def _plant(export: Path) -> dict[str, tuple[str, str, str, str]]:
    """Change one value dated before cut A in three tables; return table -> (key, col, a, b)."""
    planted = {}
    edits = (
        ("assessments", "ASMDT", "PGA", ("VISIT", "ASMDT")),
        ("medications", "CMSTDT", "CMDOSE", ("CMSEQ",)),
        ("adverse_events", "AESTDT", "AETOXGR", ("AESEQ",)),
    )
    for table, date_col, col, key_cols in edits:
        raw = pl.read_csv(export / f"{table}.csv", infer_schema=False)
        i = raw.with_row_index().filter(pl.col(date_col) <= CUT_A.isoformat())["index"][0]
        old = raw[col][i]
        new = {"PGA": "2.75", "CMDOSE": "999", "AETOXGR": "5"}[col]
        assert old != new
        raw = raw.with_columns(raw[col].scatter(i, new))
        raw.write_csv(export / f"{table}.csv")
        key = " ".join([f"USUBJID={raw['USUBJID'][i]}"] + [f"{k}={raw[k][i]}" for k in key_cols])
        planted[table] = (key, col, old, new)
    return planted


def _run(root: Path, export: Path, cut: dt.date, *, doris_first: str) -> Path:
    (root / "validated").mkdir(parents=True)
    (root / "adam").mkdir()
    for table in TABLES:
        typed = cast_table(read_raw_table(export / f"{table}.csv"), table)
        kept = filter_by_data_cut(typed.lazy(), table=table, data_cut=cut).collect()
        kept.write_parquet(root / "validated" / f"{table}.parquet")
    ids = pl.read_parquet(root / "validated" / "subjects.parquet")["USUBJID"].sort()
    adrs = pl.DataFrame(
        {
            "USUBJID": ids,
            "PARAMCD": "DORIS",
            "AVISIT": "MONTH 3",
            "AVALC": [doris_first] + ["N"] * (ids.len() - 1),
        }
    )
    adrs.with_columns(AVAL=(pl.col("AVALC") == "Y").cast(pl.Float64), ADT=pl.lit(CUT_A)).filter(
        pl.col("USUBJID").is_in(ids.head(5).to_list())
    ).write_parquet(root / "adam/adrs.parquet")
    pl.DataFrame(
        {
            "USUBJID": ids.head(5),
            "PARAMCD": "TTDORIS",
            "STARTDT": CUT_A,
            "ADT": CUT_A,
            "AVAL": 1.0,
            "CNSR": 1,
        }
    ).write_parquet(root / "adam/adtte.parquet")
    (root / "manifest.json").write_text(json.dumps({"data_cut": cut.isoformat()}))
    return root


@pytest.mark.slow
def test_compare_cuts__simulated_trial_two_cuts(tmp_path):
    from outcomes.simulate import simulate_export

    export_a, export_b = tmp_path / "export_a", tmp_path / "export_b"
    for export in (export_a, export_b):
        simulate_export(subjects=12, seed=7, out=export, as_of=CUT_B)
    planted = _plant(export_b)
    cut_a = _run(tmp_path / "cut_a", export_a, CUT_A, doris_first="N")
    cut_b = _run(tmp_path / "cut_b", export_b, CUT_B, doris_first="Y")
    result = compare_cuts(cut_a, cut_b, out=None)

    subjects = pl.read_csv(export_b / "subjects.csv", infer_schema=False)
    later = subjects.filter(pl.col("CONSDT") > CUT_A.isoformat())["USUBJID"].sort().to_list()
    assert later and result.new_subjects["USUBJID"].to_list() == later
    asm = pl.read_csv(export_b / "assessments.csv", infer_schema=False)
    assert result.new_assessments.height == asm.filter(pl.col("ASMDT") > CUT_A.isoformat()).height
    records = result.changed_records.select(
        "DATASET", "KEY", "COLUMN", "VALUE_A", "VALUE_B", "CHANGE"
    )
    assert sorted(records.rows()) == sorted(
        (
            table,
            key,
            col,
            str(float(old)) if col in ("PGA", "CMDOSE") else old,
            str(float(new)) if col in ("PGA", "CMDOSE") else new,
            "CHANGED",
        )
        for table, (key, col, old, new) in planted.items()
    )
    first = subjects["USUBJID"].sort()[0]
    assert result.changed_endpoints.select("KEY", "COLUMN", "VALUE_A", "VALUE_B").rows() == [
        (f"USUBJID={first} PARAMCD=DORIS AVISIT=MONTH 3", "AVAL", "0.0", "1.0"),
        (f"USUBJID={first} PARAMCD=DORIS AVISIT=MONTH 3", "AVALC", "N", "Y"),
    ]
