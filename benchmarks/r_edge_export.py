"""An export with the per-visit edge cases the simulated exports lack, for ``r_compare.py``.

``python benchmarks/r_edge_export.py SOURCE_EXPORT OUT_EXPORT [--seed 7]``

Copies SOURCE_EXPORT (e.g. ``benchmarks/out/export-1000``) and alters a fixed random share of
its records so that the rules which the simulator never exercises are exercised: missing SLEDAI
descriptors and onset flags (bounds, E-05, E-32), missing or boundary PGA (0.49, 0.5, 1.0, 1.01;
rises of exactly 0.3, E-23), missing and active BILAG domains (E-31, E-22), haemolysis
recorded or missing ([D-34]); glucocorticoids other than prednisone with their equivalents
(methylprednisolone, dexamethasone 0.5 mg = 3.3333 mg, hydrocortisone, deflazacort,
betamethasone), every day rounded half up (§16.8), by other frequencies (QOD, QW) and units
(g, ug) and by a non-systemic route (topical, [D-22]); immunosuppressant records without an
indication (§16.6), above their maintenance maximum (methotrexate 35 mg QW, mycophenolate
2000 mg BID) or at it (1500 mg BID, §16.11); and new rituximab ONCE records (exposure 180 days,
§16.10) and investigational drug records (§16.24). Then run the pipeline and the R program on
OUT_EXPORT and compare (benchmarks/README.md).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import polars as pl

SHARE = 0.04  # share of records altered by each alteration


def _pick(frame: pl.DataFrame, *, seed: int, share: float = SHARE) -> pl.Series:
    """A Boolean mask choosing about ``share`` of the rows (fixed seed)."""
    n = frame.height
    chosen = pl.Series(range(n)).sample(fraction=share, seed=seed).to_list()
    mask = [False] * n
    for i in chosen:
        mask[i] = True
    return pl.Series(mask)


def _set(frame: pl.DataFrame, mask: pl.Series, column: str, value: pl.Expr) -> pl.DataFrame:
    return frame.with_columns(
        pl.when(pl.lit(mask)).then(value).otherwise(pl.col(column)).alias(column)
    )


def alter_assessments(frame: pl.DataFrame, *, seed: int) -> pl.DataFrame:
    """Missing descriptors, onset flags, PGA, BILAG domains, haemolysis; boundary PGA."""
    items = [c for c in frame.columns if c.startswith("SLEDAI_") and not c.endswith("_NEW")]
    null = pl.lit(None, dtype=pl.String)
    for k, column in enumerate(items):
        frame = _set(frame, _pick(frame, seed=seed + k, share=0.01), column, null)
    for k, column in enumerate(c for c in frame.columns if c.endswith("_NEW")):
        item = column.removesuffix("_NEW")
        present = pl.col(item) == "1"
        mask = _pick(frame, seed=seed + 100 + k, share=0.3)
        frame = _set(frame, mask, column, pl.when(present).then(null).otherwise(pl.col(column)))
    pga = pl.Series(["0.49", "0.5", "1.0", "1.01", "0.3", "2.3", "2.0", "0.8"])
    values = pga.sample(frame.height, with_replacement=True, seed=seed + 200)
    frame = _set(frame, _pick(frame, seed=seed + 201, share=0.15), "PGA", pl.lit(values))
    frame = _set(frame, _pick(frame, seed=seed + 202, share=0.02), "PGA", null)
    bilag = [c for c in frame.columns if c.startswith("BILAG_")]
    for k, column in enumerate(bilag):
        frame = _set(frame, _pick(frame, seed=seed + 300 + k, share=0.01), column, null)
        frame = _set(frame, _pick(frame, seed=seed + 320 + k, share=0.01), column, pl.lit("A"))
        frame = _set(frame, _pick(frame, seed=seed + 340 + k, share=0.02), column, pl.lit("B"))
    frame = _set(frame, _pick(frame, seed=seed + 400, share=0.1), "HAEMOLYSIS", null)
    return _set(frame, _pick(frame, seed=seed + 401, share=0.01), "HAEMOLYSIS", pl.lit("Y"))


def alter_medications(frame: pl.DataFrame, subjects: pl.DataFrame, *, seed: int) -> pl.DataFrame:
    """Other glucocorticoids, frequencies, units and routes; IS caps; rituximab; investigational."""
    pred = pl.col("CMTRT") == "prednisone"
    swaps = [
        ("methylprednisolone", "8.0", "mg", "QD", "ORAL"),
        ("dexamethasone", "0.5", "mg", "QD", "ORAL"),
        ("dexamethasone", "0.75", "mg", "BID", "ORAL"),
        ("hydrocortisone", "10.0", "mg", "TID", "ORAL"),
        ("deflazacort", "6.0", "mg", "QOD", "ORAL"),
        ("betamethasone", "0.6", "mg", "QD", "ORAL"),
        ("prednisone", "0.0075", "g", "QD", "ORAL"),
        ("prednisone", "2500.0", "ug", "QD", "ORAL"),
        ("prednisone", "35.0", "mg", "QW", "ORAL"),
        ("prednisone", "5.0", "mg", "QD", "TOPICAL"),
    ]
    for k, (drug, dose, unit, frequency, route) in enumerate(swaps):
        mask = _pick(frame, seed=seed + 500 + k, share=0.02)
        when = pl.lit(mask) & pred
        frame = frame.with_columns(
            pl.when(when).then(pl.lit(drug)).otherwise(pl.col("CMTRT")).alias("CMTRT"),
            pl.when(when).then(pl.lit(dose)).otherwise(pl.col("CMDOSE")).alias("CMDOSE"),
            pl.when(when).then(pl.lit(unit)).otherwise(pl.col("CMDOSU")).alias("CMDOSU"),
            pl.when(when).then(pl.lit(frequency)).otherwise(pl.col("CMDOSFRQ")).alias("CMDOSFRQ"),
            pl.when(when).then(pl.lit(route)).otherwise(pl.col("CMROUTE")).alias("CMROUTE"),
        )
    is_ = pl.col("CMCLAS") == "IMMUNOSUPPRESSANT"
    null = pl.lit(None, dtype=pl.String)
    mask = _pick(frame, seed=seed + 600, share=0.2)
    frame = frame.with_columns(
        pl.when(pl.lit(mask) & is_).then(null).otherwise("CMINDC").alias("CMINDC")
    )
    caps = [("methotrexate", "35.0"), ("mycophenolate mofetil", "2000.0")]
    caps += [("mycophenolate mofetil", "1500.0")]
    for k, (drug, dose) in enumerate(caps):
        when = pl.lit(_pick(frame, seed=seed + 610 + k, share=0.2)) & (pl.col("CMTRT") == drug)
        frame = frame.with_columns(
            pl.when(when).then(pl.lit(dose)).otherwise("CMDOSE").alias("CMDOSE")
        )
    return pl.concat([frame, _new_records(frame, subjects, seed=seed)])


#: Start day and last day (None: no CMENDT) and indication of the records _new_records adds.
_ADDED = {"rituximab": (120, None, "SLE"), "study drug x": (60, 200, "OTHER")}


def _record(
    base: pl.DataFrame, drug: str, cmclas: str, dose: str, frequency: str, route: str
) -> pl.DataFrame:
    """One new medication record per row of ``base`` (USUBJID, INFDT, _seq), dated by _ADDED."""
    start, end, indication = _ADDED[drug]
    last = pl.lit(None, dtype=pl.String)
    if end is not None:
        last = (pl.col("INFDT") + pl.duration(days=end)).cast(pl.String)
    return base.select(
        "USUBJID",
        (pl.col("_seq") + 1).cast(pl.String).alias("CMSEQ"),
        pl.lit(drug).alias("CMTRT"),
        pl.lit(cmclas).alias("CMCLAS"),
        pl.lit(dose).alias("CMDOSE"),
        pl.lit("mg").alias("CMDOSU"),
        pl.lit(frequency).alias("CMDOSFRQ"),
        pl.lit(route).alias("CMROUTE"),
        pl.lit(indication).alias("CMINDC"),
        (pl.col("INFDT") + pl.duration(days=start)).cast(pl.String).alias("CMSTDT"),
        last.alias("CMENDT"),
    )


def _new_records(frame: pl.DataFrame, subjects: pl.DataFrame, *, seed: int) -> pl.DataFrame:
    """A rituximab ONCE (day 120) or an investigational drug (days 60-200) for some subjects."""
    infused = subjects.filter(pl.col("INFDT").is_not_null()).select("USUBJID", "INFDT")
    chosen = infused.sample(fraction=0.1, seed=seed + 700)
    last = frame.group_by("USUBJID").agg(pl.col("CMSEQ").cast(pl.Int64).max().alias("_seq"))
    base = chosen.join(last, on="USUBJID", how="left").with_columns(
        pl.col("INFDT").str.to_date("%Y-%m-%d"), pl.col("_seq").fill_null(0)
    )
    half = base.height // 2
    rituximab = _record(base.head(half), "rituximab", "BIOLOGIC", "1000.0", "ONCE", "INTRAVENOUS")
    investigational = _record(
        base.tail(base.height - half), "study drug x", "INVESTIGATIONAL", "10.0", "QD", "ORAL"
    )
    return pl.concat([rituximab, investigational]).select(frame.columns)


def add_errors(
    assessments: pl.DataFrame, medications: pl.DataFrame, *, seed: int
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Validation ERRORs whose actions the R program takes from validation/excluded.csv.

    Appended copies of assessments (two on one date, KEY-004: record excluded), onset flags Y on
    absent rash (CON-001: value set missing) and medication end dates before the start (DAT-004:
    value set missing, the record then runs to the next record or the cut).
    """
    copies = assessments.filter(_pick(assessments, seed=seed + 800, share=0.005))
    rash = (pl.col("SLEDAI_RASH") == "0") & pl.lit(_pick(assessments, seed=seed + 801))
    flagged = assessments.with_columns(
        pl.when(rash).then(pl.lit("Y")).otherwise("SLEDAI_RASH_NEW").alias("SLEDAI_RASH_NEW")
    )
    early = pl.lit(_pick(medications, seed=seed + 802, share=0.01)) & pl.col("CMENDT").is_not_null()
    before = (pl.col("CMSTDT").str.to_date("%Y-%m-%d") - pl.duration(days=1)).cast(pl.String)
    ended = medications.with_columns(
        pl.when(early).then(before).otherwise("CMENDT").alias("CMENDT")
    )
    return pl.concat([flagged, copies]), ended


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--errors", action="store_true", help="also add validation ERRORs (see add_errors)"
    )
    args = parser.parse_args(argv)
    shutil.copytree(args.source, args.out, dirs_exist_ok=True)
    subjects = pl.read_csv(args.source / "subjects.csv", infer_schema=False)
    assessments = pl.read_csv(args.source / "assessments.csv", infer_schema=False)
    medications = pl.read_csv(args.source / "medications.csv", infer_schema=False)
    assessments = alter_assessments(assessments, seed=args.seed)
    medications = alter_medications(medications, subjects, seed=args.seed)
    if args.errors:
        assessments, medications = add_errors(assessments, medications, seed=args.seed)
    assessments.write_csv(args.out / "assessments.csv")
    medications.write_csv(args.out / "medications.csv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
