"""Responder analyses of adrs: rates by visit and dose level, trend test, logistic regression on
dose (Firth under separation) and GEE over visits.

Input: ``adrs`` (USUBJID, PARAMCD, AVISIT, AVISITN, AVALC Y/N) and ``adsl`` (DOSELVL, DOSELVLN).
Output: a :class:`ResponseTables` of long frames keyed by PARAMCD (and AVISIT).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from outcomes.analysis._checks import OVERALL
from outcomes.analysis.binomial import cochran_armitage, count_responders, summarize_counts
from outcomes.analysis.logistic import gee_binary, logistic_regression
from outcomes.analysis.params import ResponseParams
from outcomes.analysis.results import ModelResult, fit_or_note
from outcomes.errors import InputDataError

#: Maintenance parameters and the state whose first episode starts them (endpoints.md §16.26).
MAINTENANCE_STATES: dict[str, str] = {
    "DFMAINT": "DFDORIS",
    "DFMAINTS": "DFDORIS",
    "LLMAINT": "LLDAS",
    "LLMAINTS": "LLDAS",
}


def derive_first_at_visit(adrs: pl.DataFrame, *, adepi: pl.DataFrame) -> pl.DataFrame:
    """Maintained subjects who first reached the state at the timepoint itself (§16.26).

    By §6.3 a subject whose first achievement ``t1`` (adepi episode 1, STARTDT) is the date of
    the visit T is maintained at T; these rows are flagged so every maintenance table can say
    how many of the maintained subjects they are.

    Returns
    -------
    pl.DataFrame
        Maintenance rows of ``adrs`` with ``AVALC = Y`` and ``t1`` = ADT: USUBJID, PARAMCD,
        AVISIT, AVISITN.
    """
    first = adepi.filter(pl.col("EPISODE") == 1).select(
        "USUBJID", pl.col("PARAMCD").alias("_tmp_state"), pl.col("STARTDT").alias("_tmp_t1")
    )
    state = pl.col("PARAMCD").replace_strict(MAINTENANCE_STATES, default=None)
    return (
        adrs.filter(pl.col("PARAMCD").is_in(list(MAINTENANCE_STATES)) & (pl.col("AVALC") == "Y"))
        .with_columns(state.alias("_tmp_state"))
        .join(first, on=["USUBJID", "_tmp_state"], how="inner")
        .filter(pl.col("_tmp_t1") == pl.col("ADT"))
        .select("USUBJID", "PARAMCD", "AVISIT", "AVISITN")
    )


def _with_first_at_visit(
    rates: pl.DataFrame, first: list[pl.DataFrame], with_adepi: bool
) -> pl.DataFrame:
    """``n_first_at_t`` on the maintenance rows of ``rates`` (null on other parameters)."""
    if not with_adepi:
        return rates
    found = pl.concat(first)
    keys = ["PARAMCD", "AVISITN", "AVISIT", "DOSELVL"]
    counts = (
        pl.concat([found, found.with_columns(pl.lit(OVERALL).alias("DOSELVL"))])
        .group_by(keys)
        .agg(pl.len().cast(pl.Int64).alias("n_first_at_t"))
    )
    maintenance = pl.col("PARAMCD").is_in(list(MAINTENANCE_STATES))
    return rates.join(counts, on=keys, how="left", maintain_order="left").with_columns(
        pl.when(maintenance).then(pl.col("n_first_at_t").fill_null(0)).alias("n_first_at_t")
    )


@dataclass(frozen=True)
class ResponseTables:
    """Rates with CIs, Cochran–Armitage trend tests, logistic regressions and GEE models."""

    rates: pl.DataFrame
    trend: pl.DataFrame
    logistic: pl.DataFrame
    gee: pl.DataFrame


#: adrs columns the responder analyses read (``ADT`` only for ``n_first_at_t``); the other
#: columns of adrs are never loaded.
RESPONSE_COLUMNS: tuple[str, ...] = ("USUBJID", "PARAMCD", "AVISIT", "AVISITN", "AVALC", "ADT")


def create_response_input(
    adrs: pl.DataFrame | pl.LazyFrame, adsl: pl.DataFrame, *, paramcds: tuple[str, ...]
) -> pl.DataFrame:
    """Configured adrs parameters with ``RESP`` (Y → 1, N → 0, else null) and DOSELVL/DOSELVLN.

    Only the rows of ``paramcds`` and the columns of :data:`RESPONSE_COLUMNS` are read (a
    lazy ``adrs``, e.g. ``pl.scan_parquet``, is filtered and projected at the scan).
    """
    source = adrs.lazy()
    present = source.collect_schema().names()
    for col in ("USUBJID", "PARAMCD", "AVISIT", "AVISITN", "AVALC"):
        if col not in present:
            raise InputDataError(f"analyze_response: adrs lacks column {col}.")
    dose = adsl.select("USUBJID", "DOSELVL", "DOSELVLN")
    return (
        source.filter(pl.col("PARAMCD").is_in(list(paramcds)))
        .select(c for c in RESPONSE_COLUMNS if c in present)
        .collect()
        .join(dose, on="USUBJID", how="left")
        .with_columns(
            pl.when(pl.col("AVALC") == "Y")
            .then(1)
            .when(pl.col("AVALC") == "N")
            .then(0)
            .otherwise(None)
            .cast(pl.Int64)
            .alias("RESP")
        )
    )


def _safe_model(fit: Callable[[], ModelResult], label: str) -> pl.DataFrame:
    """Run a model; a data problem or a numerical warning becomes a ``note`` row, not a crash."""
    res, note = fit_or_note(fit)
    if res is None:
        return pl.DataFrame({"method": [label], "note": [note]})
    return res.table.with_columns(
        pl.lit(res.method).alias("method"),
        pl.lit(note).alias("note"),
        pl.lit(res.n).alias("n"),
        pl.lit(res.n_event).alias("n_resp"),
    )


def _rates(data: pl.DataFrame, params: ResponseParams) -> list[pl.DataFrame]:
    """Rates of ``data`` (one parameter) per visit × dose level and OVERALL, one frame per CI
    method, sorted by the keys (OVERALL from the counts of the dose levels)."""
    keys = ["PARAMCD", "AVISITN", "AVISIT"]
    by_dose = count_responders(data, response="RESP", by=[*keys, "DOSELVL"])
    overall = (
        by_dose.group_by(keys)
        .agg(pl.col("n", "responders", "n_missing").sum())
        .select(*keys, pl.lit(OVERALL).alias("DOSELVL"), "n", "responders", "n_missing")
    )
    counts = pl.concat([by_dose, overall]).sort([*keys, "DOSELVL"])
    return [
        summarize_counts(counts, method=m, conf_level=params.conf_level)  # type: ignore[arg-type]
        for m in params.ci_methods
    ]


def _per_visit(
    data: pl.DataFrame, params: ResponseParams
) -> tuple[list[pl.DataFrame], list[pl.DataFrame]]:
    trend, logistic = [], []
    visits = data.select("PARAMCD", "AVISITN", "AVISIT").unique().sort("PARAMCD", "AVISITN")
    usable = data.filter(pl.col("RESP").is_not_null() & pl.col("DOSELVLN").is_not_null())
    parts = usable.partition_by("PARAMCD", "AVISITN", as_dict=True, maintain_order=True)
    for paramcd, avisitn, avisit in visits.iter_rows():
        sub = parts.get((paramcd, avisitn), usable.clear())
        key = [
            pl.lit(paramcd).alias("PARAMCD"),
            pl.lit(avisitn).alias("AVISITN"),
            pl.lit(avisit).alias("AVISIT"),
        ]
        by_dose = sub.group_by("DOSELVLN").agg(pl.len().alias("n"), pl.col("RESP").sum().alias("x"))
        by_dose = by_dose.sort("DOSELVLN")
        trend.append(
            cochran_armitage(
                by_dose["x"].to_list(),
                by_dose["n"].to_list(),
                scores=by_dose["DOSELVLN"].cast(pl.Float64).to_list(),
            )
            .to_frame()
            .with_columns(key)
        )
        logistic.append(
            _safe_model(
                lambda sub=sub: logistic_regression(
                    sub,
                    response="RESP",
                    covariates=["DOSELVLN"],
                    method=params.logistic_method,  # type: ignore[arg-type]
                    conf_level=params.conf_level,
                ),
                "logistic regression on DOSELVLN",
            ).with_columns(key)
        )
    return trend, logistic


def _gee(data: pl.DataFrame, paramcd: str, params: ResponseParams) -> pl.DataFrame | None:
    """GEE over the visits of one parameter; None when it has no usable row."""
    sub = data.filter(pl.col("RESP").is_not_null() & pl.col("DOSELVLN").is_not_null())
    if sub.height == 0:
        return None
    return _safe_model(
        lambda: gee_binary(
            sub,
            response="RESP",
            covariates=["DOSELVLN", "AVISITN"],
            subject="USUBJID",
            order="AVISITN",
            conf_level=params.conf_level,
        ),
        "GEE logistic over visits",
    ).with_columns(pl.lit(paramcd).alias("PARAMCD"))


def _first_at_visit(data: pl.DataFrame, adepi: pl.DataFrame | None) -> pl.DataFrame | None:
    """Maintained subjects first in the state at the visit itself, with their DOSELVL."""
    if adepi is None:
        return None
    return derive_first_at_visit(data, adepi=adepi).join(
        data.select("USUBJID", "DOSELVL").unique(), on="USUBJID", how="left"
    )


def analyze_response(
    adrs: pl.DataFrame | pl.LazyFrame,
    adsl: pl.DataFrame,
    *,
    params: ResponseParams,
    adepi: pl.DataFrame | None = None,
) -> ResponseTables:
    """Responder rates, trend tests, logistic regressions and GEE for each configured parameter.

    Rates: per PARAMCD × visit × dose level and OVERALL, for every configured CI method; the
    denominator is the adrs rows of the visit (visits due at the cut, NRI applied upstream,
    §16.1/§16.19). Per PARAMCD × visit: Cochran–Armitage over DOSELVLN and a logistic
    regression of response on DOSELVLN (``logistic_method``; Firth under separation). Per
    PARAMCD: GEE of response on DOSELVLN and AVISITN over visits (exchangeable). With
    ``adepi``, the maintenance rows carry ``n_first_at_t``: how many of the maintained subjects
    first reached the state at the visit itself (endpoints.md §16.26).

    One parameter at a time is read (``adrs`` may be lazy, e.g. ``pl.scan_parquet``: only its
    rows and :data:`RESPONSE_COLUMNS` are loaded), so the memory is that of the largest
    parameter, not of adrs; the tables are those of all parameters at once.
    """
    rates: list[list[pl.DataFrame]] = [[] for _ in params.ci_methods]
    trend: list[pl.DataFrame] = []
    logistic: list[pl.DataFrame] = []
    gee: dict[str, pl.DataFrame | None] = {}
    first: list[pl.DataFrame] = []
    for group in [(p,) for p in sorted(set(params.paramcds))] or [()]:
        data = create_response_input(adrs, adsl, paramcds=group)
        for per_method, frame in zip(rates, _rates(data, params), strict=True):
            per_method.append(frame)
        visit_trend, visit_logistic = _per_visit(data, params)
        trend += visit_trend
        logistic += visit_logistic
        gee.update({p: _gee(data, p, params) for p in group})
        found = _first_at_visit(data, adepi)
        if found is not None:
            first.append(found)
    by_method = [pl.concat(frames) for frames in rates]
    rate_table = _with_first_at_visit(pl.concat(by_method), first, adepi is not None)
    models = [gee[p] for p in params.paramcds if gee[p] is not None]
    return ResponseTables(rate_table, _stack(trend), _stack(logistic), _stack(models))


def _stack(frames: list[pl.DataFrame]) -> pl.DataFrame:
    if not frames:
        return pl.DataFrame({"PARAMCD": []}, schema={"PARAMCD": pl.String})
    stacked = pl.concat(frames, how="diagonal_relaxed")
    return stacked.select("PARAMCD", pl.exclude("PARAMCD"))
