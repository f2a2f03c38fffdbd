"""What changed between two data cuts of one trial (``outcomes compare CUT_A CUT_B``).

Reads two run folders (data-contract.md §3) and lists: new subjects; new assessments; changed
endpoint values (``adrs`` responder status by USUBJID × PARAMCD × AVISIT; ``adtte`` event or
censoring, dates and AVAL by USUBJID × PARAMCD); and, for data managers, source records dated
on or before cut A whose values differ in cut B. Cut B's tables are first cut at cut A's date
with the same rule as ingest (:func:`outcomes.ingest.data_cut.filter_by_data_cut`), so an end
date or death that merely happened after cut A is not a change. It also says when the two cuts
were produced with different package versions or another dependency lock (from their
``manifest.json``), since a number may then change for a reason other than the data.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from outcomes.errors import InputDataError
from outcomes.ingest.data_cut import filter_by_data_cut
from outcomes.io import atomic

#: Record keys of the validated tables (the export's own sequence numbers where it has them).
RECORD_KEYS: dict[str, tuple[str, ...]] = {
    "subjects": ("USUBJID",),
    "assessments": ("USUBJID", "VISIT", "ASMDT"),
    "medications": ("USUBJID", "CMSEQ"),
    "adverse_events": ("USUBJID", "AESEQ"),
    "labs": ("USUBJID", "LBTESTCD", "LBDT"),
}
#: Columns that only locate a record in its file: never compared.
LOCATION_COLUMNS: tuple[str, ...] = ("ROW", "SRCDOM", "SRCSEQ")
ENDPOINTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "adrs": (("USUBJID", "PARAMCD", "AVISIT"), ("AVALC", "AVAL", "ADT")),
    "adtte": (("USUBJID", "PARAMCD"), ("CNSR", "STARTDT", "ADT", "AVAL")),
}
PACKAGE_SCHEMA = {"PACKAGE": pl.String, "VERSION_A": pl.String, "VERSION_B": pl.String}
#: The row of :func:`create_package_changes` that compares the dependency locks.
LOCK_ROW = "dependency lock (sha256)"
CHANGE_SCHEMA = {
    "DATASET": pl.String,
    "USUBJID": pl.String,
    "KEY": pl.String,
    "COLUMN": pl.String,
    "VALUE_A": pl.String,
    "VALUE_B": pl.String,
    "CHANGE": pl.String,
}


@dataclass(frozen=True)
class ComparisonResult:
    """Differences between cut A and cut B (each a frame; empty when nothing changed)."""

    cut_a: dt.date
    cut_b: dt.date
    new_subjects: pl.DataFrame
    new_assessments: pl.DataFrame
    changed_endpoints: pl.DataFrame
    changed_records: pl.DataFrame
    changed_packages: pl.DataFrame | None = None

    def summary(self) -> str:
        """A readable account of every difference."""
        lines = [
            f"Comparison of data cut {self.cut_a} (A) with {self.cut_b} (B)",
            f"New subjects: {self.new_subjects.height}",
        ]
        lines += [f"  {r['USUBJID']}" for r in self.new_subjects.iter_rows(named=True)]
        lines.append(f"New assessments: {self.new_assessments.height}")
        lines += [
            f"  {r['USUBJID']} {r['VISIT']} {r['ASMDT']}"
            for r in self.new_assessments.iter_rows(named=True)
        ]
        for title, frame in (
            ("Changed endpoint values", self.changed_endpoints),
            ("Records dated on or before cut A changed in cut B", self.changed_records),
        ):
            lines.append(f"{title}: {frame.height}")
            lines += [
                f"  {r['DATASET']} {r['KEY']} {r['COLUMN']}: {r['VALUE_A']} -> "
                f"{r['VALUE_B']} ({r['CHANGE']})"
                for r in frame.iter_rows(named=True)
            ]
        lines += self._package_lines()
        return "\n".join(lines)

    def _package_lines(self) -> list[str]:
        if self.changed_packages is None:
            return ["Package versions: unknown (a cut has no manifest.json listing them)"]
        if self.changed_packages.is_empty():
            return ["Package versions: the same in both cuts"]
        return [
            f"Produced with different package versions: {self.changed_packages.height}",
            *(
                f"  {r['PACKAGE']}: {r['VERSION_A']} -> {r['VERSION_B']}"
                for r in self.changed_packages.iter_rows(named=True)
            ),
        ]


def _read(cut: Path, rel: str) -> pl.DataFrame:
    path = cut / rel
    if not path.is_file():
        raise InputDataError(
            f"compare: {path} does not exist; both cuts need a complete run "
            "(outcomes run) before they can be compared."
        )
    return pl.read_parquet(path)


def _manifest(cut: Path) -> dict | None:
    path = cut / "manifest.json"
    return json.loads(path.read_text("utf-8")) if path.is_file() else None


def _versions(manifest: dict | None) -> dict[str, str] | None:
    """Python, every installed package and the lock's SHA-256 that produced a cut."""
    if manifest is None:
        return None
    packages = manifest.get("installed_packages") or manifest.get("package_versions")
    if not packages:
        return None
    versions = {str(k): str(v) for k, v in packages.items()}
    if "python" in manifest:
        versions["python"] = str(manifest["python"])
    lock = (manifest.get("lock") or {}).get("sha256")
    versions[LOCK_ROW] = str(lock) if lock else "none"
    return versions


def create_package_changes(manifest_a: dict | None, manifest_b: dict | None) -> pl.DataFrame | None:
    """Packages (and Python, and the dependency lock) whose versions differ between two cuts.

    ``VERSION_A`` / ``VERSION_B`` are ``not installed`` where a package is in one environment
    only. ``None`` when either manifest does not list its versions (nothing can be said).
    """
    a, b = _versions(manifest_a), _versions(manifest_b)
    if a is None or b is None:
        return None
    rows = [
        (name, a.get(name, "not installed"), b.get(name, "not installed"))
        for name in sorted(set(a) | set(b))
        if a.get(name) != b.get(name)
    ]
    return pl.DataFrame(rows, schema=PACKAGE_SCHEMA, orient="row")


def _data_cut(cut: Path) -> dt.date:
    manifest = _manifest(cut)
    if manifest is not None:
        return dt.date.fromisoformat(manifest["data_cut"])
    dates = _read(cut, "adam/adsl.parquet")["DCUTDT"].drop_nulls().unique()
    if dates.len() != 1:
        raise InputDataError(
            f"compare: {cut} has no manifest.json and adsl.DCUTDT does not hold "
            f"one data cut date ({dates.to_list()})."
        )
    return dates[0]


def _key_text(keys: tuple[str, ...]) -> pl.Expr:
    return pl.concat_str(
        [pl.concat_str(pl.lit(f"{k}="), pl.col(k).cast(pl.String).fill_null("")) for k in keys],
        separator=" ",
    )


def _prepare(
    frame: pl.DataFrame, *, tag: str, keys: tuple[str, ...], columns: tuple[str, ...]
) -> pl.DataFrame:
    order = "ROW" if "ROW" in frame.columns else keys[-1]
    return frame.select(
        *keys,
        pl.int_range(pl.len()).over(keys, order_by=order).alias("_tmp_occ"),
        pl.lit(True).alias(f"_tmp_in{tag}"),
        *[pl.col(c).cast(pl.String).alias(f"{c}_{tag}") for c in columns],
    )


def _rows(
    base: pl.DataFrame, keep: pl.Expr, *, change: str, column: str | None, sort_keys: list[str]
) -> pl.DataFrame:
    values = (
        (pl.col(f"{column}_A"), pl.col(f"{column}_B"))
        if column is not None
        else (pl.lit(None, pl.String), pl.lit(None, pl.String))
    )
    return base.filter(keep).select(
        *[pl.col(k).alias(f"_tmp_k{i}") for i, k in enumerate(sort_keys)],
        "DATASET",
        "USUBJID",
        "KEY",
        pl.lit(column or "").alias("COLUMN"),
        values[0].alias("VALUE_A"),
        values[1].alias("VALUE_B"),
        pl.lit(change).alias("CHANGE"),
    )


def create_value_changes(
    a: pl.DataFrame,
    b: pl.DataFrame,
    *,
    dataset: str,
    keys: tuple[str, ...],
    columns: tuple[str, ...],
) -> pl.DataFrame:
    """Differences between two keyed frames, one row each (columns of :data:`CHANGE_SCHEMA`).

    ``CHANGED``: a record in both whose ``COLUMN`` differs (missing vs. a value counts);
    ``ADDED``: a record only in B; ``REMOVED``: a record only in A (``COLUMN`` empty). Records
    sharing a key are paired in their order (``ROW`` when present). Sorted by key.
    """
    base = (
        _prepare(a, tag="A", keys=keys, columns=columns)
        .join(
            _prepare(b, tag="B", keys=keys, columns=columns),
            on=[*keys, "_tmp_occ"],
            how="full",
            coalesce=True,
            nulls_equal=True,
        )
        .with_columns(_key_text(keys).alias("KEY"), pl.lit(dataset).alias("DATASET"))
    )
    in_a, in_b = pl.col("_tmp_inA").is_not_null(), pl.col("_tmp_inB").is_not_null()
    sort_keys = [*keys, "_tmp_occ"]
    parts = [
        _rows(
            base,
            in_a & in_b & pl.col(f"{c}_A").ne_missing(pl.col(f"{c}_B")),
            change="CHANGED",
            column=c,
            sort_keys=sort_keys,
        )
        for c in columns
    ]
    parts.append(_rows(base, ~in_a, change="ADDED", column=None, sort_keys=sort_keys))
    parts.append(_rows(base, ~in_b, change="REMOVED", column=None, sort_keys=sort_keys))
    order = [f"_tmp_k{i}" for i in range(len(sort_keys))]
    out = pl.concat(parts).sort([*order, "CHANGE", "COLUMN"], nulls_last=True)
    return out.select(list(CHANGE_SCHEMA)).cast(CHANGE_SCHEMA)


def create_record_changes(cut_a: Path, cut_b: Path, *, date_a: dt.date) -> pl.DataFrame:
    """Validated source records dated on or before cut A that differ in cut B (every table)."""
    parts = []
    for table, keys in RECORD_KEYS.items():
        a = _read(cut_a, f"validated/{table}.parquet")
        b = filter_by_data_cut(
            _read(cut_b, f"validated/{table}.parquet").lazy(), table=table, data_cut=date_a
        ).collect()
        columns = tuple(
            c for c in a.columns if c not in (*keys, *LOCATION_COLUMNS) and c in b.columns
        )
        parts.append(create_value_changes(a, b, dataset=table, keys=keys, columns=columns))
    return pl.concat(parts)


def create_endpoint_changes(cut_a: Path, cut_b: Path) -> pl.DataFrame:
    """Endpoint values of cut A that differ in cut B (adrs status, adtte event/censoring,
    dates, AVAL); rows new in B (visits that became due) are not listed."""
    parts = []
    for dataset, (keys, columns) in ENDPOINTS.items():
        a, b = _read(cut_a, f"adam/{dataset}.parquet"), _read(cut_b, f"adam/{dataset}.parquet")
        changes = create_value_changes(a, b, dataset=dataset, keys=keys, columns=columns)
        parts.append(changes.filter(pl.col("CHANGE") != "ADDED"))
    return pl.concat(parts)


def create_new_records(cut_a: Path, cut_b: Path, *, table: str) -> pl.DataFrame:
    """Records of validated ``table`` in cut B whose key is not in cut A (all B columns)."""
    keys = list(RECORD_KEYS[table])
    a = _read(cut_a, f"validated/{table}.parquet").select(keys).unique()
    b = _read(cut_b, f"validated/{table}.parquet")
    return b.join(a, on=keys, how="anti", nulls_equal=True).sort(keys)


def compare_cuts(cut_a: Path, cut_b: Path, *, out: Path | None) -> ComparisonResult:
    """Compare two data cuts' run folders and write the differences.

    Writes ``new_subjects.csv``, ``new_assessments.csv``, ``changed_endpoints.csv``,
    ``changed_records.csv``, ``changed_packages.csv`` (empty, with a note in the summary, when a
    cut's manifest lists no versions) and ``summary.txt`` to ``out`` (default
    ``cut_b/comparison``); nothing in either cut's own outputs is touched.

    Raises
    ------
    InputDataError
        When a dataset of either run is missing.
    """
    date_a = _data_cut(cut_a)
    result = ComparisonResult(
        cut_a=date_a,
        cut_b=_data_cut(cut_b),
        new_subjects=create_new_records(cut_a, cut_b, table="subjects"),
        new_assessments=create_new_records(cut_a, cut_b, table="assessments"),
        changed_endpoints=create_endpoint_changes(cut_a, cut_b),
        changed_records=create_record_changes(cut_a, cut_b, date_a=date_a),
        changed_packages=create_package_changes(_manifest(cut_a), _manifest(cut_b)),
    )
    target = out if out is not None else cut_b / "comparison"
    target.mkdir(parents=True, exist_ok=True)
    atomic.write_csv(result.new_subjects, target / "new_subjects.csv")
    atomic.write_csv(result.new_assessments, target / "new_assessments.csv")
    atomic.write_csv(result.changed_endpoints, target / "changed_endpoints.csv")
    atomic.write_csv(result.changed_records, target / "changed_records.csv")
    packages = result.changed_packages
    atomic.write_csv(
        packages if packages is not None else pl.DataFrame(schema=PACKAGE_SCHEMA),
        target / "changed_packages.csv",
    )
    atomic.write_text(target / "summary.txt", result.summary() + "\n")
    return result
