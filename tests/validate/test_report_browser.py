"""The validation report runs its filter script in a real headless browser (Debian chromium):
after loading, the count of shown issues is filled in, so the inline script ran without error.

docs/validation-report-screenshot.png (shown in the README) is the same chromium command's
``--screenshot`` (window 1280 x 1400) of the demo trial's report: ``outcomes simulate --out demo``,
``outcomes validate demo --out v1 --data-cut 2026-10-31``, then
``outcomes validate demo --out v2 --data-cut 2027-01-31 --previous v1``.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from outcomes.validate import write_validation_report

from .conftest import run, set_cell, write_tables

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            f"--user-data-dir={tmp_path / 'profile'}",
            *args,
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )


@pytest.mark.browser
@pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (Debian package 'chromium')"
)
def test_validation_report__filter_script_runs_in_headless_chromium(tmp_path: Path, tables):
    set_cell(tables, "assessments", 3, "PGA", "9")
    set_cell(tables, "subjects", 2, "SEX", "X")
    out = tmp_path / "validation"
    write_validation_report(run(write_tables(tmp_path / "export", tables)), out)
    page = (out / "report.html").as_uri()
    dom = _chromium(tmp_path, "--dump-dom", page).stdout.decode("utf-8")
    assert '<span id="f-count">2 issue(s) shown</span>' in dom
    shot = tmp_path / "shot.png"
    _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,1400", page)
    assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
