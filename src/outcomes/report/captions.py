"""Captions of the report's tables and figures, keyed by file stem, and table routing.

A table or figure without an entry is captioned with its stem. Analysis tables
(``tables/<stem>.csv``) are shown in the section whose keywords their stem contains
(:data:`TABLE_ROUTES`, first match), otherwise under "Analysis tables".
"""

from __future__ import annotations

CAPTIONS: dict[str, str] = {
    "report_disposition": "Disposition: subjects enrolled, infused, seen at each scheduled visit "
    "(analysis record of the visit window), and reasons for leaving the study.",
    "report_baseline": "Baseline characteristics of the safety set by dose level.",
    "report_safety_3m": "Primary endpoint: subjects with a CAR-T-related adverse event with onset "
    "on Day 0-91, by category and grade (a subject counts once per row).",
    "report_rates": "Responder rates by visit and dose level (adrs; NRI applied; visits due at "
    "the cut) with confidence intervals.",
    "report_data_status": "Validation status of the cut: open issues by severity and table, "
    "subjects touched (listed for errors), records excluded and values set missing by the "
    "errors (validation/excluded.csv), and the results they can change (data-contract §1.6).",
    "report_validation": "Validation summary of the export (validation/summary.json).",
    "report_settings": "Every configured key with its value and meaning.",
    "report_dictionary": "Data dictionary: every column of the declared schemas.",
    "safety_events": "Analysis table: rows 'CAR-T-related AE, Day "
    "0-91' are the primary endpoint (Table 14.3.1); the CRS, ICANS, ICAHT, infection and GvHD "
    "rows count AEs of any relatedness selected by analysis.safety.special_flag (default "
    "TRTEMFL: treatment-emergent over the whole study, not within 3 months).",
    "safety_crs_icans": "Analysis table: onset and duration of CRS "
    "and ICANS AEs selected by analysis.safety.special_flag (default TRTEMFL: the whole study).",
    "safety_icaht": "Analysis table: laboratory ICAHT grades "
    "(EHA/EBMT, adsafe), the source of the ICAHT [laboratory] rows of Tables 14.3.1 and 14.3.3.",
    "report_checksums": "SHA-256 checksums of the input files.",
    "report_versions": "Software versions.",
    "swimmer": "Swimmer plot: one lane per infused subject from infusion (Day 0) to death or "
    "else to the last assessment on or before the cut (censoring); bars show DORIS, drug-free "
    "DORIS and LLDAS episodes; marks "
    "show rescue, flares, CRS and ICANS onsets, death and censoring; the vertical line is the "
    "infusion.",
}

#: Captions of figure and table families, keyed by stem prefix; ``{}`` takes the rest of the stem.
PREFIX_CAPTIONS: dict[str, str] = {
    "trajectories_": "{} of every assessment from Day 0, one line per subject, by dose level.",
    "report_mean_": "Mean {} at each scheduled visit by dose level, with confidence intervals.",
    "mean_": "Mean {} at each scheduled visit by dose level, with confidence intervals.",
    "rate_": "{} responder rate by visit and dose level (adrs, NRI applied), with confidence "
    "intervals.",
    "km_": "{}: Kaplan-Meier estimate by dose level with pointwise confidence band and numbers "
    "at risk.",
    "cif_": "{}: cumulative incidence (Aalen-Johansen) by dose level, death before achievement "
    "as the competing event, rescue before achievement censored, with numbers at risk.",
}

TABLE_ROUTES: dict[str, tuple[str, ...]] = {
    "obd": ("obd",),
    "safety": ("safety", "adae", "_ae", "ae_", "crs", "icans", "icaht"),
    "time_to_event": ("km", "tte", "surv", "cif", "cuminc", "logrank", "cox", "landmark"),
    "rates": ("resp", "rate", "sri", "doris", "lldas"),
    "activity": ("activity", "sledai", "pga", "score"),
    "baseline": ("baseline",),
    "disposition": ("disposition",),
}


def caption(stem: str) -> str:
    """The caption of a table or figure (exact stem, then stem prefix), or the stem itself."""
    if stem in CAPTIONS:
        return CAPTIONS[stem]
    for prefix, template in PREFIX_CAPTIONS.items():
        if stem.startswith(prefix):
            return template.format(stem.removeprefix(prefix).upper())
    return stem


def route_table(stem: str, *, sections: tuple[str, ...]) -> str:
    """The section an analysis table belongs to (``analysis_tables`` when none matches)."""
    lowered = stem.lower()
    for section, keywords in TABLE_ROUTES.items():
        if section in sections and any(k in lowered for k in keywords):
            return section
    return "analysis_tables"
