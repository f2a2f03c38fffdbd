"""Pandera (polars) schemas of the subject-level datasets adrs, adepi, adtte, adae and adsafe.

They are the data dictionary of data-contract.md §3 and endpoints.md §16.22: every column has a
description. Validate collected frames (a LazyFrame is checked for schema only).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandera.polars as pa
import polars as pl
from pandera.api.polars.types import PolarsData

_SRCDOM = ["SUBJECTS", "ASSESSMENTS", "MEDICATIONS", "ADVERSE_EVENTS", "LABS"]


def check_sorted_key(keys: Sequence[str]) -> pa.Check:
    """Rows in strictly increasing order of ``keys``: sorted by them, each key once.

    A dataset-level check comparing each row with the previous one (one pass, no hashing), so it
    costs little on millions of rows; a failing row is one whose key is not greater than the
    previous row's (a duplicate, or out of order). Null keys fail.
    """

    def increasing(data: PolarsData) -> pl.LazyFrame:
        greater, equal = pl.lit(False), pl.lit(True)
        for key in keys:
            now, before = pl.col(key), pl.col(key).shift(1)
            greater = greater | (equal & (now > before))
            equal = equal & (now == before)
        first = pl.int_range(pl.len()) == 0
        return data.lazyframe.select((first | greater.fill_null(False)).alias("check"))

    return pa.Check(
        increasing,
        name=f"sorted_unique_by_{'_'.join(keys)}",
        error=f"rows sorted by {', '.join(keys)} with each key once",
    )


def _col(
    dtype: pl.DataType,
    description: str,
    *,
    nullable: bool = False,
    checks: list[pa.Check] | None = None,
) -> pa.Column:
    return pa.Column(dtype, checks=checks or [], nullable=nullable, description=description)


def _qryfl() -> pa.Column:
    """``QRYFL`` of adrs, adepi and adtte (data-contract §1.6)."""
    return _col(
        pl.String(),
        "Y when a record the subject's endpoints depend on (subjects, assessments, "
        "medications) carries an open validation ERROR, else N; null when not known "
        "(data-contract §1.6)",
        nullable=True,
        checks=[pa.Check.isin(["Y", "N"])],
    )


ADRS = pa.DataFrameSchema(
    {
        "USUBJID": _col(pl.String(), "Unique subject identifier"),
        "DOSELVL": _col(pl.String(), "Dose level", nullable=True),
        "PARAMCD": _col(
            pl.String(),
            "Parameter code (DORIS, DFDORIS, DFDORISS, LLDAS, SRI4, DFMAINT, "
            "DFMAINTS, LLMAINT, LLMAINTS, LLDASPCT, LLDAS50, LLSUST<X>, DFSUST<X>)",
        ),
        "PARAM": _col(pl.String(), "Parameter description"),
        "AVISIT": _col(pl.String(), "Analysis visit (scheduled visit label, or OVERALL)"),
        "AVISITN": _col(pl.Int64(), "Analysis visit number (OVERALL: endpoints.overall_avisitn)"),
        "ADT": _col(
            pl.Date(),
            "Date of the assessment that decided the value; null when the visit is missing",
            nullable=True,
        ),
        "AVALC": _col(
            pl.String(),
            "Responder Y/N (null for LLDASPCT)",
            nullable=True,
            checks=[pa.Check.isin(["Y", "N"])],
        ),
        "AVAL": _col(
            pl.Float64(), "1/0 for responder parameters; % of follow-up for LLDASPCT", nullable=True
        ),
        "DTYPE": _col(
            pl.String(),
            "NRI where the value is a non-responder imputation",
            nullable=True,
            checks=[pa.Check.isin(["NRI"])],
        ),
        "NRIREAS": _col(
            pl.String(),
            "Reason for NRI: DEATH, WITHDRAWAL, RESCUE, MISSING, NOT_EVALUABLE, NO_EVALUABLE",
            nullable=True,
        ),
        "SRCDOM": _col(
            pl.String(),
            "Source domain of the deciding record",
            nullable=True,
            checks=[pa.Check.isin(_SRCDOM)],
        ),
        "SRCSEQ": _col(
            pl.Int64(),
            "Source record sequence (CMSEQ for medications, ROW otherwise)",
            nullable=True,
        ),
        "QRYFL": _qryfl(),
    },
    name="adrs",
    strict=True,
    # One row per subject, parameter and visit (AVISIT and AVISITN correspond one to one).
    checks=[check_sorted_key(["USUBJID", "PARAMCD", "AVISITN"])],
)

ADEPI = pa.DataFrameSchema(
    {
        "USUBJID": _col(pl.String(), "Unique subject identifier"),
        "PARAMCD": _col(
            pl.String(),
            "State: DORIS, DFDORIS, DFDORISS or LLDAS",
            checks=[pa.Check.isin(["DORIS", "DFDORIS", "DFDORISS", "LLDAS"])],
        ),
        "EPISODE": _col(
            pl.Int64(), "Episode number within subject and state, from 1", checks=[pa.Check.ge(1)]
        ),
        "STARTDT": _col(pl.Date(), "First assessment in the state"),
        "ENDDT": _col(pl.Date(), "Loss-event date, or last assessment in the state when censored"),
        "ENDREAS": _col(
            pl.String(),
            "Why the episode ended; one reason per date by precedence DEATH, RESCUE, FLARE, "
            "FAILED_ASSESSMENT (endpoints.md §16.25)",
            checks=[pa.Check.isin(["FAILED_ASSESSMENT", "FLARE", "RESCUE", "DEATH", "CENSORED"])],
        ),
        "STSRCSEQ": _col(pl.Int64(), "SRCSEQ of the first assessment (ASSESSMENTS)"),
        "ENSRCDOM": _col(
            pl.String(), "Source domain of the end record", checks=[pa.Check.isin(_SRCDOM)]
        ),
        "ENSRCSEQ": _col(pl.Int64(), "SRCSEQ of the end record (the record ENDREAS names)"),
        "LSTINDT": _col(pl.Date(), "Last assessment in the state within the episode"),
        "LSTINSEQ": _col(pl.Int64(), "SRCSEQ of that assessment"),
        "QRYFL": _qryfl(),
    },
    name="adepi",
    strict=True,
    unique=["USUBJID", "PARAMCD", "EPISODE"],
)

ADTTE = pa.DataFrameSchema(
    {
        "USUBJID": _col(pl.String(), "Unique subject identifier"),
        "DOSELVL": _col(pl.String(), "Dose level", nullable=True),
        "PARAMCD": _col(
            pl.String(),
            "TTDORIS, TTDFREM, TTLLDAS (from infusion); DURDORIS, DURDFREM, "
            "DURLLDAS (from first achievement)",
            checks=[
                pa.Check.isin(["TTDORIS", "TTDFREM", "TTLLDAS", "DURDORIS", "DURDFREM", "DURLLDAS"])
            ],
        ),
        "PARAM": _col(pl.String(), "Parameter description"),
        "STARTDT": _col(pl.Date(), "Time origin: infusion date or first achievement"),
        "ADT": _col(pl.Date(), "Event or censoring date"),
        "AVAL": _col(pl.Int64(), "ADT - STARTDT + 1 (days)", checks=[pa.Check.ge(1)]),
        "CNSR": _col(
            pl.Int64(),
            "0 event, 1 censored, 2 death before achievement, 3 rescue before achievement",
            checks=[pa.Check.isin([0, 1, 2, 3])],
        ),
        "EVNTDESC": _col(pl.String(), "What the date ADT is"),
        "CNSDTDSC": _col(pl.String(), "Censoring date description (censored rows)", nullable=True),
        "SRCDOM": _col(
            pl.String(),
            "Source domain of the record whose date is ADT",
            checks=[pa.Check.isin(_SRCDOM)],
        ),
        "SRCSEQ": _col(pl.Int64(), "Sequence of the record whose date is ADT"),
        "QRYFL": _qryfl(),
    },
    name="adtte",
    strict=True,
    unique=["USUBJID", "PARAMCD"],
)


def adae_schema() -> pa.DataFrameSchema:
    """adae: the source AE columns are kept (not strict); the derived ones are declared."""
    return pa.DataFrameSchema(
        {
            "USUBJID": _col(pl.String(), "Unique subject identifier"),
            "AESEQ": _col(pl.Int64(), "AE sequence number"),
            "AECAT": _col(pl.String(), "AE category"),
            "AESTDT": _col(pl.Date(), "Onset date"),
            "AEENDT": _col(pl.Date(), "Resolution date; null = ongoing at the cut", nullable=True),
            "AETOXGR": _col(
                pl.Int64(),
                "Grade 1-5; null when missing or invalid in the export (data-contract §1.6)",
                nullable=True,
            ),
            "DOSELVL": _col(pl.String(), "Dose level", nullable=True),
            "TRTSDT": _col(pl.Date(), "Infusion date", nullable=True),
            "ASTDY": _col(
                pl.Int64(), "Onset study day, AESTDT - TRTSDT (Day 0 = infusion)", nullable=True
            ),
            "TRTEMFL": _col(
                pl.Boolean(),
                "Treatment-emergent: onset on/after lymphodepletion start (infusion without LD)",
                nullable=True,
            ),
            "W3MFL": _col(pl.Boolean(), "Onset Day 0-91 (within 3 months)", nullable=True),
            "W28FL": _col(pl.Boolean(), "Onset Day 0-28 (OBD toxicity window)", nullable=True),
            "ADURN": _col(
                pl.Int64(), "Duration AEENDT - AESTDT + 1 (days); null if ongoing", nullable=True
            ),
            "SRCDOM": _col(pl.String(), "Source domain (ADVERSE_EVENTS)"),
            "SRCSEQ": _col(pl.Int64(), "AESEQ of the source record"),
        },
        name="adae",
        strict=False,
    )


ADAE = adae_schema()

_GRADE = [pa.Check.isin([0, 1, 2, 3, 4, 5])]


def _max_grade(description: str) -> pa.Column:
    """A maximum CRS/ICANS grade of adsafe; null when an AE of the category has no grade."""
    return _col(
        pl.Int64(),
        f"{description}; null when an AE of the category has no grade",
        nullable=True,
        checks=_GRADE,
    )


ADSAFE = pa.DataFrameSchema(
    {
        "USUBJID": _col(pl.String(), "Unique subject identifier"),
        "DOSELVL": _col(pl.String(), "Dose level", nullable=True),
        "TRTSDT": _col(pl.Date(), "Infusion date"),
        "CRSMAXGR": _max_grade("Maximum treatment-emergent CRS grade (ASTCT; 0 = none)"),
        "ICNSMXGR": _max_grade("Maximum treatment-emergent ICANS grade (ASTCT; 0 = none)"),
        "CRS28GR": _max_grade("Maximum CRS grade with onset Day 0-28"),
        "ICNS28GR": _max_grade("Maximum ICANS grade with onset Day 0-28"),
        "ICAHTEGR": _col(
            pl.Int64(),
            "Early (Day 0-30) neutrophil ICAHT grade; null = no ANC",
            nullable=True,
            checks=_GRADE,
        ),
        "ICAHTLGR": _col(
            pl.Int64(),
            "Late (after Day 30) neutrophil ICAHT grade; null = fewer than the required draws",
            nullable=True,
            checks=_GRADE,
        ),
        "TICAHTEG": _col(
            pl.Int64(),
            "Early (Day 0-30) platelet T-ICAHT grade; null = no PLT",
            nullable=True,
            checks=_GRADE,
        ),
        "TICAHTLG": _col(
            pl.Int64(),
            "Late (Day 31-100) platelet T-ICAHT grade; null = fewer than the required draws",
            nullable=True,
            checks=_GRADE,
        ),
    },
    name="adsafe",
    strict=True,
    unique=["USUBJID"],
)
