"""Peak memory of writing one adrs-like dataset as XPT v5 and Dataset-JSON.

A script, not a test: it builds an ``adrs``-like parquet file of ``--rows`` rows (the columns and
types of the ADRS schema, 75 rows per subject as at 100,000 subjects) once in
``benchmarks/out/transport-<rows>/adrs.parquet``, then writes its transport files with
``write_adam_transport`` and prints the wall time. Run it under ``/usr/bin/time -v`` for the
peak RSS (``Maximum resident set size``)::

    /usr/bin/time -v python benchmarks/transport.py --rows 1000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

import polars as pl

from outcomes.interop.adam_out import write_adam_transport
from outcomes.schemas.endpoints import ADRS

OUT = Path(__file__).resolve().parent / "out"
PARAMS = ("DORIS", "DORISDF", "LLDAS", "SRI4", "CRR")


def create_adrs_like(rows: int) -> pl.DataFrame:
    """``rows`` rows with the ADRS columns: 75 per subject, five parameters, 15 visits."""
    base = pl.DataFrame({"i": range(rows)}, schema={"i": pl.Int64})
    subject = pl.col("i") // 75
    visit = (pl.col("i") % 15) * 4
    param = pl.lit(pl.Series(PARAMS)).get(pl.col("i") // 15 % 5)
    return base.select(
        pl.format("CART-{}", subject.cast(pl.String).str.zfill(6)).alias("USUBJID"),
        pl.when(subject % 2 == 0).then(pl.lit("DL1")).otherwise(pl.lit("DL2")).alias("DOSELVL"),
        param.alias("PARAMCD"),
        pl.format("{} remission at the assessment (definition of the study)", param).alias("PARAM"),
        pl.format("WEEK {}", visit.cast(pl.String)).alias("AVISIT"),
        visit.alias("AVISITN"),
        (pl.date(2025, 1, 1) + pl.duration(days=visit * 7 + subject % 300)).alias("ADT"),
        pl.when(pl.col("i") % 7 == 0)
        .then(None)
        .otherwise(pl.when(pl.col("i") % 3 == 0).then(pl.lit("Y")).otherwise(pl.lit("N")))
        .alias("AVALC"),
        pl.when(pl.col("i") % 7 == 0)
        .then(None)
        .otherwise((pl.col("i") % 3 == 0).cast(pl.Float64))
        .alias("AVAL"),
        pl.lit(None, dtype=pl.String).alias("DTYPE"),
        pl.when(pl.col("i") % 7 == 0)
        .then(pl.lit("component missing"))
        .otherwise(None)
        .alias("NRIREAS"),
        pl.lit("ADVISIT").alias("SRCDOM"),
        (pl.col("i") % 15 + 1).alias("SRCSEQ"),
        pl.lit(None, dtype=pl.String).alias("QRYFL"),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    folder = OUT / f"transport-{args.rows}"
    adam = folder / "adam"
    if not (adam / "adrs.parquet").is_file():
        adam.mkdir(parents=True, exist_ok=True)
        frame = create_adrs_like(args.rows)
        frame.select(list(ADRS.columns)).write_parquet(adam / "adrs.parquet")
        del frame
        print(f"written {adam / 'adrs.parquet'}; run again to measure")
        return
    start = time.perf_counter()
    write_adam_transport(
        adam,
        folder / "transport",
        created=dt.date(2027, 1, 31),
        study_oid="BENCH",
        schemas={"adrs": ADRS},
        names=["adrs"],
    )
    print(f"rows {args.rows}: transport written in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
