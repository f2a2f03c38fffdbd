"""The table object every TFL output is written from: number, title, population, columns,
rows of preformatted cells, footnotes and source (the shape of a SAS PROC REPORT or rtables
shell).

Cells are text, formatted once by :mod:`outcomes.report.tfl.format`; the HTML, RTF and DOCX
writers only lay them out, so every output shows the same characters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl

from outcomes.report.tfl.format import format_header


@dataclass(frozen=True)
class TflRow:
    """One row: a lookup ``key`` (unique within the table), its label, the cells, an indent."""

    key: str
    label: str
    cells: tuple[str, ...]
    indent: int = 0


@dataclass(frozen=True)
class Tfl:
    """A numbered table or listing.

    Attributes
    ----------
    number
        ``Table 14.3.1`` or ``Listing 16.2.7.1``.
    title
        What the table shows.
    population
        The analysis set (``Safety analysis set``).
    stub
        Header of the row-label column.
    columns
        Headers of the cell columns (``DL1 (N=16)``).
    rows
        Rows in display order.
    footnotes
        Method, denominator rule, abbreviations.
    source
        The dataset(s) the numbers come from (``adam/adae.parquet``).
    section
        The TFL section the table belongs to (one regeneration target per section).
    """

    number: str
    title: str
    population: str
    stub: str
    columns: tuple[str, ...]
    rows: tuple[TflRow, ...]
    footnotes: tuple[str, ...] = ()
    source: str = ""
    section: str = "tables"
    notes_above: tuple[str, ...] = field(default=())

    @property
    def anchor(self) -> str:
        """HTML id of the table: ``table-14-3-1``."""
        return re.sub(r"[^a-z0-9]+", "-", self.number.lower()).strip("-")

    @property
    def stem(self) -> str:
        """File stem of the table's own RTF/DOCX files: ``t_14_3_1`` or ``l_16_2_7_1``."""
        kind, _, num = self.number.partition(" ")
        return f"{kind[0].lower()}_{num.replace('.', '_')}"

    @property
    def heading(self) -> str:
        """``Table 14.3.1 Title``."""
        return f"{self.number} {self.title}"

    @property
    def source_line(self) -> str:
        """``Source: adam/adae.parquet``."""
        return f"Source: {self.source}" if self.source else ""

    def cell(self, key: str, column: int) -> str:
        """The text of the cell in row ``key`` and cell column ``column`` (0-based).

        Raises
        ------
        KeyError
            When the table has no row ``key``.
        """
        for row in self.rows:
            if row.key == key:
                return row.cells[column]
        raise KeyError(f"{self.number} has no row {key!r}")

    def grid(self) -> list[list[str]]:
        """Header row then body rows as plain text (row label indented by two spaces a level)."""
        header = [self.stub, *self.columns]
        body = [["  " * r.indent + r.label, *r.cells] for r in self.rows]
        return [header, *body]


def create_tfl_frame(tfl: Tfl) -> pl.DataFrame:
    """The table's text grid as a frame (row label column named by the stub), for CSV output."""
    header, *body = tfl.grid()
    names = [header[0], *[f"{h}" for h in header[1:]]]
    return pl.DataFrame(body, schema=dict.fromkeys(names, pl.String), orient="row")


def create_column_headers(groups: list[tuple[str, int]]) -> tuple[str, ...]:
    """``DL1 (N=16)`` headers from (label, N) pairs."""
    return tuple(format_header(label, n) for label, n in groups)
