"""Fit a dataset to what SAS XPT v5 can hold, so that transport never fails a validated run.

XPT v5 holds text of at most 200 bytes per variable and numbers as IBM System/360 doubles.

* **Long text is split, not truncated** (the CDISC convention for text over 200 characters:
  SDTMIG v3.4 §4.5.3.2, ADaMIG v1.3 §3.1.4): the first 200 bytes stay in the variable
  (``AETERM``), the rest goes to numbered continuation variables (``AETERM1``, ``AETERM2``, …),
  each cut before the last space within 200 bytes (the space opens the next part; a chunk with
  no space is cut at a character boundary), so that concatenating the variables gives the value
  back and no word or multi-byte character is cut. Splitting keeps every byte of the data in the
  submission file; truncation would lose text that a reviewer of the XPT file cannot recover.
  The name of a continuation variable keeps the 8-character limit: the base name is shortened
  to make room for the digit.
* **Numbers beyond the IBM range** (magnitude above about 9.0e74, or non-zero below about
  5.4e-79) cannot be written; they are written as missing in the XPT file and named in the
  step's log. Validation already warns about them (TRN-002). IEEE infinities are missing too.

Dataset-JSON has none of these limits and always keeps the full values.

References
----------
SAS Institute, TS-140: The record layout of a SAS transport (XPORT) file (IBM floating point).
CDISC SDTM Implementation Guide v3.4, §4.5.3.2 Text strings that exceed 200 characters.
"""

from __future__ import annotations

import dataclasses

import polars as pl

from outcomes.contract import XPT_NUMBER_MAX, XPT_NUMBER_MIN
from outcomes.interop.metadata import CHAR_MAX, LABEL_MAX, DatasetMeta, VariableMeta

#: Longest variable name of XPT v5.
NAME_MAX = 8


def split_text(value: str, limit: int = CHAR_MAX) -> list[str]:
    """Split ``value`` into chunks of at most ``limit`` UTF-8 bytes at word boundaries.

    A chunk ends before the last run of spaces that fits, and the next chunk starts with it
    (XPT drops trailing blanks, keeps leading ones); a run of text without a space is cut at
    the last whole character that fits. ``"".join(chunks) == value``.
    """
    chunks = []
    rest = value
    while len(rest.encode("utf-8")) > limit:
        head = rest.encode("utf-8")[:limit].decode("utf-8", errors="ignore")
        cut = head.rfind(" ")
        while cut > 0 and head[cut - 1] == " ":
            cut -= 1
        cut = cut if cut > 0 else len(head)
        chunks.append(rest[:cut])
        rest = rest[cut:]
    chunks.append(rest)
    return chunks


def _continuation_name(base: str, k: int, taken: set[str]) -> str:
    suffix = str(k)
    name = base[: NAME_MAX - len(suffix)] + suffix
    while name in taken:  # a shortened base may meet an existing variable: shorten further
        base = base[:-1]
        name = base[: NAME_MAX - len(suffix)] + suffix
    return name


@dataclasses.dataclass(frozen=True)
class XptProfile:
    """What the XPT image of a dataset needs to know of all its rows, gathered batch by batch.

    ``parts[name]`` gives, for each text column, the longest value in bytes of each of its parts
    (one part unless a value exceeds 200 bytes; ``None`` when every value is missing);
    ``widths[name]`` the longest part as XPT writes it (missing as blank, no trailing blanks);
    ``unfit[name]`` the count of numbers XPT v5 cannot hold, per numeric column.
    """

    parts: dict[str, tuple[int | None, ...]]
    widths: dict[str, tuple[int, ...]]
    unfit: dict[str, int]


def _unfit_expr(col: pl.Expr) -> pl.Expr:
    size = col.cast(pl.Float64).abs()
    return ((size > XPT_NUMBER_MAX) | ((size < XPT_NUMBER_MIN) & (size > 0))).fill_null(False)


def _unfit_numbers(col: pl.Series) -> pl.Series:
    return col.to_frame().select(_unfit_expr(pl.col(col.name))).to_series()


def _max_bytes(col: pl.Series, *, image: bool = False) -> int | None:
    if image:
        col = col.fill_null("").str.strip_chars_end(" ")
    longest = col.str.len_bytes().max()
    return None if longest is None else int(longest)


def _split_series(col: pl.Series) -> pl.Series:
    return col.map_elements(split_text, return_dtype=pl.List(pl.String), skip_nulls=True)


def compute_xpt_profile(frame: pl.DataFrame) -> XptProfile:
    """The :class:`XptProfile` of one batch of rows (batches merge: :func:`merge_xpt_profiles`)."""
    parts: dict[str, tuple[int | None, ...]] = {}
    widths: dict[str, tuple[int, ...]] = {}
    unfit: dict[str, int] = {}
    for name, dtype in frame.schema.items():
        col = frame.get_column(name)
        if dtype == pl.String:
            if (_max_bytes(col) or 0) > CHAR_MAX:
                split = _split_series(col)
                count = int(split.list.len().max() or 1)
                chunks = [split.list.get(k, null_on_oob=True) for k in range(count)]
            else:
                chunks = [col]
            parts[name] = tuple(_max_bytes(c) for c in chunks)
            widths[name] = tuple(_max_bytes(c, image=True) or 0 for c in chunks)
        elif dtype.is_numeric() and dtype != pl.Boolean:
            unfit[name] = int(_unfit_numbers(col).sum())
    return XptProfile(parts=parts, widths=widths, unfit=unfit)


def compute_profile_exprs(schema: pl.Schema) -> dict[str, pl.Expr]:
    """Aggregations over all rows for an :class:`XptProfile` of unsplit text (by name).

    Per text column the longest value as XPT writes it (missing as blank, no trailing
    blanks), per numeric column the count of numbers XPT v5 cannot hold; with the longest
    value of each text column (in bytes) they make the profile (:func:`create_xpt_profile`).
    """
    exprs: dict[str, pl.Expr] = {}
    for name, dtype in schema.items():
        col = pl.col(name)
        if dtype == pl.String:
            image = col.fill_null("").str.strip_chars_end(" ").str.len_bytes().max()
            exprs[f"xpt-width:{name}"] = image
        elif dtype.is_numeric() and dtype != pl.Boolean:
            exprs[f"xpt-unfit:{name}"] = _unfit_expr(col).sum()
    return exprs


def create_xpt_profile(
    schema: pl.Schema,
    aggregates: dict[str, int | None],
    longest: dict[str, int | None],
    split: XptProfile | None = None,
) -> XptProfile:
    """The :class:`XptProfile` of all rows from :func:`compute_profile_exprs` collected.

    ``longest`` gives the longest value of each text column in bytes; ``split`` the profile
    of the text columns with a value longer than 200 bytes (:func:`compute_xpt_profile` of
    their batches, merged), which replaces theirs.
    """
    parts: dict[str, tuple[int | None, ...]] = {}
    widths: dict[str, tuple[int, ...]] = {}
    unfit: dict[str, int] = {}
    for name, dtype in schema.items():
        if dtype == pl.String:
            if split is not None and name in split.parts:
                parts[name], widths[name] = split.parts[name], split.widths[name]
            else:
                parts[name] = (longest[name],)
                widths[name] = (int(aggregates[f"xpt-width:{name}"] or 0),)
        elif dtype.is_numeric() and dtype != pl.Boolean:
            unfit[name] = int(aggregates[f"xpt-unfit:{name}"] or 0)
    return XptProfile(parts=parts, widths=widths, unfit=unfit)


def _widest(values: list[tuple[int | None, ...]]) -> tuple[int | None, ...]:
    size = max(len(v) for v in values)
    merged = []
    for k in range(size):
        known = [v[k] for v in values if k < len(v) and v[k] is not None]
        merged.append(max(known) if known else None)
    return tuple(merged)


def merge_xpt_profiles(profiles: list[XptProfile]) -> XptProfile:
    """The profile of all rows from the profiles of their batches (at least one)."""
    first = profiles[0]
    return XptProfile(
        parts={n: _widest([p.parts[n] for p in profiles]) for n in first.parts},
        widths={
            n: tuple(w or 0 for w in _widest([p.widths[n] for p in profiles])) for n in first.widths
        },
        unfit={n: sum(p.unfit[n] for p in profiles) for n in first.unfit},
    )


def create_xpt_metadata(meta: DatasetMeta, profile: XptProfile) -> tuple[DatasetMeta, list[str]]:
    """The metadata of the XPT image (continuation variables of split text) and the notes.

    Parameters
    ----------
    meta
        Metadata of the dataset (:func:`~outcomes.interop.metadata.create_dataset_metadata`).
    profile
        The profile of all its rows (:func:`compute_xpt_profile`, :func:`merge_xpt_profiles`).
    """
    taken = {v.name for v in meta.variables}
    variables: list[VariableMeta] = []
    notes: list[str] = []
    for var in meta.variables:
        lengths = profile.parts.get(var.name, ())
        if len(lengths) > 1:
            split = []
            for k, longest in enumerate(lengths):
                name = var.name if k == 0 else _continuation_name(var.name, k, taken)
                taken.add(name)
                label = var.label if k == 0 else f"{var.label[: LABEL_MAX - 8]} (part {k + 1})"
                split.append(dataclasses.replace(var, name=name, label=label, length=longest or 1))
            variables += split
            notes.append(
                f"{meta.name}.{var.name}: text up to {var.length} bytes split over "
                f"{', '.join(v.name for v in split)} (XPT v5 holds {CHAR_MAX} bytes)"
            )
            continue
        count = profile.unfit.get(var.name, 0)
        if count:
            notes.append(
                f"{meta.name}.{var.name}: {count} value(s) of a magnitude XPT v5 cannot hold "
                f"(beyond {XPT_NUMBER_MIN:.3g} to {XPT_NUMBER_MAX:.3g}) written as missing; "
                "Dataset-JSON keeps them"
            )
        variables.append(var)
    return dataclasses.replace(meta, variables=tuple(variables)), notes


def compute_xpt_widths(meta: DatasetMeta, profile: XptProfile) -> tuple[int, ...]:
    """Bytes of each variable of the XPT image in a record: 8 per number, the text width else.

    The width of text is its longest value as written (at least 1), the width a writer of the
    whole dataset gives it; ``meta`` is the dataset's own metadata (before splitting).
    """
    widths: list[int] = []
    for var in meta.variables:
        if var.name in profile.widths:
            widths += [max(w, 1) for w in profile.widths[var.name]]
        else:
            widths.append(1 if var.data_type == "boolean" else 8)
    return tuple(widths)


def apply_xpt_fit(frame: pl.DataFrame, xpt_meta: DatasetMeta, profile: XptProfile) -> pl.DataFrame:
    """Rows of ``frame`` as the variables of ``xpt_meta`` (:func:`create_xpt_metadata`).

    Split text goes to its continuation variables; numbers XPT v5 cannot hold become missing.
    """
    columns: list[pl.Series] = []
    position = 0
    for name in frame.columns:
        col = frame.get_column(name)
        count = len(profile.parts.get(name, ()))
        if count > 1:
            names = [v.name for v in xpt_meta.variables[position : position + count]]
            split = _split_series(col)
            columns += [split.list.get(k, null_on_oob=True).alias(n) for k, n in enumerate(names)]
            position += count
            continue
        position += 1
        if col.dtype.is_numeric() and col.dtype != pl.Boolean:
            unfit = _unfit_numbers(col)
            if unfit.any():
                col = pl.select(
                    pl.when(unfit).then(None).otherwise(col.cast(pl.Float64)).alias(name)
                ).to_series()
        columns.append(col)
    return pl.DataFrame(columns)


def fit_to_xpt(
    frame: pl.DataFrame, meta: DatasetMeta
) -> tuple[pl.DataFrame, DatasetMeta, list[str]]:
    """The dataset and metadata as XPT v5 can hold them, and one note per change made.

    Parameters
    ----------
    frame
        The dataset, its columns those of ``meta`` in order.
    meta
        Its metadata (:func:`~outcomes.interop.metadata.create_dataset_metadata`).
    """
    profile = compute_xpt_profile(frame)
    xpt_meta, notes = create_xpt_metadata(meta, profile)
    return apply_xpt_fit(frame, xpt_meta, profile), xpt_meta, notes
