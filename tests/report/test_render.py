"""The report page: self-contained, escaped, deterministic, tolerant of missing datasets."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from outcomes.report.load import read_run
from outcomes.report.params import ReportParams
from outcomes.report.render import build_report, render_report

from .report_builders import report_config, write_run

SCRIPT = "<script>alert(1)</script>"
BOLD = "<b>bold</b>"


def _render(run: Path) -> str:
    config = report_config()
    return render_report(
        read_run(run),
        config=config,
        params=ReportParams.from_config(config["report"]),
        checksums={"export/subjects.csv": "ab" * 32},
        versions={"polars": "x"},
    )


def test_render_report__two_renders_are_byte_identical(tmp_path):
    first = _render(write_run(tmp_path / "a"))
    second = _render(write_run(tmp_path / "b"))
    assert first.encode() == second.encode()


def test_render_report__self_contained(run_dir):
    page = _render(run_dir)
    assert page.startswith("<!DOCTYPE html>")
    assert "<script" not in page.lower()
    assert not re.search(r"""(src|href)=["'](?!data:|#)""", page)  # only data URIs and anchors
    assert "http://" not in page and "https://" not in page and "@import" not in page
    assert page.count('src="data:image/png;base64,') == 7
    for title in (
        "Key results",
        "Disposition",
        "Swimmer plot",
        "Appendix: Methods",
        "Time to event",
    ):
        assert f">{title}</h2>" in page


def test_render_report__data_strings_are_escaped(tmp_path):
    ids = (SCRIPT, BOLD, "S03", "S04", "S05", 'S06"onmouseover="x')
    page = _render(write_run(tmp_path / "run", ids=ids, ae_term=SCRIPT + BOLD))
    assert SCRIPT not in page and BOLD not in page and "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;b&gt;bold&lt;/b&gt;" in page
    assert '"onmouseover' not in page
    tags = set(re.findall(r"<\s*([a-zA-Z0-9]+)", page))
    assert tags <= {
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "h1",
        "h2",
        "h3",
        "nav",
        "ol",
        "ul",
        "li",
        "a",
        "section",
        "p",
        "b",
        "br",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "div",
        "figure",
        "img",
        "figcaption",
        "details",
        "summary",
        "pre",
    }


def test_render_report__missing_datasets_are_named_not_estimated(run_dir):
    for rel in (
        "adam/adrs.parquet",
        "adam/adtte.parquet",
        "adam/adae.parquet",
        "validation/summary.json",
    ):
        (run_dir / rel).unlink()
    page = _render(run_dir)
    assert "Not shown: missing input adam/adrs.parquet." in page
    assert "Not shown: missing input adam/adtte.parquet." in page
    assert "Not shown: missing input adam/adae.parquet." in page
    assert "Not shown: missing input validation/summary.json." in page
    assert "Inputs not available for this report: adam/adrs.parquet, adam/adtte.parquet" in page


def test_render_report__nothing_but_a_config(tmp_path):
    (tmp_path / "empty").mkdir()
    page = _render(tmp_path / "empty")
    assert "Not shown: missing input adam/adsl.parquet." in page
    assert "data:image/png" not in page


def test_build_report__tables_figures_and_routing(run_dir):
    config = report_config()
    config["report"]["section_order"] = ["obd", "analysis_tables", "swimmer"]
    content = build_report(
        read_run(run_dir),
        config=config,
        params=ReportParams.from_config(config["report"]),
        checksums={},
        versions={},
    )
    assert list(content.figures) == ["swimmer"]
    assert content.tables == {}
    obd = content.html.index('id="obd"')
    other = content.html.index('id="analysis_tables"')
    assert obd < content.html.index("tables/obd_summary.csv") < other
    assert other < content.html.index("tables/listing.csv")


def test_read_run__ignores_the_report_own_tables(run_dir):
    pl.DataFrame({"A": [1]}).write_csv(run_dir / "tables" / "report_baseline.csv")
    assert sorted(read_run(run_dir).tables) == ["listing", "obd_summary"]


RENDER_SCRIPT = """
import hashlib, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from report_builders import report_config, write_run
from outcomes.report.load import read_run
from outcomes.report.params import ReportParams
from outcomes.report.render import render_report
config = report_config()
page = render_report(read_run(write_run(Path(sys.argv[2]))), config=config,
                     params=ReportParams.from_config(config["report"]), checksums={}, versions={})
print(hashlib.sha256(page.encode()).hexdigest())
"""


def test_render_report__identical_bytes_across_processes(tmp_path):
    import subprocess
    import sys

    here = str(Path(__file__).parent)
    digests = {
        subprocess.run(
            [sys.executable, "-c", RENDER_SCRIPT, here, str(tmp_path / name)],
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        ).stdout
        for name in ("one", "two")
    }
    assert len(digests) == 1
