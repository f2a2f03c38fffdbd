"""The whole workflow started from an SDTM data cut: ``outcomes run --format sdtm``.

A small simulated trial is written both as an export and as SDTM (``outcomes simulate --sdtm``).
The SDTM folder goes through ``outcomes run`` (Snakemake: import_sdtm, then every rule); its
adam/adtte.parquet must equal the one derived from the direct export (the same step functions,
called without Snakemake, :mod:`tests.interop.chain`). The SDTM-side datasets carry two extra
provenance columns (``SDTMDOM``/``SDTMSEQ``, the SDTM record of each row) that the direct export
cannot have; they are dropped before comparing.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from outcomes.cli import main

from .chain import run_derivations

pytestmark = pytest.mark.slow

CUT = "2027-01-31"
ADAM = ("adae", "adepi", "adrs", "adsafe", "adsl", "adtte", "advisit")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("sdtm-workflow")
    args = ["simulate", "--subjects", "16", "--seed", "7", "--out", str(base / "export")]
    assert main([*args, "--sdtm", str(base / "sdtm")]) == 0
    run = ["run", "--export", str(base / "sdtm"), "--format", "sdtm", "--data-cut", CUT]
    code = main([*run, "--out", str(base / "run"), "--cores", "2"])
    assert code == 0, f"outcomes run failed; see {base / 'run'}/logs"
    run_derivations(base / "export", base / "direct", cut=CUT)
    return base


def test_workflow_sdtm__imports_then_runs_end_to_end(base: Path):
    run = base / "run"
    imported = sorted(p.name for p in (run / "imported-export").iterdir())
    assert imported == [
        "adverse_events.csv",
        "assessments.csv",
        "import_problems.csv",
        "import_summary.json",
        "labs.csv",
        "medications.csv",
        "subjects.csv",
    ]
    for path in ("adam/adtte.parquet", "report.html", "manifest.json"):
        assert (run / path).is_file(), path


def test_workflow_sdtm__adtte_equals_the_direct_export(base: Path):
    direct = pl.read_parquet(base / "direct/adam/adtte.parquet")
    from_sdtm = pl.read_parquet(base / "run/adam/adtte.parquet")
    assert direct.height > 0
    assert_frame_equal(from_sdtm.drop(["SDTMDOM", "SDTMSEQ"], strict=False), direct)


def test_workflow_sdtm__every_adam_dataset_is_in_transport_and_the_report(base: Path):
    transport = base / "run/transport"
    expected = sorted([*(f"{n}.xpt" for n in ADAM), *(f"{n}.json" for n in ADAM), "define.json"])
    assert sorted(p.name for p in transport.iterdir()) == expected
    define = json.loads((transport / "define.json").read_text(encoding="utf-8"))
    adtte = pl.read_parquet(base / "run/adam/adtte.parquet")
    by_name = {d["name"]: d for d in define["datasets"]}
    assert by_name["ADTTE"]["records"] == adtte.height
    assert len(by_name["ADTTE"]["variables"]) == adtte.width
    html = (base / "run/report.html").read_text(encoding="utf-8")
    assert "transport/adtte.xpt" in html
    assert "transport/advisit.json" in html


def test_workflow_sdtm__rerun_leaves_transport_files_byte_identical(base: Path):
    transport = base / "run/transport"
    before = {p.name: p.read_bytes() for p in sorted(transport.iterdir())}
    for p in transport.iterdir():
        p.unlink()
    run = ["run", "--export", str(base / "sdtm"), "--format", "sdtm", "--data-cut", CUT]
    assert main([*run, "--out", str(base / "run"), "--cores", "2"]) == 0
    after = {p.name: p.read_bytes() for p in sorted(transport.iterdir())}
    assert after == before
