"""Exit codes mean one thing each: 0 ok, 1 findings, 2 user or environment, 3 internal."""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

import pytest

from outcomes import cli
from outcomes.errors import describe_environment_error
from outcomes.simulate import simulate_export


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("export")
    simulate_export(subjects=8, seed=3, out=out)
    return out


def test_validate__out_below_a_file_exits_2(export: Path, tmp_path: Path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    code = cli.main(["validate", str(export), "--out", str(blocker / "x")])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err and "Not a directory" in err


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only folders")
def test_validate__read_only_out_exits_2(export: Path, tmp_path: Path, capsys):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        code = cli.main(["validate", str(export), "--out", str(folder / "v")])
    finally:
        folder.chmod(0o700)
    assert code == 2
    assert "Permission denied" in capsys.readouterr().err


def test_main__full_disk_is_exit_2_with_one_line(monkeypatch, capsys):
    def full(_args):
        raise OSError(errno.ENOSPC, "No space left on device", "/out/adam/adsl.parquet")

    monkeypatch.setitem(cli.COMMANDS, "compare", full)
    assert cli.main(["compare", "a", "b"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "No space left on device" in err and "rerun the same command" in err


def test_main__internal_failure_is_exit_3_naming_the_log(monkeypatch, capsys):
    def broken(_args):
        raise KeyError("bug")

    monkeypatch.setitem(cli.COMMANDS, "compare", broken)
    assert cli.main(["compare", "a", "b"]) == 3
    err = capsys.readouterr().err
    log = err.split("the traceback is in ")[1].strip().rstrip(".")
    assert "Traceback" not in err
    assert "KeyError: 'bug'" in Path(log).read_text(encoding="utf-8")
    Path(log).unlink()


def test_main__keyboard_interrupt_is_exit_130(monkeypatch, capsys):
    def interrupted(_args):
        raise KeyboardInterrupt

    monkeypatch.setitem(cli.COMMANDS, "compare", interrupted)
    assert cli.main(["compare", "a", "b"]) == 130
    assert capsys.readouterr().err == "outcomes compare: stopped by SIGINT.\n"


def test_describe_environment_error__only_environment_errnos():
    assert describe_environment_error(ValueError("x")) is None
    assert describe_environment_error(OSError(errno.EBADF, "bad fd")) is None
    text = describe_environment_error(OSError(errno.EROFS, "Read-only file system", "/mnt/x"))
    assert text == "cannot use /mnt/x: Read-only file system; choose a writable folder."


def test_describe_environment_error__rust_library_message_with_os_error():
    exc = RuntimeError("parquet: underlying IO error: No space left on device (os error 28)")
    assert describe_environment_error(exc) == (
        "cannot use: No space left on device; free some space and rerun the same command."
    )


@pytest.fixture
def read_only_folder(tmp_path: Path):
    folder = tmp_path / "ro"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("mounting a read-only tmpfs is not permitted here")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)


def test_validate__read_only_file_system_exits_2(export: Path, read_only_folder: Path, capsys):
    code = cli.main(["validate", str(export), "--out", str(read_only_folder / "v")])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (
        f"outcomes validate: cannot use {read_only_folder / 'v'}: Read-only file system; "
        "choose a writable folder.\n"
    )


def test_run__read_only_file_system_exits_2(export: Path, read_only_folder: Path, capsys):
    out = read_only_folder / "cut"
    argv = ["run", "--export", str(export), "--data-cut", "2027-01-01", "--out", str(out)]
    assert cli.main(argv) == 2
    assert "Read-only file system" in capsys.readouterr().err
