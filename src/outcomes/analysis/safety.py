"""Safety (the primary endpoint): CAR-T-related AEs within 3 months by dose level, CRS and ICANS
by maximum ASTCT grade with onset day and duration, ICAHT, infections, GvHD; and the per-subject
toxicity and efficacy flags of the OBD analysis.

Input: ``adsl`` (safety set: SAFFL, DOSELVL), ``adae`` (AECAT, AETOXGR, AESER, AEREL, ASTDY,
ADURN, TRTEMFL, W3MFL, W28FL), ``adrs``. Output grain: one row per dose level (and OVERALL) ×
table row.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from outcomes.analysis._checks import OVERALL
from outcomes.analysis.binomial import binomial_ci
from outcomes.analysis.params import ObdParams, SafetyParams
from outcomes.errors import InputDataError

#: AE categories with their own table rows (data-contract §1.4).
SPECIAL_CATEGORIES: tuple[str, ...] = ("CRS", "ICANS", "ICAHT", "INFECTION", "GVHD")


def compute_flag(column: str) -> pl.Expr:
    """A Y/N String flag or a Boolean column as Boolean (null stays null)."""
    return (
        pl.when(pl.col(column).cast(pl.String).str.to_uppercase().is_in(["Y", "TRUE"]))
        .then(True)
        .when(pl.col(column).cast(pl.String).str.to_uppercase().is_in(["N", "FALSE"]))
        .then(False)
        .otherwise(None)
    )


def _safety_set(adsl: pl.DataFrame, *, dose_levels: Sequence[str]) -> pl.DataFrame:
    for col in ("USUBJID", "DOSELVL", "SAFFL"):
        if col not in adsl.columns:
            raise InputDataError(f"summarize_safety: adsl lacks column {col}.")
    saf = adsl.filter(compute_flag("SAFFL").fill_null(False)).select("USUBJID", "DOSELVL")
    unknown = saf.filter(~pl.col("DOSELVL").is_in(list(dose_levels)))
    if unknown.height:
        raise InputDataError(
            f"summarize_safety: {unknown.height} infused subject(s) have a DOSELVL outside "
            f"study.dose_levels {list(dose_levels)}, e.g. {unknown.rows()[:3]}."
        )
    return pl.concat([saf, saf.with_columns(pl.lit(OVERALL).alias("DOSELVL"))])


def _count_rows(
    saf: pl.DataFrame,
    ae: pl.DataFrame,
    *,
    items: list[tuple[str, str, pl.Expr]],
    dose_levels: Sequence[str],
    conf_level: float,
) -> pl.DataFrame:
    """Subjects with at least one AE matching each item's filter, per dose level, with exact CI."""
    groups = [*dose_levels, OVERALL]
    denom = saf.group_by("DOSELVL").agg(pl.len().cast(pl.Int64).alias("N"))
    frames = []
    for table, item, cond in items:
        hit = ae.filter(cond).select("USUBJID").unique()
        counted = (
            saf.join(hit, on="USUBJID", how="semi")
            .group_by("DOSELVL")
            .agg(pl.len().cast(pl.Int64).alias("n"))
        )
        frames.append(
            pl.DataFrame({"DOSELVL": groups, "ORDER": list(range(len(groups)))})
            .join(denom, on="DOSELVL", how="left")
            .join(counted, on="DOSELVL", how="left")
            .with_columns(
                pl.col("N", "n").fill_null(0),
                pl.lit(table).alias("TABLE"),
                pl.lit(item).alias("ITEM"),
            )
        )
    out = pl.concat(frames)
    cis = [
        binomial_ci(x, m, method="exact", conf_level=conf_level)
        for x, m in zip(out["n"], out["N"], strict=True)
    ]
    return out.with_columns(
        pl.Series("pct", [None if c[0] is None else 100 * c[0] for c in cis], dtype=pl.Float64),
        pl.Series("lower", [None if c[1] is None else 100 * c[1] for c in cis], dtype=pl.Float64),
        pl.Series("upper", [None if c[2] is None else 100 * c[2] for c in cis], dtype=pl.Float64),
        pl.lit(
            f"subjects with >= 1 event / safety set, %; Clopper-Pearson {100 * conf_level:g}% CI"
        ).alias("method"),
    ).select("TABLE", "ITEM", "DOSELVL", "n", "N", "pct", "lower", "upper", "method")


def summarize_safety(
    adsl: pl.DataFrame, adae: pl.DataFrame, *, dose_levels: Sequence[str], params: SafetyParams
) -> pl.DataFrame:
    """Subjects with CAR-T-related AEs within 3 months and with CRS/ICANS/ICAHT/infection/GvHD.

    Primary endpoint (endpoints.md §9, [D-26]): AEREL = Y and onset Day 0-91 (W3MFL); rows any
    grade, grade >= ``severe_grade_ge`` and serious (AESER = Y). Special categories: AEs flagged
    by ``special_flag`` (TRTEMFL or W3MFL), any grade and by maximum grade 1-5 (a subject counts
    once, at its highest grade). Denominator: the safety set (SAFFL) of the dose level; a dose
    level without subjects has N = 0 and null percentages.

    Returns
    -------
    pl.DataFrame
        ``TABLE, ITEM, DOSELVL, n, N, pct, lower, upper, method`` (pct and CI in percent);
        DOSELVL in configured order, then OVERALL.
    """
    saf = _safety_set(adsl, dose_levels=dose_levels)
    ae = adae.join(saf.select("USUBJID").unique(), on="USUBJID", how="semi")
    related = compute_flag("AEREL").fill_null(False) & compute_flag("W3MFL").fill_null(False)
    sev = params.severe_grade_ge
    items: list[tuple[str, str, pl.Expr]] = [
        ("CAR-T-related AE, Day 0-91", "any grade", related),
        ("CAR-T-related AE, Day 0-91", f"grade >= {sev}", related & (pl.col("AETOXGR") >= sev)),
        ("CAR-T-related AE, Day 0-91", "serious", related & compute_flag("AESER").fill_null(False)),
    ]
    window = compute_flag(params.special_flag).fill_null(False)
    for cat in SPECIAL_CATEGORIES:
        in_cat = window & (pl.col("AECAT") == cat)
        items.append((cat, "any grade", in_cat))
        items.append((cat, f"grade >= {sev}", in_cat & (pl.col("AETOXGR") >= sev)))
        items.extend(
            (cat, f"maximum grade {g}", in_cat & (pl.col("AEWORST") == g)) for g in range(1, 6)
        )
    worst = pl.when(window).then(pl.col("AETOXGR")).max().over("USUBJID", "AECAT")
    return _count_rows(
        saf,
        ae.with_columns(worst.alias("AEWORST")),
        items=items,
        dose_levels=dose_levels,
        conf_level=params.conf_level,
    )


def _episode_stats(ae: pl.DataFrame) -> pl.DataFrame:
    """Per category and dose level: subjects, first onset day and episode durations."""
    first = ae.group_by("AECAT", "DOSELVL", "USUBJID").agg(pl.col("ASTDY").min().alias("onset"))
    onset = first.group_by("AECAT", "DOSELVL").agg(
        pl.len().cast(pl.Int64).alias("n_subj"),
        pl.col("onset").median().alias("onset_median"),
        pl.col("onset").min().alias("onset_min"),
        pl.col("onset").max().alias("onset_max"),
    )
    dur = ae.group_by("AECAT", "DOSELVL").agg(
        pl.col("AETOXGR").max().cast(pl.Int64).alias("max_grade"),
        pl.len().cast(pl.Int64).alias("n_episodes"),
        pl.col("ADURN").is_null().sum().cast(pl.Int64).alias("n_ongoing"),
        pl.col("ADURN").median().alias("dur_median"),
        pl.col("ADURN").min().alias("dur_min"),
        pl.col("ADURN").max().alias("dur_max"),
    )
    return onset.join(dur, on=["AECAT", "DOSELVL"]).select(
        "AECAT", "DOSELVL", "n_subj", "max_grade", "onset_median", "onset_min", "onset_max",
        "n_episodes", "n_ongoing", "dur_median", "dur_min", "dur_max",
    )  # fmt: skip


def summarize_crs_icans(
    adsl: pl.DataFrame, adae: pl.DataFrame, *, dose_levels: Sequence[str], params: SafetyParams
) -> pl.DataFrame:
    """Onset day and duration of CRS and ICANS by dose level.

    Per subject the first episode's onset (minimum ASTDY, Day 0 = infusion) and per episode its
    duration ADURN = AEENDT − AESTDT + 1 (§16.18); ongoing episodes (no end date) are counted in
    ``n_ongoing`` and left out of the duration statistics. AEs selected by ``special_flag``.

    Returns
    -------
    pl.DataFrame
        ``AECAT, DOSELVL, n_subj, max_grade, onset_median, onset_min, onset_max, n_episodes,
        n_ongoing, dur_median, dur_min, dur_max``; a dose level without events has n_subj = 0
        and null statistics.
    """
    saf = _safety_set(adsl, dose_levels=dose_levels)
    window = compute_flag(params.special_flag).fill_null(False)
    ae = (
        adae.filter(window & pl.col("AECAT").is_in(["CRS", "ICANS"]))
        .select(
            "USUBJID",
            "AECAT",
            "AETOXGR",
            pl.col("ASTDY").cast(pl.Float64),
            pl.col("ADURN").cast(pl.Float64),
        )
        .join(saf, on="USUBJID")
    )
    stats = _episode_stats(ae)
    grid = pl.DataFrame({"AECAT": ["CRS", "ICANS"]}).join(
        pl.DataFrame(
            {"DOSELVL": [*dose_levels, OVERALL], "ORDER": list(range(len(dose_levels) + 1))}
        ),
        how="cross",
    )
    return (
        grid.join(stats, on=["AECAT", "DOSELVL"], how="left")
        .with_columns(pl.col("n_subj", "n_episodes", "n_ongoing").fill_null(0))
        .sort("AECAT", "ORDER")
        .drop("ORDER")
    )


def create_obd_flags(
    adsl: pl.DataFrame,
    adae: pl.DataFrame,
    adrs: pl.DataFrame | pl.LazyFrame,
    *,
    params: ObdParams,
) -> pl.DataFrame:
    """Per subject of the safety set: OBD toxicity (``DLTFL``) and efficacy (``OBDEFFFL``).

    ``DLTFL``: an AE with onset in the OBD window (adae ``W28FL``, Day 0-28, §16.18) that is
    CAR-T-related (AEREL = Y) of grade >= ``tox_related_grade_ge``, or CRS/ICANS of ASTCT grade
    >= ``tox_crs_icans_grade_ge``; False for a subject without such an AE. ``OBDEFFFL``: adrs
    ``eff_paramcd`` at ``eff_avisit`` (AVALC Y/N); null (not evaluable) when the subject has no
    such row (visit not yet due, §16.1). A lazy ``adrs`` (``pl.scan_parquet``) is read for
    these rows and columns only.

    Returns
    -------
    pl.DataFrame
        ``USUBJID, DOSELVL, DLTFL, OBDEFFFL`` (Boolean), one row per safety-set subject.
    """
    saf = adsl.filter(compute_flag("SAFFL").fill_null(False)).select("USUBJID", "DOSELVL")
    in_window = compute_flag("W28FL").fill_null(False)
    dlt = in_window & (
        (
            compute_flag("AEREL").fill_null(False)
            & (pl.col("AETOXGR") >= params.tox_related_grade_ge)
        )
        | (
            pl.col("AECAT").is_in(["CRS", "ICANS"])
            & (pl.col("AETOXGR") >= params.tox_crs_icans_grade_ge)
        )
    )
    tox = adae.filter(dlt).select("USUBJID").unique().with_columns(pl.lit(True).alias("DLTFL"))
    eff = (
        adrs.lazy()
        .filter((pl.col("PARAMCD") == params.eff_paramcd) & (pl.col("AVISIT") == params.eff_avisit))
        .select("USUBJID", compute_flag("AVALC").alias("OBDEFFFL"))
        .collect()
        .unique("USUBJID", keep="last")
    )
    return (
        saf.join(tox, on="USUBJID", how="left", maintain_order="left")
        .with_columns(pl.col("DLTFL").fill_null(False))
        .join(eff, on="USUBJID", how="left", maintain_order="left")
    )


#: adsafe ICAHT grade columns (EHA/EBMT consensus, endpoints.md §9.3 [D-27]) and their labels.
ICAHT_GRADES: dict[str, str] = {
    "ICAHTEGR": "early ICAHT (neutrophils, Day 0-30)",
    "ICAHTLGR": "late ICAHT (neutrophils, after Day 30)",
    "TICAHTEG": "early T-ICAHT (platelets, Day 0-30)",
    "TICAHTLG": "late T-ICAHT (platelets, after Day 30)",
}


def summarize_icaht(adsafe: pl.DataFrame, *, dose_levels: Sequence[str]) -> pl.DataFrame:
    """Subjects by ICAHT grade (0-4, or not evaluable) per dose level, from adsafe.

    The grades are derived upstream from the ANC and platelet courses (endpoints.md §9.3,
    [D-27]); a null grade (no counts, or too few late draws) is reported as ``not evaluable``.

    Returns
    -------
    pl.DataFrame
        ``ITEM, GRADE, DOSELVL, n, N`` with GRADE ``0``-``4`` or ``not evaluable``; N = infused
        subjects of the dose level; one row per item × grade × dose level (OVERALL last).
    """
    absent = [c for c in ("USUBJID", "DOSELVL", *ICAHT_GRADES) if c not in adsafe.columns]
    if absent:
        raise InputDataError(f"summarize_icaht: adsafe lacks column(s) {absent}.")
    both = pl.concat([adsafe, adsafe.with_columns(pl.lit(OVERALL).alias("DOSELVL"))])
    long = both.unpivot(
        index=["USUBJID", "DOSELVL"], on=list(ICAHT_GRADES), variable_name="COL", value_name="G"
    ).with_columns(pl.col("G").cast(pl.String).fill_null("not evaluable").alias("GRADE"))
    groups = [*dose_levels, OVERALL]
    grid = (
        pl.DataFrame({"COL": list(ICAHT_GRADES), "ITEM": list(ICAHT_GRADES.values())})
        .join(pl.DataFrame({"GRADE": ["0", "1", "2", "3", "4", "not evaluable"]}), how="cross")
        .join(pl.DataFrame({"DOSELVL": groups, "ORDER": list(range(len(groups)))}), how="cross")
    )
    counts = long.group_by("COL", "GRADE", "DOSELVL").agg(pl.len().cast(pl.Int64).alias("n"))
    denom = both.group_by("DOSELVL").agg(pl.len().cast(pl.Int64).alias("N"))
    return (
        grid.join(counts, on=["COL", "GRADE", "DOSELVL"], how="left")
        .join(denom, on="DOSELVL", how="left")
        .with_columns(pl.col("n", "N").fill_null(0))
        .sort("COL", "GRADE", "ORDER")
        .select("ITEM", "GRADE", "DOSELVL", "n", "N")
    )
