"""ADVISIT — per-assessment disease activity and remission states.

Label: analysis dataset of disease-activity assessments. Inputs: validated ``assessments`` and
``subjects`` tables, ``derived/adcm`` (medication records). Output grain: one row per
assessment (all of them, pre-infusion included), sorted by USUBJID, ADT, SRCSEQ; each row keeps
``SRCDOM = ASSESSMENTS`` and ``SRCSEQ`` (the assessment's row in the export).

The chain, in order (endpoints.md §11, §1–§7, §16): study day → baseline → analysis visits →
previous assessment and stability reference → scores → new BILAG versus baseline →
medications on ADT → DORIS 2021 and 2017 → drug-free DORIS → LLDAS → SRI → flares.
"""

from __future__ import annotations

import polars as pl

from outcomes.derive.doris import derive_vars_doris, derive_vars_doris2017
from outcomes.derive.drug_free import derive_vars_drug_free
from outcomes.derive.flares import derive_vars_flares
from outcomes.derive.lldas import derive_vars_lldas
from outcomes.derive.medications import MedicationParams, derive_vars_medications
from outcomes.derive.params import Criteria, ScoreParams, VisitParams
from outcomes.derive.previous import derive_var_prvseq, derive_var_stbrefdt
from outcomes.derive.scores import derive_vars_bilag_new, derive_vars_scores
from outcomes.derive.sri import derive_vars_sri
from outcomes.derive.windows import derive_var_ablfl, derive_var_ady, derive_vars_avisit


def create_advisit_base(assessments: pl.LazyFrame, *, subjects: pl.LazyFrame) -> pl.LazyFrame:
    """One row per assessment with the subject's study, dose level and treatment dates.

    ``ADT`` is the assessment date (ASMDT), ``TRTSDT`` the infusion date (INFDT). Sorted by
    USUBJID, ADT, SRCSEQ; the export's ``ROW`` and ``ASMDT`` are dropped (SRCSEQ keeps the row).
    """
    subject = subjects.select(
        "USUBJID", "STUDYID", "DOSELVL", pl.col("INFDT").alias("TRTSDT"), "LDFL", "LDSTDT"
    )
    base = assessments.rename({"ASMDT": "ADT"}).drop("ROW", "STUDYID", strict=False)
    return (
        base.join(subject, on="USUBJID", how="left", maintain_order="left")
        .sort("USUBJID", "ADT", "SRCSEQ")
        .select(
            "STUDYID",
            "USUBJID",
            "DOSELVL",
            "SRCDOM",
            "SRCSEQ",
            "VISIT",
            "ADT",
            "TRTSDT",
            pl.exclude(
                "STUDYID", "USUBJID", "DOSELVL", "SRCDOM", "SRCSEQ", "VISIT", "ADT", "TRTSDT"
            ),
        )
    )


def _with_medications(
    advisit: pl.LazyFrame, *, adcm: pl.LazyFrame, params: MedicationParams
) -> pl.LazyFrame:
    """Medication columns on ADT (medications stage); its stability input is named STABREFDT."""
    named = advisit.with_columns(pl.col("STBREFDT").alias("STABREFDT"))
    return derive_vars_medications(named, adcm=adcm, params=params).drop("STABREFDT")


def create_advisit(
    assessments: pl.LazyFrame,
    *,
    subjects: pl.LazyFrame,
    adcm: pl.LazyFrame,
    visits: VisitParams,
    scores: ScoreParams,
    criteria: Criteria,
    medications: MedicationParams,
) -> pl.LazyFrame:
    """Build ADVISIT: scores, medications on ADT and every per-visit state with its criteria.

    Parameters
    ----------
    assessments, subjects
        Validated tables (data-contract.md §1.1–§1.2, typed, with SRCDOM/SRCSEQ).
    adcm
        Medication records of the medications stage (``derived/adcm``).
    visits, scores, criteria, medications
        Parameters of the config sections ``visits``, ``scores``, ``criteria``,
        ``medications``.

    Returns
    -------
    pl.LazyFrame
        One row per assessment; columns as documented in ``outcomes.schemas.adam.ADVISIT``.

    References
    ----------
    endpoints.md §1–§7, §11, §12, §16; docs/architecture.md (adam/advisit).
    """
    pga, dose = scores.pga_decimals, medications.gc_decimals
    return (
        create_advisit_base(assessments, subjects=subjects)
        .pipe(derive_var_ady)
        .pipe(derive_var_ablfl, visits=visits)
        .pipe(derive_vars_avisit, visits=visits)
        .pipe(derive_var_prvseq)
        .pipe(derive_var_stbrefdt)
        .pipe(derive_vars_scores, scores=scores)
        .pipe(derive_vars_bilag_new)
        .pipe(_with_medications, adcm=adcm, params=medications)
        .pipe(derive_vars_doris, doris=criteria.doris, pga_decimals=pga, dose_decimals=dose)
        .pipe(derive_vars_doris2017, dose_decimals=dose)
        .pipe(derive_vars_drug_free, drug_free=criteria.drug_free, dose_decimals=dose)
        .pipe(derive_vars_lldas, lldas=criteria.lldas, pga_decimals=pga, dose_decimals=dose)
        .pipe(derive_vars_sri, sri=criteria.sri, index=scores.sri_index, pga_decimals=pga)
        .pipe(derive_vars_flares, flare=criteria.flare)
        .drop("LDFL", "LDSTDT")
    )
