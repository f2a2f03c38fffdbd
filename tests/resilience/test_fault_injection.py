"""Fault injection: ``outcomes run`` killed at rule boundaries and inside rules, or stopped by a
full disk, resumes with the same command to the same bytes as an uninterrupted run.

Each kill is a SIGKILL of the whole process tree at once (``outcomes run``, the supervisor,
Snakemake and its jobs), as a power cut or an out-of-memory killer would do it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from outcomes.simulate import simulate_export

pytestmark = pytest.mark.slow

CUT = "2027-06-30"
#: Bookkeeping that is not a result: Snakemake's metadata and the rules' logs.
NOT_RESULTS = (".snakemake", "logs")


def _command(export: Path, out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "outcomes.cli",
        "run",
        "--export",
        str(export),
        "--data-cut",
        CUT,
        "--out",
        str(out),
        "--cores",
        "2",
    ]


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text(encoding="ascii", errors="replace")
                ppid = int(stat.rsplit(")", 1)[1].split()[1])
                tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def _tree(root: int) -> list[int]:
    tree, found, todo = _children(), [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += tree.get(pid, [])
    return found


def _processes_using(folder: Path) -> list[int]:
    """Processes whose command line names ``folder`` (Snakemake and its jobs do)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            with contextlib.suppress(OSError):
                cmdline = (entry / "cmdline").read_bytes()
                stat = (entry / "stat").read_text(encoding="ascii", errors="replace")
                if str(folder).encode() in cmdline and stat.rsplit(")", 1)[1].split()[0] != "Z":
                    found.append(int(entry.name))
    return found


def _run_until(
    export: Path, out: Path, condition: Callable[[], bool], stop: signal.Signals | None = None
) -> subprocess.CompletedProcess[bytes] | None:
    """Start ``outcomes run``; as soon as ``condition`` holds, send ``stop`` to it, or (None)
    SIGKILL its whole process tree at once.

    Returns the ended process (code and stderr), or None when the run ended before the point.
    """
    proc = subprocess.Popen(
        _command(export, out), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    deadline = time.monotonic() + 600
    while proc.poll() is None and time.monotonic() < deadline:
        if condition():
            if stop is not None:
                proc.send_signal(stop)
            else:
                for pid in _tree(proc.pid):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
            _, err = proc.communicate()
            return subprocess.CompletedProcess(proc.args, proc.returncode, b"", err)
        time.sleep(0.01)
    proc.communicate()
    return None


def _results(out: Path) -> dict[str, bytes]:
    """Every result file by relative path; run-specific lines of config and manifest left out."""
    files = {}
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out)
        if not path.is_file() or rel.parts[0] in NOT_RESULTS:
            continue
        data = path.read_bytes()
        if rel.as_posix() == "manifest.json":
            manifest = json.loads(data)
            manifest.pop("created_utc")
            data = json.dumps(manifest, sort_keys=True).encode()
        elif rel.as_posix() == "config.yaml":
            data = b"\n".join(ln for ln in data.splitlines() if b"output_dir:" not in ln)
        files[rel.as_posix()] = data
    return files


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("export")
    simulate_export(subjects=48, seed=20260701, out=folder)
    return folder


@pytest.fixture(scope="module")
def reference(export: Path, tmp_path_factory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("reference") / "cut"
    done = subprocess.run(_command(export, out), capture_output=True, check=False)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return _results(out)


def _exists(*parts: str) -> Callable[[Path], bool]:
    return lambda out: out.joinpath(*parts).exists()


def _writing(folder: str) -> Callable[[Path], bool]:
    """True while a rule is writing into ``folder`` (a temporary file is there)."""
    return lambda out: (out / folder).is_dir() and any((out / folder).glob(".*.part"))


#: Where the run is interrupted, and how: a signal to ``outcomes run``, or (None) SIGKILL of the
#: whole process tree.
KILL_POINTS: tuple[tuple[str, Callable[[Path], bool], signal.Signals | None], ...] = (
    ("after validation", _exists("validation", "issues.csv"), signal.SIGINT),
    ("after the per-visit dataset", _exists("adam", "advisit.parquet"), signal.SIGTERM),
    ("inside transport, writing", _writing("transport"), None),
    ("inside the report, figures started", _exists("logs", "render_report.log"), None),
)


def test_interrupted_run__resumes_to_identical_results(export: Path, reference, tmp_path: Path):
    out = tmp_path / "cut"
    killed = []
    for name, condition, stop in KILL_POINTS:
        ended = _run_until(export, out, lambda c=condition: c(out), stop)
        if ended is not None:
            killed.append(name)
            if stop is not None:
                last = ended.stderr.decode().strip().splitlines()[-1]
                assert ended.returncode == 128 + stop, ended.stderr.decode()[-2000:]
                assert last.startswith(f"outcomes run: stopped by {stop.name}"), last
                assert "Traceback" not in ended.stderr.decode()
        deadline = time.monotonic() + 5
        while _processes_using(out) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _processes_using(out) == [], f"processes still on the folder after {name}"
    assert len(killed) >= 3, killed
    done = subprocess.run(_command(export, out), capture_output=True, check=False)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert not list(out.rglob("*.part"))
    results = _results(out)
    assert sorted(results) == sorted(reference)
    assert [k for k in results if results[k] != reference[k]] == []


def _mount_tmpfs(folder: Path, size: str) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    if shutil.which("mount") is None:
        return False
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    return done.returncode == 0


def test_full_disk__one_message_no_partial_file_and_resume(export: Path, reference, tmp_path: Path):
    disk = tmp_path / "disk"
    if not _mount_tmpfs(disk, "2m"):
        pytest.skip("mounting a small tmpfs is not permitted here")
    try:
        out = disk / "cut"
        full = subprocess.run(_command(export, out), capture_output=True, check=False)
        last = full.stderr.decode().strip().splitlines()[-1]
        assert full.returncode == 2, full.stderr.decode()[-2000:]
        assert "No space left on device" in last or "is full" in last, last
        assert "Traceback" not in full.stderr.decode()
        partial = _results(out)
        for rel, data in partial.items():
            if rel not in ("manifest.json", "config.yaml"):
                assert data == reference[rel], f"{rel} is not the whole file"
        subprocess.run(["mount", "-o", "remount,size=64m", str(disk)], check=True)
        done = subprocess.run(_command(export, out), capture_output=True, check=False)
        assert done.returncode == 0, done.stderr.decode()[-2000:]
        results = _results(out)
        assert [k for k in reference if results.get(k) != reference[k]] == []
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_validation_stop__the_reason_is_the_last_line(tmp_path: Path):
    export = tmp_path / "export"
    simulate_export(subjects=48, seed=20260701, out=export, inject_errors=True)
    done = subprocess.run(_command(export, tmp_path / "cut"), capture_output=True, check=False)
    err = done.stderr.decode()
    assert done.returncode == 1, err[-2000:]
    assert (
        err.strip()
        .splitlines()[-1]
        .startswith(
            "outcomes run: stopped in rule create_validated_tables: The export cannot be derived: "
        )
    )
    assert "Traceback" not in err
