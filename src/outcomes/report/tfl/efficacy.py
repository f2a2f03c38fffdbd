"""Efficacy TFLs: responder rates by visit, time in LLDAS, sustained states, maintenance (with
the subjects who first reached the state at the timepoint, §16.26) and change from baseline.

Denominators (endpoints.md §16.1, §16.19): safety-set subjects for whom the visit is due at the
cut; a visit not yet due is not counted. Non-responder imputation (NRI) is as written in adrs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from scipy import stats

from outcomes.analysis.activity import create_change_from_baseline
from outcomes.analysis.response_tables import MAINTENANCE_STATES, derive_first_at_visit
from outcomes.report.tfl.format import (
    DECIMALS,
    format_estimate_ci,
    format_level,
    format_mean_sd,
    format_number,
)
from outcomes.report.tfl.groups import TOTAL, Columns, count_by_column, with_total
from outcomes.report.tfl.safety import format_n_over_n_ci
from outcomes.report.tfl.table import Tfl, TflRow

DENOM_NOTE = (
    "N per visit: safety-set subjects for whom the visit is due at the data cut; a visit whose "
    "window closes after the cut is not counted (endpoints.md §16.1). Missing, not evaluable, "
    "after rescue, death or withdrawal: non-responder (NRI, §4.3, §16.3)."
)


def cell_note(conf_level: float) -> str:
    """The footnote of the n/N (%) [CI] cells at ``conf_level``."""
    return (
        f"Cells: n/N (%) [exact {format_level(conf_level)} Clopper-Pearson CI, %]; "
        "NE = not estimable (N = 0)."
    )


ABBREV = (
    "DORIS = Definition of Remission in SLE; LLDAS = Lupus Low Disease Activity State; "
    "SRI-4 = SLE Responder Index 4; NRI = non-responder imputation; CI = confidence interval."
)
SOURCE_ADRS = "adam/adrs.parquet"

#: Point-in-time responder parameters of Table 14.2.1.
RESPONSE_PARAMS: dict[str, str] = {
    "DORIS": "DORIS remission",
    "DFDORIS": "Drug-free DORIS remission",
    "DFDORISS": "Drug-free DORIS remission, strict",
    "LLDAS": "LLDAS",
    "SRI4": "SRI-4 response",
}
SUSTAINED_PARAMS: dict[str, str] = {
    "LLDAS50": "Time in LLDAS >= 50% of follow-up",
    "LLSUST3": "Sustained LLDAS >= 3 months",
    "LLSUST6": "Sustained LLDAS >= 6 months",
    "LLSUST12": "Sustained LLDAS >= 12 months",
    "DFSUST3": "Sustained drug-free DORIS >= 3 months",
    "DFSUST6": "Sustained drug-free DORIS >= 6 months",
    "DFSUST12": "Sustained drug-free DORIS >= 12 months",
}
#: Maintenance parameters (first achievement: analysis.response_tables.MAINTENANCE_STATES).
MAINTENANCE_PARAMS: dict[str, str] = {
    "DFMAINT": "Drug-free DORIS maintained (1 missing visit bridged)",
    "DFMAINTS": "Drug-free DORIS maintained (no bridging)",
    "LLMAINT": "LLDAS maintained (1 missing visit bridged)",
    "LLMAINTS": "LLDAS maintained (no bridging)",
}
#: Change-from-baseline parameters (advisit column -> label, decimals of the mean).
CHANGE_PARAMS: dict[str, tuple[str, int]] = {
    "SLEDAI2K": ("SLEDAI-2K", 1),
    "SELENA": ("SELENA-SLEDAI", 1),
    "PGA": ("Physician global assessment (0-3)", 2),
    "GCDOSE": ("Glucocorticoid dose, prednisone-equivalent mg/day", 1),
}


def _key(*parts: str) -> str:
    return "_".join(p.lower().replace(" ", "") for p in parts)


Frame = pl.DataFrame | pl.LazyFrame


def summarize_responders(adrs: Frame, *, params: Sequence[str]) -> pl.DataFrame:
    """Responders (``AVALC = Y``) and rows of adrs per PARAMCD, AVISIT, AVISITN and DOSELVL,
    for the parameters ``params``: one aggregation of adrs (lazily, reading only these five
    columns when ``adrs`` is a scan) from which every rate cell is taken.

    Returns
    -------
    pl.DataFrame
        ``PARAMCD, AVISIT, AVISITN, DOSELVL, Y, N``.
    """
    return (
        adrs.lazy()
        .filter(pl.col("PARAMCD").is_in(list(params)))
        .group_by("PARAMCD", "AVISIT", "AVISITN", "DOSELVL")
        .agg((pl.col("AVALC") == "Y").sum().cast(pl.Int64).alias("Y"), pl.len().alias("N"))
        .collect()
    )


def _rate_cells(counts: pl.DataFrame, *, columns: Columns, conf_level: float) -> tuple[str, ...]:
    """n/N (%) [CI] per column from the responder counts of one parameter and visit
    (:func:`summarize_responders` rows; Total: every row, whatever its dose level)."""
    by_dose: dict[str, tuple[int, int]] = {}
    for dose, y, n in counts.select("DOSELVL", "Y", "N").iter_rows():
        for label in (dose, TOTAL):
            had = by_dose.get(label, (0, 0))
            by_dose[label] = (had[0] + int(y), had[1] + int(n))
    return tuple(
        format_n_over_n_ci(*by_dose.get(label, (0, 0)), conf_level=conf_level)
        for label in columns.labels
    )


def _visits(adrs: pl.DataFrame, paramcd: str) -> list[str]:
    part = adrs.filter(pl.col("PARAMCD") == paramcd)
    return part.select("AVISIT", "AVISITN").unique().sort("AVISITN")["AVISIT"].to_list()


def _rate_rows(counts: pl.DataFrame, paramcd: str) -> list[tuple[str, pl.DataFrame]]:
    """Visits of ``paramcd`` in AVISITN order, each with its responder counts."""
    param_rows = counts.filter(pl.col("PARAMCD") == paramcd)
    by_visit = param_rows.partition_by("AVISIT", as_dict=True)
    return [
        (visit, by_visit[(visit,)] if visit is not None else param_rows.clear())
        for visit in _visits(param_rows, paramcd)
    ]


def _rate_table(
    adrs: Frame,
    *,
    params: dict[str, str],
    columns: Columns,
    number: str,
    title: str,
    conf_level: float,
    extra_notes: Sequence[str] = (),
) -> Tfl:
    rows: list[TflRow] = []
    blank = tuple("" for _ in columns.labels)
    # One aggregation of adrs (millions of rows at scale) for every parameter and visit.
    counts = summarize_responders(adrs, params=list(params))
    present = set(counts["PARAMCD"].to_list())
    for paramcd, label in params.items():
        if paramcd not in present:
            continue
        rows.append(TflRow(_key(paramcd), label, blank))
        for visit, part in _rate_rows(counts, paramcd):
            rows.append(
                TflRow(
                    _key(paramcd, visit),
                    visit.title(),
                    _rate_cells(part, columns=columns, conf_level=conf_level),
                    1,
                )
            )
    return Tfl(
        number=number,
        title=title,
        population="Safety analysis set, subjects with the visit due at the data cut",
        stub="Parameter / visit",
        columns=columns.headers,
        rows=tuple(rows),
        footnotes=(*extra_notes, DENOM_NOTE, cell_note(conf_level), ABBREV),
        source=SOURCE_ADRS,
        section="efficacy",
    )


def create_response_table(adrs: Frame, *, columns: Columns, conf_level: float) -> Tfl:
    """Table 14.2.1: DORIS, drug-free DORIS, LLDAS and SRI-4 response by visit."""
    return _rate_table(
        adrs,
        params=RESPONSE_PARAMS,
        columns=columns,
        conf_level=conf_level,
        number="Table 14.2.1",
        title="DORIS remission, drug-free DORIS remission, LLDAS and SRI-4 response by visit",
    )


def create_sustained_table(adrs: Frame, *, columns: Columns, conf_level: float) -> Tfl:
    """Table 14.2.2: LLDAS50 and sustained LLDAS / drug-free DORIS by visit."""
    return _rate_table(
        adrs,
        params=SUSTAINED_PARAMS,
        columns=columns,
        conf_level=conf_level,
        number="Table 14.2.2",
        title="Time in LLDAS >= 50% (LLDAS50) and sustained LLDAS and drug-free DORIS by visit",
        extra_notes=(
            "LLDAS50: time in LLDAS (trapezoid, Day 0 to the last evaluable assessment) >= 50% "
            "(§7.3, §16.14). Sustained: a run of assessments in the state spanning at least "
            "floor(m x 365/12) days without a loss event (§16.15, §16.26). OVERALL: up to the cut.",
        ),
    )


def create_lldas_time_table(adrs: Frame, *, columns: Columns) -> Tfl:
    """Table 14.2.3: time in LLDAS (% of observed follow-up), mean (SD) and median by visit."""
    part = (
        adrs.lazy()
        .filter(pl.col("PARAMCD") == "LLDASPCT")
        .select("PARAMCD", "AVISIT", "AVISITN", "DOSELVL", "AVAL")
        .collect()
    )
    rows: list[TflRow] = []
    for visit in _visits(part, "LLDASPCT"):
        at = with_total(part.filter(pl.col("AVISIT") == visit).select("DOSELVL", "AVAL"))
        stats_ = {
            g: (n, m, s, med)
            for g, n, m, s, med in at.group_by("DOSELVL")
            .agg(
                pl.col("AVAL").drop_nulls().len().alias("n"),
                pl.col("AVAL").mean().alias("mean"),
                pl.col("AVAL").std().alias("sd"),
                pl.col("AVAL").median().alias("median"),
            )
            .iter_rows()
        }
        blank = (0, None, None, None)
        rows.append(TflRow(_key(visit), visit.title(), tuple("" for _ in columns.labels)))
        rows.append(
            TflRow(
                _key(visit, "n"),
                "n",
                tuple(str(stats_.get(g, blank)[0]) for g in columns.labels),
                1,
            )
        )
        rows.append(
            TflRow(
                _key(visit, "mean"),
                "Mean (SD), %",
                tuple(
                    format_mean_sd(stats_.get(g, blank)[1], stats_.get(g, blank)[2])
                    for g in columns.labels
                ),
                1,
            )
        )
        rows.append(
            TflRow(
                _key(visit, "median"),
                "Median, %",
                tuple(
                    format_number(stats_.get(g, blank)[3], DECIMALS["median"])
                    for g in columns.labels
                ),
                1,
            )
        )
    return Tfl(
        number="Table 14.2.3",
        title="Time in LLDAS, % of observed follow-up, by visit",
        population="Safety analysis set, subjects with the visit due at the data cut",
        stub="Visit / statistic",
        columns=columns.headers,
        rows=tuple(rows),
        footnotes=(
            "Time in LLDAS: trapezoid over evaluable assessments from Day 0 (baseline state) to "
            "the last evaluable assessment on or before the visit (§7.3, §16.14); n counts "
            "subjects with an evaluable assessment.",
            "SD = standard deviation.",
            ABBREV,
        ),
        source=SOURCE_ADRS,
        section="efficacy",
    )


def create_maintenance_table(
    adrs: Frame, *, adepi: pl.DataFrame, columns: Columns, conf_level: float
) -> Tfl:
    """Table 14.2.4: maintenance at each timepoint, with how many first reached it at T (§16.26)."""
    lazy = adrs.lazy()
    # derive_first_at_visit keeps the maintenance responders only: read just those rows
    responders = lazy.filter(
        pl.col("PARAMCD").is_in(list(MAINTENANCE_STATES)) & (pl.col("AVALC") == "Y")
    ).select("USUBJID", "PARAMCD", "AVISIT", "AVISITN", "ADT", "AVALC")
    first_at_t = derive_first_at_visit(responders.collect(), adepi=adepi).join(
        lazy.select("USUBJID", "DOSELVL").unique().collect(), on="USUBJID", how="left"
    )
    rates = summarize_responders(lazy, params=list(MAINTENANCE_PARAMS))
    rows: list[TflRow] = []
    blank = tuple("" for _ in columns.labels)
    present = set(rates["PARAMCD"].to_list())
    for paramcd, label in MAINTENANCE_PARAMS.items():
        if paramcd not in present:
            continue
        rows.append(TflRow(_key(paramcd), label, blank))
        for visit, part in _rate_rows(rates, paramcd):
            at_visit = (pl.col("PARAMCD") == paramcd) & (pl.col("AVISIT") == visit)
            rows.append(
                TflRow(
                    _key(paramcd, visit),
                    visit.title(),
                    _rate_cells(part, columns=columns, conf_level=conf_level),
                    1,
                )
            )
            counts = count_by_column(first_at_t.filter(at_visit), columns=columns)
            rows.append(
                TflRow(
                    _key(paramcd, visit, "first"),
                    "of whom first reached the state at this visit [a]",
                    tuple(str(n) for n in counts),
                    2,
                )
            )
    return Tfl(
        number="Table 14.2.4",
        title="Maintenance of drug-free DORIS remission and LLDAS since first achievement",
        population="Safety analysis set, subjects with the visit due at the data cut",
        stub="Parameter / visit",
        columns=columns.headers,
        rows=tuple(rows),
        footnotes=(
            "[a] Maintained at T counts a subject whose first achievement t1 is on or before "
            "date(T) (§6.3), so a subject who first reached the state at T itself is maintained "
            "at T; this row gives how many (endpoints.md §16.26). The sustained parameters "
            "(Table 14.2.2) give the duration-based reading.",
            DENOM_NOTE,
            cell_note(conf_level),
            ABBREV,
        ),
        source=f"{SOURCE_ADRS}, adam/adepi.parquet",
        section="efficacy",
    )


def _mean_ci(
    values: np.ndarray, *, conf_level: float
) -> tuple[float | None, float | None, float | None]:
    n = values.size
    if n == 0:
        return None, None, None
    mean = float(values.mean())
    if n < 2:
        return mean, None, None
    quantile = 1 - (1 - conf_level) / 2
    half = float(stats.t.ppf(quantile, n - 1) * values.std(ddof=1) / np.sqrt(n))
    return mean, mean - half, mean + half


def create_change_table(
    advisit: pl.DataFrame,
    *,
    adsl: pl.DataFrame,
    columns: Columns,
    params: Sequence[str],
    conf_level: float,
) -> Tfl:
    """Table 14.2.5: value and change from baseline by visit: n, mean (SD), mean change [CI]."""
    present = [p for p in params if p in advisit.columns and p in CHANGE_PARAMS]
    base_from = (
        {"GCDOSE": "GCDOSEBL"} if "GCDOSE" in present and "GCDOSEBL" in adsl.columns else None
    )
    long = create_change_from_baseline(
        advisit.filter(pl.col("DOSELVL").is_not_null()),
        params=present,
        adsl=adsl,
        base_from_adsl=base_from,
    ).filter(pl.col("AVISIT").is_not_null() & (pl.col("ADY") > 0))
    long = long.select("PARAMCD", "AVISIT", "AVISITN", "DOSELVL", "AVAL", "CHG")
    # one aggregation: each cell's values in row order (a group keeps its rows' order)
    values = {
        (paramcd, visit, dose): (np.array(vals, dtype=np.float64), np.array(chg, np.float64))
        for paramcd, visit, dose, vals, chg in with_total(long)
        .group_by("PARAMCD", "AVISIT", "DOSELVL")
        .agg(pl.col("AVAL").drop_nulls(), pl.col("CHG").drop_nulls())
        .iter_rows()
    }
    none = (np.array([], dtype=np.float64), np.array([], dtype=np.float64))
    rows: list[TflRow] = []
    blank = tuple("" for _ in columns.labels)
    for paramcd in present:
        label, dec = CHANGE_PARAMS[paramcd]
        rows.append(TflRow(_key(paramcd), label, blank))
        part = long.filter(pl.col("PARAMCD") == paramcd)
        visits = part.select("AVISIT", "AVISITN").unique().sort("AVISITN")["AVISIT"].to_list()
        for visit in visits:
            n_cells, mean_cells, chg_cells = [], [], []
            for g in columns.labels:
                vals, chg = values.get((paramcd, visit, g), none)
                n_cells.append(str(chg.size))
                mean_cells.append(
                    format_mean_sd(
                        float(vals.mean()) if vals.size else None,
                        float(vals.std(ddof=1)) if vals.size > 1 else None,
                        decimals=dec,
                    )
                )
                chg_cells.append(
                    format_estimate_ci(*_mean_ci(chg, conf_level=conf_level), decimals=dec)
                )
            rows.append(TflRow(_key(paramcd, visit), visit.title(), blank, 1))
            rows.append(TflRow(_key(paramcd, visit, "n"), "n (with baseline)", tuple(n_cells), 2))
            rows.append(
                TflRow(_key(paramcd, visit, "value"), "Value, mean (SD)", tuple(mean_cells), 2)
            )
            rows.append(
                TflRow(
                    _key(paramcd, visit, "chg"),
                    f"Change from baseline, mean [{format_level(conf_level)} CI]",
                    tuple(chg_cells),
                    2,
                )
            )
    return Tfl(
        number="Table 14.2.5",
        title="SLEDAI-2K, SELENA-SLEDAI, physician global assessment and glucocorticoid dose: "
        "change from baseline by visit",
        population="Safety analysis set, subjects with a baseline and the visit's assessment",
        stub="Parameter / visit / statistic",
        columns=columns.headers,
        rows=tuple(rows),
        footnotes=(
            "Baseline: the last assessment before lymphodepletion within the baseline window "
            "(§16.5); glucocorticoid dose baseline: SLE prednisone-equivalent dose on the day "
            "before lymphodepletion (GCDOSEBL).",
            f"Change = visit value - baseline; {format_level(conf_level)} CI: mean +/- "
            f"t({1 - (1 - conf_level) / 2:g}, n-1) x SD / sqrt(n); NE with fewer than 2 subjects.",
            "Observed cases; no imputation. SD = standard deviation.",
        ),
        source="adam/advisit.parquet, adam/adsl.parquet",
        section="efficacy",
    )
