"""Dataset metadata in the manner of Define-XML: labels, types, lengths, origins, derivations.

Metadata come from the dataset's pandera schema when one is given (column ``description`` →
derivation text and label; ``metadata["origin"]`` / ``metadata["label"]`` when present), else
from a plain dict of labels, else the column name stands in as its own label. Labels are cut to
the 40 characters SAS XPT v5 and Define-XML allow, at a word boundary; the full description is
kept as the derivation text.

References
----------
CDISC Define-XML v2.1 (ItemDef: Name, Label, DataType, Length, DisplayFormat, Origin, Method).
SAS Institute, TS-140: the SAS transport (XPORT) file format, version 5 (8-character names,
40-character labels, 200-byte character values).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import pandera.polars as pa
import polars as pl

from outcomes.errors import OutcomesError
from outcomes.io import atomic

NAME_MAX = 8
LABEL_MAX = 40
CHAR_MAX = 200
_NAME_RE = re.compile(r"^[A-Z_][A-Z0-9_]{0,7}$")

#: Labels of the ADaM datasets of data-contract.md §3; others fall back to their name.
DATASET_LABELS: dict[str, str] = {
    "adsl": "Subject-Level Analysis Dataset",
    "advisit": "Disease Activity by Assessment",
    "adrs": "Response Analysis Dataset",
    "adtte": "Time-to-Event Analysis Dataset",
    "adepi": "Remission and LLDAS Episodes",
    "adae": "Adverse Events Analysis Dataset",
    "adsafe": "Subject-Level Safety Summary",
    "adcm": "Medications Analysis Dataset",
}


@dataclass(frozen=True)
class VariableMeta:
    """One variable (Define-XML ItemDef) of a dataset."""

    name: str
    label: str
    data_type: str  # Dataset-JSON dataType: string | integer | double | date | boolean
    length: int | None
    display_format: str | None
    key_sequence: int | None
    origin: str
    derivation: str


@dataclass(frozen=True)
class DatasetMeta:
    """One dataset (Define-XML ItemGroupDef) and its variables in column order."""

    name: str
    label: str
    records: int
    variables: tuple[VariableMeta, ...]


def compute_short_label(text: str) -> str:
    """Shorten ``text`` to a label of at most 40 characters, cut at a word boundary."""
    first = re.split(r"[;:(]|\. ", text, maxsplit=1)[0].strip().rstrip(".,")
    if len(first) <= LABEL_MAX:
        return first
    cut = first[: LABEL_MAX + 1].rsplit(" ", 1)[0].rstrip(" ,;-")
    return cut[:LABEL_MAX]


def _data_type(dtype: pl.DataType) -> str:
    if dtype == pl.Boolean:
        return "boolean"
    if dtype == pl.Date:
        return "date"
    if dtype.is_integer():
        return "integer"
    if dtype.is_float():
        return "double"
    if dtype == pl.String:
        return "string"
    raise OutcomesError(f"dataset metadata: dtype {dtype} has no Dataset-JSON/XPT data type.")


def _length(longest: int | None, data_type: str) -> int | None:
    if data_type == "string":
        return max(int(longest or 0), 1)
    if data_type == "boolean":
        return 1
    return 8 if data_type in ("integer", "double") else None


def _describe(
    name: str, schema: pa.DataFrameSchema | None, labels: Mapping[str, str] | None
) -> tuple[str, str, str]:
    column = schema.columns.get(name) if schema is not None else None
    extra = dict(column.metadata or {}) if column is not None else {}
    description = (column.description or "") if column is not None else ""
    label_text = extra.get("label") or (labels or {}).get(name) or description or name
    origin = str(extra.get("origin", "Derived" if column is not None else "Assigned"))
    return compute_short_label(str(label_text)), origin, description or str(label_text)


def create_dataset_metadata(
    frame: pl.DataFrame,
    *,
    name: str,
    label: str | None = None,
    schema: pa.DataFrameSchema | None = None,
    labels: Mapping[str, str] | None = None,
    keys: Sequence[str] = (),
    records: int | None = None,
    longest: Mapping[str, int | None] | None = None,
) -> DatasetMeta:
    """Define-like metadata of one dataset.

    Parameters
    ----------
    frame
        The dataset (collected).
    name
        Dataset name (at most 8 characters, becomes upper case in the files).
    label
        Dataset label; default :data:`DATASET_LABELS` or the name.
    schema, labels
        Pandera schema and/or plain labels of the columns; the column name is the fallback.
    keys
        Key variables in key order (Dataset-JSON ``keySequence``).
    records, longest
        The row count and, per text column, the longest value in bytes, when ``frame`` holds
        only the columns (a dataset read in batches); by default both come from ``frame``.

    Raises
    ------
    OutcomesError
        When a dataset or column name breaks the 8-character XPT v5 naming rule, a key is not a
        column, or a column has a type with no transport equivalent.
    """
    for item in (name.upper(), *frame.columns):
        if not _NAME_RE.match(item):
            raise OutcomesError(
                f"dataset {name}: name {item!r} is not a valid XPT v5 name "
                "(upper case letters, digits, underscore; at most 8 characters)."
            )
    unknown = [k for k in keys if k not in frame.columns]
    if unknown:
        raise OutcomesError(f"dataset {name}: key column(s) {unknown} are not in the dataset.")
    if longest is None:
        text = [n for n, t in frame.schema.items() if t == pl.String]
        longest = (
            frame.select(pl.col(text).str.len_bytes().max()).row(0, named=True) if text else {}
        )
    variables = []
    for col, dtype in frame.schema.items():
        data_type = _data_type(dtype)
        short, origin, derivation = _describe(col, schema, labels)
        variables.append(
            VariableMeta(
                name=col,
                label=short,
                data_type=data_type,
                length=_length(longest.get(col), data_type),
                display_format="DATE9." if data_type == "date" else None,
                key_sequence=list(keys).index(col) + 1 if col in keys else None,
                origin=origin,
                derivation=derivation,
            )
        )
    dataset_label = label or DATASET_LABELS.get(name.lower(), name.upper())
    return DatasetMeta(
        name=name.upper(),
        label=compute_short_label(dataset_label),
        records=frame.height if records is None else records,
        variables=tuple(variables),
    )


def write_define_metadata(metas: Sequence[DatasetMeta], path: Path) -> None:
    """Write the metadata of several datasets as one JSON document (datasets and variables)."""
    document = {"datasets": [asdict(m) for m in sorted(metas, key=lambda m: m.name)]}
    atomic.write_text(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def summarize_transport_datasets(paths: Sequence[Path]) -> dict[str, list[dict[str, object]]]:
    """What ``define.json`` lists of each ADaM dataset the transport rule writes (name, label,
    records, variables), from the parquet files' schemas and row counts, without their data.

    The report shows this list; computing it from the datasets lets the report be drawn while
    the transport files are written (``write_adam_transport`` writes the same values).
    """
    datasets: list[dict[str, object]] = []
    for path in sorted(paths, key=lambda p: p.stem.upper()):
        scan = pl.scan_parquet(path)
        name = path.stem
        datasets.append(
            {
                "name": name.upper(),
                "label": compute_short_label(DATASET_LABELS.get(name.lower(), name.upper())),
                "records": int(scan.select(pl.len()).collect().item()),
                "variables": list(scan.collect_schema().names()),
            }
        )
    return {"datasets": datasets}
