"""Per-visit derivations: scores, glucocorticoid dose, exposure, DORIS, drug-free DORIS, LLDAS, SRI."""
