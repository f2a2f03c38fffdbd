"""The step server runs a rule's step as the rule's own process would, and dies with its run.

A rule's process is played by a small script that unpickles a ``snakemake`` object (built with
Snakemake's own classes, as its script preamble does) and calls
:func:`outcomes.stepclient.run_rule`, with ``OUTCOMES_STEP_SERVER`` naming a server started for
the test module, or ``off``. The demo rule ``simulate_demo`` of a few subjects is the step.
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from snakemake.iocontainers import (
    InputFiles,
    Log,
    OutputFiles,
    Params,
    ResourceList,
    Snakemake,
    Wildcards,
)

from outcomes.contract import TABLES
from outcomes.stepclient import OFF, SERVER_ENV
from outcomes.steps import STOP_DIR_ENV

RULE_SCRIPT = (
    "import pickle, sys\n"
    "smk = pickle.loads(open(sys.argv[1], 'rb').read())\n"
    "from outcomes.stepclient import run_rule\n"
    "run_rule(smk)\n"
)
DEMO = {"subjects": 4, "seed": 3}
WAIT_S = 60.0


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _gone(pid: int) -> bool:
    """The process ended (or is a zombie nobody reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")


def _wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting until {what}")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A step server of this test process: its socket and pid."""
    address = str(tmp_path_factory.mktemp("server") / "socket")
    command = [sys.executable, "-m", "outcomes.steps.server", address, str(os.getpid())]
    proc = subprocess.Popen(command)
    _wait_until(lambda: os.path.exists(address), "the server binds its socket")
    yield address, proc.pid
    proc.terminate()
    proc.wait(WAIT_S)


def _rule(
    folder: Path, *, rule: str = "simulate_demo", demo: dict | None = None, out: Path | None = None
) -> Path:
    """Pickle the ``snakemake`` object of the demo rule writing into ``folder``."""
    out = out if out is not None else folder / "export"
    outputs = {table: str(out / f"{table}.csv") for table in TABLES}
    smk = Snakemake(
        InputFiles(),
        OutputFiles(fromdict=outputs),
        Params(fromdict={"demo": DEMO if demo is None else demo, "dose_levels": ["DL1", "DL2"]}),
        Wildcards(),
        1,
        ResourceList(),
        Log([str(folder / "logs" / f"{rule}.log")]),
        {},
        rule,
        None,
    )
    path = folder / "rule.pickle"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(smk))
    return path


def _start_rule(rule: Path, address: str, **kwargs) -> subprocess.Popen[str]:
    stops = rule.parent / "stops"
    stops.mkdir(exist_ok=True)
    env = {**os.environ, SERVER_ENV: address, STOP_DIR_ENV: str(stops)}
    return subprocess.Popen(
        [sys.executable, "-c", RULE_SCRIPT, str(rule)],
        env=env,
        cwd=rule.parent,
        text=True,
        stderr=subprocess.PIPE,
        **kwargs,
    )


def _run_rule(rule: Path, address: str) -> tuple[int, str]:
    proc = _start_rule(rule, address)
    _, err = proc.communicate(timeout=WAIT_S * 2)
    return proc.returncode, err


def _usage(folder: Path, rule: str = "simulate_demo") -> dict | None:
    path = folder / "logs" / f"{rule}.step.json"
    return json.loads(path.read_text()) if path.exists() else None


def test_server__runs_the_step_and_returns_its_exit_code(server, tmp_path: Path):
    rule = _rule(tmp_path)
    code, err = _run_rule(rule, server[0])
    assert (code, err) == (0, "")
    assert sorted(p.name for p in (tmp_path / "export").iterdir()) == sorted(
        f"{t}.csv" for t in TABLES
    )
    usage = _usage(tmp_path)
    assert usage is not None and usage["rule"] == "simulate_demo"
    assert usage["exit_status"] == 0 and usage["s"] > 0
    assert usage["max_rss_mib"] > 0 and usage["server_rss_mib"] > 0


def _outcome(folder: Path, code: int, err: str) -> tuple[int, str, str, list[str]]:
    log = (folder / "logs" / "simulate_demo.log").read_text()
    stops = sorted(p.read_text() for p in (folder / "stops").glob("*.json"))
    last_line = err.strip().splitlines()[-1] if err.strip() else ""
    # a log names the folder it was written in; a traceback the frames that ran it
    log = log.replace(str(folder), "<folder>")
    stops = [s.replace(str(folder), "<folder>") for s in stops]
    return code, last_line.replace(str(folder), "<folder>"), log.split("Traceback")[0], stops


@pytest.mark.parametrize(
    ("case", "demo", "into_a_file", "expected_code"),
    [
        ("user error (OutcomesError)", {"subjects": 0, "seed": 3}, False, 2),
        ("environment error (output under a file)", None, True, 2),
        ("internal failure", {"seed": 3}, False, 3),
    ],
)
def test_server__a_failing_step_behaves_exactly_as_in_its_own_process(
    server, tmp_path: Path, case: str, demo: dict | None, into_a_file: bool, expected_code: int
):
    results = []
    for how, address in (("served", server[0]), ("own", OFF)):
        folder = tmp_path / how
        folder.mkdir()
        out = None
        if into_a_file:
            (folder / "file").write_text("")
            out = folder / "file" / "export"
        code, err = _run_rule(_rule(folder, demo=demo, out=out), address)
        results.append(_outcome(folder, code, err))
        assert (_usage(folder) is not None) == (how == "served")
    served, own = results
    assert served == own
    code, line, _, stops = served
    assert code == expected_code
    assert line.startswith("simulate_demo: ")
    assert len(stops) == 1 and json.loads(stops[0])["exit_code"] == expected_code
    if expected_code == 3:
        text = (tmp_path / "served" / "logs" / "simulate_demo.log").read_text()
        assert "Traceback" in text and "KeyError" in text


def test_server__an_unknown_rule_fails_as_in_its_own_process(server, tmp_path: Path):
    outcomes = []
    for how, address in (("served", server[0]), ("own", OFF)):
        code, err = _run_rule(_rule(tmp_path / how, rule="no_such_rule"), address)
        outcomes.append((code, err.strip().splitlines()[-1]))
    assert outcomes[0] == outcomes[1]
    assert outcomes[0][0] == 1 and "no_such_rule" in outcomes[0][1]


def test_client__an_unreachable_server_runs_the_step_in_the_rule_process(tmp_path: Path):
    rule = _rule(tmp_path)
    code, err = _run_rule(rule, str(tmp_path / "no-server" / "socket"))
    assert (code, err) == (0, "")
    assert (tmp_path / "export" / "subjects.csv").is_file()
    assert _usage(tmp_path) is None


def test_server__killing_the_rule_process_kills_its_step(server, tmp_path: Path):
    address, server_pid = server
    rule = _rule(tmp_path)
    (tmp_path / "logs").mkdir()
    os.mkfifo(tmp_path / "logs" / "simulate_demo.log")
    before = set(_children(server_pid))
    client = _start_rule(rule, address)
    # the step blocks opening its log (a FIFO nobody reads): it runs until it is killed
    _wait_until(lambda: set(_children(server_pid)) - before, "the server forks the step")
    (child,) = set(_children(server_pid)) - before
    client.send_signal(signal.SIGKILL)
    client.communicate(timeout=WAIT_S)
    _wait_until(lambda: _gone(child), "the step is killed")
    assert not (tmp_path / "export").exists()


def test_server__ends_when_the_process_that_started_it_dies(tmp_path: Path):
    starter = (
        "import sys, time\n"
        "from outcomes.steps.server import start_step_server, _RUNNING\n"
        "start_step_server()\n"
        "print(_RUNNING.proc.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != SERVER_ENV}
    parent = subprocess.Popen(
        [sys.executable, "-c", starter], env=env, stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    server_pid = int(parent.stdout.readline())
    assert not _gone(server_pid)
    parent.kill()
    parent.communicate(timeout=WAIT_S)
    _wait_until(lambda: _gone(server_pid), "the server ends with its parent")


def test_start_step_server__off_starts_nothing(monkeypatch: pytest.MonkeyPatch):
    from outcomes.steps.server import start_step_server

    monkeypatch.setenv(SERVER_ENV, "off")
    assert start_step_server() is None
    assert os.environ[SERVER_ENV] == "off"


def test_start_step_server__none_for_jobs_of_a_cluster_executor(monkeypatch: pytest.MonkeyPatch):
    from outcomes.steps.server import start_step_server

    monkeypatch.delenv(SERVER_ENV, raising=False)
    assert start_step_server(local=False) is None
    assert SERVER_ENV not in os.environ


def test_start_step_server__none_for_a_run_of_a_few_jobs(monkeypatch: pytest.MonkeyPatch):
    from outcomes.steps.server import MIN_JOBS, start_step_server

    monkeypatch.delenv(SERVER_ENV, raising=False)
    assert start_step_server(jobs=MIN_JOBS - 1) is None
    assert SERVER_ENV not in os.environ
