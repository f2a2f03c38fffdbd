"""RTF encoding of one rtflite document, the same bytes as ``RTFDocument.rtf_encode()`` at a
fraction of the cost for long listings.

rtflite's encoder builds a broadcast-value model per attribute and cell (about 20 pydantic
objects a cell), loads the font file again to measure each cell for its pagination, and renders
the identical column header again on every page. This module runs the same pipeline with
rtflite's own objects (its pagination calculator, page feature processor, page renderer, and
its ``Row``, ``Cell``, ``TextContent`` and ``Border`` models for the body), but

* measures each distinct cell text once, with the font loaded once (the same metric-compatible
  font file and size rtflite's pagination measures with);
* encodes each distinct cell (text and attributes) and each distinct cell border once, and
  reuses the text;
* renders the column header once for the first page and once for the following pages.

Documents with features this path does not follow (several sections, ``page_by``,
``subline_by``, ``group_by``, figures) are encoded by rtflite itself (:func:`encode_rtf`).
``tests/report/test_tfl_rtf.py`` checks that both give the same text.
"""

from __future__ import annotations

import importlib.resources as resources
import math
from functools import lru_cache
from itertools import pairwise
from typing import Any

import polars as pl
import rtflite.fonts
from PIL import ImageFont
from rtflite import strwidth
from rtflite.attributes import BroadcastValue
from rtflite.encoding.renderer import PageRenderer
from rtflite.input import RTFBody
from rtflite.pagination.core import PageBreakCalculator, RTFPagination
from rtflite.pagination.processor import PageFeatureProcessor
from rtflite.pagination.strategies.base import PageContext
from rtflite.row import Border, Cell, Row, TextContent, Utils
from rtflite.services import RTFEncodingService
from rtflite.services.color_service import color_service
from rtflite.services.document_service import RTFDocumentService

#: Font (rtflite font number) and size of rtflite's pagination measure (pagination/core.py).
_MEASURE_FONT = 1
_MEASURE_SIZE = 9.0
#: Table attributes a body cell or row is encoded from (TableAttributes._encode).
_TEXT_ATTRS: tuple[str, ...] = (
    "text_font",
    "text_font_size",
    "text_format",
    "text_color",
    "text_background_color",
    "text_justification",
    "text_indent_first",
    "text_indent_left",
    "text_indent_right",
    "text_space",
    "text_space_before",
    "text_space_after",
    "text_convert",
    "text_hyphenation",
)
_CELL_ATTRS: tuple[str, ...] = (
    "border_left",
    "border_right",
    "border_top",
    "border_bottom",
    "cell_vertical_justification",
)
_ROW_ATTRS: tuple[str, ...] = ("cell_justification", "cell_height")


@lru_cache(maxsize=1)
def _measure_font():
    """The font rtflite's pagination measures with, loaded once (rtflite.strwidth)."""
    name = strwidth.RTF_FONT_NAMES[_MEASURE_FONT]
    path = resources.files(rtflite.fonts) / strwidth._FONT_PATHS[name]
    return ImageFont.truetype(str(path), size=_MEASURE_SIZE)


def measure_string_width(text: str) -> float:
    """Width in inches of ``text`` as rtflite's pagination measures it (``get_string_width``
    with font 1 at 9 points, 72 dpi), with the font file loaded once."""
    return _measure_font().getlength(text) / 72.0


def count_row_lines(frame: pl.DataFrame, col_widths: list[float]) -> list[int]:
    """Lines each row of ``frame`` takes in rtflite's pagination: per cell
    ``max(1, int(width / column width) + 1)``, the most of its cells; each distinct text is
    measured once. ``col_widths`` are cumulative right edges, as rtflite passes them."""
    widths = [col_widths[0], *(b - a for a, b in pairwise(col_widths))]
    lines = [1] * frame.height
    measured: dict[str, float] = {}
    for name, width in zip(frame.columns, widths, strict=False):
        for i, value in enumerate(frame[name].to_list()):
            text = str(value)
            size = measured.get(text)
            if size is None:
                size = measured[text] = measure_string_width(text)
            lines[i] = max(lines[i], max(1, int(size / width) + 1))
    return lines


def _is_plain(document: Any) -> bool:
    """True when ``document`` is one table with the default pagination and no figure."""
    body = document.rtf_body
    return (
        isinstance(document.df, pl.DataFrame)
        and document.df.height > 0
        and isinstance(body, RTFBody)
        and not body.page_by
        and not body.subline_by
        and not body.group_by
        and not getattr(document, "rtf_figure", None)
    )


class _BodyEncoder:
    """Body rows of a page: rtflite's ``TableAttributes._encode`` with each distinct cell,
    border and row start encoded once."""

    def __init__(self) -> None:
        self._text: dict[tuple, str] = {}
        self._border: dict[tuple, str] = {}
        self._row: dict[tuple, tuple[str, str]] = {}

    def _text_rtf(self, key: tuple) -> str:
        rtf = self._text.get(key)
        if rtf is None:
            values = dict(zip(("text", *(a[5:] for a in _TEXT_ATTRS)), key, strict=True))
            rtf = self._text[key] = TextContent(**values)._as_rtf(method="cell")
        return rtf

    def _border_rtf(self, key: tuple) -> str:
        rtf = self._border.get(key)
        if rtf is None:
            left, last, right, top, bottom, vertical, width = key
            cell = Cell(
                text=TextContent(text=""),
                width=width,
                border_left=Border(style=left),
                border_right=Border(style=right) if last else None,
                border_top=Border(style=top),
                border_bottom=Border(style=bottom),
                vertical_justification=vertical,
            )
            rtf = self._border[key] = cell._as_rtf()
        return rtf

    def _row_ends(self, key: tuple) -> tuple[str, str]:
        ends = self._row.get(key)
        if ends is None:
            start, end = Row(row_cells=[], justification=key[0], height=key[1])._as_rtf()
            ends = self._row[key] = (start, end)
        return ends

    def encode(self, attrs: Any, frame: pl.DataFrame, col_widths: list[float]) -> list[str]:
        """The RTF rows of ``frame`` with the page's final attributes ``attrs``."""
        dim = frame.shape
        grid = {
            name: BroadcastValue(value=getattr(attrs, name), dimension=dim).value
            for name in (*_TEXT_ATTRS, *_CELL_ATTRS, *_ROW_ATTRS)
        }

        def at(name: str, i: int, j: int) -> Any:
            value = grid[name]
            if value is None:
                return None
            return value[i % len(value)][j % len(value[0])]

        last = dim[1] - 1
        cell_keys = [
            [
                (
                    at("border_left", i, j),
                    j == last,
                    at("border_right", i, j) if j == last else None,
                    at("border_top", i, j),
                    at("border_bottom", i, j),
                    at("cell_vertical_justification", i, j),
                    col_widths[j],
                )
                for j in range(dim[1])
            ]
            for i in range(min(dim[0], self._period(grid, _CELL_ATTRS, dim[0])))
        ]
        text_attrs = [
            [tuple(at(name, i, j) for name in _TEXT_ATTRS) for j in range(dim[1])]
            for i in range(min(dim[0], self._period(grid, _TEXT_ATTRS, dim[0])))
        ]
        rows: list[str] = []
        for i, values in enumerate(frame.iter_rows()):
            start, end = self._row_ends((at("cell_justification", i, 0), at("cell_height", i, 0)))
            borders = cell_keys[i % len(cell_keys)]
            texts = text_attrs[i % len(text_attrs)]
            rows.append(start)
            rows.extend(self._border_rtf(k) for k in borders)
            rows.extend(
                self._text_rtf(("" if v is None else str(v), *texts[j]))
                for j, v in enumerate(values)
            )
            rows.append(end)
        return rows

    @staticmethod
    def _period(grid: dict[str, Any], names: tuple[str, ...], height: int) -> int:
        """Rows after which the attributes ``names`` repeat (the least common multiple of their
        row counts, at most ``height``): row i has the attributes of row i modulo it."""
        period = 1
        for name in names:
            value = grid[name]
            if value is not None:
                period = math.lcm(period, len(value))
            if period >= height:
                return height
        return period


class _EncodingService(RTFEncodingService):
    """rtflite's encoding service with the title encoded once (the same on every page)."""

    def __init__(self) -> None:
        super().__init__()
        self._titles: dict[tuple[int, str], str] = {}

    def encode_title(self, title_config: Any, method: str = "line") -> str:
        key = (id(title_config), method)
        if key not in self._titles:
            self._titles[key] = super().encode_title(title_config, method=method)
        return self._titles[key]


class _PageProcessor(PageFeatureProcessor):
    """rtflite's page feature processor, run once per kind of page: the final attributes
    and borders of a page depend only on its shape and on whether it is the first or the
    last page."""

    def __init__(self) -> None:
        super().__init__()
        self._done: dict[tuple, tuple[Any, dict[str, Any]]] = {}

    def process(self, document: Any, page: PageContext) -> PageContext:
        key = (page.data.shape, page.is_first_page, page.is_last_page)
        if key not in self._done:
            page = super().process(document, page)
            self._done[key] = (page.final_body_attrs, dict(page.component_borders))
            return page
        page.final_body_attrs, borders = self._done[key]
        page.component_borders = dict(borders)
        return page


class _PageRenderer(PageRenderer):
    """rtflite's page renderer with the fast body, the title encoded once and the column
    header rendered once per kind of page (first, following)."""

    def __init__(self) -> None:
        super().__init__()
        self.encoding_service = _EncodingService()
        self._body = _BodyEncoder()
        self._headers: dict[bool, list[str]] = {}

    def _render_column_headers(self, document: Any, page: PageContext) -> list[str]:
        if page.is_first_page not in self._headers:
            self._headers[page.is_first_page] = super()._render_column_headers(document, page)
        return list(self._headers[page.is_first_page])

    def _render_body(self, document: Any, page: PageContext) -> list[str]:
        attrs = page.final_body_attrs or page.table_attrs or document.rtf_body
        return self._body.encode(attrs, page.data, page.col_widths)


def _paginate(document: Any, frame: pl.DataFrame, attrs: Any) -> list[PageContext]:
    """Pages of ``frame`` as rtflite's default pagination strategy cuts them."""
    page = document.rtf_page
    width = page.col_width if page.col_width is not None else 8.5
    rel = attrs.col_rel_width if attrs.col_rel_width else [1] * frame.width
    col_widths = Utils._col_widths(rel, width)
    additional = RTFDocumentService().calculate_additional_rows_per_page(document)
    lines = count_row_lines(frame, col_widths)
    calculator = PageBreakCalculator(
        pagination=RTFPagination(
            page_width=page.width,
            page_height=page.height,
            margin=page.margin,
            nrow=page.nrow,
            orientation=page.orientation,
        )
    )
    meta = pl.DataFrame(
        {
            "row_index": range(frame.height),
            "total_rows": lines,
            "is_group_start": [False] * frame.height,
            "is_subline_start": [False] * frame.height,
            "page": [0] * frame.height,
        },
        schema={
            "row_index": pl.Int64,
            "total_rows": pl.Int64,
            "is_group_start": pl.Boolean,
            "is_subline_start": pl.Boolean,
            "page": pl.Int64,
        },
    )
    bounds = (
        calculator._assign_pages(meta, additional, False)
        .group_by("page")
        .agg(pl.col("row_index").min().alias("start"), pl.col("row_index").max().alias("end"))
        .sort("page")
    )
    total = bounds.height
    return [
        PageContext(
            page_number=int(number),
            total_pages=total,
            data=frame.slice(start, end - start + 1),
            is_first_page=number == 1,
            is_last_page=number == total,
            col_widths=col_widths,
            needs_header=bool(document.rtf_body.pageby_header or number == 1),
            table_attrs=attrs,
        )
        for number, start, end in bounds.iter_rows()
    ]


def _encode_pages(document: Any) -> list[str]:
    """The page chunks of the single-body ``document`` (UnifiedRTFEncoder._encode_body_section
    with the default strategy)."""
    frame, _, attrs = RTFEncodingService().prepare_dataframe_for_body_encoding(
        document.df, document.rtf_body
    )
    processor = _PageProcessor()
    renderer = _PageRenderer()
    chunks: list[str] = []
    for page in _paginate(document, frame, attrs):
        chunks.extend(renderer.render(document, processor.process(document, page)))
    return chunks


def encode_rtf(document: Any) -> str:
    """The RTF text of the rtflite ``document``, equal to ``document.rtf_encode()``."""
    if not _is_plain(document):
        return document.rtf_encode()
    service = RTFEncodingService()
    color_service.set_document_context(document)
    try:
        chunks = _encode_pages(document)
        parts = [
            service.encode_document_start(),
            service.encode_font_table(),
            service.encode_color_table(document),
            "\n",
            service.encode_page_header(document.rtf_page_header, method="line"),
            service.encode_page_footer(document.rtf_page_footer, method="line"),
            service.encode_page_settings(document.rtf_page),
            "\n".join(chunks),
            "\n\n",
            "}",
        ]
    finally:
        color_service.clear_document_context()
    return "\n".join(p for p in parts if p is not None)
