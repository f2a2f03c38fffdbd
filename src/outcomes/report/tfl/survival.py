"""Time-to-event TFL: per parameter and column, subjects, events, censored by reason, median
[CI] in months and Kaplan–Meier rates at 3, 6 and 12 months.

Months = AVAL / (365/12) (endpoints.md §16.18); landmarks on the AVAL scale floor(m × 365/12)
+ 1. For time to first achievement the rate is the cumulative probability of achievement
(1 − KM); for durations the probability of still being in the state (KM).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import polars as pl

from outcomes.analysis.km import landmark_rates, survival_quantile, to_event
from outcomes.report.tfl.format import DECIMALS, format_estimate_ci, format_level
from outcomes.report.tfl.groups import Columns, count_by_column, format_n_pct_cells, with_total
from outcomes.report.tfl.table import Tfl, TflRow

DAYS_PER_MONTH = 365 / 12
#: Parameters in display order, with labels.
TTE_LABELS: dict[str, str] = {
    "TTDORIS": "Time to first DORIS remission",
    "TTDFREM": "Time to first drug-free DORIS remission",
    "TTLLDAS": "Time to first LLDAS",
    "DURDORIS": "Duration of first DORIS remission",
    "DURDFREM": "Duration of first drug-free DORIS remission",
    "DURLLDAS": "Duration of first LLDAS episode",
}
LANDMARK_MONTHS: tuple[int, ...] = (3, 6, 12)


def _stats(part: pl.DataFrame, *, conf_type: str, conf_level: float) -> dict[str, tuple]:
    """Per column: median (est, lo, hi) in months and landmark (S, lo, hi) by month."""
    data = part.select(
        "DOSELVL", pl.col("AVAL").cast(pl.Float64), to_event(pl.col("CNSR")).alias("EV")
    )
    out: dict[str, tuple] = {}
    if data.height == 0:
        return out
    med = survival_quantile(
        data,
        time="AVAL",
        event="EV",
        group="DOSELVL",
        conf_type=conf_type,
        conf_level=conf_level,
    )
    marks = landmark_rates(
        data,
        time="AVAL",
        event="EV",
        months=list(LANDMARK_MONTHS),
        group="DOSELVL",
        conf_type=conf_type,
        conf_level=conf_level,
    )
    for g, _, est, lo, hi in med.iter_rows():
        out[f"median:{g}"] = tuple(None if v is None else v / DAYS_PER_MONTH for v in (est, lo, hi))
    for row in marks.iter_rows(named=True):
        out[f"rate:{row['group']}:{int(row['months'])}"] = (row["surv"], row["lower"], row["upper"])
    return out


def create_tte_table(
    adtte: pl.DataFrame, *, columns: Columns, conf_type: str, conf_level: float
) -> Tfl:
    """Table 14.2.6: time-to-event summary of every adtte parameter."""
    rows: list[TflRow] = []
    blank = tuple("" for _ in columns.labels)
    present = set(adtte["PARAMCD"].unique().to_list())
    dosed = adtte.filter(pl.col("DOSELVL").is_not_null())
    tot = with_total(dosed)
    for paramcd in [p for p in TTE_LABELS if p in present]:
        subjects = dosed.filter(pl.col("PARAMCD") == paramcd)
        part = tot.filter(pl.col("PARAMCD") == paramcd)
        k = paramcd.lower()
        n_all = count_by_column(subjects, columns=columns)
        cens = subjects.filter(pl.col("CNSR") > 0)
        rows += [
            TflRow(k, TTE_LABELS[paramcd], blank),
            TflRow(f"{k}_n", "Subjects", tuple(str(n) for n in n_all), 1),
            TflRow(
                f"{k}_events",
                "Events, n (%)",
                format_n_pct_cells(
                    count_by_column(subjects.filter(pl.col("CNSR") == 0), columns=columns), n_all
                ),
                1,
            ),
            TflRow(
                f"{k}_cens",
                "Censored, n (%)",
                format_n_pct_cells(count_by_column(cens, columns=columns), n_all),
                1,
            ),
        ]
        reasons = cens["EVNTDESC"] if "EVNTDESC" in cens.columns else pl.Series([], dtype=pl.String)
        for reason in sorted(reasons.drop_nulls().unique().to_list()):
            counts = count_by_column(cens.filter(pl.col("EVNTDESC") == reason), columns=columns)
            key = f"{k}_cens_{re.sub('[^a-z0-9]+', '-', reason.lower())}"
            rows.append(TflRow(key, reason.capitalize(), format_n_pct_cells(counts, n_all), 2))
        st = _stats(part, conf_type=conf_type, conf_level=conf_level)
        none = (None, None, None)
        rows.append(
            TflRow(
                f"{k}_median",
                f"Median, months [{format_level(conf_level)} CI]",
                tuple(
                    format_estimate_ci(*st.get(f"median:{g}", none), decimals=DECIMALS["months"])
                    for g in columns.labels
                ),
                1,
            )
        )
        achieve = paramcd.startswith("TT")
        for m in LANDMARK_MONTHS:
            cells = []
            for g in columns.labels:
                s, lo, hi = st.get(f"rate:{g}:{m}", none)
                if achieve and s is not None:
                    s, lo, hi = (
                        1 - s,
                        None if hi is None else 1 - hi,
                        None if lo is None else 1 - lo,
                    )
                cells.append(format_estimate_ci(s, lo, hi, decimals=DECIMALS["rate"]))
            what = "Probability achieved" if achieve else "Probability still in state"
            rows.append(
                TflRow(
                    f"{k}_m{m}",
                    f"{what} at {m} months [{format_level(conf_level)} CI]",
                    tuple(cells),
                    1,
                )
            )
    return Tfl(
        number="Table 14.2.6",
        title="Time to first DORIS, drug-free DORIS and LLDAS, and duration of the first episode",
        population="Safety analysis set (durations: subjects who achieved the state)",
        stub="Parameter / statistic",
        columns=columns.headers,
        rows=tuple(rows),
        footnotes=(
            "Kaplan-Meier estimates; median and rates with pointwise "
            f"{conf_type} Greenwood {format_level(conf_level)} CI (Brookmeyer-Crowley for the "
            "median); NE = not estimable (median not reached or limit undefined).",
            "Months = AVAL / (365/12), AVAL = event or censoring date - start + 1 days; "
            "landmark m months = Day floor(m x 365/12) + 1 (endpoints.md §16.18).",
            "Censoring reasons as recorded in adtte (EVNTDESC): rescue before achievement (§16.3), "
            "death before achievement, last evaluable assessment (D-32, §16.2).",
        ),
        source="adam/adtte.parquet",
        section="efficacy",
    )


__all__: Sequence[str] = ("create_tte_table",)
