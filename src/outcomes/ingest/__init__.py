"""Ingest stage: typed, cut-filtered tables with SRCDOM/SRCSEQ."""
