"""Interoperability: SDTM import into the export contract, and ADaM output as XPT v5 and
Dataset-JSON v1.1 with Define-like metadata."""
