"""simulate_export: files in the contract format, determinism, options and the error hook."""

from __future__ import annotations

import datetime as dt
import sys
import types
from pathlib import Path

import polars as pl
import pytest

from outcomes.errors import ConfigError
from outcomes.io.export import read_export, read_raw_table
from outcomes.simulate import simulate_export

TABLES = ("subjects", "assessments", "medications", "adverse_events", "labs")


def _bytes(folder: Path) -> dict[str, bytes]:
    return {t: (folder / f"{t}.csv").read_bytes() for t in TABLES}


def test_simulate_export__writes_every_table_and_counts_rows(demo):
    result = demo.result
    assert sorted(result.paths) == sorted(TABLES)
    for table, path in result.paths.items():
        assert path.name == f"{table}.csv" and path.is_file()
        assert result.rows[table] == demo.tables[table].height > 0
    assert result.subjects == 48 and result.manifest is None
    assert "subjects.csv: 48 rows" in result.summary()


def test_simulate_export__every_file_casts_to_its_contract_types(sim600):
    # the session fixture already read every table with read_export (strict typed cast)
    assert set(sim600.tables) == set(TABLES)
    assert sim600.tables["assessments"].schema["SLEDAI_ARTHRITIS"] == pl.Int8


def test_simulate_export__contract_text_format(demo):
    raw = {t: read_raw_table(demo.result.paths[t]) for t in TABLES}
    header = demo.result.paths["subjects"].read_text().splitlines()[0]
    assert header == (
        "STUDYID,USUBJID,SITEID,AGE,SEX,WEIGHT,CONSDT,DOSELVL,DOSE,LDFL,LDSTDT,"
        "INFDT,EOSSTT,EOSDT,DCSREAS,DTHDT,LSTALVDT"
    )
    pga = raw["assessments"]["PGA"]
    assert pga.str.contains(r"^\d(\.\d{1,2})?$").all()
    for table, col in (
        ("assessments", "ASMDT"),
        ("medications", "CMSTDT"),
        ("adverse_events", "AESTDT"),
        ("labs", "LBDT"),
        ("subjects", "CONSDT"),
    ):
        assert raw[table][col].str.contains(r"^\d{4}-\d{2}-\d{2}$").all(), (table, col)
    floats = pl.concat([raw["labs"]["LBSTRESN"], raw["assessments"]["UPCR"].drop_nulls()])
    assert not floats.str.contains(r"\.\d{3,}").any()
    assert raw["subjects"]["STUDYID"].unique().to_list() == ["NCT07274059"]


def test_simulate_export__same_seed_gives_identical_bytes(tmp_path):
    simulate_export(subjects=30, seed=99, out=tmp_path / "a")
    simulate_export(subjects=30, seed=99, out=tmp_path / "b")
    assert _bytes(tmp_path / "a") == _bytes(tmp_path / "b")


def test_simulate_export__different_seeds_differ(tmp_path):
    simulate_export(subjects=30, seed=1, out=tmp_path / "a")
    simulate_export(subjects=30, seed=2, out=tmp_path / "b")
    a, b = _bytes(tmp_path / "a"), _bytes(tmp_path / "b")
    assert all(a[t] != b[t] for t in TABLES)


def test_simulate_export__custom_dose_levels_and_single_subject(tmp_path):
    four = simulate_export(
        subjects=40, seed=5, out=tmp_path / "four", dose_levels=("A", "B", "C", "D")
    )
    subjects = read_export(four.out)["subjects"]
    assert subjects["DOSELVL"].value_counts()["count"].to_list() == [10, 10, 10, 10]
    one = simulate_export(subjects=1, seed=5, out=tmp_path / "one", dose_levels=("DL1",))
    assert read_export(one.out)["subjects"].height == 1


def test_simulate_export__as_of_before_any_consent_writes_empty_tables(tmp_path):
    result = simulate_export(subjects=10, seed=3, out=tmp_path, as_of=dt.date(2025, 1, 1))
    assert result.subjects == 0
    tables = read_export(tmp_path)
    assert all(tables[t].height == 0 for t in TABLES)


def test_simulate_export__inject_errors_calls_plant_errors(tmp_path, monkeypatch):
    calls: list[tuple[Path, int]] = []
    fake = types.ModuleType("outcomes.simulate.inject")

    def plant_errors(out: Path, *, seed: int) -> None:
        calls.append((out, seed))
        assert (out / "subjects.csv").is_file()  # called after the clean export is written
        (out / "errors_manifest.csv").write_text("TABLE,ROW,COLUMN,RULE\n")

    fake.plant_errors = plant_errors  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "outcomes.simulate.inject", fake)
    result = simulate_export(subjects=5, seed=11, out=tmp_path, inject_errors=True)
    assert calls == [(tmp_path, 11)]
    assert result.manifest == tmp_path / "errors_manifest.csv"
    assert "listed in errors_manifest.csv" in result.summary()


@pytest.mark.parametrize("subjects", [2, 3])
def test_simulate_export__tiny_trials_parse(tmp_path, subjects):
    simulate_export(subjects=subjects, seed=subjects, out=tmp_path)
    assert read_export(tmp_path)["subjects"].height == subjects


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"subjects": 0, "seed": 1}, "subjects must be"),  # just below the minimum
        ({"subjects": 5, "seed": -1}, "seed must be"),  # negative seed
        ({"subjects": 5, "seed": 1, "dose_levels": ()}, "dose_levels"),  # no level
        ({"subjects": 5, "seed": 1, "dose_levels": ("DL1", "DL1")}, "dose_levels"),  # repeated
    ],
)
def test_simulate_export__bad_arguments_raise_config_error(tmp_path, kwargs, message):
    with pytest.raises(ConfigError, match=message):
        simulate_export(out=tmp_path, **kwargs)
    assert not (tmp_path / "subjects.csv").exists()


def test_cli_simulate__writes_export_and_prints_summary(tmp_path, capsys):
    from outcomes.cli import main

    code = main(["simulate", "--subjects", "6", "--seed", "4", "--out", str(tmp_path)])
    assert code == 0
    assert "subjects.csv: 6 rows" in capsys.readouterr().out
    assert read_export(tmp_path)["subjects"].height == 6
