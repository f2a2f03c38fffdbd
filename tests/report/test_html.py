"""HTML building blocks: escaping, number formatting, constant method text, notes."""

from __future__ import annotations

import datetime as dt

import polars as pl

from outcomes.report.html import render_figure, render_page, render_table, text

METHOD = "Clopper-Pearson exact 95% CI; weighted PAVA for toxicity and efficacy"


def test_text__escapes_formats_and_blanks_missing():
    assert text("<b>&'\"") == "&lt;b&gt;&amp;&#x27;&quot;"
    assert text(None) == ""
    assert text(0.123456) == "0.1235"
    assert text(16.0) == "16"
    assert text(dt.date(2026, 1, 2)) == "2026-01-02"


def test_render_table__escaped_header_cells_and_classes():
    frame = pl.DataFrame({"<i>": ["<script>x</script>"], "N": [3]})
    html = render_table(frame, caption="<u>cap</u>")
    assert "<th>&lt;i&gt;</th>" in html and "&lt;u&gt;cap&lt;/u&gt;" in html
    assert '<td class="txt">&lt;script&gt;x&lt;/script&gt;</td>' in html
    assert '<td class="num">3</td>' in html


def test_render_table__constant_long_text_printed_once_above():
    frame = pl.DataFrame({"DOSELVL": ["DL1", "DL2"], "RATE": [0.5, 0.25], "method": [METHOD] * 2})
    html = render_table(frame, caption="c")
    assert html.count(METHOD) == 1
    assert f'<p class="method">method: {METHOD}</p>' in html
    assert "<th>method</th>" not in html


def test_render_table__varying_long_text_stays_in_a_wide_cell_and_rows_are_capped():
    frame = pl.DataFrame({"note": [METHOD + " a", METHOD + " b", "short"]})
    html = render_table(frame, caption="c", max_rows=2)
    assert html.count('<td class="long">') == 2
    assert "Showing 2 of 3 rows; all rows are in the CSV." in html


def test_render_figure_and_page__data_uri_no_external_resource():
    fig = render_figure(b"\x89PNG", caption="a <b>")
    assert 'src="data:image/png;base64,iVBORw==' in fig and "a &lt;b&gt;" in fig
    page = render_page("T <x>", [("s1", "S <1>", "<section>body</section>")])
    assert page.startswith("<!DOCTYPE html>") and "<title>T &lt;x&gt;</title>" in page
    assert '<a href="#s1">S &lt;1&gt;</a>' in page and "<section>body</section>" in page
