"""adae (one row per adverse event) and adsafe (one row per infused subject).

Name: CAR-T safety. Inputs: validated adverse_events and labs, adsl. Output grains: adae one
row per AE record; adsafe one row per infused subject (maximum CRS and ICANS grade, ICAHT).
"""

from __future__ import annotations

import polars as pl

from outcomes.derive.windows import compute_baseline_anchor
from outcomes.endpoints.datasets import filter_infused
from outcomes.endpoints.icaht import create_icaht
from outcomes.endpoints.params import SafetyParams
from outcomes.schemas.export import EXPORT_COLUMNS

#: The highest AE grade of the contract (AETOXGR 1-5): a known grade 5 is the maximum even when
#: another record's grade is missing.
MAX_GRADE = int(next(s.maximum for s in EXPORT_COLUMNS["adverse_events"] if s.name == "AETOXGR"))


def derive_vars_ae_timing(
    adverse_events: pl.LazyFrame, *, subjects: pl.LazyFrame, params: SafetyParams
) -> pl.LazyFrame:
    """Study day of onset, treatment emergence, window flags and duration of each AE.

    ``ASTDY`` = AESTDT − TRTSDT (Day 0 = infusion, [D-02]). ``TRTEMFL``: onset on or after the
    start of lymphodepletion (the infusion without lymphodepletion) (§16.19); null when the
    subject has neither date. ``W3MFL``: onset Day 0–91 inclusive ([D-26], E-30); ``W28FL``: onset
    Day 0–28 inclusive, the OBD toxicity window (§16.18). ``ADURN`` = AEENDT − AESTDT + 1 days
    (§16.18); null while the AE is ongoing (no end date at the cut).

    Returns
    -------
    pl.LazyFrame
        Rows and order of ``adverse_events`` plus DOSELVL, TRTSDT, ASTDY, TRTEMFL, W3MFL, W28FL,
        ADURN.
    """
    # Lymphodepletion start when LDFL = Y, else the infusion (§16.19): the baseline anchor.
    ref = compute_baseline_anchor()
    astdy = (pl.col("AESTDT") - pl.col("TRTSDT")).dt.total_days()
    window = {
        "W3MFL": params.ae_window_last_day,
        "W28FL": params.obd_window_last_day,
    }
    return (
        adverse_events.join(
            subjects.select("USUBJID", "DOSELVL", "TRTSDT", ref.alias("_tmp_ref")),
            on="USUBJID",
            how="left",
            maintain_order="left",
        )
        .with_columns(
            astdy.alias("ASTDY"), (pl.col("AESTDT") >= pl.col("_tmp_ref")).alias("TRTEMFL")
        )
        .with_columns(
            *(
                pl.col("ASTDY").is_between(params.ae_window_first_day, last).alias(name)
                for name, last in window.items()
            ),
            ((pl.col("AEENDT") - pl.col("AESTDT")).dt.total_days() + 1).alias("ADURN"),
        )
        .drop("_tmp_ref")
    )


def create_adae(
    adverse_events: pl.LazyFrame, *, subjects: pl.LazyFrame, params: SafetyParams
) -> pl.LazyFrame:
    """adae: the source AE records with ASTDY, TRTEMFL, W3MFL, W28FL, ADURN (§9, §16.18-16.19).

    AEs ongoing at the cut keep a null AEENDT and ADURN; records after the cut were dropped
    upstream. SRCDOM/SRCSEQ of the source record are kept.
    """
    return derive_vars_ae_timing(adverse_events, subjects=subjects, params=params)


def create_adsafe(
    adae: pl.LazyFrame, *, subjects: pl.LazyFrame, labs: pl.LazyFrame, params: SafetyParams
) -> pl.LazyFrame:
    """adsafe: per infused subject, maximum CRS and ICANS grade and ICAHT grades.

    ``CRSMAXGR`` / ``ICNSMXGR``: highest AETOXGR (ASTCT grade, §9.1-9.2) of treatment-emergent
    AEs with AECAT CRS / ICANS; 0 when the subject had none; null (not evaluable) when one of
    them has no grade and no other reaches grade 5. ``CRS28GR`` / ``ICNS28GR``: the same
    within the OBD window (onset Day 0–28, §16.18). ICAHT grades from ANC and platelet counts
    (:func:`outcomes.endpoints.icaht.create_icaht`).

    Returns
    -------
    pl.LazyFrame
        USUBJID, DOSELVL, TRTSDT, CRSMAXGR, ICNSMXGR, CRS28GR, ICNS28GR, ICAHTEGR, ICAHTLGR,
        TICAHTEG, TICAHTLG; one row per infused subject.
    """
    infused = filter_infused(subjects)
    te = pl.col("TRTEMFL").fill_null(False)
    selections = {
        "CRSMAXGR": te & (pl.col("AECAT") == "CRS"),
        "ICNSMXGR": te & (pl.col("AECAT") == "ICANS"),
        "CRS28GR": te & (pl.col("AECAT") == "CRS") & pl.col("W28FL").fill_null(False),
        "ICNS28GR": te & (pl.col("AECAT") == "ICANS") & pl.col("W28FL").fill_null(False),
    }
    grade = pl.col("AETOXGR")
    grades = adae.group_by("USUBJID").agg(
        *(grade.filter(sel).max().alias(name) for name, sel in selections.items()),
        *((sel & grade.is_null()).any().alias(f"_tmp_{n}") for n, sel in selections.items()),
    )
    # No CRS/ICANS record for an infused subject means grade 0 (AE log taken as complete); a
    # record without a grade (missing or invalid in the export) leaves the maximum not evaluable
    # unless a known grade is already the highest.
    unknown = {n: pl.col(f"_tmp_{n}").fill_null(False) for n in selections}
    return (
        infused.select("USUBJID", "DOSELVL", "TRTSDT")
        .join(grades, on="USUBJID", how="left", maintain_order="left")
        .with_columns(
            pl.when(unknown[c] & (pl.col(c).fill_null(0) < MAX_GRADE))
            .then(None)
            .otherwise(pl.col(c).fill_null(0))
            .cast(pl.Int64)
            .alias(c)
            for c in selections
        )
        .drop([f"_tmp_{n}" for n in selections])
        .join(
            create_icaht(labs, subjects=infused, params=params.icaht),
            on="USUBJID",
            how="left",
            maintain_order="left",
        )
    )
