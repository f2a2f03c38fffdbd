"""The key-results page: one line per registered question, each number taken from a cell of a
numbered table and linked to it, with the data status of the cut beside it.

Every number is read from the :class:`~outcomes.report.tfl.table.Tfl` it links to, so the page
and the tables cannot disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from outcomes.report.html import text
from outcomes.report.tfl.format import format_level
from outcomes.report.tfl.table import Tfl

#: Registered questions in page order (key -> wording).
QUESTIONS: dict[str, str] = {
    "safety": "CAR-T-related AEs within 3 months (Day 0-91)",
    "obd": "Recommended optimal biological dose",
    "activity": "Disease activity: mean change from baseline [{level} CI]",
    "response": "DORIS, SRI-4 and LLDAS response",
    "maintenance": "Drug-free DORIS and LLDAS maintenance",
    "time_to": "Median time to first DORIS and LLDAS, months [{level} CI]",
}
MONTHS: tuple[str, ...] = ("MONTH 3", "MONTH 6", "MONTH 12")


@dataclass(frozen=True)
class KeyItem:
    """One number: its label, text, and the table cell it comes from (None: not a table cell)."""

    label: str
    value: str
    number: str | None = None
    anchor: str | None = None
    row: str | None = None
    column: int | None = None


@dataclass(frozen=True)
class KeyLine:
    """A registered question and its numbers."""

    key: str
    question: str
    items: tuple[KeyItem, ...]


def _items(
    tfls: dict[str, Tfl], number: str, specs: Sequence[tuple[str, str]], column: int
) -> list[KeyItem]:
    tfl = tfls.get(number)
    if tfl is None:
        return []
    keys = {r.key for r in tfl.rows}
    return [
        KeyItem(label, tfl.cell(row, column), number, tfl.anchor, row, column)
        for label, row in specs
        if row in keys
    ]


def create_key_results(
    tfls: Sequence[Tfl], *, conf_level: float, obd: pl.DataFrame | None = None, column: int = -1
) -> list[KeyLine]:
    """The key-results lines from the TFLs (cells of the ``column``; default Total).

    ``conf_level`` is the level of the tables' intervals, named in the questions' wording.

    Returns
    -------
    list[KeyLine]
        One line per :data:`QUESTIONS` entry; a line whose table is absent has no items.
    """
    by_number = {t.number: t for t in tfls}
    ncol = {t.number: len(t.columns) for t in tfls}
    col = {n: (column if column >= 0 else k + column) for n, k in ncol.items()}

    def items(number: str, specs: Sequence[tuple[str, str]]) -> list[KeyItem]:
        return _items(by_number, number, specs, col.get(number, 0))

    # The primary safety endpoint by dose level and in total; categories in total.
    primary = by_number.get("Table 14.3.1")
    safety: list[KeyItem] = []
    if primary is not None:
        for label, row in (("any grade", "any_any"), ("grade >= 3", "any_sev")):
            safety += [
                KeyItem(
                    f"{label}, {header}",
                    primary.cell(row, k),
                    primary.number,
                    primary.anchor,
                    row,
                    k,
                )
                for k, header in enumerate(primary.columns)
            ]
    safety += items(
        "Table 14.3.1",
        [
            ("CRS", "crs_any"),
            ("ICANS", "icans_any"),
            ("ICAHT [laboratory]", "icaht_lab_any"),
            ("ICAHT [reported as AE]", "icaht_ae_any"),
            ("infection", "infection_any"),
        ],
    )
    activity = items(
        "Table 14.2.5",
        [
            (f"{label} {m.title()}", f"{p.lower()}_{m.lower().replace(' ', '')}_chg")
            for p, label in (
                ("SLEDAI2K", "SLEDAI-2K"),
                ("SELENA", "SELENA-SLEDAI"),
                ("PGA", "PGA"),
                ("GCDOSE", "GC dose"),
            )
            for m in MONTHS
        ],
    )
    response = items(
        "Table 14.2.1",
        [
            (f"{label} {m.title()}", f"{p.lower()}_{m.lower().replace(' ', '')}")
            for p, label in (("DORIS", "DORIS"), ("SRI4", "SRI-4"), ("LLDAS", "LLDAS"))
            for m in MONTHS
        ],
    )
    maintenance = items(
        "Table 14.2.4",
        [
            (f"{label} {m.title()}", f"{p.lower()}_{m.lower().replace(' ', '')}")
            for p, label in (("DFMAINT", "drug-free DORIS"), ("LLMAINT", "LLDAS"))
            for m in MONTHS
        ],
    )
    time_to = items("Table 14.2.6", [("DORIS", "ttdoris_median"), ("LLDAS", "ttlldas_median")])
    obd_items: list[KeyItem] = []
    if obd is not None and obd.height and "recommended" in obd.columns:
        chosen = obd.filter(pl.col("recommended").cast(pl.String).str.to_lowercase() == "true")
        dose = chosen["DOSELVL"][0] if chosen.height else "none admissible"
        rule = str(obd["rule"][0]) if "rule" in obd.columns else ""
        obd_items = [KeyItem("dose", str(dose)), KeyItem("rule", rule)]
    found = {
        "safety": safety,
        "obd": obd_items,
        "activity": activity,
        "response": response,
        "maintenance": maintenance,
        "time_to": time_to,
    }
    level = format_level(conf_level)
    return [KeyLine(k, q.format(level=level), tuple(found[k])) for k, q in QUESTIONS.items()]


def render_key_results(
    lines: Sequence[KeyLine], *, status: Sequence[str], column_label: str
) -> str:
    """The key-results page as HTML: a table of questions and linked numbers, the status box."""
    body = []
    for line in lines:
        parts = []
        for item in line.items:
            value = text(item.value)
            if item.anchor:
                value = f'<a href="#{text(item.anchor)}-{text(item.row)}">{value}</a>'
            parts.append(f"{text(item.label)}: {value}")
        numbers = "; ".join(parts) if parts else "not available in this run"
        body.append(
            f'<tr id="kr-{text(line.key)}"><th scope="row">{text(line.question)}</th>'
            f"<td>{numbers}</td></tr>"
        )
    status_html = "".join(f"<li>{text(s)}</li>" for s in status)
    return (
        f'<div class="kr-status"><h3>Data status of the cut</h3><ul>{status_html}</ul></div>'
        f'<p class="method">Numbers: {text(column_label)} unless a column is named; each links '
        "to its table cell.</p>"
        f'<table class="kr"><tbody>{"".join(body)}</tbody></table>'
    )
