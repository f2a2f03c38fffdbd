"""Plant faults into a clean export, one or more of every kind the validator can find in data,
and list them in ``errors_manifest.csv`` (TABLE, ROW, COLUMN, RULE, USUBJID).

Each relational fault gets a subject of its own, so one fault never hides another. File-level
faults that would stop a table from being read (missing table, empty file, wrong delimiter) are
not planted here; the validator's tests cover them on copies. The export is rewritten as CSV.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from outcomes import contract as c
from outcomes.errors import InputDataError
from outcomes.io import atomic
from outcomes.io.export import find_table_file, read_raw_table

MANIFEST_SCHEMA = {
    "TABLE": pl.String,
    "ROW": pl.Int64,
    "COLUMN": pl.String,
    "RULE": pl.String,
    "USUBJID": pl.String,
}
LATIN1_MARK = "__LATIN1__"
DUP_MARK = "__DUPCOL__"


def _day(text: str, days: int) -> str:
    return (dt.date.fromisoformat(text) + dt.timedelta(days=days)).isoformat()


class _Export:
    """The raw text tables being edited and the manifest of planted faults."""

    def __init__(self, export_dir: Path, seed: int) -> None:
        self.tables = {}
        for table in c.TABLES:
            path = find_table_file(export_dir, table)
            if path is not None:
                self.tables[table] = read_raw_table(path)
        self.rng = np.random.default_rng(seed)
        self.manifest: list[tuple[str, int | None, str | None, str, str | None]] = []
        self.used_rows: set[tuple[str, int]] = set()

    def get(self, table: str, row: int, column: str) -> str | None:
        return self.tables[table].filter(pl.col("ROW") == row)[column].item()

    def put(
        self,
        table: str,
        row: int,
        column: str,
        value: str | None,
        rule: str | None = None,
        usubjid: str | None = None,
    ) -> None:
        frame = self.tables[table]
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(column))
        self.tables[table] = frame.with_columns(
            pl.when(pl.col("ROW") == row)
            .then(pl.lit(value, dtype=pl.String))
            .otherwise(pl.col(column))
            .alias(column)
        )
        self.used_rows.add((table, row))
        if rule is not None:
            self.note(rule, table, row, column, usubjid or self.get(table, row, "USUBJID"))

    def append(self, table: str, values: dict[str, str | None]) -> int:
        frame = self.tables[table]
        row = frame.height + 1
        new = pl.DataFrame(
            [{**dict.fromkeys(frame.columns), **values, "ROW": row}], schema=frame.schema
        )
        self.tables[table] = pl.concat([frame, new])
        return row

    def note(
        self, rule: str, table: str, row: int | None, column: str | None, usubjid: str | None
    ) -> None:
        self.manifest.append((table, row, column, rule, usubjid))

    def free_row(self, table: str, condition: pl.Expr | None = None) -> int:
        frame = self.tables[table]
        rows = (frame if condition is None else frame.filter(condition))["ROW"].to_list()
        rows = [r for r in rows if (table, r) not in self.used_rows]
        if not rows:
            raise InputDataError(f"plant_errors: no free {table} record for the next fault.")
        return int(self.rng.choice(rows))


def _plant_cells(e: _Export) -> None:
    cells = [
        ("medications", "CMTRT", None, "VAL-001"),
        ("assessments", "ASMDT", "12/03/2026", "VAL-002"),
        ("adverse_events", "AESTDT", "2026-02-30", "VAL-003"),
        ("subjects", "WEIGHT", "seventy", "VAL-004"),
        ("subjects", "SEX", "X", "VAL-005"),
        ("medications", "CMDOSFRQ", "Q3D", "VAL-005"),
        ("assessments", "BILAG_RENAL", "F", "VAL-005"),
        ("assessments", "SLEDAI_FEVER", "2", "VAL-005"),
        ("adverse_events", "AESER", "YES", "VAL-005"),
        ("assessments", "PGA", "3.5", "VAL-006"),
        ("adverse_events", "AETOXGR", "6", "VAL-006"),
        ("subjects", "AGE", "130", "VAL-006"),
        ("medications", "CMDOSE", "-5", "VAL-006"),
        ("assessments", "PGA", "1.234", "VAL-007"),
        ("assessments", "PGA", None, "VAL-012"),
        ("assessments", "UPCR", "1e18", "VAL-013"),
        ("medications", "CMROUTE", "OTHER", "VAL-008"),
        ("adverse_events", "AEREL", " Y", "VAL-009"),
    ]
    for table, column, value, rule in cells:
        e.put(table, e.free_row(table), column, value, rule)
    infused = pl.col("INFDT").is_not_null()
    e.put("subjects", e.free_row("subjects", infused), "DOSELVL", None, "VAL-010")
    e.put("subjects", e.free_row("subjects", infused), "DOSELVL", "DL9", "VAL-011")


class _Subjects:
    """Plain subjects (lymphodepleted, infused, alive, not discontinued), one per fault."""

    def __init__(self, e: _Export) -> None:
        s = e.tables["subjects"]
        plain = s.filter(
            (pl.col("LDFL") == "Y")
            & pl.col("INFDT").is_not_null()
            & pl.col("DTHDT").is_null()
            & (pl.col("EOSSTT") != "DISCONTINUED")
            & (pl.col("USUBJID").is_unique())
        )
        plain = plain.filter(~pl.col("ROW").is_in([r for t, r in e.used_rows if t == "subjects"]))
        self.rows = [int(r) for r in e.rng.permutation(plain["ROW"].to_numpy())]
        self.e = e

    def take(self, need: str | None = None) -> tuple[int, str]:
        """A fresh subject (its subjects ROW and USUBJID) with records in table ``need``."""
        while self.rows:
            row = self.rows.pop()
            usubjid = self.e.get("subjects", row, "USUBJID")
            if need is None or (self.e.tables[need]["USUBJID"] == usubjid).sum() >= 2:
                return row, str(usubjid)
        raise InputDataError("plant_errors: the export has too few plain subjects for every fault.")


def _rows_of(e: _Export, table: str, usubjid: str, order: str) -> list[int]:
    rows = e.tables[table].filter(pl.col("USUBJID") == usubjid).sort(order, "ROW")
    return [int(r) for r in rows["ROW"]]


def _plant_keys(e: _Export, subjects: _Subjects) -> None:
    for table, column, rule in (
        ("medications", "CMSEQ", "KEY-002"),
        ("adverse_events", "AESEQ", "KEY-003"),
    ):
        _, usubjid = subjects.take(table)
        first, second = sorted(_rows_of(e, table, usubjid, "ROW")[:2])
        e.put(table, second, column, e.get(table, first, column), rule)
    _, usubjid = subjects.take("assessments")
    first, second = _rows_of(e, "assessments", usubjid, "ASMDT")[-2:]
    e.put("assessments", second, "ASMDT", e.get("assessments", first, "ASMDT"), "KEY-004")
    e.put(
        "medications",
        e.free_row("medications"),
        "USUBJID",
        "NCT-UNKNOWN-0000",
        "KEY-005",
        usubjid="NCT-UNKNOWN-0000",
    )
    last = e.tables["subjects"].row(-1, named=True)
    row = e.append("subjects", {k: v for k, v in last.items() if k != "ROW"})
    e.note("KEY-001", "subjects", row, "USUBJID", last["USUBJID"])


def _plant_dates(e: _Export, subjects: _Subjects) -> None:
    row, usubjid = subjects.take("adverse_events")
    ae = _rows_of(e, "adverse_events", usubjid, "ROW")[0]
    e.put("adverse_events", ae, "AESTDT", _day(e.get("subjects", row, "CONSDT"), -30), "DAT-001")
    row, usubjid = subjects.take()
    e.put("subjects", row, "INFDT", _day(e.get("subjects", row, "LDSTDT"), -1), "DAT-002")
    row, usubjid = subjects.take()
    e.put("subjects", row, "INFDT", _day(e.get("subjects", row, "LDSTDT"), 30), "DAT-003")
    med = e.free_row("medications", pl.col("CMSTDT").is_not_null())
    e.put("medications", med, "CMENDT", _day(e.get("medications", med, "CMSTDT"), -1), "DAT-004")
    ae = e.free_row("adverse_events", pl.col("AESTDT").is_not_null())
    e.put(
        "adverse_events", ae, "AEENDT", _day(e.get("adverse_events", ae, "AESTDT"), -1), "DAT-004"
    )
    row, usubjid = subjects.take("assessments")
    before_last, last = _rows_of(e, "assessments", usubjid, "ASMDT")[-2:]
    death = e.get("assessments", before_last, "ASMDT")
    for column, value in (
        ("DTHDT", death),
        ("EOSSTT", "DISCONTINUED"),
        ("DCSREAS", "DEATH"),
        ("EOSDT", death),
        ("LSTALVDT", death),
    ):
        e.put("subjects", row, column, value)
    e.note("DAT-005", "assessments", last, "ASMDT", usubjid)
    row, usubjid = subjects.take()
    e.put("subjects", row, "DTHDT", e.get("subjects", row, "CONSDT"), "DAT-006")
    row, usubjid = subjects.take()
    e.put("subjects", row, "EOSSTT", "COMPLETED")
    e.put("subjects", row, "EOSDT", None, "DAT-007")


def _plant_assessment_items(e: _Export) -> None:
    items = [
        ({"SLEDAI_RASH": "0", "SLEDAI_RASH_NEW": "Y"}, "SLEDAI_RASH_NEW", "CON-001"),
        (
            {
                "SLEDAI_LOW_COMPLEMENT": "1",
                "C3": "1.5",
                "C3LLN": "0.9",
                "C4": "0.4",
                "C4LLN": "0.1",
            },
            "SLEDAI_LOW_COMPLEMENT",
            "CON-002",
        ),
        (
            {"SLEDAI_INCREASED_DNA_BINDING": "1", "DSDNA": "5", "DSDNAULN": "10"},
            "SLEDAI_INCREASED_DNA_BINDING",
            "CON-003",
        ),
        (
            {"SLEDAI_PROTEINURIA": "1", "SLEDAI_PROTEINURIA_NEW": "N", "UPCR": "0.2"},
            "SLEDAI_PROTEINURIA",
            "CON-004",
        ),
    ]
    for values, located, rule in items:
        row = e.free_row("assessments")
        for column, value in values.items():
            e.put("assessments", row, column, value)
        e.note(rule, "assessments", row, located, e.get("assessments", row, "USUBJID"))


def _plant_visits(e: _Export, subjects: _Subjects) -> None:
    row, usubjid = subjects.take("assessments")
    ldstdt = e.get("subjects", row, "LDSTDT")
    early = _rows_of(e, "assessments", usubjid, "ASMDT")
    early = [r for r in early if str(e.get("assessments", r, "ASMDT")) < str(ldstdt)]
    e.put("subjects", row, "CONSDT", _day(ldstdt, -120))
    for k, arow in enumerate(early):
        e.put("assessments", arow, "ASMDT", _day(ldstdt, -60 - k))
    e.note("CON-005", "subjects", row, "LDSTDT", usubjid)
    a = e.tables["assessments"]
    for _ in range(len(subjects.rows)):
        row, usubjid = subjects.take("assessments")
        mine = a.filter(pl.col("USUBJID") == usubjid)
        d28 = mine.filter(pl.col("VISIT") == "DAY 28")["ROW"].to_list()
        if d28 and (mine["VISIT"] == "MONTH 6").any():
            break
    else:
        raise InputDataError("plant_errors: no subject with DAY 28 and MONTH 6 assessments.")
    e.put("assessments", d28[0], "ASMDT", _day(e.get("subjects", row, "INFDT"), 60))
    e.note("CON-006", "assessments", d28[0], "VISIT", usubjid)
    e.note("CON-007", "assessments", None, "VISIT", usubjid)


def _plant_fatal_ae(e: _Export, subjects: _Subjects) -> None:
    _, usubjid = subjects.take("adverse_events")
    ae = _rows_of(e, "adverse_events", usubjid, "ROW")[0]
    e.put("adverse_events", ae, "AECAT", "CRS")
    e.put("adverse_events", ae, "AETOXGR", "5", "CON-008")


# fmt: off
def _drug_records(consent: str, infdt: str) -> list[tuple[dict[str, str | None], str | None,
                                                          str | None]]:
    """(values, located column, rule) of the medication records appended for one subject."""
    return [
        ({"CMTRT": "prednisone", "CMDOSE": "2000", "CMSTDT": _day(consent, -400),
          "CMENDT": _day(consent, -399)}, "CMDOSE", "CON-009"),
        ({"CMTRT": "zzmadeupumab", "CMDOSE": "10", "CMSTDT": _day(consent, -300),
          "CMENDT": _day(consent, -290)}, "CMTRT", "CON-010"),
        ({"CMTRT": "azathioprine", "CMDOSE": "50", "CMSTDT": _day(consent, -1000),
          "CMENDT": _day(consent, -900)}, "CMENDT", "CON-011"),
        ({"CMTRT": "azathioprine", "CMDOSE": "50", "CMSTDT": _day(consent, -950),
          "CMENDT": _day(consent, -850)}, None, None),
        ({"CMTRT": "methotrexate", "CMDOSE": "15", "CMDOSFRQ": "QW", "CMSTDT": _day(consent, -800),
          "CMENDT": _day(consent, -700)}, None, None),
        ({"CMTRT": "methotrexate", "CMDOSE": "20", "CMDOSFRQ": "QW", "CMSTDT": _day(consent, -800),
          "CMENDT": _day(consent, -700)}, "CMSTDT", "CON-013"),
        ({"CMTRT": "paracetamol", "CMDOSE": "500", "CMINDC": None, "CMCLAS": "SUPPORTIVE",
          "CMSTDT": _day(infdt, 10), "CMENDT": _day(infdt, 12)}, "CMINDC", "CON-012"),
    ]
# fmt: on


def _plant_drugs(e: _Export, subjects: _Subjects) -> None:
    row, usubjid = subjects.take()
    consent, infdt = e.get("subjects", row, "CONSDT"), e.get("subjects", row, "INFDT")
    meds = e.tables["medications"].filter(pl.col("USUBJID") == usubjid)
    seq = int(meds["CMSEQ"].cast(pl.Int64, strict=False).max() or 0)
    base = {
        "USUBJID": usubjid,
        "CMDOSU": "mg",
        "CMDOSFRQ": "QD",
        "CMROUTE": "ORAL",
        "CMINDC": "SLE",
    }
    for k, (values, located, rule) in enumerate(_drug_records(str(consent), str(infdt)), 1):
        new = e.append("medications", {**base, "CMSEQ": str(seq + k), **values})
        if rule is not None:
            e.note(rule, "medications", new, located, usubjid)


def _plant_crosschecks(e: _Export, subjects: _Subjects) -> None:
    """A C4 outside its physiological bounds (VAL-014), a fatal infection without a death date
    (CON-015) and a grade 2 neutropenia AE on the day of an ANC of 0.05 x 10^9/L (CON-014)."""
    e.put("assessments", e.free_row("assessments"), "C4", "7", "VAL-014")
    _, usubjid = subjects.take("adverse_events")
    ae = _rows_of(e, "adverse_events", usubjid, "ROW")[0]
    e.put("adverse_events", ae, "AECAT", "INFECTION")
    e.put("adverse_events", ae, "AETOXGR", "5", "CON-015")
    labs = e.tables["labs"]
    while True:
        _, usubjid = subjects.take("adverse_events")
        anc = labs.filter(
            (pl.col("USUBJID") == usubjid)
            & (pl.col("LBTESTCD") == "ANC")
            & (pl.col("ROW") < labs.height)  # the last line is truncated (STR-009)
        )["ROW"].to_list()
        if anc:
            break
    lab = int(anc[-1])
    day = e.get("labs", lab, "LBDT")
    e.put("labs", lab, "LBSTRESN", "0.05")
    e.put("labs", lab, "LBSTRESU", "10^9/L")
    ae = _rows_of(e, "adverse_events", usubjid, "ROW")[0]
    for column, value in (
        ("AETERM", "Neutropenia"),
        ("AEDECOD", None),
        ("AECAT", "ICAHT"),
        ("AESTDT", day),
        ("AEENDT", day),
    ):
        e.put("adverse_events", ae, column, value)
    e.put("adverse_events", ae, "AETOXGR", "2", "CON-014")


def _write_with_file_faults(e: _Export, export_dir: Path) -> None:
    """Write every table as CSV; plant a BOM, a duplicated column and a non-UTF-8 cell in
    adverse_events and a truncated last line in labs."""
    ae_row = e.free_row("adverse_events")
    e.put("adverse_events", ae_row, "AETERM", LATIN1_MARK, "STR-006")
    e.tables["adverse_events"] = e.tables["adverse_events"].with_columns(
        pl.col("AETERM").alias(DUP_MARK)
    )
    for table, frame in e.tables.items():
        for suffix in (".csv", ".parquet"):
            (export_dir / f"{table}{suffix}").unlink(missing_ok=True)
        data = frame.drop("ROW").write_csv().encode("utf-8")
        if table == "adverse_events":
            data = data.replace(DUP_MARK.encode(), b"AETERM", 1)
            data = data.replace(LATIN1_MARK.encode(), "Fi\u00e8vre".encode("latin-1"))
            data = b"\xef\xbb\xbf" + data
        if table == "labs" and frame.height:
            body, last = data.rstrip(b"\n").rsplit(b"\n", 1)
            kept = last.split(b",")[:-2]
            data = body + b"\n" + b",".join(kept)
            e.note("STR-009", "labs", frame.height, frame.drop("ROW").columns[len(kept)], None)
        atomic.write_bytes(export_dir / f"{table}.csv", data)
    e.note("STR-003", "adverse_events", None, "AETERM", None)
    e.note("STR-007", "adverse_events", None, None, None)


def plant_errors(export_dir: Path, *, seed: int) -> pl.DataFrame:
    """Plant faults of every data rule into a clean export, in place, and list them.

    Parameters
    ----------
    export_dir
        A clean export (e.g. from :func:`outcomes.simulate.simulate_export`), with the optional
        ``labs`` table; needs about 20 lymphodepleted, infused subjects alive at the export.
    seed
        Seed of the choice of records; the same export and seed plant the same faults.

    Returns
    -------
    pl.DataFrame
        The manifest (TABLE, ROW, COLUMN, RULE, USUBJID), also written to
        ``export_dir/errors_manifest.csv``; ROW is null for file- and column-level faults and
        for missed visits.

    Raises
    ------
    InputDataError
        When the export has too few suitable subjects or records.
    """
    e = _Export(export_dir, seed)
    _plant_cells(e)
    subjects = _Subjects(e)
    _plant_keys(e, subjects)
    _plant_dates(e, subjects)
    _plant_assessment_items(e)
    _plant_visits(e, subjects)
    _plant_fatal_ae(e, subjects)
    _plant_drugs(e, subjects)
    _plant_crosschecks(e, subjects)
    _write_with_file_faults(e, export_dir)
    manifest = pl.DataFrame(e.manifest, schema=MANIFEST_SCHEMA, orient="row")
    atomic.write_csv(manifest, export_dir / "errors_manifest.csv")
    return manifest
