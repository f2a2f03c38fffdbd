"""Survival analyses of adtte: every configured parameter, overall and by dose level.

Input: ``adtte`` (USUBJID, PARAMCD, AVAL, CNSR) and ``adsl`` (DOSELVL, DOSELVLN). Output: a
:class:`SurvivalTables` of long frames keyed by PARAMCD and group, each with its method text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import polars as pl

from outcomes.analysis.cif import cumulative_incidence
from outcomes.analysis.cox import fit_cox
from outcomes.analysis.km import kaplan_meier, landmark_rates, survival_quantile, to_event
from outcomes.analysis.logrank import logrank, logrank_trend
from outcomes.analysis.params import SurvivalParams
from outcomes.analysis.results import fit_or_note
from outcomes.errors import InputDataError


@dataclass(frozen=True)
class SurvivalTables:
    """Kaplan–Meier curves, quantiles, landmarks, tests, Cox models and cumulative incidence."""

    km: pl.DataFrame
    quantiles: pl.DataFrame
    landmarks: pl.DataFrame
    tests: pl.DataFrame
    cox: pl.DataFrame
    cif: pl.DataFrame


def create_tte_input(adtte: pl.DataFrame, adsl: pl.DataFrame) -> pl.DataFrame:
    """adtte with DOSELVL/DOSELVLN from adsl, ``EVENT`` (CNSR 0 → 1) and ``EVCODE`` (CNSR 2 → 2)."""
    for col in ("USUBJID", "PARAMCD", "AVAL", "CNSR"):
        if col not in adtte.columns:
            raise InputDataError(f"analyze_survival: adtte lacks column {col}.")
    dose = adsl.select("USUBJID", "DOSELVL", "DOSELVLN")
    return (
        adtte.drop([c for c in ("DOSELVL", "DOSELVLN") if c in adtte.columns])
        .join(dose, on="USUBJID", how="left")
        .with_columns(
            to_event(pl.col("CNSR")).alias("EVENT"),
            to_event(pl.col("CNSR"), competing=True).alias("EVCODE"),
        )
    )


def _both(
    data: pl.DataFrame, fn: Callable[[pl.DataFrame, str | None], pl.DataFrame]
) -> pl.DataFrame:
    """``fn`` overall and by dose level, stacked (overall first)."""
    parts = [fn(data, None)]
    if data.height:
        parts.append(fn(data, "DOSELVL"))
    return pl.concat(parts, how="vertical_relaxed")


def _tests(data: pl.DataFrame, paramcd: str) -> pl.DataFrame:
    args = {"time": "AVAL", "event": "EVENT"}
    rows = [
        logrank(data, group="DOSELVL", **args).to_frame(),
        logrank_trend(data, group="DOSELVLN", **args).to_frame(),
    ]
    return pl.concat(rows).with_columns(pl.lit(paramcd).alias("PARAMCD"))


def _cox(data: pl.DataFrame, paramcd: str, ties: Sequence[str], conf_level: float) -> pl.DataFrame:
    rows = []
    for tie in ties:
        res, note = fit_or_note(
            lambda tie=tie: fit_cox(
                data,
                time="AVAL",
                event="EVENT",
                covariates=["DOSELVLN"],
                ties=tie,  # type: ignore[arg-type]
                conf_level=conf_level,
            )
        )
        if res is None:
            method = f"Cox PH model, {tie} ties"
            rows.append(pl.DataFrame({"term": ["DOSELVLN"], "method": [method], "note": [note]}))
        else:
            rows.append(
                res.table.with_columns(
                    pl.lit(res.method).alias("method"), pl.lit(note).alias("note")
                )
            )
    return pl.concat(rows, how="diagonal_relaxed").with_columns(pl.lit(paramcd).alias("PARAMCD"))


def _curves(sub: pl.DataFrame, params: SurvivalParams) -> tuple[pl.DataFrame, ...]:
    """KM curves (every scale), quantiles and landmarks of one parameter, overall and by dose."""
    primary, level = params.conf_types[0], params.conf_level
    args = {"time": "AVAL", "event": "EVENT", "conf_level": level}
    km = [
        _both(sub, lambda d, g, ct=ct: kaplan_meier(d, group=g, conf_type=ct, **args)).with_columns(
            pl.lit(f"Kaplan-Meier, Greenwood, {ct} {100 * level:g}% CI").alias("method")
        )
        for ct in params.conf_types
    ]
    quantiles = [
        _both(
            sub, lambda d, g, q=q: survival_quantile(d, group=g, q=q, conf_type=primary, **args)
        ).with_columns(
            pl.lit(f"R quantile.survfit rule, {primary} {100 * level:g}% CI").alias("method")
        )
        for q in params.quantiles
    ]
    months = list(params.landmark_months)
    landmarks = (
        [
            _both(
                sub,
                lambda d, g: landmark_rates(d, group=g, months=months, conf_type=primary, **args),
            ).with_columns(
                pl.lit(f"Kaplan-Meier at floor(m*365/12)+1 days, {primary} CI").alias("method")
            )
        ]
        if months
        else []
    )
    return tuple(
        pl.concat(f, how="diagonal_relaxed") if f else pl.DataFrame()
        for f in (km, quantiles, landmarks)
    )


def _cif(sub: pl.DataFrame, level: float) -> pl.DataFrame:
    return _both(
        sub,
        lambda d, g: cumulative_incidence(
            d, time="AVAL", event_code="EVCODE", group=g, conf_level=level
        ),
    ).with_columns(
        pl.lit(
            "Aalen-Johansen, competing risk: death before achievement (CNSR 2); cmprsk "
            "variance, log-log CI"
        ).alias("method")
    )


def analyze_survival(
    adtte: pl.DataFrame, adsl: pl.DataFrame, *, params: SurvivalParams
) -> SurvivalTables:
    """Survival analyses of each configured adtte parameter, overall and by dose level.

    Kaplan–Meier curves for every configured CI scale; quantiles with CIs (first scale);
    landmark rates at the configured months (§16.18); log-rank across dose levels and the
    trend test over DOSELVLN; Cox models of DOSELVLN for each tie method; and for the
    configured parameters the cumulative incidence with death before achievement (CNSR 2) as a
    competing risk. Parameters absent from adtte give no rows.
    """
    data = create_tte_input(adtte, adsl)
    parts: list[tuple[pl.DataFrame, ...]] = []
    for paramcd in params.paramcds:
        sub = data.filter(pl.col("PARAMCD") == paramcd)
        if sub.height == 0:
            continue
        km, quantiles, landmarks = _curves(sub, params)
        cif = _cif(sub, params.conf_level) if paramcd in params.competing_paramcds else None
        frames = (
            km,
            quantiles,
            landmarks,
            _tests(sub, paramcd),
            _cox(sub, paramcd, params.cox_ties, params.conf_level),
            cif,
        )
        tag = pl.lit(paramcd).alias("PARAMCD")
        parts.append(
            tuple(
                f.with_columns(tag) if f is not None and f.width else pl.DataFrame() for f in frames
            )
        )
    return SurvivalTables(*(_stack([p[i] for p in parts if p[i].width]) for i in range(6)))


def _stack(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """Stack frames with PARAMCD first; an empty list gives an empty frame."""
    if not frames:
        return pl.DataFrame({"PARAMCD": []}, schema={"PARAMCD": pl.String})
    stacked = pl.concat(frames, how="diagonal_relaxed")
    return stacked.select("PARAMCD", pl.exclude("PARAMCD"))
