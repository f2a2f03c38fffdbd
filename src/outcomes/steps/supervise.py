"""``outcomes run``: one run per output folder, resumable after any interruption, stopped cleanly.

How a run is started, resumed and stopped (README "Resuming and stopping a run"):

* **One run per folder.** The run takes an exclusive ``flock`` on
  ``OUT/.snakemake/outcomes-run.lock`` before it touches anything else in the folder. The
  operating system releases the lock when the holding process ends, however it ends (even
  ``kill -9``), so a lock that cannot be taken always belongs to a live run: the second run is
  refused with one message, naming the holder's pid.
* **Resume.** Holding that lock, any Snakemake lock left in the folder belongs to a run that is
  gone: it is cleared with ``snakemake --unlock``; temporary ``*.part`` files of interrupted
  writers are removed; Snakemake runs with ``--rerun-incomplete``, so a job that was cut off is
  redone. Every output is written atomically (:mod:`outcomes.io.atomic`), so the rerun gives the
  same bytes as an uninterrupted run.
* **Stopping.** Snakemake runs under a small supervisor process that leads its own session (a new
  process group holding Snakemake and every job). SIGINT or SIGTERM to ``outcomes run`` ends the
  whole group and exits 130 or 143 with one line. If ``outcomes run`` itself is killed (SIGKILL),
  Linux sends the supervisor SIGTERM (``prctl(PR_SET_PDEATHSIG)``, set through :mod:`ctypes`) and
  the supervisor kills the group; elsewhere a watchdog thread of the supervisor notices that its
  parent changed within half a second and does the same. Nothing keeps writing the folder.
* **The reason last.** A failing rule leaves its reason in ``OUT/.snakemake/outcomes-stops/``
  (:func:`outcomes.steps.record_stop`); ``outcomes run`` prints it as its last line and exits with
  the rule's code: 1 validation errors, 2 a user or environment problem, 3 an internal failure
  (with the log to read).
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from outcomes.errors import EXIT_INTERNAL, EXIT_USER, OutcomesError
from outcomes.io.atomic import remove_partial_files
from outcomes.stepclient import OFF, SERVER_ENV
from outcomes.steps import STOP_DIR_ENV

#: Files of the run's bookkeeping, inside Snakemake's own metadata folder of the output folder.
LOCK_FILE = Path(".snakemake") / "outcomes-run.lock"
#: Below this many free bytes, the disk of the output folder counts as full.
FULL_DISK_BYTES = 1 << 20
_PR_SET_PDEATHSIG = 1
_WATCH_INTERVAL_S = 0.5


class RunLockedError(OutcomesError):
    """Another ``outcomes run`` is writing the same output folder."""


@dataclass(frozen=True)
class RunResult:
    """How a run ended: its exit code and the line that says why (empty on success)."""

    exit_code: int
    reason: str


@contextlib.contextmanager
def hold_run_lock(out: Path) -> Iterator[None]:
    """Hold the folder's run lock for the duration of the block.

    Raises
    ------
    RunLockedError
        When a live run holds it; nothing in the folder has been changed.
    """
    path = out / LOCK_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            raise RunLockedError(
                f"another `outcomes run` (pid {holder}) is writing {out}; wait for it to finish "
                "or stop it, or choose another --out folder."
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield
    finally:
        os.close(fd)


def _snakemake_locked(out: Path) -> bool:
    locks = out / ".snakemake" / "locks"
    return locks.is_dir() and any(locks.iterdir())


def prepare_resume(out: Path, snakemake_args: Sequence[str]) -> None:
    """Clear what a dead run left: a stale Snakemake lock and temporary ``*.part`` files.

    Call only while holding the run lock (:func:`hold_run_lock`): then no live run owns them.
    """
    if _snakemake_locked(out):
        subprocess.run(
            [*snakemake_command(snakemake_args), "--unlock"],
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if _snakemake_locked(out):
            shutil.rmtree(out / ".snakemake" / "locks", ignore_errors=True)
    remove_partial_files(out)


def snakemake_command(args: Sequence[str]) -> list[str]:
    """The Snakemake command line for ``args``."""
    return [sys.executable, "-m", "snakemake", *args]


class _StopSignalError(Exception):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_stopped(signum: int, _frame: object) -> None:
    raise _StopSignalError(signum)


def run_workflow(
    out: Path, snakemake_args: Sequence[str], *, step_server: bool = True
) -> RunResult:
    """Resume (:func:`prepare_resume`) and run Snakemake under the supervisor; stop it (and every
    job) on SIGINT or SIGTERM. Call while holding the run lock (:func:`hold_run_lock`).

    Snakemake's own output goes to the terminal as it comes; the returned reason is the line to
    print last. The rules run their steps in the step server (:mod:`outcomes.steps.server`,
    started by the workflow in the supervisor's process group) unless ``step_server`` is false.
    """
    stops = Path(tempfile.mkdtemp(prefix="outcomes-run-"))
    env = {**os.environ, STOP_DIR_ENV: str(stops)}
    if not step_server:
        env[SERVER_ENV] = OFF
    cmd = [sys.executable, "-m", "outcomes.steps.supervise", str(os.getpid()), "--"]
    cmd += snakemake_command([*snakemake_args, "--rerun-incomplete"])
    previous = {s: signal.signal(s, _raise_stopped) for s in (signal.SIGINT, signal.SIGTERM)}
    proc: subprocess.Popen[bytes] | None = None
    try:
        prepare_resume(out, snakemake_args)
        proc = subprocess.Popen(cmd, env=env, start_new_session=True)
        code = proc.wait()
    except _StopSignalError as stop:
        for s in (signal.SIGINT, signal.SIGTERM):
            signal.signal(s, signal.SIG_IGN)
        if proc is not None:
            _kill_group(proc)
        name = signal.Signals(stop.signum).name
        return RunResult(
            128 + stop.signum,
            f"outcomes run: stopped by {name}; nothing is running on {out} any more. "
            "Rerun the same command to resume.",
        )
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    _kill_group(proc)
    try:
        return RunResult(0, "") if code == 0 else _reason(out, code, stops)
    finally:
        shutil.rmtree(stops, ignore_errors=True)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """Kill the supervisor's process group (Snakemake and its jobs) and reap the supervisor."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _reason(out: Path, code: int, stops: Path) -> RunResult:
    """The reason a failed run stopped: the rules' stop records in ``stops``, else a full disk,
    else Snakemake's own failure."""
    records = []
    for path in sorted(stops.glob("*.json")) if stops.is_dir() else []:
        with contextlib.suppress(OSError, ValueError):
            records.append(json.loads(path.read_text(encoding="utf-8")))
    free = shutil.disk_usage(out).free if out.is_dir() else FULL_DISK_BYTES
    if not records and free < FULL_DISK_BYTES:
        return RunResult(
            EXIT_USER,
            f"outcomes run: the disk holding {out} is full ({free} bytes free); free some space "
            "and rerun the same command to resume.",
        )
    if not records:
        logs = sorted((out / ".snakemake" / "log").glob("*.log"))
        where = f" (Snakemake log: {logs[-1]})" if logs else ""
        return RunResult(
            EXIT_INTERNAL,
            f"outcomes run: the workflow stopped with Snakemake exit code {code}{where}.",
        )
    first = min(records, key=lambda r: (r["exit_code"] == EXIT_INTERNAL, r["rule"]))
    lines = str(first["message"]).splitlines() or [""]
    details = "".join(f"  {line}\n" for line in lines[1:])
    reason = f"{details}outcomes run: stopped in rule {first['rule']}: {lines[0]}"
    return RunResult(int(first["exit_code"]), reason)


def arm_parent_death_signal(signum: int) -> bool:
    """Ask Linux to send ``signum`` to this process when its parent ends
    (``prctl(PR_SET_PDEATHSIG)``); whether that was armed (never elsewhere)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            return libc.prctl(_PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0
    return False


def _arm_parent_death(parent: int) -> None:
    """Make sure this supervisor hears of its parent's death (prctl on Linux, else a thread)."""
    if not arm_parent_death_signal(signal.SIGTERM):

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(_WATCH_INTERVAL_S)
            os.kill(os.getpid(), signal.SIGTERM)

        threading.Thread(target=watch, daemon=True).start()
    if os.getppid() != parent:  # the parent died before the watch was armed
        os.kill(os.getpid(), signal.SIGTERM)


def _end_group(_signum: int, _frame: object) -> None:
    os.killpg(0, signal.SIGKILL)


def supervise(argv: Sequence[str]) -> int:
    """Supervisor process: ``python -m outcomes.steps.supervise PARENT_PID -- COMMAND...``.

    Runs COMMAND in this process group (a session of its own, started by :func:`run_supervised`)
    and returns its exit code; on SIGTERM, SIGINT or the death of PARENT_PID it kills the group.
    """
    parent, command = int(argv[0]), list(argv[2:])
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, _end_group)
    _arm_parent_death(parent)
    return subprocess.call(command)


if __name__ == "__main__":
    sys.exit(supervise(sys.argv[1:]))
