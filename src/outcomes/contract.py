"""The data contract (v1): table names, instrument items and controlled vocabularies.

These are definitions of the export format and of the published instruments, not study choices;
study choices (thresholds, windows, dictionaries) live in ``config/config.yaml``.

References
----------
SLEDAI-2K: Gladman DD, Ibañez D, Urowitz MB. J Rheumatol 2002;29:288-291 (endpoints.md §1.2).
BILAG-2004: Yee CS et al. Arthritis Rheum 2007;56:4113-4119 (endpoints.md §2.1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class SledaiItem:
    """One SLEDAI-2K descriptor (endpoints.md §1.2)."""

    code: str
    weight: int
    organ: str
    serological: bool
    lldas_major: bool

    @property
    def column(self) -> str:
        return f"SLEDAI_{self.code}"


SLEDAI_ITEMS: tuple[SledaiItem, ...] = (
    SledaiItem("SEIZURE", 8, "CNS", False, True),
    SledaiItem("PSYCHOSIS", 8, "CNS", False, True),
    SledaiItem("ORGANIC_BRAIN_SYNDROME", 8, "CNS", False, True),
    SledaiItem("VISUAL_DISTURBANCE", 8, "CNS", False, True),
    SledaiItem("CRANIAL_NERVE", 8, "CNS", False, True),
    SledaiItem("LUPUS_HEADACHE", 8, "CNS", False, True),
    SledaiItem("CVA", 8, "CNS", False, True),
    SledaiItem("VASCULITIS", 8, "Vascular", False, True),
    SledaiItem("ARTHRITIS", 4, "Musculoskeletal", False, False),
    SledaiItem("MYOSITIS", 4, "Musculoskeletal", False, False),
    SledaiItem("URINARY_CASTS", 4, "Renal", False, True),
    SledaiItem("HEMATURIA", 4, "Renal", False, True),
    SledaiItem("PROTEINURIA", 4, "Renal", False, True),
    SledaiItem("PYURIA", 4, "Renal", False, True),
    SledaiItem("RASH", 2, "Mucocutaneous", False, False),
    SledaiItem("ALOPECIA", 2, "Mucocutaneous", False, False),
    SledaiItem("MUCOSAL_ULCERS", 2, "Mucocutaneous", False, False),
    SledaiItem("PLEURISY", 2, "Cardiorespiratory", False, True),
    SledaiItem("PERICARDITIS", 2, "Cardiorespiratory", False, True),
    SledaiItem("LOW_COMPLEMENT", 2, "Immunological", True, False),
    SledaiItem("INCREASED_DNA_BINDING", 2, "Immunological", True, False),
    SledaiItem("FEVER", 1, "Constitutional", False, True),
    SledaiItem("THROMBOCYTOPENIA", 1, "Haematological", False, False),
    SledaiItem("LEUKOPENIA", 1, "Haematological", False, False),
)
SLEDAI_COLUMNS: tuple[str, ...] = tuple(item.column for item in SLEDAI_ITEMS)

#: Items scored by SELENA-SLEDAI only when new or recurrent (endpoints.md §1.3); each has a
#: _NEW flag.
SELENA_ONSET_ITEMS: tuple[str, ...] = ("RASH", "ALOPECIA", "MUCOSAL_ULCERS", "PROTEINURIA")
SELENA_ONSET_COLUMNS: tuple[str, ...] = tuple(f"SLEDAI_{c}_NEW" for c in SELENA_ONSET_ITEMS)

BILAG_DOMAINS: tuple[str, ...] = (
    "CONST",
    "MUCO",
    "NEURO",
    "MSK",
    "CARDIO",
    "GI",
    "OPHTH",
    "RENAL",
    "HAEM",
)
BILAG_COLUMNS: tuple[str, ...] = tuple(f"BILAG_{d}" for d in BILAG_DOMAINS)
BILAG_GRADES: tuple[str, ...] = ("A", "B", "C", "D", "E")

TABLES_REQUIRED: tuple[str, ...] = ("subjects", "assessments", "medications", "adverse_events")
TABLES_OPTIONAL: tuple[str, ...] = ("labs",)
TABLES: tuple[str, ...] = TABLES_REQUIRED + TABLES_OPTIONAL

#: Columns that place or identify a record (data-contract.md §1.6): a blank or unusable value
#: in one of them is an ERROR that excludes the record.
RECORD_KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "subjects": ("USUBJID", "CONSDT"),
    "assessments": ("USUBJID", "VISIT", "ASMDT"),
    "medications": ("USUBJID", "CMSEQ", "CMTRT", "CMSTDT"),
    "adverse_events": ("USUBJID", "AESEQ", "AECAT", "AESTDT"),
    "labs": ("USUBJID", "LBDT"),
}

#: Sequence column of each table; tables without one use the 1-based row number as SRCSEQ.
SEQUENCE_COLUMN: dict[str, str | None] = {
    "subjects": None,
    "assessments": None,
    "medications": "CMSEQ",
    "adverse_events": "AESEQ",
    "labs": None,
}

#: SRCDOM value written on derived rows for each table.
SOURCE_DOMAIN: dict[str, str] = {
    "subjects": "SUBJECTS",
    "assessments": "ASSESSMENTS",
    "medications": "MEDICATIONS",
    "adverse_events": "ADVERSE_EVENTS",
    "labs": "LABS",
}

FLAG_VALUES: tuple[str, ...] = ("Y", "N")
BIT_VALUES: tuple[str, ...] = ("0", "1")
SEX_VALUES: tuple[str, ...] = ("M", "F")
EOSSTT_VALUES: tuple[str, ...] = ("ONGOING", "COMPLETED", "DISCONTINUED")
DCSREAS_VALUES: tuple[str, ...] = (
    "DEATH",
    "WITHDRAWAL BY SUBJECT",
    "LOST TO FOLLOW-UP",
    "ADVERSE EVENT",
    "LACK OF EFFICACY",
    "PHYSICIAN DECISION",
    "PROTOCOL DEVIATION",
    "OTHER",
)
FLARE_VALUES: tuple[str, ...] = ("NONE", "MILD", "MODERATE", "SEVERE")
CMCLAS_VALUES: tuple[str, ...] = (
    "GLUCOCORTICOID",
    "ANTIMALARIAL",
    "IMMUNOSUPPRESSANT",
    "BIOLOGIC",
    "LYMPHODEPLETION",
    "CART_TOXICITY",
    "SUPPORTIVE",
    "NSAID",
    "PLASMA_EXCHANGE",
    "CART_RETREATMENT",
    "INVESTIGATIONAL",
    "OTHER",
)
CMDOSU_VALUES: tuple[str, ...] = ("mg", "g", "ug")
CMDOSFRQ_VALUES: tuple[str, ...] = ("QD", "BID", "TID", "QID", "QOD", "QW", "Q2W", "Q4W", "ONCE")
CMROUTE_VALUES: tuple[str, ...] = (
    "ORAL",
    "INTRAVENOUS",
    "SUBCUTANEOUS",
    "INTRAMUSCULAR",
    "TOPICAL",
    "INHALED",
    "INTRA-ARTICULAR",
    "OTHER",
)
CMINDC_VALUES: tuple[str, ...] = (
    "SLE",
    "CRS",
    "ICANS",
    "IEC-HS",
    "LICATS",
    "GVHD",
    "INFECTION",
    "IG REPLACEMENT",
    "PROPHYLAXIS",
    "ADRENAL INSUFFICIENCY",
    "OTHER",
)
AECAT_VALUES: tuple[str, ...] = (
    "CRS",
    "ICANS",
    "ICAHT",
    "INFECTION",
    "GVHD",
    "IEC-HS",
    "LICATS",
    "OTHER",
)
DEFAULT_VISIT_LABELS: tuple[str, ...] = (
    "SCREENING",
    "BASELINE",
    "DAY 14",
    "DAY 28",
    "MONTH 3",
    "MONTH 6",
    "MONTH 9",
    "MONTH 12",
    "MONTH 18",
    "MONTH 24",
    "UNSCHEDULED",
)


#: What a SAS XPT v5 transport file holds (SAS TS-140): text of at most 200 bytes per variable
#: and numbers as IBM System/360 doubles, whose magnitudes run from 16**-65 to
#: (1 - 16**-14) * 16**63 (about 7.2e75). The largest number kept is lower, just below 2**249
#: (about 9.0e74): ReadStat, which pyreadstat and R's haven use, reads larger IBM doubles back
#: as infinite, so a file holding them would not read back as written. Validation warns about
#: values beyond (TRN-001, TRN-002).
XPT_TEXT_MAX_BYTES = 200
XPT_NUMBER_MIN = 16.0**-65
XPT_NUMBER_MAX = math.nextafter(2.0**249, 0.0)
