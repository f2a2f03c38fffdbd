"""Subject-level endpoints (ADaM-like): adrs, adepi, adtte, adae."""
