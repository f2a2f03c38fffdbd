"""The ``subjects`` table (data-contract.md §1.1) of the synthetic trial, one row per subject."""

from __future__ import annotations

import numpy as np
import polars as pl

from outcomes.simulate.cohort import Cohort


def create_subject_ids(cohort: Cohort, *, studyid: str) -> pl.Series:
    """USUBJID of every subject: ``<STUDYID>-<site, 2 digits>-<subject number, >= 4 digits>``."""
    width = max(4, len(str(cohort.n)))
    frame = pl.DataFrame({"SITE": cohort.site, "NUM": np.arange(1, cohort.n + 1)})
    return frame.select(
        pl.concat_str(
            pl.lit(studyid),
            pl.lit("-"),
            pl.col("SITE").cast(pl.String).str.zfill(2),
            pl.lit("-"),
            pl.col("NUM").cast(pl.String).str.zfill(width),
        ).alias("USUBJID")
    ).to_series()


def as_date(days: np.ndarray, keep: np.ndarray) -> pl.Series:
    """Dates from day numbers since 1970-01-01, null where ``keep`` is False."""
    dates = pl.Series(np.where(keep, days, 0)).cast(pl.Int32).cast(pl.Date)
    return pl.select(pl.when(pl.Series(keep)).then(dates)).to_series()


def create_subjects(
    cohort: Cohort,
    *,
    ids: pl.Series,
    studyid: str,
    dose_first: float,
    dose_ratio: float,
    last_assessment: np.ndarray,
) -> pl.DataFrame:
    """One row per enrolled subject with end-of-study status at the as-of date.

    A subject whose end of study (completion at the MONTH 24 visit, withdrawal or death) lies
    after the as-of date is ``ONGOING`` with empty EOSDT, DCSREAS and DTHDT; a death is
    ``DISCONTINUED`` with DCSREAS ``DEATH`` and EOSDT = DTHDT. Dates after the as-of date
    (lymphodepletion, infusion) are not yet known and stay empty. LSTALVDT is the last
    assessment date of subjects not known to have died.
    """
    c = cohort
    eos = c.eos_reached
    status = np.where(~eos, "ONGOING", np.where(c.end_reason == "", "COMPLETED", "DISCONTINUED"))
    levels = np.asarray(c.dose_levels, dtype=object)[c.level].astype(str)
    dose = np.round(dose_first * dose_ratio ** c.level.astype(float), 2)
    dead = c.died & eos
    frame = pl.DataFrame(
        {
            "STUDYID": pl.Series([studyid] * c.n, dtype=pl.String),
            "USUBJID": ids,
            "SITEID": pl.Series(c.site).cast(pl.String).str.zfill(2),
            "AGE": c.age,
            "SEX": np.where(c.female, "F", "M"),
            "WEIGHT": c.weight,
            "CONSDT": as_date(c.consent, np.ones(c.n, dtype=bool)),
            "DOSELVL": levels,
            "DOSE": pl.Series(np.where(c.infused, dose, np.nan)).fill_nan(None),
            "LDFL": np.where(c.ld, "Y", "N"),
            "LDSTDT": as_date(c.anchor, c.ld),
            "INFDT": as_date(c.infday, c.infused),
            "EOSSTT": status,
            "EOSDT": as_date(c.end_day, eos),
            "DCSREAS": pl.Series(np.where(eos & (c.end_reason != ""), c.end_reason, "")).replace(
                "", None
            ),
            "DTHDT": as_date(c.end_day, dead),
            "LSTALVDT": as_date(last_assessment, ~dead & (last_assessment > 0)),
        }
    )
    return frame.filter(pl.Series(c.enrolled))
