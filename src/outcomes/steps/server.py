"""The step server: rules run their steps in forks of one process that has imported everything.

Why: every rule is a Snakemake ``script:`` job, a fresh Python process that imports its step
module (polars, pandera, scipy, statsmodels, lifelines, matplotlib...): about 2 s per rule
before any work, most of the demo's wall time. The server pays that once per run.

How:

* **Start and stop.** The workflow's ``onstart`` hook calls :func:`start_step_server` in the main
  Snakemake process, before any job is scheduled: it starts ``python -m outcomes.steps.server``
  and puts the socket's path in ``os.environ`` (:data:`outcomes.stepclient.SERVER_ENV`), which
  every job inherits. ``onsuccess`` and ``onerror`` call :func:`stop_step_server`.
  ``OUTCOMES_STEP_SERVER=off`` (``outcomes run --no-step-server``) starts none: every rule runs
  in a fresh process of its own, as without the server.
* **Serving.** The server binds its Unix socket first, then imports every step module
  (:func:`outcomes.steps.load_steps`) and the libraries the steps import inside functions
  (:func:`preload`), then serves. A rule's process (:func:`outcomes.stepclient.run_rule`) sends
  the ``snakemake`` object, its working directory and environment, and its standard input,
  output and error (``SCM_RIGHTS``, :func:`socket.send_fds`). The server forks a child that takes
  those streams, directory and environment and runs :func:`outcomes.steps.run_step` exactly as the
  rule's own process would: the same log, exit codes 1/2/3, one-line message and stop record.
  The server reaps the child (:func:`os.wait4`), writes its wall time, CPU time and peak RSS to
  ``<log stem>.step.json`` beside the rule's log (:func:`write_usage`; Snakemake's ``benchmark:``
  file now measures the waiting rule process only), and sends the exit status back; the rule's
  process exits with it.
* **Stopping a rule.** If the rule's process goes away (Snakemake killed the job), its connection
  closes and the server kills the child at once (SIGKILL).
* **Dying with the run.** The server dies with the process that started it: ``PR_SET_PDEATHSIG``
  on Linux, and on every platform a check of the parent's pid twice a second. Its children die
  with it the same way. Under ``outcomes run`` the server also belongs to the supervisor's
  process group, which the supervisor kills when the run is stopped.
* **Fork safety.** Forking a process leaves in the child only the forking thread; a lock another
  thread held stays held. The server computes nothing and runs no thread of its own (one loop
  over :mod:`selectors`, SIGCHLD through a wakeup pipe), so polars' thread pools (its compute
  threads ``polars-N``, its async and tokio runtimes) are not started: they start on the first
  query, in the child. :func:`list_started_pools` checks that after the imports, and the server
  refuses to serve (rules then run in their own processes) when one runs. The threads the
  imports do start are fork-aware: jemalloc's background purgers (polars' allocator; jemalloc
  takes its locks around ``fork`` through ``pthread_atfork`` and restarts them in the child), the
  OpenBLAS pools of numpy and scipy (shut down around ``fork`` by OpenBLAS's own
  ``pthread_atfork`` handler and started again in the child on first use), and polars' idle
  out-of-core spill cleaner (nothing is spilled before any query runs). Each child is a fresh
  copy: nothing one step does reaches the next.
* **Code inputs.** The server and :mod:`outcomes.stepclient` only decide where a step runs, not
  what it computes, so they are not among the rules' code inputs (``code_inputs``): changing them
  does not re-run rules.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import re
import resource
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from outcomes.stepclient import (
    REPLY,
    REQUEST_HEAD,
    SERVER_ENV,
    STREAMS,
    receive_exactly,
    server_turned_off,
)
from outcomes.steps.supervise import arm_parent_death_signal

#: Names of the threads of polars' compute pool and runtimes, which start on the first query.
POOL_THREADS = r"polars-\d+|async-executor.*|tokio-.*|rayon.*"
#: The fewest jobs (the target rule included) a run needs for a step server: below, the rules
#: import their own step modules sooner than the server imports all of them (about 1.5 times
#: one rule's imports), and each served rule saves about 1.5 s.
MIN_JOBS = 5
_PARENT_CHECK_S = 0.5
_BACKLOG = 64
#: How long :func:`start_step_server` waits for the server to bind its socket.
_BIND_WAIT_S = 10.0
#: How long :func:`stop_step_server` waits for the server to end before it kills it.
_STOP_WAIT_S = 5.0


def list_thread_names() -> list[str]:
    """The names of this process's threads (``/proc/self/task``; empty where there is none)."""
    names = []
    with contextlib.suppress(OSError):
        for task in sorted(os.listdir("/proc/self/task")):
            with contextlib.suppress(OSError):
                names.append(Path(f"/proc/self/task/{task}/comm").read_text().strip())
    return names


def list_started_pools(names: list[str]) -> list[str]:
    """The threads among ``names`` that belong to a started polars pool (they must not run in
    a process that forks)."""
    return [name for name in names if re.fullmatch(POOL_THREADS, name)]


def preload() -> None:
    """Import every step module and the libraries they import inside functions, computing
    nothing."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    from outcomes.steps import load_steps

    load_steps()
    # what the steps import inside functions (pandera through the schemas)
    import docx  # noqa: F401
    import lifelines
    import lifelines.plotting  # noqa: F401
    import matplotlib.image
    import matplotlib.pyplot  # noqa: F401
    import pandera.polars  # noqa: F401
    import PIL.Image  # noqa: F401
    import rtflite  # noqa: F401
    import scipy.optimize
    import scipy.stats  # noqa: F401
    import snakemake.iocontainers  # noqa: F401
    import statsmodels.genmod.families
    import statsmodels.genmod.generalized_linear_model
    import statsmodels.tools.sm_exceptions  # noqa: F401


@dataclass
class _Job:
    """A step running in a child: the rule process's connection, its rule and log."""

    conn: socket.socket
    rule: str
    log: str
    start: float = field(default_factory=time.monotonic)
    server_rss_mib: float = field(default_factory=lambda: measure_rss_mib())


def measure_rss_mib() -> float:
    """This process's resident memory now (``/proc/self/statm``; its peak where there is none)."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return round(pages * os.sysconf("SC_PAGE_SIZE") / 2**20, 2)
    return _mib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def _mib(maxrss: int) -> float:
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB elsewhere
    return round(maxrss * scale / 2**20, 2)


def write_usage(job: _Job, usage: Any, status: int) -> None:
    """Write the child's wall time, CPU time and peak RSS to ``<log stem>.step.json``.

    The child starts as a copy of the server: its peak RSS includes the server's memory that it
    keeps mapped (shared copy-on-write with the server and the other children, counted by each),
    about 200 MiB after the imports; ``server_rss_mib`` is the server's resident memory at the
    fork.
    """
    if not job.log:
        return
    from outcomes.io import atomic

    record = {
        "rule": job.rule,
        "s": round(time.monotonic() - job.start, 4),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 4),
        "max_rss_mib": _mib(usage.ru_maxrss),
        "server_rss_mib": job.server_rss_mib,
        "exit_status": status,
    }
    path = Path(job.log)
    with contextlib.suppress(OSError):
        atomic.write_text(path.with_name(f"{path.stem}.step.json"), json.dumps(record))


def _exit_code(exc: BaseException) -> int:
    """The exit code the interpreter gives a script that ended with ``exc``."""
    if isinstance(exc, SystemExit):
        if exc.code is None:
            return 0
        if isinstance(exc.code, int):
            return exc.code
        print(exc.code, file=sys.stderr)
        return 1
    traceback.print_exception(exc)
    return 1


def run_child(header: dict[str, Any], payload: bytes, streams: list[int]) -> int:
    """In the forked child: take the rule's streams, directory and environment, run its step."""
    for target, fd in zip(STREAMS, streams, strict=True):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(header["cwd"])
    os.environ.clear()
    os.environ.update(header["env"])
    from outcomes.steps import run_step

    try:
        run_step(pickle.loads(payload))
        code = 0
    except BaseException as exc:  # the boundary of a script: exit as the interpreter would
        code = _exit_code(exc)
    import logging

    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    return code


class StepServer:
    """The serving loop: one thread, :mod:`selectors` over the socket, the connections of running
    steps, and a wakeup pipe for SIGCHLD and SIGTERM."""

    def __init__(self, listener: socket.socket, parent: int) -> None:
        self.listener = listener
        self.parent = parent
        self.jobs: dict[int, _Job] = {}
        self.selector = selectors.DefaultSelector()
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_w, False)
        os.set_blocking(self.wake_r, False)
        self.stopping = False

    def serve(self) -> None:
        """Serve until SIGTERM or SIGINT, or until the parent is gone."""
        signal.set_wakeup_fd(self.wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)
        for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(s, self._stop)
        self.selector.register(self.listener, selectors.EVENT_READ, "accept")
        self.selector.register(self.wake_r, selectors.EVENT_READ, "wake")
        try:
            while not self.stopping and os.getppid() == self.parent:
                for key, _ in self.selector.select(_PARENT_CHECK_S):
                    if key.data == "accept":
                        self._accept()
                    elif key.data == "wake":
                        with contextlib.suppress(BlockingIOError):
                            os.read(self.wake_r, 512)
                    else:
                        self._client_closed(key.data)
                self._reap()
        finally:
            for pid in list(self.jobs):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)

    def _stop(self, _signum: int, _frame: object) -> None:
        self.stopping = True

    def _accept(self) -> None:
        conn, _ = self.listener.accept()
        try:
            head, streams, _, _ = socket.recv_fds(conn, REQUEST_HEAD.size, len(STREAMS))
            head += receive_exactly(conn, REQUEST_HEAD.size - len(head))
            header_size, payload_size = REQUEST_HEAD.unpack(head)
            header = json.loads(receive_exactly(conn, header_size))
            payload = receive_exactly(conn, payload_size)
            if len(streams) != len(STREAMS) or len(payload) != payload_size:
                raise ValueError("incomplete request")
        except (OSError, ValueError, TypeError, struct.error):
            conn.close()
            return
        job = _Job(conn, str(header.get("rule", "")), str(header.get("log", "")))
        pid = self._fork(conn, header, payload, streams)
        for fd in streams:
            os.close(fd)
        self.jobs[pid] = job
        self.selector.register(conn, selectors.EVENT_READ, pid)

    def _fork(
        self, conn: socket.socket, header: dict[str, Any], payload: bytes, streams: list[int]
    ) -> int:
        sys.stdout.flush()
        sys.stderr.flush()
        server = os.getpid()
        pid = os.fork()
        if pid:
            return pid
        code = 3
        try:
            arm_parent_death_signal(signal.SIGKILL)
            if os.getppid() != server:  # the server died before the child armed
                os._exit(code)
            signal.set_wakeup_fd(-1)
            for s in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP):
                signal.signal(s, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)  # as in any Python process
            self.selector.close()
            for closing in (self.listener, conn, *(job.conn for job in self.jobs.values())):
                closing.close()
            os.close(self.wake_r)
            os.close(self.wake_w)
            code = run_child(header, payload, streams)
        except BaseException:  # taking the rule's streams or folder failed: say why
            traceback.print_exc()
        finally:
            os._exit(code)

    def _client_closed(self, pid: int) -> None:
        """The rule's process closed its connection (Snakemake killed it): kill its child."""
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        job = self.jobs.get(pid)
        if job is not None:
            self.selector.unregister(job.conn)

    def _reap(self) -> None:
        while self.jobs:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            job = self.jobs.pop(pid, None)
            if job is None:
                continue
            code = os.waitstatus_to_exitcode(status)
            write_usage(job, usage, code)
            with contextlib.suppress(KeyError, ValueError):
                self.selector.unregister(job.conn)
            with contextlib.suppress(OSError):
                job.conn.sendall(REPLY.pack(code))
            job.conn.close()


def serve(address: str, parent: int) -> int:
    """Server process: ``python -m outcomes.steps.server SOCKET PARENT_PID``."""
    arm_parent_death_signal(signal.SIGTERM)
    if os.getppid() != parent:
        return 0
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)
    listener.listen(_BACKLOG)
    try:
        preload()
        pools = list_started_pools(list_thread_names())
        if pools:
            print(
                f"outcomes step server: thread pools started by the imports ({', '.join(pools)}); "
                "not forking: every rule runs in a process of its own.",
                file=sys.stderr,
            )
            return 1
        StepServer(listener, parent).serve()
    finally:
        listener.close()
        with contextlib.suppress(OSError):
            os.unlink(address)
    return 0


@dataclass
class _Running:
    proc: subprocess.Popen[bytes] | None = None
    folder: str = ""


_RUNNING = _Running()


def start_step_server(*, local: bool = True, jobs: int | None = None) -> str | None:
    """Start the step server for this Snakemake process's jobs (Snakefile ``onstart``).

    Puts the socket's path in ``os.environ[SERVER_ENV]`` for the jobs to inherit. Does nothing
    when the jobs do not run on this machine (``local`` false: a cluster executor), when there
    are fewer than :data:`MIN_JOBS` ``jobs`` to run (the server imports every step module, which
    costs more than a few rules' own imports), when ``SERVER_ENV`` is ``off``, or when a server
    is already running for this process.

    Returns
    -------
    str or None
        The socket's path, or None when no server was started.
    """
    few = jobs is not None and jobs < MIN_JOBS
    if not local or few or server_turned_off() or _RUNNING.proc is not None:
        return None
    folder = tempfile.mkdtemp(prefix="outcomes-steps-")
    address = os.path.join(folder, "socket")
    command = [sys.executable, "-m", "outcomes.steps.server", address, str(os.getpid())]
    proc = subprocess.Popen(command, stdin=subprocess.DEVNULL)
    _RUNNING.proc, _RUNNING.folder = proc, folder
    # The socket is bound before the imports: a rule started now waits for the server, not
    # falls back to a process of its own.
    deadline = time.monotonic() + _BIND_WAIT_S
    while not os.path.exists(address) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    os.environ[SERVER_ENV] = address
    return address


def stop_step_server() -> None:
    """Stop the server :func:`start_step_server` started (Snakefile ``onsuccess``/``onerror``)."""
    proc, folder = _RUNNING.proc, _RUNNING.folder
    _RUNNING.proc, _RUNNING.folder = None, ""
    if proc is None:
        return
    os.environ.pop(SERVER_ENV, None)
    proc.terminate()
    try:
        proc.wait(_STOP_WAIT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(serve(sys.argv[1], int(sys.argv[2])))
