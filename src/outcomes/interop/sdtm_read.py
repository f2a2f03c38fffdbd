"""Read SDTM domain files (XPT v5, Dataset-JSON v1.1, Parquet or CSV) as text tables.

Every value becomes trimmed text (empty = null) so that the mapping decides each cast and
reports what does not parse; a domain split over several files (``lbch``, ``lbhe``, ...) is
stacked. Each record gets ``SRCSEQ`` (its ``--SEQ`` when the domain has one, else its 1-based
row in the stacked domain) so that problems and export rows point back to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import polars as pl

from outcomes.errors import ExportReadError, OutcomesError
from outcomes.interop.dataset_json import read_dataset_json
from outcomes.interop.xpt import read_xpt

SDTM_SUFFIXES: tuple[str, ...] = (".xpt", ".json", ".parquet", ".csv")


def _as_text(frame: pl.DataFrame) -> pl.DataFrame:
    exprs = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype == pl.Date:
            text = col.dt.strftime("%Y-%m-%d")
        elif dtype == pl.Boolean:
            text = pl.when(col).then(pl.lit("Y")).when(~col).then(pl.lit("N"))
        elif dtype.is_float():
            text = pl.when(col.is_nan()).then(None).otherwise(col).cast(pl.String)
        else:
            text = col.cast(pl.String)
        text = text.str.strip_chars()
        exprs.append(pl.when(text.str.len_chars() > 0).then(text).alias(name.upper()))
    return frame.select(exprs)


def read_sdtm_file(path: Path) -> pl.DataFrame:
    """Read one SDTM file as text columns (upper-case names).

    Raises
    ------
    ExportReadError
        When the file cannot be read in its format.
    """
    try:
        if path.suffix.lower() == ".xpt":
            frame = read_xpt(path).frame
        elif path.suffix.lower() == ".json":
            frame = read_dataset_json(path)
        elif path.suffix.lower() == ".parquet":
            frame = pl.read_parquet(path)
        else:
            frame = pl.read_csv(path, infer_schema=False, raise_if_empty=False)
    except OutcomesError as exc:
        raise ExportReadError(str(exc)) from exc
    except Exception as exc:  # any parser failure is a user-facing read error
        raise ExportReadError(f"{path.name}: cannot be read ({type(exc).__name__}: {exc})") from exc
    return _as_text(frame)


def find_domain_files(sdtm_dir: Path, *, stems: Sequence[str]) -> list[Path]:
    """Files of a domain's stems in ``sdtm_dir`` (any case, any supported format).

    Raises
    ------
    ExportReadError
        When the folder is missing or one stem is present in two formats.
    """
    if not sdtm_dir.is_dir():
        raise ExportReadError(f"SDTM folder {sdtm_dir} does not exist or is not a folder.")
    by_name = {p.name.lower(): p for p in sdtm_dir.iterdir() if p.is_file()}
    found = []
    for stem in stems:
        hits = [
            by_name[f"{stem.lower()}{s}"] for s in SDTM_SUFFIXES if f"{stem.lower()}{s}" in by_name
        ]
        if len(hits) > 1:
            raise ExportReadError(
                f"SDTM domain file {stem!r} is present in several formats in {sdtm_dir} "
                f"({', '.join(p.name for p in hits)}); keep one."
            )
        found += hits
    return found


def read_sdtm_domain(
    sdtm_dir: Path, *, stems: Sequence[str], seq: str | None
) -> pl.DataFrame | None:
    """The stacked text table of one domain with ``SRCSEQ``, or None when no file holds it.

    Parameters
    ----------
    sdtm_dir
        Folder of SDTM files.
    stems
        File stems of the domain (from the mapping's ``files``).
    seq
        Name of the domain's sequence variable (``AESEQ`` ...), or None.
    """
    files = find_domain_files(sdtm_dir, stems=stems)
    if not files:
        return None
    frame = pl.concat([read_sdtm_file(p) for p in files], how="diagonal")
    frame = frame.with_row_index("ROW", offset=1).with_columns(pl.col("ROW").cast(pl.Int64))
    if seq is not None and seq in frame.columns:
        srcseq = pl.col(seq).cast(pl.Float64, strict=False).cast(pl.Int64, strict=False)
        return frame.with_columns(srcseq.fill_null(pl.col("ROW")).alias("SRCSEQ"))
    return frame.with_columns(pl.col("ROW").alias("SRCSEQ"))
