"""The report renders in a real headless browser (Debian chromium).

The screenshot goes to the test's temporary folder; with ``OUTCOMES_UPDATE_SCREENSHOT=1`` it is
also copied to docs/report-screenshot.png (the README shows the demo run's report, produced with
the same chromium command on results/<cut>/report.html).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from outcomes.report.load import read_run
from outcomes.report.params import ReportParams
from outcomes.report.render import render_report

from .report_builders import report_config, write_run

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "report-screenshot.png"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.browser
@pytest.mark.skipif(
    CHROMIUM is None,
    reason="chromium is not installed (Debian package "
    "'chromium'); the report could not be rendered in a headless browser",
)
def test_report_renders_in_headless_chromium(tmp_path):
    config = report_config()
    config["report"].update(figure_width_in=8.0, figure_height_in=4.0, figure_dpi=80)
    page = render_report(
        read_run(write_run(tmp_path / "run")),
        config=config,
        params=ReportParams.from_config(config["report"]),
        checksums={"export/subjects.csv": "0" * 64},
        versions={"outcomes": "0"},
    )
    html_path = tmp_path / "report.html"
    html_path.write_text(page, encoding="utf-8")
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1280,4000",
            html_path.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 50_000
    if os.environ.get("OUTCOMES_UPDATE_SCREENSHOT") == "1":
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        SCREENSHOT.write_bytes(data)
