"""Summary tables the report computes from the ADaM datasets (disposition, baseline).

Counts only: every number is a count or a plain statistic of a dataset column, by dose level.
Dose levels follow ``study.dose_levels``; subjects without a dose level (not infused) form the
column ``NOT INFUSED``; ``TOTAL`` counts everyone.
"""

from __future__ import annotations

import polars as pl

from outcomes.report.tfl.format import format_mean_sd, format_n_pct

TOTAL = "TOTAL"
NOT_INFUSED = "NOT INFUSED"


def compute_dose_group() -> pl.Expr:
    """The report's dose-level column: ``DOSELVL``, or ``NOT INFUSED`` when missing."""
    return pl.col("DOSELVL").fill_null(NOT_INFUSED).alias("GROUP")


def _wide(long: pl.DataFrame, *, row_cols: list[str], groups: list[str]) -> pl.DataFrame:
    """Long (row_cols, GROUP, VALUE) counts -> one column per group, row order kept."""
    order = long.select(row_cols).unique(maintain_order=True)
    wide = order
    for group in groups:
        part = long.filter(pl.col("GROUP") == group).select(*row_cols, pl.col("VALUE").alias(group))
        wide = wide.join(part, on=row_cols, how="left", maintain_order="left")
    return wide.with_columns(pl.col(groups).fill_null(0))


def _groups(adsl: pl.DataFrame, dose_levels: tuple[str, ...]) -> list[str]:
    extra = [NOT_INFUSED] if adsl["DOSELVL"].null_count() else []
    return [*dose_levels, *extra, TOTAL]


def _with_total(frame: pl.DataFrame) -> pl.DataFrame:
    return pl.concat([frame, frame.with_columns(pl.lit(TOTAL).alias("GROUP"))])


def summarize_disposition(
    adsl: pl.DataFrame, *, advisit: pl.DataFrame | None, dose_levels: tuple[str, ...]
) -> pl.DataFrame:
    """Subjects enrolled, infused, in the efficacy set, seen at each scheduled visit, and ended.

    A subject is counted at a visit when ``advisit`` holds its analysis record there
    (``ANL01FL``); reasons for leaving are ``DCSREAS`` of subjects with ``EOSSTT`` other than
    ONGOING (data-contract.md §1.1).

    Returns
    -------
    pl.DataFrame
        ``STAGE`` and one count column per dose level, ``NOT INFUSED`` when present, ``TOTAL``.
    """
    subj = _with_total(
        adsl.select("USUBJID", compute_dose_group(), "SAFFL", "EFFFL", "EOSSTT", "DCSREAS")
    )
    stages = [
        subj.group_by("GROUP").agg(pl.lit("Enrolled").alias("STAGE"), pl.len().alias("VALUE")),
        subj.group_by("GROUP").agg(
            pl.lit("Infused (safety set)").alias("STAGE"), pl.col("SAFFL").sum().alias("VALUE")
        ),
        subj.group_by("GROUP").agg(
            pl.lit("Efficacy set").alias("STAGE"), pl.col("EFFFL").sum().alias("VALUE")
        ),
    ]
    if advisit is not None:
        seen = (
            advisit.filter(pl.col("ANL01FL") & pl.col("AVISIT").is_not_null())
            .sort("AVISITN")
            .select("USUBJID", "AVISIT")
            .unique(maintain_order=True)
            .join(subj.select("USUBJID", "GROUP"), on="USUBJID", maintain_order="left")
        )
        stages.append(
            seen.group_by("GROUP", "AVISIT", maintain_order=True)
            .agg(pl.len().alias("VALUE"))
            .select("GROUP", ("Seen at " + pl.col("AVISIT")).alias("STAGE"), "VALUE")
        )
    left = subj.filter(pl.col("EOSSTT") != "ONGOING").sort("EOSSTT", "DCSREAS", nulls_last=True)
    stages.append(
        left.group_by("GROUP", "EOSSTT", "DCSREAS", maintain_order=True)
        .agg(pl.len().alias("VALUE"))
        .select(
            "GROUP",
            pl.format(
                "Left study: {} ({})", "EOSSTT", pl.col("DCSREAS").fill_null("no reason")
            ).alias("STAGE"),
            "VALUE",
        )
    )
    long = pl.concat([s.select("STAGE", "GROUP", pl.col("VALUE").cast(pl.Int64)) for s in stages])
    return _wide(long, row_cols=["STAGE"], groups=_groups(adsl, dose_levels))


def summarize_baseline(adsl: pl.DataFrame, *, dose_levels: tuple[str, ...]) -> pl.DataFrame:
    """Baseline characteristics of the safety set by dose level: mean (SD) and n (%).

    Returns
    -------
    pl.DataFrame
        ``CHARACTERISTIC`` and one text column per dose level and ``TOTAL``.
    """
    saf = _with_total(adsl.filter(pl.col("SAFFL")).with_columns(compute_dose_group()))
    numeric = [
        c
        for c in (
            "AGE",
            "WEIGHT",
            "SLEDAIBL",
            "CSLEDBL",
            "SELENABL",
            "PGABL",
            "BILAGBL",
            "GCDOSEBL",
        )
        if c in saf.columns
    ]
    aggs = [
        pl.len().alias("_tmp_n"),
        (pl.col("SEX") == "F").sum().alias("_tmp_female"),
        *[pl.col(c).mean().alias(f"_tmp_mean_{c}") for c in numeric],
        *[pl.col(c).std().alias(f"_tmp_sd_{c}") for c in numeric],
    ]
    stats = saf.group_by("GROUP").agg(aggs)
    # A handful of aggregated rows: formatted half up (outcomes.report.tfl.format).
    rows: dict[str, dict[str, str]] = {"N": {}, "Female, n (%)": {}}
    rows |= {f"{c}, mean (SD)": {} for c in numeric}
    for rec in stats.iter_rows(named=True):
        group, n = rec["GROUP"], int(rec["_tmp_n"])
        rows["N"][group] = str(n)
        rows["Female, n (%)"][group] = format_n_pct(int(rec["_tmp_female"]), n)
        for c in numeric:
            rows[f"{c}, mean (SD)"][group] = format_mean_sd(
                rec[f"_tmp_mean_{c}"], rec[f"_tmp_sd_{c}"]
            )
    groups = [g for g in [*dose_levels, TOTAL] if g in stats["GROUP"].to_list()]
    return pl.DataFrame(
        [[label, *[values.get(g) for g in groups]] for label, values in rows.items()],
        schema={"CHARACTERISTIC": pl.String, **dict.fromkeys(groups, pl.String)},
        orient="row",
    )
