"""Agreement of the R data.table per-visit program with the pipeline's adam/advisit.

``python benchmarks/r_compare.py --r R_OUT/per_visit.csv --run RUN [--show 5] [--out FILE]``

``R_OUT/per_visit.csv`` is written by ``Rscript benchmarks/r/per_visit.R EXPORT R_OUT DATA_CUT``
on the export the run read (add the run's ``validation/excluded.csv`` as a fourth argument
when the validator excluded records or set values missing: the R program does not validate).
The two are joined on the assessment: ``USUBJID``, ``ADT`` (the assessment date) and ``SRCSEQ``
(its data row in assessments.csv, which tells apart two assessments of one subject on one date).
Only assessments present in advisit are compared: records in the R output only (excluded or
after the data cut) are counted, not compared. For every derived value
in both files the table gives the assessments compared, how many of them are null in both (not
evaluable) and how many disagree (null vs a value counts as a disagreement). Doses are compared
on their 4 decimals (§16.8). Exit status 1 when any value disagrees or an advisit assessment is
missing from the R output.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

KEYS = ("USUBJID", "ADT", "SRCSEQ")
#: Derived values compared, in the order of the per-visit chain (endpoints.md §11, §1, §8, §5-§7,
#: §4); each is a column of adam/advisit and of the R output.
VALUES: dict[str, pl.DataType] = {
    "ADY": pl.Int64,
    "ABLFL": pl.Boolean,
    "AVISIT": pl.String,
    "ANL01FL": pl.Boolean,
    "PRVSEQ": pl.Int64,
    "STBREFDT": pl.Date,
    "SLEDAI2K": pl.Int64,
    "SDK2KLO": pl.Int64,
    "SDK2KHI": pl.Int64,
    "CSLEDAI": pl.Int64,
    "CSLEDLO": pl.Int64,
    "CSLEDHI": pl.Int64,
    "SELENA": pl.Int64,
    "SELENALO": pl.Int64,
    "SELENAHI": pl.Int64,
    "GCDOSE": pl.Float64,
    "GCSLEDOS": pl.Float64,
    "ISFL": pl.Boolean,
    "BIOFL": pl.Boolean,
    "AMFL": pl.Boolean,
    "INVFL": pl.Boolean,
    "ISOVRFL": pl.Boolean,
    "ISSTBLFL": pl.Boolean,
    "DORSLEFL": pl.Boolean,
    "DORPGAFL": pl.Boolean,
    "DORGCFL": pl.Boolean,
    "DORSTBFL": pl.Boolean,
    "DORISFL": pl.Boolean,
    "DFGCFL": pl.Boolean,
    "DFISFL": pl.Boolean,
    "DFAMFL": pl.Boolean,
    "DFREMFL": pl.Boolean,
    "DFREMSFL": pl.Boolean,
    "LLC1FL": pl.Boolean,
    "LLC2FL": pl.Boolean,
    "LLC3FL": pl.Boolean,
    "LLC4FL": pl.Boolean,
    "LLC5FL": pl.Boolean,
    "LLDASFL": pl.Boolean,
    "SRISSFL": pl.Boolean,
    "SRIBILFL": pl.Boolean,
    "SRIPGAFL": pl.Boolean,
    "SRI4FL": pl.Boolean,
}
#: Doses: compared in units of 0.0001 mg (the 4 decimals of §16.8).
DOSES = ("GCDOSE", "GCSLEDOS")


def _typed(column: str, dtype: pl.DataType) -> pl.Expr:
    """A column of the R output (read as text) in the advisit type; empty text is null."""
    text = pl.col(column)
    if dtype == pl.Boolean:
        return text.replace_strict({"TRUE": True, "FALSE": False}, default=None).alias(column)
    if dtype == pl.Date:
        return text.str.to_date("%Y-%m-%d").alias(column)
    return text.cast(dtype).alias(column)


def read_r(path: Path) -> pl.DataFrame:
    """The R program's output with the advisit types (``VALUES``) and the join keys."""
    frame = pl.read_csv(path, infer_schema=False)
    values = [_typed(c, t) for c, t in VALUES.items() if c in frame.columns]
    return frame.select("USUBJID", _typed("ADT", pl.Date), pl.col("SRCSEQ").cast(pl.Int64), *values)


def _comparable(column: str) -> pl.Expr:
    if column in DOSES:
        return (pl.col(column) * 10_000).round(0).cast(pl.Int64)
    return pl.col(column)


def compare(r_out: pl.DataFrame, advisit: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, dict]:
    """Per-value agreement table, the disagreeing rows (long form) and the row counts."""
    values = [c for c in VALUES if c in r_out.columns and c in advisit.columns]
    left = advisit.select(*KEYS, *[_comparable(c) for c in values])
    right = r_out.select(*KEYS, *[_comparable(c).alias(f"{c}_R") for c in values])
    joined = left.join(right, on=KEYS, how="left", coalesce=True)
    in_r = r_out.select(*KEYS).join(advisit.select(*KEYS), on=KEYS, how="inner").height
    counts = {
        "advisit": advisit.height,
        "r": r_out.height,
        "matched": in_r,
        "advisit_not_in_r": advisit.height - in_r,
        "r_not_in_advisit": r_out.height - in_r,
    }
    matched = joined.join(right.select(KEYS), on=KEYS, how="semi")
    rows, diffs = [], []
    for c in values:
        differ = ~pl.col(c).eq_missing(pl.col(f"{c}_R"))
        both_null = pl.col(c).is_null() & pl.col(f"{c}_R").is_null()
        stats = matched.select(differ.sum().alias("n"), both_null.sum().alias("nulls"))
        rows.append(
            {
                "value": c,
                "compared": matched.height,
                "not evaluable in both": int(stats["nulls"][0]),
                "disagree": int(stats["n"][0]),
            }
        )
        diffs.append(
            matched.filter(differ).select(
                *KEYS,
                pl.lit(c).alias("value"),
                pl.col(c).cast(pl.String).alias("advisit"),
                pl.col(f"{c}_R").cast(pl.String).alias("R"),
            )
        )
    table = pl.DataFrame(rows)
    detail = pl.concat(diffs) if diffs else pl.DataFrame()
    return table, detail, counts


def format_report(table: pl.DataFrame, detail: pl.DataFrame, counts: dict, *, show: int) -> str:
    """Markdown: row counts, the per-value table and the first disagreements of each value."""
    lines = [
        f"advisit assessments: {counts['advisit']}; R output rows: {counts['r']}; "
        f"compared (in both): {counts['matched']}; advisit rows missing from the R output: "
        f"{counts['advisit_not_in_r']}; R rows not in advisit (excluded by validation or "
        f"the data cut): {counts['r_not_in_advisit']}",
        "",
        "| value | compared | not evaluable in both | disagree |",
        "|---|---:|---:|---:|",
    ]
    for row in table.iter_rows(named=True):
        lines.append(
            f"| {row['value']} | {row['compared']} | {row['not evaluable in both']} | "
            f"{row['disagree']} |"
        )
    if detail.height and show:
        lines += ["", "First disagreements per value:", ""]
        first = detail.group_by("value", maintain_order=True).head(show)
        lines += [
            f"    {r['value']}: {r['USUBJID']} {r['ADT']} row {r['SRCSEQ']}: "
            f"advisit {r['advisit']}, R {r['R']}"
            for r in first.iter_rows(named=True)
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--r", type=Path, required=True, help="per_visit.csv of the R program")
    parser.add_argument("--run", type=Path, required=True, help="run folder with adam/advisit")
    parser.add_argument("--show", type=int, default=5, help="disagreeing rows shown per value")
    parser.add_argument("--out", type=Path, default=None, help="also write the report here")
    args = parser.parse_args(argv)
    r_out = read_r(args.r)
    advisit = pl.read_parquet(args.run / "adam" / "advisit.parquet")
    table, detail, counts = compare(r_out, advisit)
    text = format_report(table, detail, counts, show=args.show)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    failed = int(table["disagree"].sum()) > 0 or counts["advisit_not_in_r"] > 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
