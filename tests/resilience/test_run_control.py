"""``outcomes run`` bookkeeping: one run per folder, stop reasons, a supervisor that never
leaves a process behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from outcomes import cli
from outcomes.steps import STOP_DIR_ENV, record_stop
from outcomes.steps.supervise import (
    LOCK_FILE,
    RunLockedError,
    _reason,
    hold_run_lock,
    prepare_resume,
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
        return fh.read().split()[2] != "Z"


def test_hold_run_lock__second_holder_is_refused(tmp_path: Path):
    held = hold_run_lock(tmp_path)
    with held, pytest.raises(RunLockedError, match=f"pid {os.getpid()}"), hold_run_lock(tmp_path):
        pass
    with hold_run_lock(tmp_path):  # released on exit
        pass


def test_run__live_lock_refused_before_config_is_touched(tmp_path: Path, capsys):
    out = tmp_path / "cut"
    out.mkdir()
    (out / "config.yaml").write_text("the live run's config\n", encoding="utf-8")
    export = tmp_path / "export"
    export.mkdir()
    with hold_run_lock(out):
        code = cli.main(
            ["run", "--export", str(export), "--data-cut", "2027-01-01", "--out", str(out)]
        )
    assert code == 2
    assert (out / "config.yaml").read_text(encoding="utf-8") == "the live run's config\n"
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "another `outcomes run`" in err


def test_lock_of_a_killed_run__is_free(tmp_path: Path):
    code = (
        "import sys, time; from pathlib import Path; "
        "from outcomes.steps.supervise import hold_run_lock\n"
        "with hold_run_lock(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(60)"
    )
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline() == b"held\n"
    with pytest.raises(RunLockedError), hold_run_lock(tmp_path):
        pass
    proc.kill()
    proc.wait()
    proc.stdout.close()
    with hold_run_lock(tmp_path):
        assert (tmp_path / LOCK_FILE).read_text(encoding="ascii") == f"{os.getpid()}\n"


def test_prepare_resume__clears_partial_files(tmp_path: Path):
    (tmp_path / "adam").mkdir()
    (tmp_path / "adam" / ".adsl.parquet.abc.part").write_bytes(b"half")
    (tmp_path / "adam" / "adsl.parquet").write_bytes(b"whole")
    prepare_resume(tmp_path, [])
    assert [p.name for p in (tmp_path / "adam").iterdir()] == ["adsl.parquet"]


def test_reason__the_rule_message_is_the_last_line(tmp_path: Path, monkeypatch):
    stops = tmp_path / "stops"
    stops.mkdir()
    monkeypatch.setenv(STOP_DIR_ENV, str(stops))
    record_stop(
        "create_validated_tables",
        exit_code=1,
        message="The export has 3 validation error(s).\n  TABLE=labs ROW=2",
        log="logs/create_validated_tables.log",
    )
    result = _reason(tmp_path, 1, stops)
    assert result.exit_code == 1
    assert result.reason.splitlines()[-1] == (
        "outcomes run: stopped in rule create_validated_tables: "
        "The export has 3 validation error(s)."
    )


def test_reason__a_user_problem_wins_over_an_internal_one(tmp_path: Path):
    for rule, code in (("analyze_obd", 3), ("render_report", 2)):
        record = {"rule": rule, "exit_code": code, "message": f"{rule} failed", "log": ""}
        (tmp_path / f"{rule}.json").write_text(json.dumps(record), encoding="utf-8")
    result = _reason(tmp_path, 1, tmp_path)
    assert (result.exit_code, result.reason) == (
        2,
        "outcomes run: stopped in rule render_report: render_report failed",
    )


def test_reason__without_a_record_is_an_internal_failure(tmp_path: Path):
    result = _reason(tmp_path, 1, tmp_path)
    assert result.exit_code == 3
    assert result.reason == "outcomes run: the workflow stopped with Snakemake exit code 1."


def _start_parent_with_supervised_child(tmp_path: Path) -> tuple[subprocess.Popen, int]:
    """A parent process running ``sleep`` under the supervisor; returns it and the sleep pid."""
    pidfile = tmp_path / "child.pid"
    parent_code = (
        "import os, subprocess, sys\n"
        "cmd = [sys.executable, '-m', 'outcomes.steps.supervise', str(os.getpid()), '--',\n"
        "       sys.executable, '-c',\n"
        '       \'import os, sys, time; open(sys.argv[1], "w").write(str(os.getpid())); '
        "time.sleep(120)', sys.argv[1]]\n"
        "sys.exit(subprocess.Popen(cmd, start_new_session=True).wait())\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", parent_code, str(pidfile)])
    for _ in range(200):
        if pidfile.exists() and pidfile.read_text():
            return parent, int(pidfile.read_text())
        time.sleep(0.05)
    parent.kill()
    pytest.fail("the supervised child did not start")


def test_supervisor__sigkill_of_the_parent_ends_the_whole_group(tmp_path: Path):
    parent, child = _start_parent_with_supervised_child(tmp_path)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 5
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)


def test_supervisor__sigterm_ends_the_whole_group(tmp_path: Path):
    parent, child = _start_parent_with_supervised_child(tmp_path)
    supervisor = int(
        subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(parent.pid)], capture_output=True, text=True
        ).stdout.split()[0]
    )
    os.kill(supervisor, signal.SIGTERM)
    assert parent.wait(timeout=10) != 0
    deadline = time.monotonic() + 5
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)
