"""Drug-free DORIS remission on each assessment, and its strict (no antimalarial) reading.

Input grain: one row per assessment with ``DORSLEFL, DORPGAFL`` (from
:func:`outcomes.derive.doris.derive_vars_doris`) and the medication columns ``GCDOSE, ISFL,
BIOFL, AMFL, INVFL``. Rows and order are unchanged; flags are three-valued.
"""

from __future__ import annotations

import polars as pl

from outcomes.derive.compare import DOSE_DECIMALS, compute_compare
from outcomes.derive.params import DrugFreeCriteria


def derive_vars_drug_free(
    advisit: pl.LazyFrame, *, drug_free: DrugFreeCriteria, dose_decimals: int = DOSE_DECIMALS
) -> pl.LazyFrame:
    """Add the drug-free DORIS criteria, ``DFREMFL`` and ``DFREMSFL``.

    Drug-free DORIS holds when clinical SLEDAI-2K = 0 and PGA < 0.5 (the DORIS criteria), no
    systemic glucocorticoid is given on the assessment date (prednisone-equivalent = 0), and
    no conventional immunosuppressant, biologic/targeted therapy or (by default) investigational
    drug is active on that date; the CAR-T product and lymphodepletion are not counted.
    Antimalarials are allowed (DORIS-2017 "off therapy"). The strict reading additionally
    requires no antimalarial (the "medication-free" reading of the cCAR study).

    New columns: ``DFGCFL, DFISFL, DFAMFL, DFREMFL, DFREMSFL``.

    References
    ----------
    endpoints.md §6.1, §6.2 [D-16], §8.3 [D-24], §12 E-15, §16.24.
    """
    no_drug = [~pl.col("ISFL"), ~pl.col("BIOFL")]
    if drug_free.investigational_breaks:
        no_drug.append(~pl.col("INVFL"))
    flags = advisit.with_columns(
        compute_compare(
            pl.col("GCDOSE"),
            op="eq",
            threshold=drug_free.prednisone_mg_per_day_eq,
            decimals=dose_decimals,
        ).alias("DFGCFL"),
        pl.all_horizontal(no_drug).alias("DFISFL"),
        (~pl.col("AMFL")).alias("DFAMFL"),
    )
    return flags.with_columns(
        pl.all_horizontal("DORSLEFL", "DORPGAFL", "DFGCFL", "DFISFL").alias("DFREMFL"),
    ).with_columns((pl.col("DFREMFL") & pl.col("DFAMFL")).alias("DFREMSFL"))
