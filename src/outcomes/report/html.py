"""HTML building blocks of the report: escaped text, tables, embedded figures, one style sheet.

Every string that comes from data or configuration goes through :func:`text` (``html.escape``
with quotes), so the report carries no markup or script from its inputs. Images are embedded as
base64 PNG data URIs; the page needs no network and no JavaScript.
"""

from __future__ import annotations

import base64
import datetime as dt
import html

import polars as pl

#: Text longer than this is wrapped in a wide cell, or printed once when constant.
LONG_TEXT = 40

CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;margin:2em auto;max-width:1150px;color:#222;
line-height:1.4;padding:0 1em}
h1{border-bottom:3px solid #2c5d8a;padding-bottom:.2em}h2{color:#2c5d8a;margin-top:2em;
border-bottom:1px solid #ccd}h3{margin-bottom:.3em}
table{border-collapse:collapse;margin:.5em 0 1.2em;font-size:.85em}
th,td{border:1px solid #ccd;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#eef2f7}tr:nth-child(even) td{background:#fafbfd}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.txt{white-space:nowrap}td.long{min-width:22em}.tw{overflow-x:auto;max-width:100%}
.method{font-size:.85em;color:#444;margin:.1em 0}
.note{background:#fff6e0;border-left:4px solid #e0a800;padding:.5em 1em;margin:1em 0}
.caption{font-style:italic;color:#555;margin:.2em 0 .4em}
img{max-width:100%;height:auto;border:1px solid #eee}
nav ol{columns:2}code{background:#f3f3f3;padding:0 3px}
.tfl{margin:1.5em 0 2em}.tfl-title{margin-bottom:.1em}.population{margin:0 0 .3em;font-weight:600}
table.tfl-table th[scope=row]{font-weight:normal;background:none;white-space:nowrap}
th.l1{padding-left:1.6em}th.l2{padding-left:2.8em}th.l0{font-weight:600!important}
table.tfl-table td.num{text-align:center}
.footnotes,.source{font-size:.8em;color:#444;margin:.2em 0}
table.kr th{width:30%;background:#eef2f7}table.kr td{line-height:1.6}
.kr-status{background:#eef7ee;border-left:4px solid #3a3;padding:.3em 1em;margin:1em 0}
""".strip()


def text(value: object) -> str:
    """``value`` as HTML text: ``None`` -> empty, dates ISO, everything escaped."""
    if value is None:
        return ""
    if isinstance(value, float):
        return html.escape(f"{value:.4g}")
    if isinstance(value, dt.date):
        return value.isoformat()
    return html.escape(str(value), quote=True)


def _split_constant_text(frame: pl.DataFrame) -> tuple[pl.DataFrame, list[str]]:
    """Move long text columns holding one value on every row out of the table (as lines)."""
    lines, drop = [], []
    if frame.height > 1:
        for col, dtype in frame.schema.items():
            values = frame[col].unique()
            if dtype == pl.String and values.len() == 1 and len(values[0] or "") > LONG_TEXT:
                lines.append(f"{col}: {values[0]}")
                drop.append(col)
    return frame.drop(drop), lines


def render_table(frame: pl.DataFrame, *, caption: str, max_rows: int = 500) -> str:
    """A plain HTML table of ``frame`` with an escaped caption.

    Numbers are right-aligned (4 significant digits); a long text that is the same on every row
    (a method statement) is printed once above the table; wide tables scroll sideways.
    """
    frame, constant = _split_constant_text(frame)
    numeric = {c for c, t in frame.schema.items() if t.is_numeric()}
    long = {
        c
        for c, t in frame.schema.items()
        if t == pl.String and (frame[c].str.len_chars().max() or 0) > LONG_TEXT
    }
    head = "".join(f"<th>{text(c)}</th>" for c in frame.columns)
    body = []
    for row in frame.head(max_rows).iter_rows():
        cells = (
            f'<td class="{"num" if c in numeric else "long" if c in long else "txt"}">'
            f"{text(v)}</td>"
            for c, v in zip(frame.columns, row, strict=True)
        )
        body.append("<tr>" + "".join(cells) + "</tr>")
    more = ""
    if frame.height > max_rows:
        more = render_note(f"Showing {max_rows} of {frame.height} rows; all rows are in the CSV.")
    above = "".join(f'<p class="method">{text(line)}</p>' for line in constant)
    return (
        f'<p class="caption">{text(caption)}</p>{above}<div class="tw"><table><thead><tr>{head}'
        f"</tr></thead><tbody>{''.join(body)}</tbody></table></div>{more}"
    )


def render_figure(png: bytes, *, caption: str) -> str:
    """An ``<img>`` with the PNG embedded as a data URI, and its escaped caption."""
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<figure><img alt="{text(caption)}" src="data:image/png;base64,{data}">'
        f'<figcaption class="caption">{text(caption)}</figcaption></figure>'
    )


def render_note(message: str) -> str:
    """A visible note (missing inputs, empty datasets)."""
    return f'<p class="note">{text(message)}</p>'


def render_list(items: list[str]) -> str:
    """A bulleted list of escaped items."""
    return "<ul>" + "".join(f"<li>{text(i)}</li>" for i in items) + "</ul>"


def render_section(section_id: str, title: str, body: list[str]) -> str:
    """A report section with an anchor; ``body`` is already HTML."""
    return f'<section id="{text(section_id)}"><h2>{text(title)}</h2>{"".join(body)}</section>'


def render_page(title: str, sections: list[tuple[str, str, str]]) -> str:
    """The whole HTML document: inline CSS, a table of contents, the sections in order."""
    toc = "".join(f'<li><a href="#{text(sid)}">{text(t)}</a></li>' for sid, t, _ in sections)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{text(title)}</title><style>{CSS}</style></head><body>"
        f"<h1>{text(title)}</h1><nav><ol>{toc}</ol></nav>"
        + "".join(html_ for _, _, html_ in sections)
        + "</body></html>\n"
    )
