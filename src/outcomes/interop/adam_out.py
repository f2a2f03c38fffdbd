"""Write every ADaM dataset of a run (``adam/*.parquet``) as SAS XPT v5 and Dataset-JSON v1.1.

For each ``<name>.parquet``: ``<name>.xpt``, ``<name>.json`` and one ``define.json`` with the
metadata of all datasets (labels, types, lengths, origins, derivation text), in the manner of
Define-XML. Metadata come from the pandera schema given for the dataset, else from plain labels,
else the column name. Columns whose names break the 8-character XPT v5 rule (the export's item
columns carried on ``advisit``, e.g. ``SLEDAI_SEIZURE``) take a transport name from ``renames``
(the workflow passes the SDTM mapping's test codes, e.g. ``SLDSEIZ``); the metadata keep the
original name in the variable's derivation text. The Dataset-JSON creation timestamp is an
argument (the data cut), so reruns are byte-identical.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandera.polars as pa
import polars as pl

from outcomes.errors import ExportReadError, OutcomesError
from outcomes.interop.dataset_json import write_dataset_json
from outcomes.interop.json_rows import compute_escape_checks
from outcomes.interop.metadata import (
    CHAR_MAX,
    DatasetMeta,
    create_dataset_metadata,
    write_define_metadata,
)
from outcomes.interop.xpt import write_xpt_batches
from outcomes.interop.xpt_fit import (
    apply_xpt_fit,
    compute_profile_exprs,
    compute_xpt_profile,
    compute_xpt_widths,
    create_xpt_metadata,
    create_xpt_profile,
    merge_xpt_profiles,
)

log = logging.getLogger("outcomes.interop")

DEFINE_FILE = "define.json"

#: Rows per batch when a dataset is written to its transport files.
BATCH_ROWS = 100_000

#: Default key variables of the ADaM datasets of data-contract.md §3 (when present).
DEFAULT_KEYS: dict[str, tuple[str, ...]] = {
    "adsl": ("USUBJID",),
    "advisit": ("USUBJID", "SRCSEQ"),
    "adrs": ("USUBJID", "PARAMCD", "AVISITN"),
    "adtte": ("USUBJID", "PARAMCD"),
    "adepi": ("USUBJID", "PARAMCD", "EPISODE"),
    "adae": ("USUBJID", "AESEQ"),
}


@dataclass(frozen=True)
class TransportFiles:
    """The files written for the datasets of one ``adam`` folder."""

    xpt: tuple[Path, ...]
    dataset_json: tuple[Path, ...]
    define: Path


def create_transport_names(
    frame: pl.DataFrame,
    *,
    name: str,
    renames: Mapping[str, str],
    schema: pa.DataFrameSchema | None = None,
    labels: Mapping[str, str] | None = None,
) -> tuple[pl.DataFrame, dict[str, str]]:
    """Rename the columns listed in ``renames`` that are present; return the frame and labels.

    The label of a renamed column is its schema description (else its plain label, else its
    original name) followed by ``(column <original name>)``, so the original name stays in the
    metadata's derivation text.

    Raises
    ------
    OutcomesError
        When a transport name is already a column of the dataset or two columns get one name.
    """
    moved = {old: new for old, new in renames.items() if old in frame.columns and old != new}
    targets = [*[c for c in frame.columns if c not in moved], *moved.values()]
    clashes = sorted({t for t in targets if targets.count(t) > 1})
    if clashes:
        raise OutcomesError(
            f"dataset {name}: transport name(s) {clashes} would name two columns; "
            "change the renames (SDTM mapping activity.tests)."
        )
    named = dict(labels or {})
    for old, new in moved.items():
        column = schema.columns.get(old) if schema is not None else None
        text = (column.description if column is not None else None) or named.get(old) or old
        named[new] = f"{text} (column {old})"
    return frame.rename(moved), named


def _batches(frame: pl.LazyFrame, rows: int, records: int) -> Iterator[pl.DataFrame]:
    """The ``records`` rows of ``frame`` in batches of ``rows`` rows, after one empty batch.

    Each batch is its own slice of the (lazy) frame: a scanned parquet file reads only the row
    groups of the slice (``LazyFrame.collect_batches`` reads ahead, its memory grows with the
    rows).
    """
    yield frame.head(0).collect()
    for start in range(0, records, rows):
        yield frame.slice(start, rows).collect()


def _merge(name: str, values: list[Any]) -> Any:
    """Batch aggregates merged: counts add up, checks any, lengths the longest (None if none)."""
    if name.startswith("xpt-unfit:"):
        return sum(values)
    if name.startswith("json:"):
        return any(values)
    known = [v for v in values if v is not None]
    return max(known) if known else None


def _aggregate_batches(
    frame: pl.LazyFrame, aggregates: list[pl.Expr], rows: int, records: int
) -> dict[str, Any]:
    """The aggregates over all rows, from those of each slice of ``rows`` rows, merged.

    One streaming aggregation of a whole scan holds more in memory as the rows grow; slices
    hold one batch.
    """
    batches = [
        frame.slice(start, rows).select(aggregates).collect().row(0, named=True)
        for start in range(0, max(records, 1), rows)
    ]
    return {name: _merge(name, [b[name] for b in batches]) for name in batches[0]}


def write_adam_dataset(
    frame: pl.DataFrame | pl.LazyFrame,
    out_dir: Path,
    *,
    name: str,
    created: dt.datetime | dt.date,
    study_oid: str,
    schema: pa.DataFrameSchema | None = None,
    labels: Mapping[str, str] | None = None,
    keys: Sequence[str] | None = None,
    renames: Mapping[str, str] | None = None,
    batch_rows: int = BATCH_ROWS,
) -> DatasetMeta:
    """Write one dataset as ``<name>.xpt`` and ``<name>.json`` in ``out_dir``; return its metadata.

    ``renames`` maps column names to transport names (:func:`create_transport_names`). A lazy
    frame (a scanned parquet file) is read in batches of ``batch_rows`` rows, three times: once
    for the lengths of its text and numbers (metadata, XPT widths and split text), once for
    each file, so memory holds one batch, whatever the number of rows.

    Raises
    ------
    OutcomesError
        When a name breaks the XPT v5 rules, a text value is too long for XPT, or the
        Dataset-JSON document would not validate.
    """
    lazy = frame.lazy()
    wanted = DEFAULT_KEYS.get(name.lower(), ()) if keys is None else tuple(keys)
    columns = pl.DataFrame(schema=lazy.collect_schema())
    named, labels = create_transport_names(
        columns, name=name, renames=renames or {}, schema=schema, labels=labels
    )
    lazy = lazy.rename(dict(zip(columns.columns, named.columns, strict=True)))
    types = named.schema
    text = [n for n, t in types.items() if t == pl.String]
    profile_exprs = compute_profile_exprs(types)
    json_checks = compute_escape_checks(types)
    records = int(lazy.select(pl.len()).collect().item())
    aggregates = [
        pl.col(text).str.len_bytes().max(),
        *[e.alias(n) for n, e in profile_exprs.items()],
        *[e.alias(f"json:{n}") for n, e in json_checks.items()],
    ]
    counted = _aggregate_batches(lazy, aggregates, batch_rows, records)
    longest = {n: counted[n] for n in text}
    meta = create_dataset_metadata(
        named,
        name=name,
        schema=schema,
        labels=labels,
        keys=[k for k in wanted if k in named.columns],
        records=records,
        longest=longest,
    )
    long_text = [n for n in text if (longest[n] or 0) > CHAR_MAX]
    split = None
    if long_text:
        batches = _batches(lazy.select(long_text), batch_rows, records)
        split = merge_xpt_profiles([compute_xpt_profile(b) for b in batches])
    profile = create_xpt_profile(types, counted, longest, split)
    xpt_meta, notes = create_xpt_metadata(meta, profile)
    for note in notes:
        log.warning("%s", note)
    out_dir.mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(max_workers=1) as pool:  # polars and numpy work without the GIL
        dataset_json = pool.submit(
            write_dataset_json,
            lazy,
            out_dir / f"{name.lower()}.json",
            meta=meta,
            records=records,
            careful={n for n in json_checks if counted[f"json:{n}"]},
            created=created,
            study_oid=study_oid,
            batch_rows=batch_rows,
        )
        write_xpt_batches(
            (apply_xpt_fit(b, xpt_meta, profile) for b in _batches(lazy, batch_rows, records)),
            out_dir / f"{name.lower()}.xpt",
            meta=xpt_meta,
            widths=compute_xpt_widths(meta, profile),
            created=created,
        )
        dataset_json.result()
    return meta


def write_adam_transport(
    adam_dir: Path,
    out_dir: Path,
    *,
    created: dt.datetime | dt.date,
    study_oid: str,
    schemas: Mapping[str, pa.DataFrameSchema] | None = None,
    labels: Mapping[str, Mapping[str, str]] | None = None,
    names: Sequence[str] | None = None,
    renames: Mapping[str, str] | None = None,
) -> TransportFiles:
    """Write every ``adam_dir/*.parquet`` as XPT v5 and Dataset-JSON v1.1, plus ``define.json``.

    Parameters
    ----------
    adam_dir
        Folder of ADaM parquet files (``<run>/adam``).
    out_dir
        Output folder.
    created
        Dataset-JSON creation timestamp (pass the data cut for reproducible files).
    study_oid
        Study identifier (``config.study.studyid``).
    schemas, labels
        Per dataset name (file stem): its pandera schema and/or column labels.
    names
        Dataset names (file stems) to write; default every ``*.parquet`` of ``adam_dir``.
    renames
        Column name → transport name, for names that break the XPT v5 rule.

    Raises
    ------
    ExportReadError
        When ``adam_dir`` holds no parquet file.
    """
    if names is None:
        paths = sorted(adam_dir.glob("*.parquet"))
    else:
        paths = sorted(adam_dir / f"{n}.parquet" for n in names)
    absent = [str(p) for p in paths if not p.is_file()]
    if not paths or absent:
        raise ExportReadError(
            f"write_adam_transport: no *.parquet dataset in {adam_dir}"
            + (f" (absent: {', '.join(absent)})." if absent else ".")
        )
    metas = [
        write_adam_dataset(
            pl.scan_parquet(p),
            out_dir,
            name=p.stem,
            created=created,
            study_oid=study_oid,
            schema=(schemas or {}).get(p.stem),
            labels=(labels or {}).get(p.stem),
            renames=renames,
        )
        for p in paths
    ]
    write_define_metadata(metas, out_dir / DEFINE_FILE)
    return TransportFiles(
        xpt=tuple(out_dir / f"{p.stem.lower()}.xpt" for p in paths),
        dataset_json=tuple(out_dir / f"{p.stem.lower()}.json" for p in paths),
        define=out_dir / DEFINE_FILE,
    )
