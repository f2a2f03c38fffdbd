"""outcomes compare: two hand-built cuts with planted changes -> exactly those changes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from outcomes.errors import InputDataError
from outcomes.report.compare import compare_cuts

D = dt.date
CUT_A, CUT_B = D(2026, 6, 30), D(2026, 12, 31)


def _subjects(cut_b: bool) -> pl.DataFrame:
    rows = [  # USUBJID, CONSDT, EOSSTT, EOSDT, DTHDT
        (
            "S01",
            D(2025, 12, 1),
            "DISCONTINUED" if cut_b else "ONGOING",
            D(2026, 10, 1) if cut_b else None,
            None,
        ),  # ended after cut A: not a change
        ("S02", D(2026, 1, 2), "ONGOING", None, D(2026, 9, 1) if cut_b else None),  # dies later
    ]
    if cut_b:
        rows.append(("S03", D(2026, 8, 1), "ONGOING", None, None))  # new subject
    frame = pl.DataFrame(
        rows,
        schema={
            "USUBJID": pl.String,
            "CONSDT": pl.Date,
            "EOSSTT": pl.String,
            "EOSDT": pl.Date,
            "DTHDT": pl.Date,
        },
        orient="row",
    )
    return frame.with_columns(
        pl.lit(None, pl.Date).alias(c) for c in ("LDSTDT", "INFDT", "LSTALVDT")
    ).with_columns(pl.lit(None, pl.String).alias("DCSREAS"))


def _assessments(cut_b: bool) -> pl.DataFrame:
    rows = [
        ("S01", "BASELINE", D(2026, 1, 5), 2.0),
        ("S01", "MONTH 3", D(2026, 4, 10), 0.5 if cut_b else 1.0),  # planted change
        ("S02", "BASELINE", D(2026, 2, 1), 1.5),
    ]
    if cut_b:
        rows += [
            ("S02", "DAY 28", D(2026, 3, 1), 1.0),  # late entry dated before cut A
            ("S01", "MONTH 6", D(2026, 7, 10), 0.2),
        ]  # new assessment after cut A
    return pl.DataFrame(
        rows,
        schema={"USUBJID": pl.String, "VISIT": pl.String, "ASMDT": pl.Date, "PGA": pl.Float64},
        orient="row",
    )


def _with_location(frame: pl.DataFrame, domain: str) -> pl.DataFrame:
    return frame.with_row_index("ROW", offset=1).with_columns(
        pl.lit(domain).alias("SRCDOM"), pl.col("ROW").cast(pl.Int64).alias("SRCSEQ")
    )


def _write_cut(root: Path, *, cut_b: bool) -> Path:
    (root / "validated").mkdir(parents=True)
    (root / "adam").mkdir()
    meds = pl.DataFrame(
        {
            "USUBJID": ["S01", "S01"],
            "CMSEQ": [1, 2],
            "CMDOSE": [10.0, 1000.0 if cut_b else 500.0],  # planted: CMSEQ 2
            "CMSTDT": [D(2026, 1, 1), D(2026, 2, 1)],
            "CMENDT": [D(2026, 8, 1) if cut_b else None, None],
        }
    )  # ends after A
    aes = pl.DataFrame(
        {
            "USUBJID": ["S01"],
            "AESEQ": [1],
            "AETOXGR": [3 if cut_b else 2],
            "AESTDT": [D(2026, 1, 20)],
            "AEENDT": [None],
        },
        schema_overrides={"AEENDT": pl.Date},
    )
    labs = pl.DataFrame(
        {"USUBJID": ["S01"], "LBTESTCD": ["ANC"], "LBDT": [D(2026, 1, 3)], "LBSTRESN": [1.2]}
    )
    for name, frame, dom in (
        ("subjects", _subjects(cut_b), "SUBJECTS"),
        ("assessments", _assessments(cut_b), "ASSESSMENTS"),
        ("medications", meds, "MEDICATIONS"),
        ("adverse_events", aes, "ADVERSE_EVENTS"),
        ("labs", labs, "LABS"),
    ):
        _with_location(frame, dom).write_parquet(root / "validated" / f"{name}.parquet")
    adrs = [
        ("S01", "DORIS", "MONTH 3", "N" if cut_b else "Y"),  # planted change
        ("S01", "SRI4", "MONTH 3", "Y"),
    ] + ([("S01", "DORIS", "MONTH 6", "Y")] if cut_b else [])
    pl.DataFrame(adrs, schema=["USUBJID", "PARAMCD", "AVISIT", "AVALC"], orient="row").with_columns(
        (pl.col("AVALC") == "Y").cast(pl.Float64).alias("AVAL"),
        pl.lit(D(2026, 4, 10)).alias("ADT"),
    ).write_parquet(root / "adam" / "adrs.parquet")
    pl.DataFrame(
        {
            "USUBJID": ["S01", "S02"],
            "PARAMCD": ["TTDORIS"] * 2,
            "STARTDT": [D(2026, 1, 6)] * 2,
            "ADT": [D(2026, 7, 10) if cut_b else D(2026, 4, 10), D(2026, 2, 1)],
            "AVAL": [186.0 if cut_b else 95.0, 27.0],
            "CNSR": [1 if cut_b else 0, 1],
        }
    ).write_parquet(root / "adam" / "adtte.parquet")
    cut = CUT_B if cut_b else CUT_A
    (root / "manifest.json").write_text(json.dumps({"data_cut": cut.isoformat()}))
    return root


@pytest.fixture()
def cuts(tmp_path: Path) -> tuple[Path, Path]:
    return _write_cut(tmp_path / "a", cut_b=False), _write_cut(tmp_path / "b", cut_b=True)


def test_compare_cuts__lists_exactly_the_planted_changes(cuts):
    result = compare_cuts(*cuts, out=None)
    assert (result.cut_a, result.cut_b) == (CUT_A, CUT_B)
    assert result.new_subjects["USUBJID"].to_list() == ["S03"]
    assert result.new_assessments.select("USUBJID", "VISIT", "ASMDT").rows() == [
        ("S01", "MONTH 6", D(2026, 7, 10)),
        ("S02", "DAY 28", D(2026, 3, 1)),
    ]
    assert result.changed_endpoints.drop("USUBJID").rows() == [
        ("adrs", "USUBJID=S01 PARAMCD=DORIS AVISIT=MONTH 3", "AVAL", "1.0", "0.0", "CHANGED"),
        ("adrs", "USUBJID=S01 PARAMCD=DORIS AVISIT=MONTH 3", "AVALC", "Y", "N", "CHANGED"),
        ("adtte", "USUBJID=S01 PARAMCD=TTDORIS", "ADT", "2026-04-10", "2026-07-10", "CHANGED"),
        ("adtte", "USUBJID=S01 PARAMCD=TTDORIS", "AVAL", "95.0", "186.0", "CHANGED"),
        ("adtte", "USUBJID=S01 PARAMCD=TTDORIS", "CNSR", "0", "1", "CHANGED"),
    ]
    assert result.changed_records.drop("USUBJID").rows() == [
        (
            "assessments",
            "USUBJID=S01 VISIT=MONTH 3 ASMDT=2026-04-10",
            "PGA",
            "1.0",
            "0.5",
            "CHANGED",
        ),
        ("assessments", "USUBJID=S02 VISIT=DAY 28 ASMDT=2026-03-01", "", None, None, "ADDED"),
        ("medications", "USUBJID=S01 CMSEQ=2", "CMDOSE", "500.0", "1000.0", "CHANGED"),
        ("adverse_events", "USUBJID=S01 AESEQ=1", "AETOXGR", "2", "3", "CHANGED"),
    ]


def test_compare_cuts__writes_files_to_cut_b_comparison_and_prints(cuts):
    result = compare_cuts(*cuts, out=None)
    out = cuts[1] / "comparison"
    assert sorted(p.name for p in out.iterdir()) == [
        "changed_endpoints.csv",
        "changed_packages.csv",
        "changed_records.csv",
        "new_assessments.csv",
        "new_subjects.csv",
        "summary.txt",
    ]
    text = (out / "summary.txt").read_text()
    assert text == result.summary() + "\n"
    assert "New subjects: 1\n  S03" in text
    assert "adtte USUBJID=S01 PARAMCD=TTDORIS CNSR: 0 -> 1 (CHANGED)" in text
    assert sorted(p.name for p in cuts[0].iterdir()) == ["adam", "manifest.json", "validated"]


def test_compare_cuts__same_cut_twice_has_no_change(cuts, tmp_path):
    result = compare_cuts(cuts[0], cuts[0], out=tmp_path / "same")
    assert result.new_subjects.height == result.new_assessments.height == 0
    assert result.changed_endpoints.height == result.changed_records.height == 0
    assert (tmp_path / "same" / "summary.txt").is_file()


def test_compare_cuts__missing_dataset_is_named(cuts, tmp_path):
    (cuts[1] / "adam" / "adtte.parquet").unlink()
    with pytest.raises(InputDataError, match=r"adam/adtte.parquet does not exist"):
        compare_cuts(*cuts, out=tmp_path / "x")


def test_create_value_changes__duplicates_removed_and_numeric_key_order():
    from outcomes.report.compare import create_value_changes

    a = pl.DataFrame(
        {
            "USUBJID": ["S1", "S1", "S1", "S1"],
            "CMSEQ": [10, 2, 7, 7],
            "ROW": [1, 2, 3, 4],
            "DOSE": [1.0, 2.0, 3.0, None],  # CMSEQ 7 twice: paired by ROW order
        }
    )
    b = pl.DataFrame(
        {
            "USUBJID": ["S1", "S1", "S1"],
            "CMSEQ": [2, 7, 7],
            "ROW": [1, 2, 3],
            "DOSE": [2.0, 3.0, 4.0],  # CMSEQ 10 removed; second CMSEQ 7 missing -> 4.0
        }
    )
    out = create_value_changes(
        a, b, dataset="medications", keys=("USUBJID", "CMSEQ"), columns=("DOSE",)
    )
    assert out.select("KEY", "COLUMN", "VALUE_A", "VALUE_B", "CHANGE").rows() == [
        ("USUBJID=S1 CMSEQ=7", "DOSE", None, "4.0", "CHANGED"),
        ("USUBJID=S1 CMSEQ=10", "", None, None, "REMOVED"),
    ]


def test_cli_compare__prints_and_writes(cuts, tmp_path, capsys):
    from outcomes.cli import main

    assert main(["compare", str(cuts[0]), str(cuts[1]), "--out", str(tmp_path / "cmp")]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("Comparison of data cut 2026-06-30 (A) with 2026-12-31 (B)")
    assert (tmp_path / "cmp" / "summary.txt").read_text() == printed


def test_compare_cuts__data_cut_from_adsl_without_manifest(cuts, tmp_path):
    for cut, date in zip(cuts, (CUT_A, CUT_B), strict=True):
        (cut / "manifest.json").unlink()
        pl.DataFrame({"USUBJID": ["S01", "S02"], "DCUTDT": [date, date]}).write_parquet(
            cut / "adam" / "adsl.parquet"
        )
    result = compare_cuts(*cuts, out=tmp_path / "c")
    assert (result.cut_a, result.cut_b) == (CUT_A, CUT_B)
    assert result.changed_records.height == 4


def test_compare_cuts__no_manifest_and_mixed_adsl_cut_dates_is_an_error(cuts, tmp_path):
    (cuts[0] / "manifest.json").unlink()
    pl.DataFrame({"USUBJID": ["S01", "S02"], "DCUTDT": [CUT_A, CUT_B]}).write_parquet(
        cuts[0] / "adam" / "adsl.parquet"
    )
    with pytest.raises(InputDataError, match=r"adsl.DCUTDT does not hold one data cut date"):
        compare_cuts(*cuts, out=tmp_path / "c")


def _manifest(cut: Path, **fields) -> None:
    manifest = json.loads((cut / "manifest.json").read_text())
    (cut / "manifest.json").write_text(json.dumps({**manifest, **fields}))


def test_compare_cuts__names_packages_whose_versions_differ(cuts):
    lock_a = {"file": "requirements-lock.txt", "sha256": "aa11", "differs": {}}
    _manifest(
        cuts[0],
        python="3.11.7",
        installed_packages={"numpy": "2.4.6", "polars": "2.0.0", "six": "1.16.0"},
        lock=lock_a,
    )
    _manifest(
        cuts[1],
        python="3.11.7",
        installed_packages={"numpy": "2.4.6", "polars": "2.1.0", "xlsxwriter": "3.2.0"},
        lock={**lock_a, "sha256": "bb22"},
    )
    result = compare_cuts(*cuts, out=None)
    assert result.changed_packages.rows() == [
        ("dependency lock (sha256)", "aa11", "bb22"),
        ("polars", "2.0.0", "2.1.0"),
        ("six", "1.16.0", "not installed"),
        ("xlsxwriter", "not installed", "3.2.0"),
    ]
    text = (cuts[1] / "comparison" / "summary.txt").read_text()
    assert (
        "Produced with different package versions: 4\n  dependency lock (sha256): aa11 -> bb22"
        in text
    )
    assert "  polars: 2.0.0 -> 2.1.0" in text
    written = pl.read_csv(cuts[1] / "comparison" / "changed_packages.csv")
    assert written.columns == ["PACKAGE", "VERSION_A", "VERSION_B"] and written.height == 4


def test_compare_cuts__same_packages_and_unknown_packages_are_said(cuts):
    same = {"python": "3.11.7", "installed_packages": {"polars": "2.1.0"}}
    _manifest(cuts[0], **same)
    result = compare_cuts(*cuts, out=None)
    assert result.changed_packages is None
    assert result.summary().endswith(
        "Package versions: unknown (a cut has no manifest.json listing them)"
    )
    _manifest(cuts[1], **same)
    result = compare_cuts(*cuts, out=None)
    assert result.changed_packages.height == 0
    assert result.summary().endswith("Package versions: the same in both cuts")
