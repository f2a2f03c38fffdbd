"""Writers of a :class:`~outcomes.report.tfl.table.Tfl`: HTML fragment, RTF (rtflite), DOCX
(python-docx), and the combined RTF and DOCX of all TFLs in order with a table of contents.

The writers lay out text the table already holds; they compute nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Mapping, Sequence
from copy import deepcopy
from pathlib import Path

import polars as pl

from outcomes.io import atomic
from outcomes.report.html import CSS, text
from outcomes.report.tfl.table import Tfl

#: Text of a listing or table without a row.
NO_ROWS = "No records."


def render_tfl_html(tfl: Tfl) -> str:
    """The table as an HTML fragment with its anchor, heading, population, footnotes, source."""
    head = "".join(f'<th scope="col">{text(c)}</th>' for c in (tfl.stub, *tfl.columns))
    body = []
    for row in tfl.rows:
        label = f'<th scope="row" class="l{row.indent}">{text(row.label)}</th>'
        cells = "".join(f'<td class="num">{text(c)}</td>' for c in row.cells)
        body.append(f'<tr id="{text(tfl.anchor)}-{text(row.key)}">{label}{cells}</tr>')
    if not tfl.rows:
        body.append(f'<tr><td colspan="{len(tfl.columns) + 1}">{NO_ROWS}</td></tr>')
    above = "".join(f'<p class="method">{text(n)}</p>' for n in tfl.notes_above)
    notes = "".join(f"<li>{text(n)}</li>" for n in tfl.footnotes)
    source = f'<p class="source">{text(tfl.source_line)}</p>' if tfl.source else ""
    return (
        f'<div class="tfl" id="{text(tfl.anchor)}">'
        f'<h3 class="tfl-title">{text(tfl.heading)}</h3>'
        f'<p class="population">{text(tfl.population)}</p>{above}'
        f'<div class="tw"><table class="tfl-table"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
        f'<ol class="footnotes">{notes}</ol>{source}</div>'
    )


def render_tfl_page(tfl: Tfl) -> str:
    """One TFL as a self-contained HTML page (inline style, no script)."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{text(tfl.heading)}</title><style>{CSS}</style></head><body>"
        f"{render_tfl_html(tfl)}</body></html>\n"
    )


def _body_frame(tfl: Tfl) -> pl.DataFrame:
    """Cells as a frame with positional column names (headers are written separately)."""
    grid = tfl.grid()[1:] or [[NO_ROWS, *([""] * len(tfl.columns))]]
    names = [f"c{i}" for i in range(len(tfl.columns) + 1)]
    return pl.DataFrame(grid, schema=dict.fromkeys(names, pl.String), orient="row")


def _rtf_document(tfl: Tfl):
    import rtflite

    ncol = len(tfl.columns) + 1
    widths = [3.0, *([1.6] * (ncol - 1))]
    footnotes = [*tfl.footnotes]
    return rtflite.RTFDocument(
        df=_body_frame(tfl),
        rtf_page=rtflite.RTFPage(orientation="landscape"),
        rtf_title=rtflite.RTFTitle(text=[tfl.heading, tfl.population]),
        rtf_column_header=[
            rtflite.RTFColumnHeader(
                text=[tfl.stub, *tfl.columns],
                col_rel_width=widths,
                text_justification=["l", *(["c"] * (ncol - 1))],
            )
        ],
        rtf_body=rtflite.RTFBody(
            col_rel_width=widths, text_justification=[["l", *(["c"] * (ncol - 1))]]
        ),
        rtf_footnote=rtflite.RTFFootnote(text=footnotes) if footnotes else None,
        rtf_source=rtflite.RTFSource(text=[tfl.source_line]) if tfl.source else None,
    )


def _write_rtf(tfl: Tfl, path: Path) -> None:
    """Write the table's rtflite document to ``path`` (the text of ``write_rtf``, encoded by
    :func:`outcomes.report.tfl.rtf.encode_rtf`)."""
    from outcomes.report.tfl.rtf import encode_rtf

    path.write_text(encode_rtf(_rtf_document(tfl)), encoding="utf-8")


def write_tfl_rtf(tfl: Tfl, path: Path) -> None:
    """The table as an RTF file (rtflite): title, population, header, body, footnotes, source."""
    with atomic.atomic_path(path) as partial:
        _write_rtf(tfl, Path(partial))


def _toc_tfl(tfls: Sequence[Tfl]) -> Tfl:
    from outcomes.report.tfl.table import TflRow

    rows = tuple(TflRow(key=t.anchor, label=t.number, cells=(t.title, t.population)) for t in tfls)
    return Tfl(
        number="Contents",
        title="Tables and listings of this data cut",
        population="",
        stub="Number",
        columns=("Title", "Analysis set"),
        rows=rows,
    )


def write_combined_rtf(
    tfls: Sequence[Tfl],
    path: Path,
    *,
    work_dir: Path,
    written: Mapping[str, Path] | None = None,
) -> None:
    """One RTF of all TFLs in order, opening with the table of contents (rtflite assemble).

    ``written`` maps a TFL's stem to the file :func:`write_tfl_rtf` already wrote for it (the
    same bytes as its part): that file is assembled instead of encoding the TFL again.
    """
    import rtflite

    work_dir.mkdir(parents=True, exist_ok=True)
    written = written or {}
    files = []
    for i, tfl in enumerate([_toc_tfl(tfls), *tfls]):
        if i and tfl.stem in written:
            files.append(str(written[tfl.stem]))
            continue
        part = work_dir / f"part_{i:03d}.rtf"
        _write_rtf(tfl, part)
        files.append(str(part))
    with atomic.atomic_path(path) as partial:
        rtflite.assemble_rtf(files, str(partial))


class _DocxCells:
    """The paragraph of each kind of table cell, made once with python-docx and copied.

    python-docx's ``Table.rows``, ``_Row.cells``, ``_Cell.text`` and ``alignment`` each search
    the table's XML again (about 0.5 ms a cell); here the first cell of each kind (header or
    body, first column or not) is written through them, and every other cell gets a copy of
    that paragraph with its own text set by python-docx's run (``CT_R.text``), which writes
    tabs, line breaks and spaces as ``_Cell.text`` does. Identical cells share one copy.
    """

    def __init__(self, table) -> None:
        self._table = table
        self._kinds: dict[tuple[bool, bool], object] = {}
        self._made: dict[tuple[str, bool, bool], object] = {}

    def paragraph(self, tc, value: str, *, centered: bool, bold: bool):
        """The ``w:p`` of a cell with ``value``, centered and/or bold."""
        key = (value, centered, bold)
        made = self._made.get(key)
        if made is None:
            kind = self._kinds.get((centered, bold))
            if kind is None:
                made = self._kinds[(centered, bold)] = self._first(tc, value, centered, bold)
            else:
                made = deepcopy(kind)
                made.r_lst[0].text = value
            self._made[key] = made
        return made

    def _first(self, tc, value: str, centered: bool, bold: bool):
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.table import _Cell

        cell = _Cell(tc, self._table)
        cell.text = value
        if centered:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        if bold:
            for run in cell.paragraphs[0].runs:
                run.bold = True
        return deepcopy(tc.p_lst[0])


def _add_docx_table(document, tfl: Tfl) -> None:
    document.add_heading(tfl.heading, level=2)
    if tfl.population:
        document.add_paragraph(tfl.population)
    for note in tfl.notes_above:
        document.add_paragraph(note)
    grid = tfl.grid()
    if len(grid) == 1:
        grid.append([NO_ROWS, *([""] * len(tfl.columns))])
    table = document.add_table(rows=len(grid), cols=len(grid[0]))
    table.style = "Table Grid"
    cells = _DocxCells(table)
    # each new cell is <w:tc><w:tcPr/><w:p/></w:tc>: its paragraph is replaced
    for r, (tr, values) in enumerate(zip(table._tbl.tr_lst, grid, strict=True)):
        for c, (tc, value) in enumerate(zip(tr.tc_lst, values, strict=True)):
            made = cells.paragraph(tc, value, centered=c > 0, bold=r == 0)
            tc.replace(tc[-1], deepcopy(made))
    for k, note in enumerate(tfl.footnotes, start=1):
        document.add_paragraph(f"[{k}] {note}").style = "Normal"
    if tfl.source:
        document.add_paragraph(tfl.source_line)


def _landscape(document) -> None:
    from docx.enum.section import WD_ORIENT

    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width


#: Time stamp of every DOCX part and of the document properties, so that reruns write the same
#: bytes (a run's own time is in manifest.json).
FIXED_TIME = dt.datetime(2000, 1, 1)


def _save_docx(document, path: Path) -> None:
    """Save ``document`` atomically with fixed time stamps (properties and zip entries)."""
    properties = document.core_properties
    properties.created = properties.modified = properties.last_printed = FIXED_TIME
    properties.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    with (
        atomic.atomic_path(path) as partial,
        zipfile.ZipFile(buffer) as source,
        zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            entry = zipfile.ZipInfo(item.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(item.filename))


def write_tfl_docx(tfl: Tfl, path: Path):
    """The table as a DOCX file (python-docx): heading, population, grid, footnotes, source.

    Returns the python-docx document, which :func:`write_combined_docx` can copy the table
    from instead of building it again.
    """
    import docx

    document = docx.Document()
    _landscape(document)
    _add_docx_table(document, tfl)
    _save_docx(document, path)
    return document


def _add_toc_field(document) -> None:
    """A Word TOC field over the headings (updated when the reader refreshes fields)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = document.add_paragraph()
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), 'TOC \\o "1-2" \\h \\z \\u')
    paragraph._p.append(field)


def _copy_body(source, target) -> None:
    """Append copies of the body content of the python-docx document ``source`` (everything
    but its section properties) to the body of ``target``, before its section properties."""
    end = target.element.body.sectPr
    for element in source.element.body.iterchildren():
        if element is not source.element.body.sectPr:
            end.addprevious(deepcopy(element))


def write_combined_docx(
    tfls: Sequence[Tfl], path: Path, *, written: Mapping[str, object] | None = None
) -> None:
    """One DOCX of all TFLs in order: contents (field and list), then one TFL per page.

    ``written`` maps a TFL's stem to the document :func:`write_tfl_docx` returned for it: its
    content is copied instead of building the TFL again (the same XML).
    """
    import docx

    written = written or {}
    document = docx.Document()
    _landscape(document)
    document.add_heading("Contents", level=1)
    _add_toc_field(document)
    _add_docx_table(document, _toc_tfl(tfls))
    for tfl in tfls:
        document.add_page_break()
        if tfl.stem in written:
            _copy_body(written[tfl.stem], document)
        else:
            _add_docx_table(document, tfl)
    _save_docx(document, path)
