"""Clinical consistency of assessments and AEs (CON-001 … CON-004, CON-008).

SLEDAI bits are used as recorded (endpoints.md §16.12); the raw values C3/C4, anti-dsDNA and UPCR
only feed these cross-checks, compared in exact decimals (D-01).
"""

from __future__ import annotations

import polars as pl

from outcomes import contract as c
from outcomes.decimal import compute_fixed, to_fixed
from outcomes.validate.issues import fmt, make_issues
from outcomes.validate.params import ValidationParams

LAB_DECIMALS = 6


def _fixed(name: str) -> pl.Expr:
    return compute_fixed(pl.col(name), decimals=LAB_DECIMALS)


def compute_low_complement(*, c3: str = "C3", c4: str = "C4") -> pl.Expr:
    """C3 or C4 below its lower limit (tri-state: null when neither is known low and one is
    missing)."""
    return (_fixed(c3) < _fixed(f"{c3}LLN")) | (_fixed(c4) < _fixed(f"{c4}LLN"))


def _contradiction(
    frame: pl.LazyFrame, *, item: str, lab_positive: pl.Expr, rule: str, lab_words: str
) -> pl.LazyFrame:
    col = f"SLEDAI_{item}"
    failing = ((pl.col(col) == 1) & ~lab_positive) | ((pl.col(col) == 0) & lab_positive)
    return make_issues(
        frame.filter(failing.fill_null(False)),
        rule=rule,
        table="assessments",
        column=col,
        value=pl.col(col).cast(pl.String),
        message=fmt(
            "assessments.{} = {} contradicts " + lab_words, pl.lit(col), pl.col(col).cast(pl.String)
        ),
    )


def check_assessment_consistency(
    assessments: pl.DataFrame, *, params: ValidationParams
) -> list[pl.LazyFrame]:
    """Onset flags without the item (CON-001) and items that contradict the recorded complement,
    anti-dsDNA and UPCR values (CON-002 … CON-004)."""
    a = assessments.lazy()
    out = []
    for code, new_col in zip(c.SELENA_ONSET_ITEMS, c.SELENA_ONSET_COLUMNS, strict=True):
        out.append(
            make_issues(
                a.filter(
                    ((pl.col(new_col) == "Y") & (pl.col(f"SLEDAI_{code}") == 0)).fill_null(False)
                ),
                rule="CON-001",
                table="assessments",
                column=new_col,
                value=pl.col(new_col),
                message=pl.lit(f"assessments.{new_col} = Y but SLEDAI_{code} = 0 (absent)"),
            )
        )
    upcr = to_fixed(float(params.upcr_proteinuria_gt_g_per_g), decimals=LAB_DECIMALS)
    out.append(
        _contradiction(
            a,
            item="LOW_COMPLEMENT",
            lab_positive=compute_low_complement(),
            rule="CON-002",
            lab_words="the recorded C3/C4 and their limits",
        )
    )
    out.append(
        _contradiction(
            a,
            item="INCREASED_DNA_BINDING",
            lab_positive=_fixed("DSDNA") > _fixed("DSDNAULN"),
            rule="CON-003",
            lab_words="the recorded anti-dsDNA and its upper limit",
        )
    )
    out.append(
        _contradiction(
            a,
            item="PROTEINURIA",
            lab_positive=_fixed("UPCR") > upcr,
            rule="CON-004",
            lab_words=f"the recorded UPCR (> {params.upcr_proteinuria_gt_g_per_g}"
            " g/g scores the item)",
        )
    )
    return out


#: AE categories whose grade 5 is CON-008 (the others: CON-015).
CRS_ICANS: tuple[str, ...] = ("CRS", "ICANS")


def filter_fatal_without_death(
    adverse_events: pl.DataFrame, subjects: pl.DataFrame, *, crs_icans: bool
) -> pl.LazyFrame:
    """AEs of grade 5 (fatal) of CRS or ICANS (``crs_icans``), or of any other category, whose
    subject has no death date in ``subjects`` (CON-008, CON-015)."""
    deaths = subjects.lazy().unique("USUBJID", keep="first").select("USUBJID", "DTHDT")
    category = pl.col("AECAT").is_in(CRS_ICANS).fill_null(False)
    return (
        adverse_events.lazy()
        .filter((category if crs_icans else ~category) & (pl.col("AETOXGR") == 5).fill_null(False))
        .join(deaths, on="USUBJID", how="left")
        .filter(pl.col("DTHDT").is_null())
    )


def check_fatal_ae_without_death(
    adverse_events: pl.DataFrame, subjects: pl.DataFrame
) -> pl.LazyFrame:
    """A CRS or ICANS of grade 5 (fatal) while the subject has no death date (CON-008)."""
    return make_issues(
        filter_fatal_without_death(adverse_events, subjects, crs_icans=True),
        rule="CON-008",
        table="adverse_events",
        column="AETOXGR",
        value=pl.col("AETOXGR").cast(pl.String),
        message=fmt("adverse_events: {} grade 5 but subjects.DTHDT is missing", pl.col("AECAT")),
    )
