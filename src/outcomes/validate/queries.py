"""Issues as queries a site can answer (data-contract.md §3, revision 2): each issue gets the
subject's ``SITEID``, the record's key as the site knows it (``RECKEY``), a ``QUERYID`` that stays
the same from cut to cut, its ``CATEGORY`` (who answers it), ``FIRSTCUT`` and ``STATUS``.

``QUERYID`` is derived from what identifies the problem at the site: rule, table, subject, record
key and column, never from the file's row number (which shifts when records are added or removed
between cuts). Two issues with the same identity within one cut (for example two records that
share a duplicated ``CMSEQ``) are told apart by a suffix ``-2``, ``-3``, ... in row order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping

import polars as pl

from outcomes.validate.catalogue import BLANK, EXCLUDE, RULES

#: Columns a site uses to find a record of each table (``RECKEY``): the visit and its date, the
#: sequence numbers, the lab test and its date; a subjects record is the subject.
SITE_RECORD_KEYS: dict[str, tuple[str, ...]] = {
    "subjects": ("USUBJID",),
    "assessments": ("VISIT", "ASMDT"),
    "medications": ("CMSEQ",),
    "adverse_events": ("AESEQ",),
    "labs": ("LBTESTCD", "LBDT"),
}
#: For an issue about a record that is absent (a missed visit, a screening lab; ``ROW`` empty),
#: the key column that ``VALUE`` names in that table.
ABSENT_RECORD_KEY: dict[str, str] = {"assessments": "VISIT", "labs": "LBTESTCD"}

#: Columns added to the rule output (:data:`outcomes.validate.issues.ISSUE_SCHEMA`).
QUERY_SCHEMA: dict[str, pl.DataType] = {
    "SITEID": pl.String(),
    "RECKEY": pl.String(),
    "QUERYID": pl.String(),
    "FIRSTCUT": pl.String(),
    "CATEGORY": pl.String(),
    "STATUS": pl.String(),
}
NEW = "NEW"
OPEN = "OPEN"
RESOLVED = "RESOLVED"
#: Hexadecimal digits of the SHA-256 digest kept in a query id.
QUERYID_DIGITS = 12
_SEPARATOR = "\x1f"

RECORD_KEY_SCHEMA: dict[str, pl.DataType] = {
    "TABLE": pl.String(),
    "ROW": pl.Int64(),
    "RECKEY": pl.String(),
    "_ROWSITE": pl.String(),
}


def create_record_keys(
    raw: Mapping[str, pl.DataFrame], *, located: pl.DataFrame | None = None
) -> pl.DataFrame:
    """``RECKEY`` of the records of the export tables, as the site wrote it.

    Parameters
    ----------
    raw
        Text tables by name, with ``ROW`` and the columns of :data:`SITE_RECORD_KEYS` (a
        missing value is empty text); values are shown without surrounding white space.
    located
        ``TABLE`` and ``ROW`` of the records wanted (the issues'); None = every record.

    Returns
    -------
    pl.DataFrame
        ``TABLE``, ``ROW``, ``RECKEY`` (e.g. ``VISIT=MONTH 3, ASMDT=2026-05-02``) and
        ``_ROWSITE`` (the record's own ``SITEID``, subjects only).
    """
    parts = []
    for table, frame in raw.items():
        cols = SITE_RECORD_KEYS.get(table)
        if cols is None:
            continue
        pieces: list[pl.Expr] = []
        for i, col in enumerate(cols):
            value = pl.col(col) if col in frame.columns else pl.lit(None, dtype=pl.String)
            prefix = f"{', ' if i else ''}{col}="
            pieces += [pl.lit(prefix), value.cast(pl.String).str.strip_chars().fill_null("")]
        site = (
            pl.col("SITEID").cast(pl.String).str.strip_chars()
            if table == "subjects" and "SITEID" in frame.columns
            else pl.lit(None, dtype=pl.String)
        )
        rows = frame.lazy()
        if located is not None:
            wanted = located.filter(pl.col("TABLE") == table)["ROW"].drop_nulls()
            rows = rows.filter(pl.col("ROW").is_in(wanted.implode()))
        parts.append(
            rows.select(
                pl.lit(table).alias("TABLE"),
                pl.col("ROW").cast(pl.Int64),
                pl.concat_str(pieces).alias("RECKEY"),
                site.alias("_ROWSITE"),
            )
        )
    if not parts:
        return pl.DataFrame(schema=RECORD_KEY_SCHEMA)
    return pl.concat(pl.collect_all(parts)).cast(RECORD_KEY_SCHEMA)


def create_site_map(subjects: pl.DataFrame | None) -> pl.DataFrame:
    """``USUBJID`` → ``SITEID`` from the subjects table (text; the first record of a subject)."""
    schema = {"USUBJID": pl.String(), "_SITE": pl.String()}
    if subjects is None or "SITEID" not in subjects.columns:
        return pl.DataFrame(schema=schema)
    return (
        subjects.sort("ROW")
        .select(
            pl.col("USUBJID").cast(pl.String).str.strip_chars(),
            pl.col("SITEID").cast(pl.String).str.strip_chars().alias("_SITE"),
        )
        .filter(pl.col("USUBJID").is_not_null())
        .unique("USUBJID", keep="first", maintain_order=True)
        .cast(schema)
    )


def compute_query_ids(identities: pl.Series) -> pl.Series:
    """``Q`` and the first :data:`QUERYID_DIGITS` hex digits (upper case) of the SHA-256 digest
    of each identity text.

    A cryptographic digest (not polars' hash, which may change between versions) keeps the id
    the same on any machine and library version.
    """
    digests = [
        "Q" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:QUERYID_DIGITS].upper()
        for text in identities.to_list()
    ]
    return pl.Series("QUERYID", digests, dtype=pl.String)


def _identity() -> pl.Expr:
    """What identifies a problem at the site: rule, table, subject, record key, column (and the
    value, for a problem of the export file that has neither a record nor a subject)."""
    file_level = pl.col("ROW").is_null() & pl.col("USUBJID").is_null()
    parts = [pl.col(c).fill_null("") for c in ("RULE", "TABLE", "USUBJID", "RECKEY", "COLUMN")]
    value = pl.when(file_level).then(pl.col("VALUE")).otherwise(pl.lit(""))
    return pl.concat_str([*parts, value.fill_null("")], separator=_SEPARATOR)


def derive_query_columns(
    issues: pl.DataFrame,
    *,
    record_keys: pl.DataFrame | None = None,
    sites: pl.DataFrame | None = None,
    data_cut: dt.date | None = None,
) -> pl.DataFrame:
    """Issues with the query columns :data:`QUERY_SCHEMA` added (every issue ``NEW``).

    Parameters
    ----------
    issues
        Rule output (:data:`outcomes.validate.issues.ISSUE_SCHEMA`), in its stable order.
    record_keys
        :func:`create_record_keys` of the tables read (None: no record keys).
    sites
        :func:`create_site_map` (None: no sites).
    data_cut
        This cut (``FIRSTCUT`` of a new issue); None leaves ``FIRSTCUT`` empty.

    Returns
    -------
    pl.DataFrame
        Same rows and order; ``RECKEY`` of a record, or for an issue about an absent record the
        key that ``VALUE`` names (:data:`ABSENT_RECORD_KEY`), or ``USUBJID=<id>`` for any other
        issue of a subject; ``CATEGORY`` from the rule catalogue.
    """
    record_keys = pl.DataFrame(schema=RECORD_KEY_SCHEMA) if record_keys is None else record_keys
    sites = create_site_map(None) if sites is None else sites
    categories = pl.DataFrame(
        {"RULE": list(RULES), "CATEGORY": [r.category for r in RULES.values()]}
    )
    absent = pl.DataFrame(
        {"TABLE": list(ABSENT_RECORD_KEY), "_ABSENTKEY": list(ABSENT_RECORD_KEY.values())}
    )
    base = issues.drop([c for c in QUERY_SCHEMA if c in issues.columns])
    frame = (
        base.with_row_index("_ORDER")
        .join(record_keys, on=["TABLE", "ROW"], how="left")
        .join(sites, on="USUBJID", how="left")
        .join(absent, on="TABLE", how="left")
        .join(categories, on="RULE", how="left")
        .with_columns(
            pl.coalesce(
                "RECKEY",
                pl.when(pl.col("ROW").is_null() & pl.col("_ABSENTKEY").is_not_null())
                .then(pl.concat_str(pl.col("_ABSENTKEY"), pl.lit("="), pl.col("VALUE")))
                .when(pl.col("USUBJID").is_not_null())
                .then(pl.concat_str(pl.lit("USUBJID="), pl.col("USUBJID"))),
            ).alias("RECKEY"),
            pl.coalesce("_ROWSITE", "_SITE").alias("SITEID"),
        )
        .with_columns(_identity().alias("_IDENTITY"))
        .sort("_ORDER")
    )
    rank = (pl.int_range(pl.len()) + 1).over("QUERYID")
    frame = frame.with_columns(compute_query_ids(frame["_IDENTITY"])).with_columns(
        pl.when(rank > 1)
        .then(pl.concat_str(pl.col("QUERYID"), pl.lit("-"), rank.cast(pl.String)))
        .otherwise(pl.col("QUERYID"))
        .alias("QUERYID"),
        pl.lit(data_cut.isoformat() if data_cut else None, dtype=pl.String).alias("FIRSTCUT"),
        pl.lit(NEW).alias("STATUS"),
    )
    return frame.select(*base.columns, *QUERY_SCHEMA).cast(QUERY_SCHEMA)


def phrase_actions(issues: pl.DataFrame, excluded: pl.DataFrame) -> pl.DataFrame:
    """Issues whose ERROR excludes a record or blanks a value say so in words a site reads
    (``MESSAGE`` gets one sentence; data-contract §1.6)."""
    acted = (
        excluded.filter(pl.col("QUERYID").is_not_null())
        .join(issues.select("QUERYID", "TABLE", "ROW"), on=["QUERYID", "TABLE", "ROW"])
        .unique("QUERYID", keep="first", maintain_order=True)
        .select("QUERYID", "ACTION", pl.col("TABLE").alias("_T"), pl.col("COLUMN").alias("_C"))
    )
    if acted.is_empty():
        return issues
    sentence = (
        pl.when((pl.col("ACTION") == EXCLUDE) & (pl.col("_T") == "subjects"))
        .then(pl.lit("This subject is not analysed until the record is corrected."))
        .when(pl.col("ACTION") == EXCLUDE)
        .then(pl.lit("This record is not used in the analysis until it is corrected."))
        .when(pl.col("ACTION") == BLANK)
        .then(
            pl.concat_str(
                pl.lit("The value of "),
                pl.col("_C"),
                pl.lit(" is not used in the analysis until it is corrected."),
            )
        )
    )
    return (
        issues.join(acted, on="QUERYID", how="left", maintain_order="left")
        .with_columns(
            pl.when(sentence.is_not_null())
            .then(pl.concat_str(pl.col("MESSAGE").str.strip_chars_end("."), pl.lit(". "), sentence))
            .otherwise(pl.col("MESSAGE"))
            .alias("MESSAGE")
        )
        .select(issues.columns)
    )
