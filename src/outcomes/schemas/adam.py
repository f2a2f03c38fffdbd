"""Pandera schemas of ``adam/adsl`` and ``adam/advisit``: the per-visit stage's data dictionary.

Each column is declared once with its dtype, nullability and a description stating its rule and
source (endpoints.md section). Flags are polars Boolean; null = not evaluable. Extra columns
(e.g. added by the medications stage) are allowed; the declared ones are checked.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from outcomes.schemas.export import EXPORT_COLUMNS, polars_dtype

S, INT, F, D, B = pl.String(), pl.Int64(), pl.Float64(), pl.Date(), pl.Boolean()

#: (name, dtype, nullable, description) of every adsl column.
ADSL_COLUMNS: tuple[tuple[str, pl.DataType, bool, str], ...] = (
    ("STUDYID", S, True, "Study identifier (null when missing or invalid in the export)"),
    ("USUBJID", S, False, "Unique subject identifier"),
    ("SITEID", S, True, "Site (null when missing or invalid in the export)"),
    ("AGE", INT, True, "Age in years at consent (null when missing or invalid in the export)"),
    ("SEX", S, True, "Sex (M/F) (null when missing or invalid in the export)"),
    ("WEIGHT", F, True, "Baseline body weight, kg"),
    ("DOSELVL", S, True, "Dose level label"),
    ("DOSELVLN", INT, True, "Dose level order, 1-based position in config study.dose_levels"),
    ("LDFL", S, True, "Lymphodepletion given (Y/N; null when missing in the export)"),
    ("LDSTDT", D, True, "First day of lymphodepletion"),
    ("TRTSDT", D, True, "CAR-T infusion date (study Day 0, INFDT)"),
    ("SAFFL", B, False, "Safety set: infused, INFDT present (endpoints.md §16.19)"),
    ("EFFFL", B, False, "Efficacy set: SAFFL and a baseline assessment exists (§16.5, §16.19)"),
    (
        "ELIGFL",
        B,
        True,
        "Eligible per §10 on screening data; null = not assessable (§16.19, §16.20)",
    ),
    ("DCUTDT", D, False, "Data cut date"),
    ("EOSSTT", S, True, "End-of-study status at the cut (null when missing in the export)"),
    ("EOSDT", D, True, "End-of-study date"),
    ("DCSREAS", S, True, "Reason for discontinuation"),
    ("DTHDT", D, True, "Date of death"),
    ("DTHFL", B, False, "Death recorded (DTHDT present)"),
    ("LSTALVDT", D, True, "Last date known alive"),
    (
        "BLDT",
        D,
        True,
        "Baseline assessment date: latest before LDSTDT (INFDT without LD), "
        "within baseline_window_days (§16.5)",
    ),
    ("BLSEQ", INT, True, "SRCSEQ of the baseline assessment"),
    (
        "GCDOSEBL",
        F,
        True,
        "Baseline SLE glucocorticoid dose, prednisone-equivalent mg/day on "
        "LDSTDT - 1 (INFDT - 1 without LD) (§16.5)",
    ),
    ("SLEDAIBL", INT, True, "Baseline SLEDAI-2K (null when an item is missing)"),
    ("SELENABL", INT, True, "Baseline SELENA-SLEDAI (null when undetermined)"),
    ("CSLEDBL", INT, True, "Baseline clinical SLEDAI-2K"),
    ("BILAGBL", INT, True, "Baseline BILAG-2004 numeric score"),
    ("PGABL", F, True, "Baseline physician global assessment (0-3)"),
    ("LSTASMDT", D, True, "Date of the last assessment on or before the cut"),
    ("SRCDOM", S, False, "Source domain (SUBJECTS)"),
    ("SRCSEQ", INT, False, "Row of the subject in the subjects export"),
    (
        "QRYFL",
        S,
        True,
        "Y when a subjects, assessments or medications record of the subject carries an open "
        "validation ERROR (validation/issues.csv), else N; null when not known "
        "(data-contract §1.6)",
    ),
)

_KEYS: tuple[tuple[str, pl.DataType, bool, str], ...] = (
    ("STUDYID", S, True, "Study identifier (null for an assessment of an unknown subject)"),
    ("USUBJID", S, False, "Unique subject identifier"),
    ("DOSELVL", S, True, "Dose level label"),
    ("SRCDOM", S, False, "Source domain (ASSESSMENTS)"),
    ("SRCSEQ", INT, False, "Row of the assessment in the assessments export"),
    ("VISIT", S, False, "Visit as collected"),
    ("ADT", D, False, "Assessment date (ASMDT)"),
    ("TRTSDT", D, True, "CAR-T infusion date of the subject"),
)


def _source_columns() -> tuple[tuple[str, pl.DataType, bool, str], ...]:
    skip = {"USUBJID", "VISIT", "ASMDT"}
    return tuple(
        (spec.name, polars_dtype(spec), True, f"Export: {spec.description}")
        for spec in EXPORT_COLUMNS["assessments"]
        if spec.name not in skip
    )


_DERIVED: tuple[tuple[str, pl.DataType, bool, str], ...] = (
    ("ADY", INT, True, "Study day ADT - TRTSDT; Day 0 = infusion (§0 D-02)"),
    ("ABLFL", B, False, "Baseline assessment (§16.5)"),
    (
        "AVISIT",
        S,
        True,
        "Analysis visit: baseline label, or the configured window holding ADY "
        "(§11 D-31); null outside every window",
    ),
    ("AVISITN", INT, True, "Analysis visit number (0 = baseline)"),
    (
        "ANL01FL",
        B,
        False,
        "Record analysed for its AVISIT: VISIT equal to the label, else "
        "nearest the target day, tie earlier (§11, E-27); TRUE on baseline",
    ),
    (
        "PRVSEQ",
        INT,
        True,
        "SRCSEQ of the previous assessment (baseline for the first "
        "post-infusion one) used by LLDAS C2 and flares (§7.2, E-13)",
    ),
    (
        "STBREFDT",
        D,
        True,
        "Date IS/biologic stability is measured from: previous scheduled "
        "assessment, else baseline (§16.9, §16.24, D-14)",
    ),
    ("SLEDAI2K", INT, True, "SLEDAI-2K total (§1.1); null when an item is missing (E-05)"),
    ("SDK2KLO", INT, True, "SLEDAI-2K lower bound, missing items absent (E-05)"),
    ("SDK2KHI", INT, True, "SLEDAI-2K upper bound, missing items present (E-05)"),
    ("CSLEDAI", INT, True, "Clinical SLEDAI-2K: SLEDAI-2K without serology (§1.1)"),
    ("CSLEDLO", INT, True, "Clinical SLEDAI-2K lower bound"),
    ("CSLEDHI", INT, True, "Clinical SLEDAI-2K upper bound"),
    (
        "SELENA",
        INT,
        True,
        "SELENA-SLEDAI: rash/alopecia/ulcers/proteinuria only when new (§1.3 D-06)",
    ),
    ("SELENALO", INT, True, "SELENA-SLEDAI lower bound (E-05, E-32)"),
    ("SELENAHI", INT, True, "SELENA-SLEDAI upper bound (E-05, E-32)"),
    ("BILAGSC", INT, True, "BILAG-2004 numeric score, A12 B8 C1 D0 E0 by default (§2.3)"),
    ("BILNEWA", INT, True, "Domains with a new BILAG A vs baseline (§2.4); null if any missing"),
    ("BILNEWB", INT, True, "Domains with a new BILAG B (from C/D/E) vs baseline (§2.4, E-22)"),
    ("BILNALO", INT, True, "New BILAG A, best case: missing domain = baseline grade (E-31)"),
    ("BILNAHI", INT, True, "New BILAG A, worst case: missing domain = A (E-31)"),
    ("BILNBLO", INT, True, "New BILAG B, best case (E-31)"),
    ("BILNBHI", INT, True, "New BILAG B, missing domain = B"),
    ("GCDOSE", F, True, "All systemic GC on ADT, prednisone-equivalent mg/day (§8.1, E-09)"),
    ("GCSLEDOS", F, True, "GC given for SLE on ADT, prednisone-equivalent mg/day"),
    ("ISFL", B, True, "Conventional immunosuppressant active on ADT (§8.2, §16.10)"),
    ("BIOFL", B, True, "Biologic/targeted therapy active on ADT (§8.2, §16.10)"),
    ("AMFL", B, True, "Antimalarial active on ADT"),
    ("INVFL", B, True, "Investigational drug (systemic) active on ADT (§16.24)"),
    ("ISOVRFL", B, True, "An IS/biologic above its maintenance maximum (LLDAS C5, §16.11)"),
    ("ISSTBLFL", B, True, "No new IS/biologic and no dose increase since STBREFDT (D-14, §16.9)"),
    ("DORSLEFL", B, True, "DORIS: clinical SLEDAI-2K = 0 (§5.1)"),
    ("DORPGAFL", B, True, "DORIS: PGA < 0.5 (§5.1 D-13)"),
    ("DORGCFL", B, True, "DORIS: prednisone-equivalent <= 5 mg/day (§5.1 D-12)"),
    ("DORSTBFL", B, True, "DORIS: IS/biologics stable (§5.1 D-14)"),
    ("DORISFL", B, True, "DORIS 2021 remission (§5.1)"),
    ("SEROINFL", B, True, "Serology inactive: no low complement, no increased DNA binding (§5.2)"),
    ("DCLONFL", B, True, "DORIS 2017 clinical remission on therapy (§5.2 D-15)"),
    ("DCMONFL", B, True, "DORIS 2017 complete remission on therapy (§5.2 D-15)"),
    ("DCLOFFFL", B, True, "DORIS 2017 clinical remission off therapy (§5.2 D-15)"),
    ("DCMOFFFL", B, True, "DORIS 2017 complete remission off therapy (§5.2 D-15)"),
    ("DFGCFL", B, True, "Drug-free: no systemic GC on ADT (§6.2 D-16)"),
    ("DFISFL", B, True, "Drug-free: no IS, biologic or investigational drug (§6.2, §16.24)"),
    ("DFAMFL", B, True, "No antimalarial active (strict drug-free, §6.2)"),
    ("DFREMFL", B, True, "Drug-free DORIS remission (§6.2 D-16)"),
    ("DFREMSFL", B, True, "Strict drug-free DORIS: DFREMFL and no antimalarial (§6.2)"),
    ("LLC1FL", B, True, "LLDAS C1: SLEDAI-2K <= 4, no major organ, haemolysis, GI (§7.2 D-34)"),
    ("LLC2FL", B, True, "LLDAS C2: no SLEDAI-2K item new vs the previous assessment (§7.2)"),
    ("LLC3FL", B, True, "LLDAS C3: PGA <= 1 (§7.2)"),
    ("LLC4FL", B, True, "LLDAS C4: prednisone-equivalent <= 7.5 mg/day (§7.2)"),
    ("LLC5FL", B, True, "LLDAS C5: no IS/biologic above maximum, no investigational (§7.2)"),
    ("LLDASFL", B, True, "LLDAS (§7)"),
    ("SRISSFL", B, True, "SRI: SELENA-SLEDAI reduction >= 4 vs baseline (§4.1)"),
    ("SRIBILFL", B, True, "SRI: no new BILAG A, <= 1 new B (§4.1, E-31)"),
    ("SRIPGAFL", B, True, "SRI: PGA rise < 0.3 vs baseline (§4.1 D-10, E-23)"),
    ("SRI4FL", B, True, "SRI-4, observed state at a post-infusion assessment (§4, §16.24)"),
    ("INVFLRFL", B, True, "Investigator-declared flare (FLARE mild/moderate/severe, §16.4)"),
    ("BILFLRFL", B, True, "BILAG flare: a domain worse to A or B vs previous (§2.4 D-09)"),
    ("BILFLRSV", S, True, "BILAG flare severity: SEVERE, MODERATE, MILD or NONE (§2.4 D-09)"),
    ("FLAREFL", B, True, "Flare on ADT: INVFLRFL or BILFLRFL (loss event b, §16.4)"),
    ("SFISCFL", B, True, "SFI by score: SELENA-SLEDAI rise >= 3 vs previous (§6.4 D-19)"),
    ("SFISEV", S, True, "SFI score severity: SEVERE (> 12), MILD/MODERATE or NONE (D-19)"),
)

ADVISIT_COLUMNS: tuple[tuple[str, pl.DataType, bool, str], ...] = (
    *_KEYS,
    *_source_columns(),
    *_DERIVED,
)


def _schema(
    name: str, columns: tuple[tuple[str, pl.DataType, bool, str], ...]
) -> pa.DataFrameSchema:
    return pa.DataFrameSchema(
        {
            n: pa.Column(dtype, nullable=nullable, description=desc)
            for n, dtype, nullable, desc in columns
        },
        name=name,
        strict=False,
    )


def sri_k_columns(k_values: tuple[int, ...]) -> tuple[tuple[str, pl.DataType, bool, str], ...]:
    """Schema entries of the configured ``SRI<k>FL`` flags."""
    return tuple(
        (f"SRI{k}FL", B, True, f"SRI-{k}: SRI with SELENA-SLEDAI reduction >= {k} (§4.1)")
        for k in k_values
        if k != 4
    )


def advisit_schema(k_values: tuple[int, ...] = ()) -> pa.DataFrameSchema:
    """Schema of adam/advisit including the ``SRI<k>FL`` flags of ``k_values``."""
    return _schema("advisit", (*ADVISIT_COLUMNS, *sri_k_columns(k_values)))


ADSL = _schema("adsl", ADSL_COLUMNS)
ADVISIT = advisit_schema()
#: Schemas rendered in the data dictionary, in order.
DICTIONARY_SCHEMAS: list[pa.DataFrameSchema] = [ADSL, ADVISIT]

#: Flags whose true/false/null counts are logged by the steps.
ADVISIT_FLAGS: tuple[str, ...] = tuple(n for n, dtype, _, _ in _DERIVED if dtype == B)
ADSL_FLAGS: tuple[str, ...] = tuple(n for n, dtype, _, _ in ADSL_COLUMNS if dtype == B)
