"""Per-visit derivations: scores, GC dose, exposure, DORIS, drug-free DORIS, LLDAS, SRI."""
