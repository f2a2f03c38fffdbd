"""RTF (rtflite) and DOCX (python-docx) files of the TFLs: they open, and a cell reads back."""

from __future__ import annotations

import shutil
import subprocess

import docx
import pytest

from outcomes.report.load import read_run
from outcomes.report.tfl.catalogue import build_tfls
from outcomes.report.tfl.table import Tfl, TflRow
from outcomes.report.tfl.writers import (
    write_combined_docx,
    write_combined_rtf,
    write_tfl_docx,
    write_tfl_rtf,
)

from ..report_builders import report_config

SOFFICE = shutil.which("soffice")
TABLE = Tfl(
    number="Table 14.3.1",
    title="CAR-T-related adverse events within 3 months",
    population="Safety analysis set",
    stub="Subjects with",
    columns=("DL1 (N=16)", "Total (N=32)"),
    rows=(
        TflRow("any", "Any grade", ("6 (37.5)", "6 (18.8)")),
        TflRow("sev", "Grade >= 3", ("0", "0"), 1),
    ),
    footnotes=("Within 3 months = onset on Day 0-91.",),
    source="adam/adae.parquet",
)


def test_docx_reads_back_cells_title_and_source(tmp_path):
    path = tmp_path / "t_14_3_1.docx"
    write_tfl_docx(TABLE, path)
    document = docx.Document(str(path))
    table = document.tables[0]
    assert table.cell(0, 1).text == "DL1 (N=16)"
    assert table.cell(1, 1).text == "6 (37.5)"
    texts = [p.text for p in document.paragraphs]
    assert "Table 14.3.1 CAR-T-related adverse events within 3 months" in texts
    assert "Source: adam/adae.parquet" in texts


def test_rtf_holds_the_cells(tmp_path):
    path = tmp_path / "t_14_3_1.rtf"
    write_tfl_rtf(TABLE, path)
    body = path.read_text(encoding="utf-8")
    assert body.startswith("{\\rtf1")
    assert "6 (37.5)" in body and "DL1 (N=16)" in body


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_rtf_converts_to_pdf_in_libreoffice(tmp_path, run_dir):
    tfls = build_tfls(read_run(run_dir), config=report_config())
    single, combined = tmp_path / "t_14_3_1.rtf", tmp_path / "tfls.rtf"
    write_tfl_rtf(TABLE, single)
    write_combined_rtf(tfls, combined, work_dir=tmp_path / "parts")
    for path in (single, combined):
        subprocess.run(
            [SOFFICE, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
            check=True,
            capture_output=True,
            timeout=180,
        )
        assert (tmp_path / f"{path.stem}.pdf").stat().st_size > 1000


def test_combined_docx_has_contents_then_every_tfl_in_order(tmp_path, run_dir):
    tfls = build_tfls(read_run(run_dir), config=report_config())
    path = tmp_path / "tfls.docx"
    write_combined_docx(tfls, path)
    document = docx.Document(str(path))
    contents = document.tables[0]
    assert [contents.cell(i + 1, 0).text for i in range(len(tfls))] == [t.number for t in tfls]
    assert len(document.tables) == len(tfls) + 1
    numbers = [t.number for t in tfls]
    assert (
        numbers.index("Table 14.2.1")
        < numbers.index("Table 14.3.1")
        < numbers.index("Listing 16.2.2")
    )


def test_html_fragment_and_own_page_hold_title_population_footnotes_and_source():
    from outcomes.report.tfl.writers import render_tfl_html, render_tfl_page

    fragment = render_tfl_html(TABLE)
    assert 'id="table-14-3-1"' in fragment and 'id="table-14-3-1-any"' in fragment
    assert '<th scope="col">DL1 (N=16)</th>' in fragment
    assert '<td class="num">6 (37.5)</td>' in fragment
    assert "Safety analysis set" in fragment and "Source: adam/adae.parquet" in fragment
    page = render_tfl_page(TABLE)
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page


def test_docx_files_are_byte_identical_when_written_again(tmp_path, monkeypatch):
    """Reruns give the same bytes: fixed document properties and zip time stamps."""
    import time

    write_tfl_docx(TABLE, tmp_path / "a.docx")
    monkeypatch.setattr(time, "time", lambda: 2_000_000_000.0)  # another clock
    monkeypatch.setattr(time, "localtime", lambda *_: time.gmtime(2_000_000_000))
    write_tfl_docx(TABLE, tmp_path / "b.docx")
    assert (tmp_path / "a.docx").read_bytes() == (tmp_path / "b.docx").read_bytes()
    assert str(docx.Document(str(tmp_path / "a.docx")).core_properties.created)[:10] == "2000-01-01"
