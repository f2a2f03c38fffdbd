"""Disease-activity scores of each assessment (endpoints.md §1–§3).

Input grain: one row per assessment holding the typed SLEDAI, BILAG and PGA columns of
data-contract.md §1.2 (and ``ABLFL`` for the new-BILAG counts). Rows and order are unchanged.
"""

from __future__ import annotations

import polars as pl

from outcomes import contract as c
from outcomes.derive.params import ScoreParams
from outcomes.derive.previous import with_baseline
from outcomes.scoring import OnsetMissing, compute_bilag_new, compute_bilag_score, compute_sledai

_BL = "_tmp_bl_"

#: Output column names of (index, bound) pairs (endpoints.md §16.22).
SCORE_COLUMNS: dict[tuple[str, str], str] = {
    ("sledai2k", "value"): "SLEDAI2K",
    ("sledai2k", "lo"): "SDK2KLO",
    ("sledai2k", "hi"): "SDK2KHI",
    ("clinical", "value"): "CSLEDAI",
    ("clinical", "lo"): "CSLEDLO",
    ("clinical", "hi"): "CSLEDHI",
    ("selena", "value"): "SELENA",
    ("selena", "lo"): "SELENALO",
    ("selena", "hi"): "SELENAHI",
}


def derive_vars_scores(advisit: pl.LazyFrame, *, scores: ScoreParams) -> pl.LazyFrame:
    """Add SLEDAI-2K, clinical SLEDAI-2K and SELENA-SLEDAI with bounds, and the BILAG score.

    Each SLEDAI-family score is written with its lower bound (missing descriptor = absent) and
    upper bound (missing = present); the score itself only when both agree (E-05). SELENA-SLEDAI
    scores rash, alopecia, mucosal ulcers and proteinuria only when new or recurrent
    (``SLEDAI_<ITEM>_NEW = Y``, §1.3 [D-06]). ``BILAGSC`` is the BILAG-2004 numeric score
    (configured scheme, default A 12, B 8, C 1, D 0, E 0), null when a domain is missing.

    New columns: ``SLEDAI2K, SDK2KLO, SDK2KHI, CSLEDAI, CSLEDLO, CSLEDHI, SELENA, SELENALO,
    SELENAHI, BILAGSC``.

    References
    ----------
    endpoints.md §1.1–§1.3, §2.3, §12 E-05, E-32, §16.12, §16.24; Gladman 2002 [R21];
    Yee 2010 [R16].
    """
    onset: OnsetMissing = "persistent" if scores.selena_onset_missing == "persistent" else "bounds"
    exprs = [
        compute_sledai(index=index, bound=bound, onset_missing=onset).alias(name)  # type: ignore[arg-type]
        for (index, bound), name in SCORE_COLUMNS.items()
    ]
    exprs.append(compute_bilag_score(points=scores.bilag_points).alias("BILAGSC"))
    return advisit.with_columns(exprs)


def derive_vars_bilag_new(advisit: pl.LazyFrame) -> pl.LazyFrame:
    """Add the numbers of new BILAG A and new BILAG B domains versus the baseline assessment.

    A new A is a domain graded A now and not A at baseline; a new B is graded B now after C, D
    or E at baseline (A→B is not new, E-22). ``BILNEWA``/``BILNEWB`` are the counts when every
    domain is graded (else null). The bounds follow E-31: ``BILNALO``/``BILNBLO`` take a missing
    domain at its baseline grade (best case), ``BILNAHI``/``BILNBHI`` take it as A (resp. B).
    All are null when the subject has no baseline or a baseline grade is missing.

    New columns: ``BILNEWA, BILNEWB, BILNALO, BILNAHI, BILNBLO, BILNBHI``.

    References
    ----------
    endpoints.md §2.4, §12 E-22, E-31; Furie 2009 [R12]; Gordon 2003 [R19].
    """
    with_bl = with_baseline(advisit, columns=c.BILAG_COLUMNS, prefix=_BL)
    out = {
        "BILNEWA": ("A", "value"),
        "BILNEWB": ("B", "value"),
        "BILNALO": ("A", "lo"),
        "BILNAHI": ("A", "hi"),
        "BILNBLO": ("B", "lo"),
        "BILNBHI": ("B", "hi"),
    }
    return with_bl.with_columns(
        compute_bilag_new(grade=g, bound=b, baseline_prefix=_BL).alias(name)  # type: ignore[arg-type]
        for name, (g, b) in out.items()
    ).drop([f"{_BL}{col}" for col in c.BILAG_COLUMNS])
