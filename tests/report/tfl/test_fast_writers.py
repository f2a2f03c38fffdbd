"""The TFL writers' fast paths give the bytes of the plain library calls: the RTF of
:func:`outcomes.report.tfl.rtf.encode_rtf` is rtflite's ``rtf_encode()`` text, the DOCX cells
are python-docx's ``_Cell.text`` cells, and the combined DOCX that copies the sections' content
is the one that builds every table again."""

from __future__ import annotations

import polars as pl
import pytest
from rtflite.strwidth import get_string_width

from outcomes.report.tfl.catalogue import read_issues
from outcomes.report.tfl.efficacy import summarize_responders
from outcomes.report.tfl.rtf import count_row_lines, encode_rtf, measure_string_width
from outcomes.report.tfl.table import Tfl, TflRow
from outcomes.report.tfl.writers import _rtf_document, write_combined_docx, write_tfl_docx

LONG = "Eligibility criterion not met: " + "screening value above the limit " * 6


def _tfl(n_rows: int, *, footnotes=("A note.",), source="adam/adae.parquet") -> Tfl:
    texts = ["6 (37.5)", "", "≥ 3 {x} \\ é", LONG, "Grade 3\tlate", "  indented"]
    rows = tuple(
        TflRow(f"r{i}", f"SUBJ-{i:03d}", (texts[i % 6], texts[(i + 1) % 6], "Y"), i % 2)
        for i in range(n_rows)
    )
    return Tfl(
        number="Listing 16.2.7.1",
        title="Adverse events",
        population="Safety analysis set",
        stub="Subject",
        columns=("Term", "Comment", "Serious"),
        rows=rows,
        footnotes=footnotes,
        source=source,
        section="listings",
    )


@pytest.mark.parametrize(
    "tfl",
    [
        _tfl(1),
        _tfl(0),
        _tfl(75),
        _tfl(40, footnotes=(), source=""),
        _tfl(40, footnotes=("One.", "Two."), source=""),
    ],
    ids=["one-row", "no-rows", "many-pages", "no-footnote-no-source", "footnotes-only"],
)
def test_encode_rtf_is_the_text_rtflite_encodes(tfl):
    assert encode_rtf(_rtf_document(tfl)) == _rtf_document(tfl).rtf_encode()


@pytest.mark.parametrize("text", ["", "DL1", "≥ 3 {x} é", LONG, "None"])
def test_measure_string_width_is_rtflites_measure(text):
    assert measure_string_width(text) == get_string_width(text, font=1, font_size=9)


def test_count_row_lines_takes_the_widest_cell_of_each_row():
    frame = pl.DataFrame({"a": ["x", LONG, None], "b": ["", "y", LONG]})
    widths = [1.0, 3.0]  # cumulative right edges: columns of 1 and 2 inches
    long = get_string_width(LONG, font=1, font_size=9)
    assert count_row_lines(frame, widths) == [1, int(long / 1.0) + 1, int(long / 2.0) + 1]


def test_summarize_responders_counts_y_and_rows_per_visit_and_dose_level():
    adrs = pl.DataFrame(
        {
            "USUBJID": ["A", "B", "C", "A", "B"],
            "DOSELVL": ["DL1", "DL1", None, "DL1", "DL1"],
            "PARAMCD": ["DORIS", "DORIS", "DORIS", "DORIS", "LLDAS"],
            "AVISIT": ["MONTH 3", "MONTH 3", "MONTH 3", "MONTH 6", "MONTH 3"],
            "AVISITN": [3, 3, 3, 6, 3],
            "AVALC": ["Y", "N", "Y", None, "Y"],
        }
    )
    out = summarize_responders(adrs.lazy(), params=["DORIS"]).sort(
        "AVISITN", "DOSELVL", nulls_last=True
    )
    assert out.rows() == [
        ("DORIS", "MONTH 3", 3, "DL1", 1, 2),
        ("DORIS", "MONTH 3", 3, None, 1, 1),
        ("DORIS", "MONTH 6", 6, "DL1", 0, 1),
    ]


def test_docx_cells_are_python_docx_cells(tmp_path):
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    tfl = _tfl(12)
    write_tfl_docx(tfl, tmp_path / "fast.docx")
    fast = docx.Document(str(tmp_path / "fast.docx")).tables[0]
    plain = docx.Document().add_table(rows=len(tfl.grid()), cols=4)
    for r, (row, values) in enumerate(zip(plain.rows, tfl.grid(), strict=True)):
        for c, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            cell.text = value
            if c > 0:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            if r == 0:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
    fast_cells = [tc.p_lst[0].xml for tr in fast._tbl.tr_lst for tc in tr.tc_lst]
    plain_cells = [tc.p_lst[0].xml for tr in plain._tbl.tr_lst for tc in tr.tc_lst]
    assert fast_cells == plain_cells


def test_combined_docx_copied_from_the_sections_is_the_built_one(tmp_path):
    tfls = [_tfl(5), _tfl(0)]
    tfls[1] = Tfl(**{**tfls[1].__dict__, "number": "Listing 16.2.7.2"})
    written = {t.stem: write_tfl_docx(t, tmp_path / f"{t.stem}.docx") for t in tfls}
    write_combined_docx(tfls, tmp_path / "copied.docx", written=written)
    write_combined_docx(tfls, tmp_path / "built.docx")
    assert (tmp_path / "copied.docx").read_bytes() == (tmp_path / "built.docx").read_bytes()


def test_read_issues_keeps_the_rule_prefix_rows_with_the_whole_files_types(tmp_path):
    (tmp_path / "validation").mkdir()
    (tmp_path / "validation" / "issues.csv").write_text(
        "RULE,USUBJID,VALUE\nELG-01,A,1.50\nRNG-02,B,abc\nELG-03,C,2\n", encoding="utf-8"
    )
    out = read_issues(tmp_path, rule_prefix="ELG")
    assert out.rows() == [("ELG-01", "A", "1.50"), ("ELG-03", "C", "2")]
    assert read_issues(tmp_path).height == 3
