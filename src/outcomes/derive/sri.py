"""SLE Responder Index (SRI-4 and SRI-k) at each post-infusion assessment, versus baseline.

Input grain: one row per assessment with ``ABLFL, ADY``, the SELENA-SLEDAI (or SLEDAI-2K) bounds,
``PGA`` and the new-BILAG counts ``BILNALO, BILNAHI, BILNBLO``. Rows and order are unchanged.
Flags are the observed state (§16.24): no death, withdrawal or rescue imputation here.
"""

from __future__ import annotations

import polars as pl

from outcomes.decimal import compute_fixed, to_fixed
from outcomes.derive.compare import compute_bounded_ge
from outcomes.derive.params import SriCriteria
from outcomes.derive.previous import with_baseline

_BL = "_tmp_bl_"
_INDEX_BOUNDS = {"selena": ("SELENALO", "SELENAHI"), "sledai2k": ("SDK2KLO", "SDK2KHI")}


def compute_sri_reduction(*, k: int, index: str) -> pl.Expr:
    """Reduction of the SRI index from baseline of at least ``k`` points, decided on bounds.

    The reduction is known as (BL_lo − v_hi, BL_hi − v_lo) (§16.12); TRUE when the lower end
    reaches ``k``, FALSE when the upper end does not, else null. Reads baseline bounds from
    ``_tmp_bl_<column>``.
    """
    lo, hi = _INDEX_BOUNDS[index]
    return compute_bounded_ge(
        pl.col(f"{_BL}{lo}") - pl.col(hi), pl.col(f"{_BL}{hi}") - pl.col(lo), threshold=k
    )


def compute_sri_bilag(*, sri: SriCriteria) -> pl.Expr:
    """No new BILAG A and at most one new BILAG B, decided on the E-31 best and worst cases.

    Best case: missing domains at their baseline grade (``BILNALO``, ``BILNBLO``); worst case:
    missing domains graded A (``BILNAHI``, ``BILNBLO``). The same verdict in both is used,
    otherwise null.
    """
    best = (pl.col("BILNALO") <= sri.bilag_new_a_max) & (pl.col("BILNBLO") <= sri.bilag_new_b_max)
    worst = (pl.col("BILNAHI") <= sri.bilag_new_a_max) & (pl.col("BILNBLO") <= sri.bilag_new_b_max)
    return pl.when(best == worst).then(best).otherwise(pl.lit(None, dtype=pl.Boolean))


def compute_sri_pga(*, sri: SriCriteria, pga_decimals: int) -> pl.Expr:
    """No PGA worsening: rise < 0.3 (``absolute``) or ≤ 10 % of baseline (``pct10``), exactly.

    Both PGA values are rounded half up to ``pga_decimals`` and compared as integers (D-01), so
    2.00 → 2.30 is a rise of exactly 0.30 and fails (E-23).
    """
    now = compute_fixed(pl.col("PGA"), decimals=pga_decimals)
    base = compute_fixed(pl.col(f"{_BL}PGA"), decimals=pga_decimals)
    if sri.pga_rule == "absolute":
        return (now - base) < to_fixed(sri.pga_increase_lt, decimals=pga_decimals)
    pct = to_fixed(sri.pga_increase_pct_le, decimals=2)
    return (now - base) * 10_000 <= base * pct


def derive_vars_sri(
    advisit: pl.LazyFrame, *, sri: SriCriteria, index: str, pga_decimals: int
) -> pl.LazyFrame:
    """Add the SRI criteria, ``SRI4FL`` and ``SRI<k>FL`` for each configured k.

    A responder at an assessment (Furie 2009): (1) SELENA-SLEDAI reduced by ≥ 4 points from
    baseline (≥ k for SRI-k); (2) no new BILAG A domain and ≤ 1 new BILAG B domain; (3) no PGA
    worsening (rise < 0.3, [D-10]). Computed at every post-infusion assessment (ADY > 0) of a
    subject with a baseline; null elsewhere. A subject whose baseline is below k cannot respond.

    New columns: ``SRISSFL, SRIBILFL, SRIPGAFL, SRI4FL`` and ``SRI<k>FL`` for k in
    ``k_values`` (other than the primary).

    References
    ----------
    endpoints.md §3, §4.1, §4.3 [D-10], [D-11], §12 E-22, E-23, E-31, §16.24; Furie RA et al.
    Arthritis Rheum 2009;61:1143-1151 [R12].
    """
    lo, hi = _INDEX_BOUNDS[index]
    has_baseline = f"{_BL}found"
    evaluable = ((pl.col("ADY") > 0) & pl.col(has_baseline)).fill_null(False)
    with_bl = with_baseline(advisit, columns=[lo, hi, "PGA"], prefix=_BL, found=has_baseline)

    def only_post(expr: pl.Expr) -> pl.Expr:
        return pl.when(evaluable).then(expr).otherwise(pl.lit(None, dtype=pl.Boolean))

    flags = with_bl.with_columns(
        only_post(compute_sri_reduction(k=sri.selena_reduction_ge, index=index)).alias("SRISSFL"),
        only_post(compute_sri_bilag(sri=sri)).alias("SRIBILFL"),
        only_post(compute_sri_pga(sri=sri, pga_decimals=pga_decimals)).alias("SRIPGAFL"),
    )
    common = [pl.col("SRIBILFL"), pl.col("SRIPGAFL")]
    extra = [k for k in sri.k_values if f"SRI{k}FL" != "SRI4FL"]
    return flags.with_columns(
        pl.all_horizontal(pl.col("SRISSFL"), *common).alias("SRI4FL"),
        *[
            pl.all_horizontal(only_post(compute_sri_reduction(k=k, index=index)), *common).alias(
                f"SRI{k}FL"
            )
            for k in extra
        ],
    ).drop([f"{_BL}{col}" for col in (lo, hi, "PGA")], has_baseline)
