"""Medication logic shared by validation and derivation (endpoints.md §8, §16.6-§16.11, §16.23,
§16.24): the drug dictionary and its parameters, "same drug" grouping, exact daily and
prednisone-equivalent doses, and overlapping records of one drug.

One implementation of each: the validator (``outcomes.validate``) and the medication
derivation (``outcomes.derive.medications``) both import it from here.
"""

from outcomes.drugs.dictionary import derive_var_drug_class, derive_vars_same_drug
from outcomes.drugs.overlaps import find_overlapping_records
from outcomes.drugs.params import MedicationParams

__all__ = [
    "MedicationParams",
    "derive_var_drug_class",
    "derive_vars_same_drug",
    "find_overlapping_records",
]
