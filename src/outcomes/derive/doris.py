"""DORIS remission on each assessment: the 2021 definition and the 2017 framework variants.

Input grain: one row per assessment with ``CSLEDLO, CSLEDHI`` (clinical SLEDAI-2K bounds), ``PGA``,
the serological SLEDAI bits, and the medication columns ``GCDOSE, ISFL, BIOFL, ISSTBLFL``.
Rows and order are unchanged; flags are three-valued (null = not evaluable).
"""

from __future__ import annotations

import polars as pl

from outcomes.derive.compare import DOSE_DECIMALS, compute_bounded_le, compute_compare
from outcomes.derive.params import DorisCriteria

_SEROLOGY = ("SLEDAI_LOW_COMPLEMENT", "SLEDAI_INCREASED_DNA_BINDING")


def derive_vars_doris(
    advisit: pl.LazyFrame,
    *,
    doris: DorisCriteria,
    pga_decimals: int,
    dose_decimals: int = DOSE_DECIMALS,
) -> pl.LazyFrame:
    """Add the DORIS 2021 criteria and ``DORISFL``.

    Remission (van Vollenhoven 2021) requires clinical SLEDAI-2K = 0 (computed with SLEDAI-2K
    rules, serology ignored; decided on its bounds, E-05), PGA < 0.5 (strict by default,
    [D-13]), prednisone-equivalent dose on the assessment date ≤ 5 mg/day (inclusive by
    default, [D-12]) and immunosuppressants/biologics, if any, stable since the previous
    scheduled assessment ([D-14], ``ISSTBLFL``). Antimalarials are allowed. The composite is
    the three-valued AND of its criteria (§0). The dose is compared at ``dose_decimals``
    (``medications.gc_decimals``, the decimals GCDOSE is rounded to).

    New columns: ``DORSLEFL, DORPGAFL, DORGCFL, DORSTBFL, DORISFL``.

    References
    ----------
    endpoints.md §5.1, §12 E-01, E-02, E-03, E-05, E-06; van Vollenhoven RF et al. Lupus Sci
    Med 2021;8:e000538 [R1].
    """
    stable = pl.col("ISSTBLFL") if doris.require_stable_is else pl.lit(True)
    flags = advisit.with_columns(
        compute_bounded_le(
            pl.col("CSLEDLO"), pl.col("CSLEDHI"), threshold=doris.clinical_sledai_eq
        ).alias("DORSLEFL"),
        compute_compare(
            pl.col("PGA"),
            op=doris.pga_operator,
            threshold=doris.pga_lt,  # type: ignore[arg-type]
            decimals=pga_decimals,
        ).alias("DORPGAFL"),
        compute_compare(
            pl.col("GCDOSE"),
            op=doris.gc_operator,  # type: ignore[arg-type]
            threshold=doris.prednisone_mg_per_day_le,
            decimals=dose_decimals,
        ).alias("DORGCFL"),
        stable.cast(pl.Boolean).alias("DORSTBFL"),
    )
    return flags.with_columns(
        pl.all_horizontal("DORSLEFL", "DORPGAFL", "DORGCFL", "DORSTBFL").alias("DORISFL")
    )


def derive_vars_doris2017(
    advisit: pl.LazyFrame, *, dose_decimals: int = DOSE_DECIMALS
) -> pl.LazyFrame:
    """Add the DORIS 2017 framework variants: clinical/complete remission, on/off therapy.

    All use clinical SLEDAI-2K = 0 and the PGA criterion (``DORSLEFL``, ``DORPGAFL``, [D-13]).
    On therapy: prednisone-equivalent within the DORIS limit and stable IS/biologics
    (``DORGCFL``, ``DORSTBFL``). Off therapy: no systemic glucocorticoid (``GCDOSE`` = 0) and no
    immunosuppressant or biologic active (``ISFL``, ``BIOFL`` FALSE); antimalarials allowed.
    Complete remission adds inactive serology (``SEROINFL``: low complement and increased DNA
    binding both recorded absent).

    New columns: ``SEROINFL, DCLONFL, DCMONFL, DCLOFFFL, DCMOFFFL``.

    References
    ----------
    endpoints.md §5.2 [D-15], §16.22; van Vollenhoven R et al. Ann Rheum Dis 2017;76:554-561 [R2].
    """
    no_gc = compute_compare(pl.col("GCDOSE"), op="eq", threshold=0, decimals=dose_decimals)
    off = pl.all_horizontal("DORSLEFL", "DORPGAFL", no_gc, ~pl.col("ISFL"), ~pl.col("BIOFL"))
    on = pl.all_horizontal("DORSLEFL", "DORPGAFL", "DORGCFL", "DORSTBFL")
    serology = pl.all_horizontal([pl.col(c) == 0 for c in _SEROLOGY])
    flags = advisit.with_columns(serology.alias("SEROINFL"), on.alias("DCLONFL"))
    return flags.with_columns(
        (pl.col("DCLONFL") & pl.col("SEROINFL")).alias("DCMONFL"),
        off.alias("DCLOFFFL"),
        (off & pl.col("SEROINFL")).alias("DCMOFFFL"),
    )
