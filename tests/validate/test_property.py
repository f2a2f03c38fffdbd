"""Property: a valid export corrupted at random (cells, types, columns, encodings, truncation,
shuffled headers, delimiters, empty files) never raises, always exits 1 or 2, and every
corruption is located (its table, and its row and column where it has them, appear in issues).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outcomes.schemas.export import EXPORT_COLUMNS
from tests.validate.conftest import base_tables, run, set_cell, write_tables

FREE_TEXT = {"STUDYID", "USUBJID", "SITEID", "AETERM", "AEDECOD", "CMTRT", "LBTESTCD", "LBSTRESU"}
#: Columns whose every cell breaks when their header names are swapped (date vs number/code).
SWAPS = {
    "subjects": [("CONSDT", "SEX"), ("LDFL", "AGE"), ("EOSSTT", "WEIGHT")],
    "assessments": [("ASMDT", "VISIT"), ("PGA", "BILAG_RENAL"), ("ASMDT", "SLEDAI_FEVER")],
    "medications": [("CMSTDT", "CMDOSU"), ("CMDOSE", "CMROUTE")],
    "adverse_events": [("AESTDT", "AECAT"), ("AETOXGR", "AESER")],
    "labs": [("LBDT", "LBSTRESN")],
}
BAD_TEXT = st.text(alphabet="qxz#?", min_size=1, max_size=6)
BAD_TYPED = st.sampled_from(["2026-02-30", "2026-13-01", "1,5", "1.5.2", "--1", "1e", "Infinity"])
KINDS = [
    "cell",
    "typed",
    "drop_column",
    "encoding",
    "truncate",
    "swap_headers",
    "duplicate",
    "delimiter",
    "empty",
]


def _checked_columns(table: str) -> list[str]:
    return [
        s.name
        for s in EXPORT_COLUMNS[table]
        if s.name not in FREE_TEXT
        and (s.type != "str" or s.allowed is not None)
        and s.name in base_tables()[table][0]
    ]


@st.composite
def corruptions(draw: st.DrawFn) -> list[tuple]:
    tables = draw(st.lists(st.sampled_from(list(SWAPS)), min_size=1, max_size=3, unique=True))
    out = []
    for table in tables:
        kind = draw(st.sampled_from(KINDS))
        n_rows = len(base_tables()[table][1])
        row = draw(st.integers(1, n_rows))
        if kind in ("cell", "typed"):
            column = draw(st.sampled_from(_checked_columns(table)))
            out.append((kind, table, row, column, draw(BAD_TEXT if kind == "cell" else BAD_TYPED)))
        elif kind in ("drop_column", "duplicate"):
            required = [s.name for s in EXPORT_COLUMNS[table] if s.required == "yes"]
            out.append((kind, table, None, draw(st.sampled_from(required)), None))
        elif kind == "encoding":
            out.append((kind, table, row, draw(st.sampled_from(base_tables()[table][0])), None))
        elif kind == "swap_headers":
            out.append((kind, table, None, draw(st.sampled_from(SWAPS[table])), None))
        elif kind == "truncate":
            out.append((kind, table, n_rows, None, draw(st.floats(0.0, 0.99))))
        else:
            out.append((kind, table, None, None, None))
    return out


def _apply_in_memory(tables: dict, corruption: tuple) -> None:
    kind, table, row, column, value = corruption
    columns, rows = tables[table]
    if kind in ("cell", "typed"):
        set_cell(tables, table, row, column, value)
    elif kind == "encoding":
        set_cell(tables, table, row, column, "QQLATINQQ")
    elif kind == "drop_column":
        i = columns.index(column)
        tables[table] = (columns[:i] + columns[i + 1 :], [r[:i] + r[i + 1 :] for r in rows])


def _apply_on_file(folder: Path, corruption: tuple) -> None:
    kind, table, _, column, value = corruption
    path = folder / f"{table}.csv"
    data = path.read_bytes()
    if kind == "encoding":
        data = data.replace(b"QQLATINQQ", "\u00e9t\u00e9".encode("latin-1"))
    elif kind in ("swap_headers", "duplicate"):
        header, rest = data.split(b"\n", 1)
        names = header.decode().split(",")
        if kind == "swap_headers":
            i, j = names.index(column[0]), names.index(column[1])
            names[i], names[j] = names[j], names[i]
        else:
            names[names.index(column)] = names[0] if names[0] != column else names[1]
        data = ",".join(names).encode() + b"\n" + rest
    elif kind == "truncate":
        body, last = data.rstrip(b"\n").rsplit(b"\n", 1)
        cut = 1 + int(value * (last.rindex(b",") - 1))  # keep >= 1 byte, lose >= 1 field
        data = body + b"\n" + last[:cut]
    elif kind == "delimiter":
        data = data.replace(b",", b";")
    elif kind == "empty":
        data = b""
    path.write_bytes(data)


def _expected(corruption: tuple) -> list[tuple]:
    """(TABLE, ROW, COLUMN) that must appear (None = any)."""
    kind, table, row, column, _ = corruption
    if kind in ("cell", "typed", "encoding"):
        return [(table, row, column)]
    if kind == "drop_column":
        return [(table, None, column)]
    if kind == "swap_headers":
        return [(table, None, column[0]), (table, None, column[1])]
    if kind == "truncate":
        return [(table, row, None)]
    return [(table, None, None)]


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corruptions())
def test_validate_export__random_corruptions_are_located(plan):
    tables = base_tables()
    for corruption in plan:
        _apply_in_memory(tables, corruption)
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_tables(Path(tmp), tables)
        for corruption in plan:
            _apply_on_file(folder, corruption)
        report = run(folder)
    assert report.exit_code in (1, 2)
    found = set(report.issues.select("TABLE", "ROW", "COLUMN").iter_rows())
    for corruption in plan:
        for table, row, column in _expected(corruption):
            assert any(
                t == table and row in (None, r) and column in (None, c) for t, r, c in found
            ), (corruption, report.issues)
