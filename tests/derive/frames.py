"""Builders for tiny hand-typed assessment frames and the spec-default criteria."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl

from outcomes import contract as c
from outcomes.derive.params import (
    Criteria,
    DorisCriteria,
    DrugFreeCriteria,
    FlareCriteria,
    LldasCriteria,
    ScoreParams,
    SriCriteria,
    VisitParams,
    VisitWindow,
)

DORIS = DorisCriteria(
    clinical_sledai_eq=0,
    pga_lt=0.5,
    pga_operator="lt",
    prednisone_mg_per_day_le=5,
    gc_operator="le",
    require_stable_is=True,
    variants_2017="doris2021_sledai_pga",
)
DRUG_FREE = DrugFreeCriteria(prednisone_mg_per_day_eq=0, investigational_breaks=True)
LLDAS = LldasCriteria(
    sledai_le=4,
    pga_le=1.0,
    prednisone_mg_per_day_le=7.5,
    c2_include_bilag=False,
    haemolysis_missing="bilag_haem_de",
)
SRI = SriCriteria(
    selena_reduction_ge=4,
    k_values=(5, 6),
    pga_rule="absolute",
    pga_increase_lt=0.3,
    pga_increase_pct_le=10,
    bilag_new_a_max=0,
    bilag_new_b_max=1,
)
FLARE = FlareCriteria(
    investigator_levels=("MILD", "MODERATE", "SEVERE"),
    bilag_worse_grades=("A", "B"),
    sfi_rise_ge=3,
    sfi_severe_gt=12,
)
CRITERIA = Criteria(doris=DORIS, drug_free=DRUG_FREE, lldas=LLDAS, sri=SRI, flare=FLARE)
SCORES = ScoreParams(
    pga_decimals=2,
    sledai_lookback_days=10,
    bilag_points={"A": 12, "B": 8, "C": 1, "D": 0, "E": 0},
    sri_index="selena",
    doris_index="clinical_sledai2k",
    lldas_index="sledai2k",
    selena_onset_missing="bounds",
)
VISITS = VisitParams(
    windows=(
        VisitWindow("DAY 14", 1, 11, 14, 17),
        VisitWindow("DAY 28", 2, 25, 28, 31),
        VisitWindow("MONTH 3", 3, 77, 91, 105),
        VisitWindow("MONTH 6", 6, 168, 182, 196),
        VisitWindow("MONTH 9", 9, 259, 273, 287),
        VisitWindow("MONTH 12", 12, 335, 365, 395),
    ),
    study_day_origin="infusion_day_0",
    baseline_window_days=42,
    baseline_label="BASELINE",
    baseline_avisitn=0,
)

SCHEMA: dict[str, pl.DataType] = {
    "USUBJID": pl.String(),
    "SRCSEQ": pl.Int64(),
    "VISIT": pl.String(),
    "ADT": pl.Date(),
    "ADY": pl.Int64(),
    "ABLFL": pl.Boolean(),
    "PRVSEQ": pl.Int64(),
    **{col: pl.Int8() for col in c.SLEDAI_COLUMNS},
    **{col: pl.String() for col in c.SELENA_ONSET_COLUMNS},
    "PGA": pl.Float64(),
    **{col: pl.String() for col in c.BILAG_COLUMNS},
    "HAEMOLYSIS": pl.String(),
    "FLARE": pl.String(),
    "GCDOSE": pl.Float64(),
    "ISFL": pl.Boolean(),
    "BIOFL": pl.Boolean(),
    "AMFL": pl.Boolean(),
    "INVFL": pl.Boolean(),
    "ISOVRFL": pl.Boolean(),
    "ISSTBLFL": pl.Boolean(),
}

BL_A_ITEMS = (
    "ARTHRITIS",
    "RASH",
    "ALOPECIA",
    "PROTEINURIA",
    "LOW_COMPLEMENT",
    "INCREASED_DNA_BINDING",
)
BL_A_BILAG = {
    "CONST": "C",
    "MUCO": "B",
    "NEURO": "E",
    "MSK": "B",
    "CARDIO": "D",
    "GI": "E",
    "OPHTH": "E",
    "RENAL": "A",
    "HAEM": "C",
}
ALL_DE = {d: "E" for d in c.BILAG_DOMAINS}


def row(
    seq: int,
    *,
    items: Iterable[str] = (),
    missing: Iterable[str] = (),
    new: Mapping[str, str] | None = None,
    bilag: Mapping[str, str | None] | None = None,
    pga: float | None = 0.0,
    subject: str = "S01",
    **extra: Any,
) -> dict[str, Any]:
    """One assessment: listed items present (1), listed missing (null), others absent (0).

    Defaults: BILAG all E, HAEMOLYSIS N, FLARE NONE, no medications (GCDOSE 0, all drug flags
    FALSE, stable), ADY = 10 * seq.
    """
    present, absent = set(items), set(missing)
    out: dict[str, Any] = {
        "USUBJID": subject,
        "SRCSEQ": seq,
        "VISIT": "UNSCHEDULED",
        "ADT": dt.date(2025, 4, 1) + dt.timedelta(days=10 * seq),
        "ADY": 10 * seq,
        "ABLFL": False,
        "PRVSEQ": seq - 1 if seq > 1 else None,
    }
    for item in c.SLEDAI_ITEMS:
        out[item.column] = None if item.code in absent else int(item.code in present)
    for code, col in zip(c.SELENA_ONSET_ITEMS, c.SELENA_ONSET_COLUMNS, strict=True):
        out[col] = (new or {}).get(code)
    grades = {**ALL_DE, **(bilag or {})}
    for dom, col in zip(c.BILAG_DOMAINS, c.BILAG_COLUMNS, strict=True):
        out[col] = grades[dom]
    out |= {
        "PGA": pga,
        "HAEMOLYSIS": "N",
        "FLARE": "NONE",
        "GCDOSE": 0.0,
        "ISFL": False,
        "BIOFL": False,
        "AMFL": False,
        "INVFL": False,
        "ISOVRFL": False,
        "ISSTBLFL": True,
    }
    out.update(extra)
    return out


def frame(rows: list[dict[str, Any]]) -> pl.LazyFrame:
    """A LazyFrame of ``rows`` with the typed schema above."""
    return pl.DataFrame([{k: r.get(k) for k in SCHEMA} for r in rows], schema=SCHEMA).lazy()
