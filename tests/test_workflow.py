"""The whole workflow on a small simulated trial, through ``outcomes run`` (Snakemake included)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from outcomes.cli import main
from outcomes.config import REPO_ROOT

from .workflow_support import CUT, shared_run

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_run(tmp_path_factory)


def test_workflow__every_contract_output_is_written(run_dir: Path):
    expected = [
        "validation/issues.csv",
        "validation/summary.json",
        "validation/report.html",
        "validation/issues.xlsx",
        "validation/resolved.csv",
        "adam/adsl.parquet",
        "adam/advisit.parquet",
        "adam/adrs.parquet",
        "adam/adepi.parquet",
        "adam/adtte.parquet",
        "adam/adae.parquet",
        "report.html",
        "manifest.json",
    ]
    missing = [p for p in expected if not (run_dir / p).is_file()]
    assert missing == []
    assert list((run_dir / "tables").glob("*.csv"))
    assert list((run_dir / "figures").glob("*.png"))
    assert list((run_dir / "validation" / "sites").glob("*.csv"))


def test_workflow__one_adsl_row_per_subject_and_infused_subjects_have_visits(run_dir: Path):
    adsl = pl.read_parquet(run_dir / "adam/adsl.parquet")
    subjects = pl.read_csv(run_dir.parent / "export/subjects.csv", infer_schema=False)
    consented = subjects.filter(pl.col("CONSDT") <= CUT).height
    assert adsl.height == consented
    assert adsl["USUBJID"].n_unique() == adsl.height
    advisit = pl.read_parquet(run_dir / "adam/advisit.parquet")
    infused = adsl.filter(pl.col("SAFFL"))["USUBJID"]
    assert set(infused) <= set(advisit["USUBJID"])


def test_workflow__manifest_records_the_cut_and_input_checksums(run_dir: Path):
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    text = json.dumps(manifest)
    assert CUT in text
    assert "subjects.csv" in text


def test_workflow__manifest_records_the_lock_and_every_installed_package(run_dir: Path):
    from importlib import metadata

    from outcomes.report.manifest import LOCK_FILE, compute_sha256

    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["lock"]["file"] == "requirements-lock.txt"
    assert manifest["lock"]["sha256"] == compute_sha256(LOCK_FILE)
    installed = manifest["installed_packages"]
    assert len(installed) == len({d.metadata["Name"].lower() for d in metadata.distributions()})
    for name in ("polars", "lifelines", "statsmodels", "pandera", "snakemake", "pyreadstat"):
        assert installed[name] == metadata.version(name)


def test_workflow__rerun_with_nothing_changed_does_nothing(run_dir: Path):
    report = run_dir / "report.html"
    before = report.stat().st_mtime_ns
    code = main(
        [
            "run",
            "--export",
            str(run_dir.parent / "export"),
            "--data-cut",
            CUT,
            "--out",
            str(run_dir),
            "--cores",
            "2",
        ]
    )
    assert code == 0
    assert report.stat().st_mtime_ns == before


def test_workflow__snakemake_report_of_the_run_is_written(run_dir: Path, tmp_path: Path):
    report = tmp_path / "snakemake-report.zip"
    cmd = [
        sys.executable, "-m", "snakemake", "--snakefile", str(REPO_ROOT / "Snakefile"),
        "--directory", str(run_dir), "--configfile", str(run_dir / "config.yaml"),
        "--report", str(report),
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert report.is_file() and report.stat().st_size > 0


def test_run__missing_export_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    code = main(
        [
            "run",
            "--export",
            str(tmp_path / "nope"),
            "--data-cut",
            CUT,
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert code == 2
    assert "does not exist" in capsys.readouterr().err


#: Per source domain of the export: table, record key within the table, date columns a derived
#: row may be dated by (data-contract §1, endpoints.md §16.21: SRCSEQ is CMSEQ/AESEQ within the
#: subject for medications and AEs, else the 1-based record number ROW).
SOURCES = {
    "SUBJECTS": ("subjects", "ROW", ("INFDT", "DTHDT")),
    "ASSESSMENTS": ("assessments", "ROW", ("ASMDT",)),
    "MEDICATIONS": ("medications", "CMSEQ", ("CMSTDT",)),
    "ADVERSE_EVENTS": ("adverse_events", "AESEQ", ("AESTDT",)),
}
SUBJECT_SCOPED = ["MEDICATIONS", "ADVERSE_EVENTS"]


def _record_key(dom: str, seq: str) -> pl.Expr:
    """SRCSEQ alone for ROW-keyed tables; USUBJID and SRCSEQ for CMSEQ/AESEQ."""
    return (
        pl.when(pl.col(dom).is_in(SUBJECT_SCOPED))
        .then(pl.concat_str("USUBJID", pl.lit("/"), pl.col(seq).cast(pl.String)))
        .otherwise(pl.col(seq).cast(pl.String))
    )


def _export_records(export: Path) -> pl.DataFrame:
    """Every export record of SOURCES: SRCDOM, KEY, RECSUBJ and its dates (wide, as Date)."""
    parts = []
    for domain, (table, key, dates) in SOURCES.items():
        raw = pl.read_csv(export / f"{table}.csv", infer_schema=False).with_row_index(
            "ROW", offset=1
        )
        parts.append(
            raw.select(
                pl.lit(domain).alias("SRCDOM"),
                "USUBJID",
                pl.col(key).cast(pl.Int64).alias("SRCSEQ"),
                *[pl.col(c).str.to_date(strict=False) for c in dates],
            )
            .with_columns(_record_key("SRCDOM", "SRCSEQ").alias("KEY"))
            .rename({"USUBJID": "RECSUBJ"})
            .drop("SRCSEQ")
        )
    return pl.concat(parts, how="diagonal")


def _traced(rows: pl.DataFrame, export: Path, *, dom: str, seq: str) -> pl.DataFrame:
    """Derived rows with the export record each points to; fails unless exactly one exists."""
    records = _export_records(export)
    duplicated = records.filter(pl.struct("SRCDOM", "KEY").is_duplicated())
    assert duplicated.height == 0, f"export keys that name several records:\n{duplicated}"
    traced = rows.with_columns(_record_key(dom, seq).alias("KEY")).join(
        records.rename({"SRCDOM": dom}), on=[dom, "KEY"], how="left", maintain_order="left"
    )
    assert traced.height == rows.height
    missing = traced.filter(pl.col("RECSUBJ").is_null() | (pl.col("RECSUBJ") != pl.col("USUBJID")))
    assert missing.height == 0, f"rows without their own subject's source record:\n{missing}"
    return traced


def test_workflow__every_adtte_row_traces_to_the_export_record_dated_adt(run_dir: Path):
    adtte = pl.read_parquet(run_dir / "adam/adtte.parquet")
    assert adtte.height > 0
    assert set(adtte["SRCDOM"].unique()) <= set(SOURCES)
    traced = _traced(adtte, run_dir.parent / "export", dom="SRCDOM", seq="SRCSEQ")
    death = pl.col("EVNTDESC").str.contains("DEATH")
    record_date = (
        pl.when(pl.col("SRCDOM") == "ASSESSMENTS")
        .then("ASMDT")
        .when(pl.col("SRCDOM") == "MEDICATIONS")
        .then("CMSTDT")
        .when(pl.col("SRCDOM") == "ADVERSE_EVENTS")
        .then("AESTDT")
        .when(death)
        .then("DTHDT")
        .otherwise("INFDT")
    )
    wrong = traced.filter((record_date != pl.col("ADT")).fill_null(True))
    assert wrong.height == 0, f"adtte rows whose source record is not dated ADT:\n{wrong}"
    # Censoring without an evaluable assessment is dated at the infusion: ADT = STARTDT (§16.2).
    at_infusion = traced.filter((pl.col("SRCDOM") == "SUBJECTS") & death.not_())
    assert (at_infusion["CNSR"] == 1).all() and (at_infusion["ADT"] == at_infusion["STARTDT"]).all()


def test_workflow__adepi_episodes_start_and_end_at_their_source_records(run_dir: Path):
    adepi = pl.read_parquet(run_dir / "adam/adepi.parquet")
    assert adepi.height > 0
    export = run_dir.parent / "export"
    start = _traced(
        adepi.with_columns(pl.lit("ASSESSMENTS").alias("_dom")), export, dom="_dom", seq="STSRCSEQ"
    )
    wrong = start.filter((pl.col("ASMDT") != pl.col("STARTDT")).fill_null(True))
    assert wrong.height == 0, f"episodes whose start assessment is not dated STARTDT:\n{wrong}"
    end = _traced(adepi, export, dom="ENSRCDOM", seq="ENSRCSEQ")
    end_date = (
        pl.when(pl.col("ENSRCDOM") == "ASSESSMENTS")
        .then("ASMDT")
        .when(pl.col("ENSRCDOM") == "MEDICATIONS")
        .then("CMSTDT")
        .when(pl.col("ENSRCDOM") == "SUBJECTS")
        .then("DTHDT")
    )
    wrong = end.filter((end_date != pl.col("ENDDT")).fill_null(True))
    assert wrong.height == 0, f"episodes whose end record is not dated ENDDT:\n{wrong}"


TFLS = {"write_tfls"}  # the numbered tables read this key too


@pytest.mark.parametrize(
    ("block", "key", "value", "rules"),
    [
        ("survival", "quantiles", [0.5], {"analyze_survival"}),
        ("response", "ci_methods", ["wilson"], {"analyze_response"}),
        ("safety", "severe_grade_ge", 4, {"analyze_safety", *TFLS}),
    ],
)
def test_workflow__a_changed_analysis_key_reruns_only_its_analysis(
    run_dir: Path, tmp_path: Path, block: str, key: str, value, rules: set[str]
):
    import yaml

    config = yaml.safe_load((run_dir / "config.yaml").read_text(encoding="utf-8"))
    config["analysis"][block][key] = value
    changed = tmp_path / "config.yaml"
    changed.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "--snakefile",
            str(REPO_ROOT / "Snakefile"),
            "--directory",
            str(run_dir),
            "--configfile",
            str(changed),
            "--cores",
            "1",
            "--dry-run",
            "--quiet",
            "rules",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    stats = (done.stdout + done.stderr).split("Job stats:", 1)[1]
    found = set(re.findall(r"^(\w+)\s+\d+$", stats, re.MULTILINE)) - {"total"}
    assert found == rules | {"render_report", "write_manifest", "all"}
