"""Clinical review of the per-visit derivations and the medication rules against endpoints.md.

Each test builds a tiny hand-typed export (assessments, subjects, medications), runs the code
under review and compares with values typed by hand from the cited section of endpoints.md
(§16 governs). Dates: infusion 2025-04-01 = Day 0; lymphodepletion (when given) from
2025-03-27 (Day -5).
"""

from __future__ import annotations

# fmt: off
# (the medication tables below are kept one record per line)
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl
import pytest

from outcomes import contract as c
from outcomes.config import DEFAULT_CONFIG, read_config_file
from outcomes.derive.advisit import create_advisit
from outcomes.derive.doris import derive_vars_doris
from outcomes.derive.drug_free import derive_vars_drug_free
from outcomes.derive.flares import derive_vars_flares
from outcomes.derive.lldas import derive_vars_lldas
from outcomes.derive.medications import (
    MedicationParams,
    create_adcm,
    create_events,
    derive_var_gcdosebl,
    derive_vars_medications,
)
from outcomes.derive.scores import derive_vars_bilag_new, derive_vars_scores
from outcomes.derive.sri import derive_vars_sri
from outcomes.derive.windows import derive_var_ablfl, derive_var_ady, derive_vars_avisit
from tests.derive.frames import CRITERIA, SCORES, VISITS, frame, row

CUT = dt.date(2026, 12, 31)
INF = "2025-04-01"
LD = "2025-03-27"

ASM_SCHEMA: dict[str, pl.DataType] = {
    "USUBJID": pl.String(),
    "VISIT": pl.String(),
    "ASMDT": pl.Date(),
    **{col: pl.Int8() for col in c.SLEDAI_COLUMNS},
    **{col: pl.String() for col in c.SELENA_ONSET_COLUMNS},
    "PGA": pl.Float64(),
    **{col: pl.String() for col in c.BILAG_COLUMNS},
    "HAEMOLYSIS": pl.String(),
    "FLARE": pl.String(),
    "ROW": pl.Int64(),
    "SRCDOM": pl.String(),
    "SRCSEQ": pl.Int64(),
}
MED_SCHEMA: dict[str, pl.DataType] = {
    "USUBJID": pl.String(),
    "CMSEQ": pl.Int64(),
    "CMTRT": pl.String(),
    "CMCLAS": pl.String(),
    "CMDOSE": pl.Float64(),
    "CMDOSU": pl.String(),
    "CMDOSFRQ": pl.String(),
    "CMROUTE": pl.String(),
    "CMINDC": pl.String(),
    "CMSTDT": pl.Date(),
    "CMENDT": pl.Date(),
}


def d(text: str | None) -> dt.date | None:
    """A date from ISO text (None stays None)."""
    return None if text is None else dt.date.fromisoformat(text)


@pytest.fixture(scope="module")
def params() -> MedicationParams:
    """The shipped medications section (endpoints.md defaults)."""
    return MedicationParams.from_config(read_config_file(DEFAULT_CONFIG)["medications"])


def visit(
    subject: str,
    label: str,
    date: str,
    *,
    items: Iterable[str] = (),
    pga: float | None = 0.0,
    new: Mapping[str, str] | None = None,
    bilag: Mapping[str, str | None] | None = None,
) -> dict[str, Any]:
    """One assessment record: listed SLEDAI items present, others absent; BILAG E unless given."""
    out: dict[str, Any] = {"USUBJID": subject, "VISIT": label, "ASMDT": d(date)}
    for item in c.SLEDAI_ITEMS:
        out[item.column] = int(item.code in set(items))
    for code, col in zip(c.SELENA_ONSET_ITEMS, c.SELENA_ONSET_COLUMNS, strict=True):
        out[col] = (new or {}).get(code)
    grades = {dom: "E" for dom in c.BILAG_DOMAINS} | dict(bilag or {})
    for dom, col in zip(c.BILAG_DOMAINS, c.BILAG_COLUMNS, strict=True):
        out[col] = grades[dom]
    return out | {"PGA": pga, "HAEMOLYSIS": "N", "FLARE": "NONE"}


def assessments(records: list[dict[str, Any]]) -> pl.LazyFrame:
    """Typed assessments; ROW = SRCSEQ = 1-based position (the validated-table convention)."""
    rows = [
        {**r, "ROW": i, "SRCDOM": "ASSESSMENTS", "SRCSEQ": i} for i, r in enumerate(records, 1)
    ]
    return pl.DataFrame([{k: r.get(k) for k in ASM_SCHEMA} for r in rows], schema=ASM_SCHEMA).lazy()


def subjects(rows: Iterable[tuple[str, str | None, str, str | None]]) -> pl.LazyFrame:
    """Rows (USUBJID, INFDT, LDFL, LDSTDT) → typed subjects."""
    return pl.LazyFrame(
        [(u, "T", "DL1", d(inf), ldfl, d(ld)) for u, inf, ldfl, ld in rows],
        schema={"USUBJID": pl.String(), "STUDYID": pl.String(), "DOSELVL": pl.String(),
                "INFDT": pl.Date(), "LDFL": pl.String(), "LDSTDT": pl.Date()},
        orient="row",
    )


def medications(rows: Iterable[tuple[Any, ...]]) -> pl.LazyFrame:
    """Rows (USUBJID, CMSEQ, CMTRT, CMCLAS, CMDOSE, CMDOSU, CMDOSFRQ, CMROUTE, CMINDC, CMSTDT,
    CMENDT) → typed medications with ROW, SRCDOM, SRCSEQ."""
    typed = [(*r[:9], d(r[9]), d(r[10])) for r in rows]
    return pl.LazyFrame(typed, schema=MED_SCHEMA, orient="row").with_columns(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("ROW"),
        pl.lit("MEDICATIONS").alias("SRCDOM"),
        pl.col("CMSEQ").alias("SRCSEQ"),
    )


def advisit(records, subject_rows, med_rows, params) -> pl.DataFrame:
    subj = subjects(subject_rows)
    adcm = create_adcm(medications(med_rows), subjects=subj, data_cut=CUT, params=params)
    return create_advisit(
        assessments(records), subjects=subj, adcm=adcm, visits=VISITS, scores=SCORES,
        criteria=CRITERIA, medications=params,
    ).collect()


def gc_on(med_rows, dates: list[str], params, subject: str = "S1") -> pl.DataFrame:
    """GCDOSE/GCSLEDOS (and the other medication columns) of ``subject`` on ``dates``."""
    adcm = create_adcm(medications(med_rows), subjects=subjects([(subject, INF, "N", None)]),
                       data_cut=CUT, params=params)
    on = pl.LazyFrame({"USUBJID": [subject] * len(dates), "ADT": [d(x) for x in dates]})
    return derive_vars_medications(on, adcm=adcm, params=params).collect()


def events(med_rows, asm_dates: list[str], params) -> list[tuple[str, dt.date, str, int]]:
    subj = subjects([("S1", INF, "N", None)])
    adcm = create_adcm(medications(med_rows), subjects=subj, data_cut=CUT, params=params)
    asm = pl.LazyFrame({"USUBJID": ["S1"] * len(asm_dates), "ASMDT": [d(x) for x in asm_dates]})
    out = create_events(adcm, subjects=subj, assessments=asm, params=params).collect()
    return [(r["USUBJID"], r["EVTDT"], r["EVTCD"], r["SRCSEQ"]) for r in out.iter_rows(named=True)]


# ---------------------------------------------------------------------------------------------
# Baseline and analysis visits (§16.5, §16.24, §11, E-27)


def test_baseline_without_lymphodepletion_counts_42_days_back_from_infusion():
    # §16.24: without LD the 42-day window counts back from INFDT (inclusive, §16.5); an
    # assessment on INFDT itself is not before it.
    src = pl.LazyFrame(
        [
            ("S1", 1, "SCREENING", d("2025-02-18"), d(INF), "N", None),  # INFDT - 42: in
            ("S2", 2, "SCREENING", d("2025-02-17"), d(INF), "N", None),  # INFDT - 43: out
            ("S3", 3, "BASELINE", d("2025-03-31"), d(INF), "N", None),  # INFDT - 1
            ("S3", 4, "UNSCHEDULED", d(INF), d(INF), "N", None),  # Day 0: not before INFDT
            # LDFL = N: a stray LDSTDT is not the anchor, INFDT is
            ("S4", 5, "BASELINE", d("2025-03-28"), d(INF), "N", d(LD)),
        ],
        schema={"USUBJID": pl.String, "SRCSEQ": pl.Int64, "VISIT": pl.String, "ADT": pl.Date,
                "TRTSDT": pl.Date, "LDFL": pl.String, "LDSTDT": pl.Date},
        orient="row",
    )
    out = derive_var_ablfl(derive_var_ady(src), visits=VISITS).collect()
    assert out["ABLFL"].to_list() == [True, False, True, False, True]


def test_baseline_same_date_later_input_row_wins_whatever_the_label(params):
    # §16.5 / §16.24: of two assessments on the baseline date, the later input row, whatever its
    # VISIT label; the one during LD (after LDSTDT) is never baseline.
    records = [
        visit("S1", "BASELINE", "2025-03-20", items=["ARTHRITIS"], pga=1.0),
        visit("S1", "UNSCHEDULED", "2025-03-20", items=["RASH"], pga=1.5),
        visit("S1", "UNSCHEDULED", "2025-03-28", pga=0.5),  # Day -4, during LD
    ]
    out = advisit(records, [("S1", INF, "Y", LD)], [], params)
    assert out["ABLFL"].to_list() == [False, True, False]
    assert out["AVISIT"].to_list() == [None, "BASELINE", None]


def test_analysis_visit_label_then_nearest_then_earlier_and_unscheduled_substitutes():
    # §11 / E-27: in a window the record labelled with the window's VISIT wins even when farther
    # from the target; else the nearest to the target (an unscheduled one may be chosen); a tie
    # goes to the earlier date. Window bounds are inclusive (M6: Day 168..196, target 182).
    rows = [
        ("S1", 1, "UNSCHEDULED", d("2025-09-30")),  # Day 182: on target, but not labelled
        ("S1", 2, "MONTH 6", d("2025-10-14")),  # Day 196: labelled, upper bound → chosen
        ("S2", 3, "UNSCHEDULED", d("2025-09-23")),  # Day 175: 7 before → tie, earlier → chosen
        ("S2", 4, "UNSCHEDULED", d("2025-10-07")),  # Day 189: 7 after
        ("S3", 5, "UNSCHEDULED", d("2025-09-16")),  # Day 168: lower bound, only one → chosen
        ("S3", 6, "MONTH 6", d("2025-09-15")),  # Day 167: outside every window
    ]
    src = pl.LazyFrame(
        [(*r, d(INF), "N", None) for r in rows],
        schema={"USUBJID": pl.String, "SRCSEQ": pl.Int64, "VISIT": pl.String, "ADT": pl.Date,
                "TRTSDT": pl.Date, "LDFL": pl.String, "LDSTDT": pl.Date},
        orient="row",
    )
    base = derive_var_ablfl(derive_var_ady(src), visits=VISITS)
    out = derive_vars_avisit(base, visits=VISITS).collect()
    assert out["ADY"].to_list() == [182, 196, 175, 189, 168, 167]
    assert out["AVISIT"].to_list() == [
        "MONTH 6", "MONTH 6", "MONTH 6", "MONTH 6", "MONTH 6", None,
    ]
    assert out["ANL01FL"].to_list() == [False, True, True, False, True, False]


# ---------------------------------------------------------------------------------------------
# LLDAS C2 against the immediately preceding assessment; SRI against the baseline (§7.2, §4.1)


def _c2_sri_records() -> list[dict[str, Any]]:
    return [
        # 1 screening (not baseline: an earlier assessment in the window)
        visit("S1", "SCREENING", "2025-02-20", items=["ARTHRITIS", "RASH"], pga=2.0,
              new={"RASH": "Y"}),
        # 2 baseline: SELENA 4 + 2 + 2 + 2 = 10, PGA 1.20, BILAG MSK B, MUCO B
        visit("S1", "BASELINE", "2025-03-20",
              items=["ARTHRITIS", "RASH", "LOW_COMPLEMENT", "INCREASED_DNA_BINDING"],
              pga=1.20, new={"RASH": "Y"}, bilag={"MSK": "B", "MUCO": "B"}),
        # 3 during LD (Day -3): no low complement; not the "previous" of the first post visit
        visit("S1", "UNSCHEDULED", "2025-03-29", items=["ARTHRITIS"], pga=1.0),
        # 4 D14: low complement only (present at baseline: not new) → SELENA 2
        visit("S1", "DAY 14", "2025-04-15", items=["LOW_COMPLEMENT"], pga=0.80),
        # 5 Day 19 unscheduled: rash new vs D14; SELENA 2 + 2 = 4; PGA 1.49 (vs baseline +0.29)
        visit("S1", "UNSCHEDULED", "2025-04-20", items=["LOW_COMPLEMENT", "RASH"], pga=1.49,
              new={"RASH": "Y"}),
        # 6 D28: rash persists (present at the unscheduled Day 19 one, absent at D14)
        visit("S1", "DAY 28", "2025-04-29", items=["LOW_COMPLEMENT", "RASH"], pga=1.00,
              new={"RASH": "N"}),
    ]


def test_lldas_c2_compares_with_the_immediately_preceding_assessment(params):
    # §7.2 C2 / E-13 / §16.12: the first post-infusion assessment is compared with the baseline
    # (not with the LD-period record); later ones with the immediately preceding assessment,
    # scheduled or unscheduled. Serology counts among the 24 items.
    out = advisit(_c2_sri_records(), [("S1", INF, "Y", LD)], [], params)
    assert out["ABLFL"].to_list() == [False, True, False, False, False, False]
    assert out["PRVSEQ"].to_list() == [None, 1, 2, 2, 4, 5]
    assert out["LLC2FL"].to_list()[3:] == [True, False, True]
    # D28: SLEDAI-2K 2 + 2 = 4 (<= 4), PGA 1.00 (<= 1), GC 0, no IS → LLDAS TRUE
    assert out["SLEDAI2K"].to_list()[3:] == [2, 4, 4]
    assert out["LLDASFL"].to_list()[3:] == [True, False, True]


def test_sri_is_measured_against_the_baseline_not_the_previous_assessment(params):
    # §4.1 / §4.3 / §16.24: SRI at every post-infusion assessment versus the baseline. Day 19:
    # SELENA 10 → 4 (reduction 6), PGA 1.20 → 1.49 (+0.29 < 0.3) → TRUE although PGA rose 0.69
    # versus D14. BILAG MSK B → E and MUCO B → E are improvements. D28: SELENA 2 (persistent
    # rash not scored), PGA 1.00 → TRUE. Pre-infusion rows: null.
    out = advisit(_c2_sri_records(), [("S1", INF, "Y", LD)], [], params)
    assert out["SELENA"].to_list() == [6, 10, 4, 2, 4, 2]
    assert out["SRISSFL"].to_list() == [None, None, None, True, True, True]
    assert out["SRIPGAFL"].to_list() == [None, None, None, True, True, True]
    assert out["SRI4FL"].to_list() == [None, None, None, True, True, True]
    # SRI-5 / SRI-6 at Day 19 (reduction exactly 6): both TRUE; SRI-6 boundary inclusive
    assert out["SRI5FL"].to_list()[4] is True
    assert out["SRI6FL"].to_list()[4] is True


# ---------------------------------------------------------------------------------------------
# IS/biologic stability (D-14, §16.9, §16.24)


def test_stability_reference_is_the_previous_scheduled_assessment_or_baseline(params):
    # D-14 / §16.9: no new IS/biologic and no dose increase since the previous scheduled
    # assessment; before the first post-infusion scheduled visit (unscheduled ones included,
    # §16.24) the reference is the baseline. No LD here: baseline window from INFDT (§16.24).
    records = [
        visit("S1", "SCREENING", "2025-02-17"),  # 1 INFDT - 43: outside the baseline window
        visit("S1", "BASELINE", "2025-02-18"),  # 2 INFDT - 42: baseline
        visit("S1", "UNSCHEDULED", "2025-04-10"),  # 3 Day 9: reference baseline
        visit("S1", "DAY 14", "2025-04-15"),  # 4 reference baseline
        visit("S1", "UNSCHEDULED", "2025-04-22"),  # 5 Day 21: reference D14
        visit("S1", "DAY 28", "2025-04-29"),  # 6 reference D14
        visit("S1", "UNSCHEDULED", "2025-05-06"),  # 7 Day 35: reference D28
    ]
    meds = [
        # mycophenolate 1000 mg BID since January, raised to 1500 mg BID on 2025-04-25
        ("S1", 1, "mycophenolate mofetil", None, 1000.0, "mg", "BID", "ORAL", "SLE",
         "2025-01-01", "2025-04-25"),
        ("S1", 2, "mycophenolate mofetil", None, 1500.0, "mg", "BID", "ORAL", "SLE",
         "2025-04-25", None),
        # azathioprine started on Day 11 (2025-04-12)
        ("S1", 3, "azathioprine", None, 50.0, "mg", "QD", "ORAL", "SLE", "2025-04-12", None),
        # hydroxychloroquine started on Day 23 and an investigational drug on Day 24: neither
        # enters stability (§16.9, §16.24)
        ("S1", 4, "hydroxychloroquine", None, 200.0, "mg", "QD", "ORAL", "SLE", "2025-04-24",
         None),
        ("S1", 5, "studydrug", "INVESTIGATIONAL", 10.0, "mg", "QD", "ORAL", "OTHER",
         "2025-04-25", "2025-04-25"),
    ]
    out = advisit(records, [("S1", INF, "N", None)], meds, params)
    bl, d14, d28 = d("2025-02-18"), d("2025-04-15"), d("2025-04-29")
    assert out["ABLFL"].to_list() == [False, True, False, False, False, False, False]
    assert out["STBREFDT"].to_list() == [None, None, bl, bl, d14, d14, d28]
    assert out["ISSTBLFL"].to_list() == [None, None, True, False, True, False, True]
    assert out["DORSTBFL"].to_list() == [None, None, True, False, True, False, True]
    # mycophenolate 1500 mg BID = 3000 mg/day: at the maximum, inclusive (§7.1, §16.11)
    assert out["ISOVRFL"].to_list()[5:] == [False, False]
    assert out["LLC5FL"].to_list()[5:] == [True, True]


def test_subject_without_baseline_compares_with_previous_and_stability_starts_at_scheduled(
    params,
):
    # §16.24: no assessment in the 42 days before LDSTDT → no baseline; LLDAS C2 compares with
    # the immediately preceding assessment; stability starts at the last earlier scheduled
    # assessment; before it there is none, so stability (and DORIS) is not evaluable. SRI needs
    # a baseline (§16.24) → null.
    records = [
        visit("S1", "SCREENING", "2025-02-01", items=["RASH"]),  # LDSTDT - 54: too early
        visit("S1", "DAY 14", "2025-04-15", items=["LOW_COMPLEMENT"]),
        visit("S1", "UNSCHEDULED", "2025-04-21", items=["LOW_COMPLEMENT"]),
        visit("S1", "DAY 28", "2025-04-29"),
    ]
    meds = [("S1", 1, "azathioprine", None, 50.0, "mg", "QD", "ORAL", "SLE", "2025-04-20",
             None)]
    out = advisit(records, [("S1", INF, "Y", LD)], meds, params)
    assert out["ABLFL"].to_list() == [False, False, False, False]
    assert out["PRVSEQ"].to_list() == [None, 1, 2, 3]
    assert out["LLC2FL"].to_list()[1:] == [False, True, True]
    d14 = d("2025-04-15")
    assert out["STBREFDT"].to_list() == [None, None, d14, d14]
    assert out["ISSTBLFL"].to_list() == [None, None, False, False]
    # D14: cSLEDAI 0, PGA 0, GC 0, no IS yet, but no stability reference → NOT_EVALUABLE
    assert out["DORISFL"].to_list()[1:] == [None, False, False]
    assert out["SRI4FL"].to_list() == [None, None, None, None]


# ---------------------------------------------------------------------------------------------
# Three-valued composites: FALSE beats NOT_EVALUABLE (§0, E-06, E-14, E-31)


def _chain(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Scores, DORIS, drug-free, LLDAS and SRI on hand-built rows (medication columns given)."""
    scored = derive_vars_bilag_new(derive_vars_scores(frame(rows), scores=SCORES))
    return (
        scored.pipe(derive_vars_doris, doris=CRITERIA.doris, pga_decimals=2)
        .pipe(derive_vars_drug_free, drug_free=CRITERIA.drug_free)
        .pipe(derive_vars_lldas, lldas=CRITERIA.lldas, pga_decimals=2)
        .pipe(derive_vars_sri, sri=CRITERIA.sri, index="selena", pga_decimals=2)
        .collect()
    )


def test_false_beats_not_evaluable_in_every_composite():
    bl = row(1, items=["ARTHRITIS", "RASH", "LOW_COMPLEMENT"], new={"RASH": "Y"}, pga=1.20,
             ABLFL=True, ADY=-6, PRVSEQ=None)
    rows = [
        bl,
        # 2: PGA missing, cSLEDAI 2 (rash): DORIS FALSE; LLDAS C3 unknown, C1 and C2 (the rash
        #    is not new) hold → LLDAS NOT_EVALUABLE
        row(2, items=["RASH"], pga=None, new={"RASH": "N"}),
        # 3: PGA missing, cSLEDAI 0, GC 0 → DORIS and drug-free NOT_EVALUABLE
        row(3, pga=None),
        # 4: GC dose unknown, PGA 0.50 → DORIS FALSE (PGA not < 0.5); drug-free FALSE (IS
        #    active); LLDAS C4 unknown → NOT_EVALUABLE
        row(4, pga=0.50, GCDOSE=None, ISFL=True),
        # 5: HAEMOLYSIS missing and BILAG HAEM C → C1 unknown (D-34); PGA 1.01 → LLDAS FALSE
        row(5, pga=1.01, HAEMOLYSIS=None, bilag={"HAEM": "C"}),
        # 6: as 5 with PGA 1.00 → LLDAS NOT_EVALUABLE
        row(6, pga=1.00, HAEMOLYSIS=None, bilag={"HAEM": "C"}),
        # 7: GC 7.5001 → DORIS and LLDAS C4 FALSE
        row(7, pga=0.20, GCDOSE=7.5001),
    ]
    out = _chain(rows)
    assert out["DORISFL"].to_list()[1:] == [False, None, False, False, False, False]
    assert out["DFREMFL"].to_list()[1:] == [False, None, False, False, False, False]
    assert out["LLC1FL"].to_list()[1:] == [True, True, True, None, None, True]
    assert out["LLC4FL"].to_list()[1:] == [True, True, None, True, True, False]
    assert out["LLDASFL"].to_list()[1:] == [None, None, None, False, None, False]
    # SRI (baseline SELENA 8, PGA 1.20): PGA missing → criterion 3 unknown (E-06) while the
    # reduction holds → NOT_EVALUABLE; with PGA known every other row responds
    assert out["SRI4FL"].to_list()[1:] == [None, None, True, True, True, True]


def test_pga_is_quantized_half_up_to_two_decimals_before_every_threshold():
    # §16.8 / D-01: PGA is rounded half up to 0.01 before comparing: 0.494 → 0.49 (DORIS < 0.5
    # holds), 0.495 → 0.50 (fails); 1.004 → 1.00 (LLDAS <= 1 holds), 1.005 → 1.01 (fails);
    # SRI with baseline 1.20: 1.494 → 1.49 (rise 0.29 holds), 1.495 → 1.50 (rise 0.30 fails).
    bl = row(1, items=["ARTHRITIS", "RASH"], new={"RASH": "Y"}, pga=1.20, ABLFL=True, ADY=-6,
             PRVSEQ=None)
    pgas = [0.494, 0.495, 1.004, 1.005, 1.494, 1.495]
    out = _chain([bl, *[row(i + 2, pga=v) for i, v in enumerate(pgas)]])
    assert out["DORPGAFL"].to_list()[1:] == [True, False, False, False, False, False]
    assert out["LLC3FL"].to_list()[1:] == [True, True, True, False, False, False]
    assert out["SRIPGAFL"].to_list()[1:] == [True, True, True, True, True, False]


def test_sri_bilag_e31_bounds_and_missing_baseline():
    # E-31: a domain missing now is decided on best case (its baseline grade) and worst case
    # (A): baseline A cannot become a new A or B → determinate; baseline C → NOT_EVALUABLE unless
    # another criterion is FALSE. Baseline BILAG missing → SRIBILFL NOT_EVALUABLE everywhere.
    bl = row(1, items=["ARTHRITIS", "RASH"], new={"RASH": "Y"}, pga=1.0,
             bilag={"RENAL": "A", "MUCO": "C"}, ABLFL=True, ADY=-6, PRVSEQ=None)
    rows = [
        bl,
        row(2, bilag={"RENAL": None, "MUCO": "C"}),  # RENAL missing, baseline A → TRUE
        row(3, bilag={"RENAL": "C", "MUCO": None}),  # MUCO missing, baseline C → unknown
        row(4, bilag={"RENAL": "C", "MUCO": None}, pga=1.30),  # PGA +0.30 → SRI4 FALSE
        row(5, bilag={"RENAL": "C", "MUCO": "B", "HAEM": "B"}),  # 2 new B → FALSE
    ]
    scored = derive_vars_bilag_new(derive_vars_scores(frame(rows), scores=SCORES))
    out = derive_vars_sri(scored, sri=CRITERIA.sri, index="selena", pga_decimals=2).collect()
    assert out["SRIBILFL"].to_list() == [None, True, None, None, False]
    assert out["SRI4FL"].to_list() == [None, True, None, False, False]
    no_bl_bilag = [{**bl, "BILAG_GI": None}, *rows[1:]]
    scored = derive_vars_bilag_new(derive_vars_scores(frame(no_bl_bilag), scores=SCORES))
    out = derive_vars_sri(scored, sri=CRITERIA.sri, index="selena", pga_decimals=2).collect()
    assert out["SRIBILFL"].to_list() == [None, None, None, None, None]
    assert out["SRI4FL"].to_list() == [None, None, None, False, None]


def test_selena_item_missing_with_new_flag_n_is_written_and_bounds_decide_reduction():
    # §16.24: a SELENA item missing while its _NEW flag is N scores 0 at both bounds, so the score
    # is written. §16.12 / E-05: reduction bounds (BL_LO - v_HI, BL_HI - v_LO).
    bl = row(1, items=["ARTHRITIS", "RASH"], new={"RASH": "Y"}, pga=1.0, ABLFL=True, ADY=-6,
             PRVSEQ=None)  # SELENA 6
    rows = [
        bl,
        row(2, missing=["RASH"], new={"RASH": "N"}),  # SELENA 0 written → reduction 6
        row(3, missing=["RASH"]),  # flag missing: SELENA [0, 2] → null; reduction [4, 6] ≥ 4
        row(4, missing=["RASH"], items=["LOW_COMPLEMENT"]),  # [2, 4] → reduction [2, 4] → unknown
    ]
    scored = derive_vars_bilag_new(derive_vars_scores(frame(rows), scores=SCORES))
    out = derive_vars_sri(scored, sri=CRITERIA.sri, index="selena", pga_decimals=2).collect()
    assert out["SELENA"].to_list() == [6, 0, None, None]
    assert out["SELENALO"].to_list() == [6, 0, 0, 2]
    assert out["SELENAHI"].to_list() == [6, 0, 2, 4]
    assert out["SRISSFL"].to_list() == [None, True, True, None]
    # SRI-5: row 2 reduction 6 → TRUE; row 3 [4, 6] → unknown; row 4 [2, 4] → FALSE
    assert out["SRI5FL"].to_list() == [None, True, None, False]


# ---------------------------------------------------------------------------------------------
# BILAG flare severity with an ungraded domain (§2.4 [D-09], §16.12)


def test_bilag_flare_severity_is_not_evaluable_when_a_missing_domain_could_raise_it():
    prev = row(1, bilag={"MSK": "D", "RENAL": "C"})
    rows = [
        prev,
        # MSK worse to B (a flare); RENAL missing: could be A (severe) → label not evaluable
        row(2, bilag={"MSK": "B", "RENAL": None}),
        # MSK worse to A: severe whatever RENAL is
        row(3, bilag={"MSK": "A", "RENAL": None}, PRVSEQ=1),
        # MSK B, RENAL C (known): one worse B → MILD
        row(4, bilag={"MSK": "B"}, PRVSEQ=1),
        # MSK and MUCO worse to B: MODERATE; RENAL missing could make it SEVERE → null
        row(5, bilag={"MSK": "B", "MUCO": "B", "RENAL": None}, PRVSEQ=1),
        # nothing worse and nothing missing → NONE
        row(6, bilag={"MSK": "D", "RENAL": "C"}, PRVSEQ=1),
    ]
    scored = derive_vars_scores(frame(rows), scores=SCORES)
    out = derive_vars_flares(scored, flare=CRITERIA.flare).collect()
    # row 1 has no previous assessment but no domain graded A or B: no flare possible
    assert out["BILFLRFL"].to_list() == [False, True, True, True, True, False]
    assert out["BILFLRSV"].to_list() == ["NONE", None, "SEVERE", "MILD", None, "NONE"]


# ---------------------------------------------------------------------------------------------
# Glucocorticoid dose on a date (§8.1 [D-22], [D-33], §16.8, §16.10, §16.24)


def test_gc_shared_boundary_day_belongs_to_new_record_and_different_drugs_add_up(params):
    meds = [
        ("S1", 1, "prednisone", None, 20.0, "mg", "QD", "ORAL", "SLE", "2025-05-01",
         "2025-05-10"),
        ("S1", 2, "prednisone", None, 10.0, "mg", "QD", "ORAL", "SLE", "2025-05-10", None),
        ("S1", 3, "methylprednisolone", None, 4.0, "mg", "QD", "ORAL", "SLE", "2025-05-10",
         "2025-05-10"),
    ]
    out = gc_on(meds, ["2025-05-09", "2025-05-10", "2025-05-11"], params)
    # 05-10: prednisone 10 (the new record owns the day) + methylprednisolone 4 x 1.25 = 15
    assert out["GCDOSE"].to_list() == [20.0, 15.0, 10.0]


def test_gc_once_counts_on_start_date_only_and_weekly_tail_is_truncated(params):
    meds = [
        # ONCE IV pulse with a recorded end date: its start date only (§16.10, §16.24)
        ("S1", 1, "methylprednisolone", None, 500.0, "mg", "ONCE", "INTRAVENOUS", "SLE",
         "2025-06-01", "2025-06-03"),
        # weekly prednisone 70 mg → 10 mg/day until CMENDT + 6 (§16.10, §16.24 weekly tails for
        # GC), cut short by the next prednisone record on 2025-07-18 (§16.24)
        ("S1", 2, "prednisone", None, 70.0, "mg", "QW", "ORAL", "SLE", "2025-07-01",
         "2025-07-15"),
        ("S1", 3, "prednisone", None, 5.0, "mg", "QD", "ORAL", "SLE", "2025-07-18",
         "2025-07-31"),
        # the same weekly record on dexamethasone (no later record): 7 mg QW = 1 mg/day x 20/3
        ("S1", 4, "dexamethasone", None, 7.0, "mg", "QW", "ORAL", "SLE", "2025-09-01",
         "2025-09-08"),
    ]
    dates = ["2025-06-01", "2025-06-02", "2025-07-17", "2025-07-18", "2025-09-14",
             "2025-09-15"]
    out = gc_on(meds, dates, params)
    assert out["GCDOSE"].to_list() == [625.0, 0.0, 10.0, 5.0, 6.6667, 0.0]


def test_gc_open_record_runs_to_next_record_of_same_drug_and_indication(params):
    meds = [
        # no CMINDC: grouped with the SLE records of prednisone (§16.6, §16.24)
        ("S1", 1, "prednisone", None, 10.0, "mg", "QD", "ORAL", None, "2025-01-01", None),
        ("S1", 2, "prednisone", None, 5.0, "mg", "QD", "ORAL", "SLE", "2025-02-01", None),
        # prednisone for CRS: another "drug" (§16.10); does not end the SLE record; counts in
        # GCDOSE but not in GCSLEDOS (E-09)
        ("S1", 3, "prednisone", None, 20.0, "mg", "QD", "ORAL", "CRS", "2025-04-03",
         "2025-04-03"),
        ("S1", 4, "dexamethasone", None, 10.0, "mg", "BID", "INTRAVENOUS", "CRS", "2025-04-05",
         "2025-04-05"),
    ]
    dates = ["2025-01-31", "2025-02-01", "2025-04-03", "2025-04-04", "2025-04-05"]
    out = gc_on(meds, dates, params)
    assert out["GCDOSE"].to_list() == [10.0, 5.0, 25.0, 5.0, 138.3333]
    assert out["GCSLEDOS"].to_list() == [10.0, 5.0, 5.0, 5.0, 5.0]


def test_cmclas_maps_to_the_section_8_2_classes(params):
    # §16.23: CMCLAS overrides the dictionary; GLUCOCORTICOID counts only by a systemic route
    # (route OTHER is non-systemic); cyclophosphamide is LYMPHODEPLETION only inside Day -5..-1
    # (§8.2) unless CMCLAS says otherwise.
    meds = [
        ("S1", 1, "hydroxychloroquine", "IMMUNOSUPPRESSANT", 200.0, "mg", "QD", "ORAL", "SLE",
         "2025-05-01", None),
        ("S1", 2, "newquine", "ANTIMALARIAL", 100.0, "mg", "QD", "ORAL", "SLE", "2025-05-01",
         None),
        ("S1", 3, "cyclophosphamide", None, 500.0, "mg", "ONCE", "INTRAVENOUS", None,
         "2025-03-27", None),  # Day -5: lymphodepletion
        ("S1", 4, "cyclophosphamide", None, 500.0, "mg", "ONCE", "INTRAVENOUS", None,
         "2025-03-26", None),  # Day -6: an immunosuppressant
        ("S1", 5, "cyclophosphamide", "LYMPHODEPLETION", 500.0, "mg", "ONCE", "INTRAVENOUS",
         None, "2025-03-20", None),
        ("S1", 6, "g-csf", None, 300.0, "ug", "QD", "SUBCUTANEOUS", "OTHER", "2025-04-05",
         None),
        ("S1", 7, "painkiller", "NSAID", 100.0, "mg", "QD", "ORAL", "SLE", "2025-05-01", None),
        ("S1", 8, "apheresis", "PLASMA_EXCHANGE", 1.0, "mg", "ONCE", "OTHER", "SLE",
         "2025-05-01", None),
        ("S1", 9, "ucart", "CART_RETREATMENT", 1.0, "mg", "ONCE", "INTRAVENOUS", None,
         "2025-05-01", None),
        ("S1", 10, "prednisone", "GLUCOCORTICOID", 5.0, "mg", "QD", "OTHER", "SLE",
         "2025-05-01", None),
        ("S1", 11, "prednisone", "GLUCOCORTICOID", 5.0, "mg", "QD", "INTRAMUSCULAR", "GVHD",
         "2025-05-01", None),
    ]
    adcm = create_adcm(medications(meds), subjects=subjects([("S1", INF, "Y", LD)]),
                       data_cut=CUT, params=params).collect()
    assert adcm["CLASS"].to_list() == [
        "IS_CONVENTIONAL", "ANTIMALARIAL", "LYMPHODEPLETION", "IS_CONVENTIONAL",
        "LYMPHODEPLETION", "SUPPORTIVE", "NSAID", "PLASMA_EXCHANGE", "CART_RETREATMENT",
        "GC_SYSTEMIC", "GC_SYSTEMIC",
    ]
    assert adcm["SYSTEMFL"].to_list()[9:] == [False, True]
    assert adcm["GCFL"].to_list()[9:] == [False, True]


def test_topical_gc_without_indication_does_not_end_the_systemic_sle_record(params):
    # §16.23: GLUCOCORTICOID is GC_SYSTEMIC by systemic routes only; §16.6 counts a record
    # without CMINDC as SLE only for IS, biologic and GC_SYSTEMIC; §16.24 groups such records
    # with the SLE records of the drug. A topical prednisolone without CMINDC is therefore not
    # in the SLE group and does not end the open oral prednisolone record for SLE.
    meds = [
        ("S1", 1, "prednisolone", None, 5.0, "mg", "QD", "ORAL", "SLE", "2025-01-01", None),
        ("S1", 2, "prednisolone", None, 1.0, "mg", "QD", "TOPICAL", None, "2025-03-01",
         "2025-03-10"),
    ]
    adcm = create_adcm(medications(meds), subjects=subjects([("S1", INF, "N", None)]),
                       data_cut=CUT, params=params).collect()
    assert adcm["SLEFL"].to_list() == [True, False]
    assert adcm["INDCGRP"].to_list() == ["SLE", "(MISSING)"]
    assert adcm["AENDT"].to_list() == [CUT, d("2025-03-10")]
    out = gc_on(meds, ["2025-02-28", "2025-03-05", "2025-03-11"], params)
    assert out["GCDOSE"].to_list() == [5.0, 5.0, 5.0]


def test_gc_exact_rationals_at_the_doris_and_lldas_limits(params):
    # §16.8: pred-eq = dose x 5 / equivalent_mg exactly, rounded once per day to 4 decimals.
    meds = [
        ("S1", 1, "dexamethasone", None, 0.75, "mg", "QD", "ORAL", "SLE", "2025-05-01",
         "2025-05-01"),  # 5.0000 → DORIS <= 5 holds
        ("S1", 2, "deflazacort", None, 9.0, "mg", "QD", "ORAL", "SLE", "2025-05-02",
         "2025-05-02"),  # 7.5 → LLDAS <= 7.5 holds
        ("S1", 3, "deflazacort", None, 9.0001, "mg", "QD", "ORAL", "SLE", "2025-05-03",
         "2025-05-03"),  # 7.500083 → 7.5001 → fails
        ("S1", 4, "betamethasone", None, 0.3, "mg", "BID", "ORAL", "SLE", "2025-05-04",
         "2025-05-04"),  # 0.6 mg/day x 20/3 = 4.0
        ("S1", 5, "cortisone", None, 12.5, "mg", "TID", "ORAL", "SLE", "2025-05-05",
         "2025-05-05"),  # 37.5 x 0.2 = 7.5
    ]
    dates = ["2025-05-01", "2025-05-02", "2025-05-03", "2025-05-04", "2025-05-05"]
    out = gc_on(meds, dates, params)
    assert out["GCDOSE"].to_list() == [5.0, 7.5, 7.5001, 4.0, 7.5]
    rows = [row(i + 1, GCDOSE=v) for i, v in enumerate(out["GCDOSE"].to_list())]
    flags = _chain(rows)
    assert flags["DORGCFL"].to_list() == [True, False, False, True, False]
    assert flags["LLC4FL"].to_list() == [True, True, False, True, True]


def test_gcdosebl_is_the_sle_dose_on_the_day_before_ld_or_infusion_by_ldfl(params):
    # §16.5: GCDOSEBL = SLE GC pred-eq on LDSTDT - 1, or INFDT - 1 without LD (LDFL = N), the
    # same anchor as the baseline assessment; CRS steroids are not SLE glucocorticoids.
    meds = [
        (u, i, *rest)
        for u in ("S1", "S2", "S3")
        for i, rest in (
            (1, ("prednisone", None, 15.0, "mg", "QD", "ORAL", "SLE", "2025-01-01",
                 "2025-03-29")),
            (2, ("prednisone", None, 5.0, "mg", "QD", "ORAL", "SLE", "2025-03-30", None)),
            (3, ("dexamethasone", None, 10.0, "mg", "QD", "INTRAVENOUS", "CRS", "2025-03-31",
                 "2025-03-31")),
        )
    ]
    subj = subjects([("S1", INF, "Y", LD), ("S2", INF, "N", LD), ("S3", INF, "N", None)])
    adcm = create_adcm(medications(meds), subjects=subj, data_cut=CUT, params=params)
    frame_ = subj.select("USUBJID", "LDFL", "LDSTDT", pl.col("INFDT").alias("TRTSDT"))
    out = derive_var_gcdosebl(frame_, adcm=adcm, params=params).collect()
    # S1: 2025-03-26 → 15; S2 (LDFL = N, stray LDSTDT) and S3: 2025-03-31 → 5
    assert out["GCDOSEBL"].to_list() == [15.0, 5.0, 5.0]


# ---------------------------------------------------------------------------------------------
# LLDAS C5 maxima (§7.1, §16.11, §16.24) and investigational drugs (§16.24)


def test_c5_caps_apply_to_immunosuppressants_only(params):
    meds = [
        ("S1", 1, "methotrexate", None, 30.0, "mg", "QW", "ORAL", "SLE", "2025-05-01",
         "2025-05-20"),  # 30 mg/week: at the maximum
        ("S1", 2, "methotrexate", None, 7.5, "mg", "QD", "ORAL", "SLE", "2025-06-01",
         "2025-06-10"),  # 52.5 mg/week: above
        ("S1", 3, "hydroxychloroquine", None, 600.0, "mg", "BID", "ORAL", "SLE", "2025-07-01",
         "2025-07-10"),  # 1200 mg/day: antimalarials are never capped
        ("S1", 4, "rituximab", None, 1.0, "g", "ONCE", "INTRAVENOUS", "SLE", "2025-08-01",
         None),  # no listed maximum → passes
        ("S1", 5, "studydrug", "INVESTIGATIONAL", 1.0, "mg", "QD", "ORAL", "OTHER",
         "2025-09-01", "2025-09-01"),  # systemic investigational drug
        ("S1", 6, "studycream", "INVESTIGATIONAL", 1.0, "mg", "QD", "TOPICAL", "OTHER",
         "2025-09-02", "2025-09-02"),  # topical: not exposure
    ]
    dates = ["2025-05-10", "2025-06-05", "2025-07-05", "2025-08-05", "2025-09-01",
             "2025-09-02"]
    out = gc_on(meds, dates, params)
    assert out["ISOVRFL"].to_list() == [False, True, False, False, False, False]
    assert out["AMFL"].to_list() == [False, False, True, False, False, False]
    assert out["INVFL"].to_list() == [False, False, False, False, True, False]
    assert out["BIOFL"].to_list() == [False, False, False, True, True, True]


# ---------------------------------------------------------------------------------------------
# Rescue events (§8.4 [D-25], §16.6, §16.7, E-09)


def test_gc_rescue_before_first_assessment_is_measured_against_day0_dose(params):
    # §16.7: the reference is the SLE GC dose in force on Day 0 (20 mg), not the baseline
    # assessment's (10 mg): a taper to 15 mg on Day 4 is no rescue; 25 mg on Day 6 is.
    meds = [
        ("S1", 1, "prednisone", None, 10.0, "mg", "QD", "ORAL", "SLE", "2025-01-01",
         "2025-03-25"),
        ("S1", 2, "prednisone", None, 20.0, "mg", "QD", "ORAL", "SLE", "2025-03-25",
         "2025-04-05"),
        ("S1", 3, "prednisone", None, 15.0, "mg", "QD", "ORAL", "SLE", "2025-04-05",
         "2025-04-07"),
        ("S1", 4, "prednisone", None, 25.0, "mg", "QD", "ORAL", "SLE", "2025-04-07", None),
    ]
    out = events(meds, ["2025-03-20"], params)
    assert out == [("S1", d("2025-04-07"), "RESCUE", 4)]


def test_crs_steroids_neither_trigger_nor_hide_a_gc_rescue(params):
    # §8.4 / E-09: the CRS dexamethasone is no rescue and is left out of the reference dose at
    # D14, so the SLE prednisone rise 5 → 7.5 mg after D14 is a rescue.
    meds = [
        ("S1", 1, "prednisone", None, 5.0, "mg", "QD", "ORAL", "SLE", "2025-01-01",
         "2025-04-20"),
        ("S1", 2, "dexamethasone", None, 10.0, "mg", "BID", "INTRAVENOUS", "CRS", "2025-04-14",
         "2025-04-16"),
        ("S1", 3, "prednisone", None, 7.5, "mg", "QD", "ORAL", "SLE", "2025-04-20", None),
    ]
    out = events(meds, ["2025-03-20", "2025-04-15"], params)
    assert out == [("S1", d("2025-04-20"), "RESCUE", 3)]


def test_rescue_needs_start_after_day0_and_sle_indication_rules(params):
    meds = [
        # started on Day 0: not after Day 0 → no event (§8.4)
        ("S1", 1, "belimumab", None, 200.0, "mg", "QW", "SUBCUTANEOUS", "SLE", INF, None),
        # new IS without CMINDC → counts as SLE (§16.6) → RESCUE
        ("S1", 2, "azathioprine", None, 50.0, "mg", "QD", "ORAL", None, "2025-05-01", None),
        # new IS for GVHD: exposure, but no rescue
        ("S1", 3, "tacrolimus", None, 1.0, "mg", "BID", "ORAL", "GVHD", "2025-05-02", None),
        # antimalarial, NSAID, IVIG without CMINDC: neither rescue nor SFI criterion (§16.6)
        ("S1", 4, "hydroxychloroquine", None, 200.0, "mg", "QD", "ORAL", None, "2025-05-03",
         None),
        ("S1", 5, "naproxen", None, 250.0, "mg", "BID", "ORAL", None, "2025-05-03", None),
        ("S1", 6, "immunoglobulin", None, 30.0, "g", "ONCE", "INTRAVENOUS", None, "2025-05-03",
         None),
        # the same with CMINDC = SLE
        ("S1", 7, "chloroquine", None, 250.0, "mg", "QD", "ORAL", "SLE", "2025-05-04", None),
        ("S1", 8, "ibuprofen", None, 400.0, "mg", "TID", "ORAL", "SLE", "2025-05-05", None),
        ("S1", 9, "immunoglobulin", None, 30.0, "g", "ONCE", "INTRAVENOUS", "SLE", "2025-05-06",
         None),
        # topical tacrolimus for SLE: not systemic → no rescue (D-22)
        ("S1", 10, "tacrolimus", None, 1.0, "mg", "BID", "TOPICAL", "SLE", "2025-05-07", None),
        # a biologic given for ICANS: not SLE rescue
        ("S1", 11, "rituximab", None, 1.0, "g", "ONCE", "INTRAVENOUS", "ICANS", "2025-05-08",
         None),
        # CAR-T re-treatment (E-29): RESCUE and RETREAT whatever the indication
        ("S1", 12, "ucart", "CART_RETREATMENT", 1.0, "mg", "ONCE", "INTRAVENOUS", None,
         "2025-05-09", None),
    ]
    out = events(meds, ["2025-03-20"], params)
    assert out == [
        ("S1", d("2025-05-01"), "RESCUE", 2),
        ("S1", d("2025-05-04"), "FLARETRT", 7),
        ("S1", d("2025-05-04"), "RESCUEAM", 7),
        ("S1", d("2025-05-05"), "FLARETRT", 8),
        ("S1", d("2025-05-06"), "RESCUE", 9),
        ("S1", d("2025-05-09"), "RESCUE", 12),
        ("S1", d("2025-05-09"), "RETREAT", 12),
    ]


def test_dose_increase_of_an_sle_immunosuppressant_is_rescue_decrease_is_not(params):
    # §8.4: any dose increase of an IS/biologic for SLE after Day 0; a decrease or the same dose
    # is not. Methotrexate 15 → 20 mg QW: the new record starts inside the weekly tail.
    meds = [
        ("S1", 1, "methotrexate", None, 15.0, "mg", "QW", "ORAL", "SLE", "2025-01-01",
         "2025-05-01"),
        ("S1", 2, "methotrexate", None, 20.0, "mg", "QW", "ORAL", "SLE", "2025-05-05",
         "2025-06-01"),
        ("S1", 3, "methotrexate", None, 10.0, "mg", "QW", "ORAL", "SLE", "2025-06-08",
         "2025-07-06"),
        ("S1", 4, "methotrexate", None, 10.0, "mg", "QW", "ORAL", "SLE", "2025-07-13", None),
    ]
    out = events(meds, ["2025-03-20"], params)
    assert out == [("S1", d("2025-05-05"), "RESCUE", 2)]


# ---------------------------------------------------------------------------------------------
# Ex 11 end to end: medication records → GCDOSE on each visit → DORIS / drug-free; the rescue
# event; advisit.SRI4FL stays the observed state (§13 Ex 11, §16.3, §16.24)


def test_example_11_from_medication_records(params):
    bl_a = visit(
        "S1", "BASELINE", "2025-03-20",
        items=["ARTHRITIS", "RASH", "ALOPECIA", "PROTEINURIA", "LOW_COMPLEMENT",
               "INCREASED_DNA_BINDING"],
        new={"RASH": "Y", "ALOPECIA": "Y", "PROTEINURIA": "Y"}, pga=2.10,
        bilag={"CONST": "C", "MUCO": "B", "MSK": "B", "CARDIO": "D", "RENAL": "A", "HAEM": "C"},
    )
    records = [
        bl_a,
        visit("S1", "DAY 14", "2025-04-15", items=["RASH"], new={"RASH": "N"}, pga=0.80),
        visit("S1", "DAY 28", "2025-04-29", pga=0.40),
        visit("S1", "MONTH 3", "2025-07-01", pga=0.20),
        visit("S1", "MONTH 6", "2025-09-30", pga=0.10),
        visit("S1", "MONTH 9", "2025-12-30", items=["ARTHRITIS"], pga=1.20, bilag={"MSK": "B"}),
    ]
    meds = [
        ("S1", 1, "prednisone", None, 15.0, "mg", "QD", "ORAL", "SLE", "2025-01-01",
         "2025-04-10"),
        ("S1", 2, "prednisone", None, 10.0, "mg", "QD", "ORAL", "SLE", "2025-04-10",
         "2025-04-29"),
        ("S1", 3, "prednisone", None, 2.5, "mg", "QD", "ORAL", "SLE", "2025-04-29",
         "2025-06-30"),
        ("S1", 4, "prednisone", None, 10.0, "mg", "QD", "ORAL", "SLE", "2025-12-20", None),
    ]
    out = advisit(records, [("S1", INF, "Y", LD)], meds, params)
    assert out["ADY"].to_list() == [-12, 14, 28, 91, 182, 273]
    assert out["AVISIT"].to_list() == [
        "BASELINE", "DAY 14", "DAY 28", "MONTH 3", "MONTH 6", "MONTH 9",
    ]
    assert out["GCDOSE"].to_list() == [15.0, 10.0, 2.5, 0.0, 0.0, 10.0]
    assert out["CSLEDAI"].to_list() == [12, 2, 0, 0, 0, 4]
    assert out["DORISFL"].to_list() == [False, False, True, True, True, False]
    assert out["DFREMFL"].to_list() == [False, False, False, True, True, False]
    # observed SRI at M9: SELENA 16 → 4, no new BILAG A/B, PGA 2.10 → 1.20: TRUE (the rescue
    # of 2025-12-20 makes it NRI in adrs, not here)
    assert out["SRI4FL"].to_list() == [None, True, True, True, True, True]
    assert events(meds, ["2025-03-20", "2025-04-15", "2025-04-29", "2025-07-01",
                         "2025-09-30", "2025-12-30"], params) == [
        ("S1", d("2025-12-20"), "RESCUE", 4),
    ]
