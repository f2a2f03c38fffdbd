"""Property (issue: runs that survive hostile values): a number of any magnitude (0 to 1e308,
negative, subnormal) or a text of any length (ASCII or multi-byte, up to 10,000 bytes) in any
numeric or text column never produces a traceback, and a run that validation lets through
(no FATAL problem) also completes the derivations and transport.

Two levels: the rules of the workflow run in-process on many values (validation, the typed
tables, every per-subject rule, XPT and Dataset-JSON transport), and ``outcomes run`` itself, the
whole workflow in its own processes, on a few.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outcomes import contract as c
from outcomes.configuration import load_config
from outcomes.errors import InputDataError
from outcomes.io.export import NUMBER_TYPES
from outcomes.schemas.export import EXPORT_COLUMNS
from outcomes.steps import StepIO, load_step
from outcomes.steps.interop import mapping_path
from outcomes.steps.shard import run_shard
from tests.resilience.conftest import write_cell

CUT = "2027-01-31"
ADAM = ("adsl", "advisit", "adrs", "adepi", "adtte", "adae", "adsafe")
NUMBER = st.one_of(
    st.floats(min_value=0, max_value=1e308, allow_nan=False),
    st.floats(min_value=-1e308, max_value=0, allow_nan=False),
    st.sampled_from([5e-324, -5e-324, 1e9, 1e18, 1e30, 1.7976931348623157e308]),
).map(repr)
TEXT = st.one_of(
    st.text(alphabet=st.characters(codec="ascii", exclude_categories=("Cc",)), max_size=10_000),
    st.text(alphabet="肺炎é🙂 ", min_size=1, max_size=2_500),
)
COLUMNS = [(t, s.name, s.type in NUMBER_TYPES) for t in c.TABLES for s in EXPORT_COLUMNS[t]]


@st.composite
def hostile_cell(draw: st.DrawFn) -> tuple[str, str, str]:
    """(table, column, text): a number in a numeric column or a text in a text column."""
    table, column, numeric = draw(
        st.sampled_from([col for col in COLUMNS if col[2] or col[1] not in ("USUBJID",)])
    )
    return table, column, draw(NUMBER if numeric else TEXT)


def _run_in_process(export: Path, run: Path) -> bool:
    """The workflow's rules up to transport, in-process; False when validation stops it."""
    config = load_config(overrides={"data": {"data_cut": CUT}})
    issues = run / "validation" / "issues.csv"
    issues.parent.mkdir(parents=True)
    load_step("validate_export")(
        StepIO({}, {"issues": str(issues)}, {"config": config, "export": str(export)}, "v.log")
    )
    (run / "validated").mkdir()
    try:
        load_step("create_validated_tables")(
            StepIO(
                {"issues": str(issues), "excluded": str(issues.with_name("excluded.csv"))},
                {t: str(run / "validated" / f"{t}.parquet") for t in c.TABLES},
                {"export": str(export), "data_cut": CUT, "on_error": "continue"},
                str(run / "ingest.log"),
            )
        )
    except InputDataError as stop:  # FATAL (a mangled key): one message, no analysis
        assert "FATAL" in str(stop)
        return False
    run_shard(run, config=config)
    transport = run / "transport"
    load_step("write_adam_transport")(
        StepIO(
            {
                "adam": [str(run / "adam" / f"{n}.parquet") for n in ADAM],
                "mapping": str(mapping_path(config["data"]["sdtm_mapping"])),
            },
            {"define": str(transport / "define.json")},
            {
                "data_cut": CUT,
                "studyid": config["study"]["studyid"],
                "k_values": config["criteria"]["sri"]["k_values"],
            },
            str(run / "transport.log"),
        )
    )
    return True


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(cell=hostile_cell())
def test_rules__any_value_derives_and_transports(clean: Path, cell):
    table, column, text = cell
    with tempfile.TemporaryDirectory() as folder:
        export, run = Path(folder) / "export", Path(folder) / "run"
        write_cell(clean, export, table=table, column=column, text=text)
        if _run_in_process(export, run):
            for name in ADAM:
                assert (run / "transport" / f"{name}.xpt").is_file()
                assert (run / "transport" / f"{name}.json").is_file()


@pytest.mark.slow
@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(cell=hostile_cell())
def test_outcomes_run__any_value_no_traceback(clean: Path, cell):
    table, column, text = cell
    with tempfile.TemporaryDirectory() as folder:
        export, out = Path(folder) / "export", Path(folder) / "run"
        write_cell(clean, export, table=table, column=column, text=text)
        args = ["run", "--export", str(export), "--data-cut", CUT, "--out", str(out)]
        done = subprocess.run(
            [sys.executable, "-m", "outcomes.cli", *args, "--cores", "2"],
            capture_output=True,
            text=True,
            check=False,
        )
        output = done.stdout + done.stderr
        logs = "".join(p.read_text(errors="replace") for p in (out / "logs").glob("*.log"))
        assert "Traceback" not in output + logs, output[-3000:]
        assert done.returncode in (0, 1), output[-3000:]
        if done.returncode == 0:
            assert (out / "report.html").is_file()
            assert all((out / "transport" / f"{n}.xpt").is_file() for n in ADAM)
        else:  # stopped by validation (FATAL): the last line is the reason
            assert "FATAL" in done.stderr.strip().splitlines()[-1]
