"""Listings (section 16.2): adverse events, CRS/ICANS episodes, serious AEs, deaths, rescue
therapy and eligibility deviations. One row per record, sorted by subject and date; every record
up to ``report.listing_max_rows`` (above it the first records and a footnote that says so).
"""

from __future__ import annotations

import polars as pl

from outcomes.report.tfl.table import Tfl, TflRow

_SAFETY_SET = "Safety analysis set"


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Y" if value else "N"
    return str(value)


def create_listing(
    frame: pl.DataFrame,
    *,
    number: str,
    title: str,
    population: str,
    headers: dict[str, str],
    source: str,
    footnotes: tuple[str, ...] = (),
    max_rows: int | None = None,
) -> Tfl:
    """A listing of ``frame``: row label = the first column in ``headers``, then the others.

    With more than ``max_rows`` records (``None``: no limit) the listing shows the first
    ``max_rows`` in the frame's order and a footnote gives how many there are and where all of
    them are.
    """
    cols = [c for c in headers if c in frame.columns]
    if max_rows is not None and frame.height > max_rows:
        footnotes = (
            *footnotes,
            f"The listing shows the first {max_rows:,} of {frame.height:,} records in this "
            f"order (report.listing_max_rows); every record is in {source}.",
        )
        frame = frame.head(max_rows)
    rows = tuple(
        TflRow(f"r{i}", _cell(row[0]), tuple(_cell(v) for v in row[1:]))
        for i, row in enumerate(frame.select(cols).iter_rows(), start=1)
    )
    return Tfl(
        number=number,
        title=title,
        population=population,
        stub=headers[cols[0]],
        columns=tuple(headers[c] for c in cols[1:]),
        rows=rows,
        footnotes=footnotes,
        source=source,
        section="listings",
    )


_AE_HEADERS = {
    "USUBJID": "Subject",
    "DOSELVL": "Dose level",
    "AESEQ": "AE no.",
    "AECAT": "Category",
    "AETERM": "Reported term",
    "ASTDY": "Onset day",
    "ADURN": "Duration (days)",
    "AETOXGR": "Grade",
    "AESER": "Serious",
    "AEREL": "Related",
    "W3MFL": "Day 0-91",
}


def _ae_frame(adae: pl.DataFrame) -> pl.DataFrame:
    return adae.sort("USUBJID", "AESTDT", "AESEQ")


def create_ae_listing(adae: pl.DataFrame, *, max_rows: int | None = None) -> Tfl:
    """Listing 16.2.7.1: every adverse event."""
    return create_listing(
        _ae_frame(adae),
        number="Listing 16.2.7.1",
        title="Adverse events",
        population=_SAFETY_SET,
        headers=_AE_HEADERS,
        source="adam/adae.parquet",
        footnotes=(
            "Onset day: AESTDT - infusion date (Day 0); duration AEENDT - AESTDT + 1, "
            "empty when ongoing at the cut.",
        ),
        max_rows=max_rows,
    )


#: INN of the IL-6 receptor antibody given for CRS.
TOCILIZUMAB = "tocilizumab"


def derive_vars_toxicity_treatment(episodes: pl.DataFrame, *, adcm: pl.DataFrame) -> pl.DataFrame:
    """Per CRS/ICANS episode: tocilizumab (``TOCIFL``) and glucocorticoids (``STERFL``) given.

    A medication record counts for an episode when it was given for CAR-T toxicity
    (``CARTTXFL``) and started on a day from the episode's onset to its resolution (to the
    cut when ongoing). ``Y``/``N`` per episode.
    """
    given = adcm.filter(pl.col("CARTTXFL").fill_null(False)).select(
        "USUBJID",
        "CMSTDT",
        (pl.col("DRUG").str.to_lowercase() == TOCILIZUMAB).alias("_tmp_toci"),
        pl.col("GCFL").fill_null(False).alias("_tmp_gc"),
    )
    keys = ["USUBJID", "AESEQ"]
    within = (
        episodes.select(*keys, "AESTDT", "AEENDT")
        .join(given, on="USUBJID", how="inner")
        .filter(
            (pl.col("CMSTDT") >= pl.col("AESTDT"))
            & ((pl.col("CMSTDT") <= pl.col("AEENDT")) | pl.col("AEENDT").is_null())
        )
        .group_by(keys)
        .agg(pl.col("_tmp_toci").any().alias("_tmp_t"), pl.col("_tmp_gc").any().alias("_tmp_g"))
    )
    yes_no = {True: "Y", False: "N"}
    return episodes.join(within, on=keys, how="left", maintain_order="left").select(
        pl.exclude("_tmp_t", "_tmp_g"),
        pl.col("_tmp_t")
        .fill_null(False)
        .replace_strict(yes_no, return_dtype=pl.String)
        .alias("TOCIFL"),
        pl.col("_tmp_g")
        .fill_null(False)
        .replace_strict(yes_no, return_dtype=pl.String)
        .alias("STERFL"),
    )


def create_crs_icans_listing(
    adae: pl.DataFrame, *, adcm: pl.DataFrame | None = None, max_rows: int | None = None
) -> Tfl:
    """Listing 16.2.7.2: CRS and ICANS episodes: onset, duration, grade, tocilizumab, steroids."""
    part = _ae_frame(adae).filter(pl.col("AECAT").is_in(["CRS", "ICANS"]))
    headers = {k: v for k, v in _AE_HEADERS.items() if k not in ("AESER", "AEREL")}
    notes = ["Grades: ASTCT consensus (Lee et al., 2019)."]
    source = "adam/adae.parquet"
    if adcm is not None and {"AEENDT", "AESTDT"} <= set(part.columns):
        part = derive_vars_toxicity_treatment(part, adcm=adcm)
        headers |= {"TOCIFL": "Tocilizumab", "STERFL": "Glucocorticoids"}
        notes.append(
            "Tocilizumab / glucocorticoids: a medication given for CAR-T toxicity started from "
            "the onset to the resolution of the episode (to the cut when ongoing)."
        )
        source += ", derived/adcm.parquet (CARTTXFL = Y)"
    return create_listing(
        part,
        number="Listing 16.2.7.2",
        title="CRS and ICANS episodes",
        population=_SAFETY_SET,
        headers=headers,
        source=source,
        footnotes=tuple(notes),
        max_rows=max_rows,
    )


def create_sae_listing(adae: pl.DataFrame, *, max_rows: int | None = None) -> Tfl:
    """Listing 16.2.7.3: serious adverse events."""
    return create_listing(
        _ae_frame(adae).filter(pl.col("AESER") == "Y"),
        number="Listing 16.2.7.3",
        title="Serious adverse events",
        population=_SAFETY_SET,
        headers=_AE_HEADERS,
        source="adam/adae.parquet (AESER = Y)",
        max_rows=max_rows,
    )


def create_death_listing(adsl: pl.DataFrame, *, max_rows: int | None = None) -> Tfl:
    """Listing 16.2.7.4: deaths with study day and reason for ending the study."""
    part = (
        adsl.filter(pl.col("DTHDT").is_not_null())
        .with_columns((pl.col("DTHDT") - pl.col("TRTSDT")).dt.total_days().alias("DTHDY"))
        .sort("USUBJID")
    )
    return create_listing(
        part,
        number="Listing 16.2.7.4",
        title="Deaths",
        population="All enrolled subjects",
        headers={
            "USUBJID": "Subject",
            "DOSELVL": "Dose level",
            "DTHDT": "Date of death",
            "DTHDY": "Study day",
            "DCSREAS": "Reason for ending the study",
        },
        source="adam/adsl.parquet",
        max_rows=max_rows,
    )


def create_rescue_listing(
    events: pl.DataFrame, *, adsl: pl.DataFrame, max_rows: int | None = None
) -> Tfl:
    """Listing 16.2.7.5: rescue-therapy and re-treatment events after the infusion."""
    part = (
        events.filter(pl.col("EVTCD").is_in(["RESCUE", "RESCUEAM", "RETREAT"]))
        .join(adsl.select("USUBJID", "DOSELVL", "TRTSDT"), on="USUBJID", how="left")
        .with_columns((pl.col("EVTDT") - pl.col("TRTSDT")).dt.total_days().alias("EVTDY"))
        .sort("USUBJID", "EVTDT", "EVTCD")
    )
    return create_listing(
        part,
        number="Listing 16.2.7.5",
        title="SLE rescue therapy and CAR-T re-treatment",
        population=_SAFETY_SET,
        headers={
            "USUBJID": "Subject",
            "DOSELVL": "Dose level",
            "EVTDT": "Start date",
            "EVTDY": "Study day",
            "EVTCD": "Event",
            "EVTDESC": "Description",
            "SRCSEQ": "Medication record",
        },
        source="derived/events.parquet",
        footnotes=(
            "Rescue (§8.4): new or increased SLE immunosuppression, glucocorticoid "
            "escalation, plasma exchange or IVIG for SLE; RESCUEAM: new antimalarial "
            "(strict drug-free state only); RETREAT: CAR-T re-treatment (E-29).",
        ),
        max_rows=max_rows,
    )


def create_eligibility_listing(
    issues: pl.DataFrame | None, *, adsl: pl.DataFrame, max_rows: int | None = None
) -> Tfl:
    """Listing 16.2.2: protocol deviations from eligibility (validation ELG rules, ELIGFL = N)."""
    if issues is not None and "RULE" in issues.columns:
        part = (
            issues.filter(pl.col("RULE").str.starts_with("ELG"))
            .join(adsl.select("USUBJID", "DOSELVL"), on="USUBJID", how="left")
            .sort("USUBJID", "RULE")
        )
    else:
        not_eligible = pl.col("ELIGFL") == "N" if "ELIGFL" in adsl.columns else pl.lit(False)
        part = adsl.filter(not_eligible).select(
            "USUBJID", "DOSELVL", pl.lit("ELIGFL = N").alias("MESSAGE")
        )
    return create_listing(
        part,
        number="Listing 16.2.2",
        title="Protocol deviations from eligibility criteria",
        population="All enrolled subjects",
        headers={
            "USUBJID": "Subject",
            "DOSELVL": "Dose level",
            "RULE": "Rule",
            "SEVERITY": "Severity",
            "COLUMN": "Item",
            "VALUE": "Value",
            "MESSAGE": "Deviation",
        },
        source="validation/issues.csv (rules ELG-*), adam/adsl.parquet",
        max_rows=max_rows,
    )
