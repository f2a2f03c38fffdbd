"""Report, figures, cut-to-cut comparison and provenance."""
