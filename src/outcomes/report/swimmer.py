"""Swimmer-plot data: one lane per infused subject, with episodes and events on study days.

Day 0 is the CAR-T infusion (``adsl.TRTSDT``). A lane ends at death (``DTHDT``) or else at the
last assessment on or before the cut (``LSTASMDT``, where follow-up is censored, endpoints.md
§16.2). Episodes are ``adepi`` rows (DORIS, drug-free DORIS, LLDAS); marks are rescue
and flare-treatment events (``derived/events``), flares on assessments (``advisit.FLAREFL``),
CRS and ICANS onsets (``adae.AECAT``), death and censoring.
"""

from __future__ import annotations

import polars as pl

#: events.EVTCD -> mark kind.
EVENT_KINDS: dict[str, str] = {
    "RESCUE": "Rescue",
    "RESCUEAM": "Rescue",
    "RETREAT": "Rescue",
    "FLARETRT": "Flare",
}
MARK_KINDS: tuple[str, ...] = ("Rescue", "Flare", "CRS", "ICANS", "Death", "Censored")
MARK_SCHEMA = {"USUBJID": pl.String, "DAY": pl.Int64, "KIND": pl.String}


def _day(col: str) -> pl.Expr:
    return (pl.col(col) - pl.col("TRTSDT")).dt.total_days()


def create_swimmer_lanes(adsl: pl.DataFrame, *, dose_levels: tuple[str, ...]) -> pl.DataFrame:
    """One row per infused subject: ``USUBJID, DOSELVL, ENDDY, DEATHFL, ONGOINGFL``, lanes
    ordered by dose level then length (longest first) then subject id. ``ONGOINGFL``: alive and
    on study at the cut (``EOSSTT = ONGOING``), drawn with an arrow."""
    end = pl.coalesce("DTHDT", "LSTASMDT", "TRTSDT")
    order = pl.col("DOSELVL").replace_strict(
        dose_levels, list(range(len(dose_levels))), default=len(dose_levels)
    )
    return (
        adsl.filter(pl.col("TRTSDT").is_not_null())
        .with_columns(end.alias("_tmp_end"))
        .select(
            "USUBJID",
            "DOSELVL",
            (pl.col("_tmp_end") - pl.col("TRTSDT")).dt.total_days().alias("ENDDY"),
            pl.col("DTHDT").is_not_null().alias("DEATHFL"),
            (
                (pl.col("EOSSTT") == "ONGOING") & pl.col("DTHDT").is_null()
                if "EOSSTT" in adsl.columns
                else pl.lit(False)
            )
            .fill_null(False)
            .alias("ONGOINGFL"),
        )
        .sort(order, pl.col("ENDDY"), pl.col("USUBJID"), descending=[False, True, False])
    )


def create_swimmer_episodes(adepi: pl.DataFrame, *, adsl: pl.DataFrame) -> pl.DataFrame:
    """Episodes on study days: ``USUBJID, PARAMCD, STARTDY, ENDDY, ENDREAS``."""
    return (
        adepi.join(adsl.select("USUBJID", "TRTSDT"), on="USUBJID", how="inner")
        .select(
            "USUBJID",
            "PARAMCD",
            _day("STARTDT").alias("STARTDY"),
            _day("ENDDT").alias("ENDDY"),
            "ENDREAS",
        )
        .sort("USUBJID", "PARAMCD", "STARTDY")
    )


def create_swimmer_marks(
    lanes: pl.DataFrame,
    *,
    adsl: pl.DataFrame,
    events: pl.DataFrame | None,
    advisit: pl.DataFrame | None,
    adae: pl.DataFrame | None,
) -> pl.DataFrame:
    """Point events on study days: ``USUBJID, DAY, KIND`` (kinds: :data:`MARK_KINDS`)."""
    days = adsl.select("USUBJID", "TRTSDT")
    parts = [
        lanes.select(
            "USUBJID",
            pl.col("ENDDY").alias("DAY"),
            pl.when(pl.col("DEATHFL"))
            .then(pl.lit("Death"))
            .otherwise(pl.lit("Censored"))
            .alias("KIND"),
        )
    ]
    if events is not None:
        parts.append(
            events.filter(pl.col("EVTCD").is_in(list(EVENT_KINDS)))
            .join(days, on="USUBJID")
            .select(
                "USUBJID",
                _day("EVTDT").alias("DAY"),
                pl.col("EVTCD").replace_strict(EVENT_KINDS).alias("KIND"),
            )
        )
    if advisit is not None:
        parts.append(
            advisit.filter(pl.col("FLAREFL")).select(  # null (not evaluable) is not drawn
                "USUBJID", pl.col("ADY").cast(pl.Int64).alias("DAY"), pl.lit("Flare").alias("KIND")
            )
        )
    if adae is not None:
        parts.append(
            adae.filter(pl.col("AECAT").is_in(["CRS", "ICANS"]))
            .join(days, on="USUBJID")
            .select("USUBJID", _day("AESTDT").alias("DAY"), pl.col("AECAT").alias("KIND"))
        )
    marks = pl.concat([p.cast(MARK_SCHEMA) for p in parts])
    return (
        marks.join(lanes.select("USUBJID"), on="USUBJID", how="semi")
        .unique()
        .sort("USUBJID", "DAY", "KIND")
    )
