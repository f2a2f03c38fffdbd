"""Medications: drug dictionary, active windows, daily doses, exposure and rescue (endpoints.md §8).

Public API: :func:`create_adcm` (derived/adcm.parquet), :func:`derive_vars_medications`
(GC dose and exposure flags on assessment dates), :func:`derive_var_gcdosebl`,
:func:`create_events` (derived/events.parquet); :func:`find_overlapping_records` (D-33 check),
:func:`derive_var_drug_class` (dictionary look-up) and :class:`MedicationParams` live in the
foundation package :mod:`outcomes.drugs` (shared with the validator) and are re-exported here.
"""

from outcomes.derive.medications.events import create_events
from outcomes.derive.medications.exposure import (
    derive_var_gc_on_date,
    derive_var_gcdosebl,
    derive_vars_medications,
)
from outcomes.derive.medications.records import create_adcm
from outcomes.drugs import MedicationParams, derive_var_drug_class, find_overlapping_records

__all__ = [
    "MedicationParams",
    "create_adcm",
    "create_events",
    "derive_var_drug_class",
    "derive_var_gc_on_date",
    "derive_var_gcdosebl",
    "derive_vars_medications",
    "find_overlapping_records",
]
