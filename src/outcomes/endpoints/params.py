"""Typed parameters of the config sections ``endpoints`` and ``safety``; cross-field checks.

Each dataclass is frozen and has no defaults for clinical fields; ``from_config(section)`` builds it
from the already schema-checked section. Cross-field problems raise :class:`ConfigError` naming the
key path, and are registered with :func:`outcomes.config.register_check`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import polars as pl

from outcomes.config import register_check
from outcomes.errors import ConfigError


@dataclass(frozen=True)
class EndpointParams:
    """Subject-level endpoint rules (endpoints.md §6.3, §7.3, §16.1-16.3, §16.14-16.17)."""

    rescue_is_failure: bool
    bridge_missing_max: int
    maintenance_avisit: tuple[str, ...]
    lldas_time_first_avisit: str
    lldas50_pct_ge: float
    sustained_months: tuple[int, ...]
    days_per_month: float
    overall_avisitn: int
    duration_death: str

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> EndpointParams:
        """Build from the ``endpoints`` config section."""
        return cls(
            rescue_is_failure=bool(section["rescue_is_failure"]),
            bridge_missing_max=int(section["bridge_missing_max"]),
            maintenance_avisit=tuple(section["maintenance_avisit"]),
            lldas_time_first_avisit=str(section["lldas_time_first_avisit"]),
            lldas50_pct_ge=float(section["lldas50_pct_ge"]),
            sustained_months=tuple(int(m) for m in section["sustained_months"]),
            days_per_month=float(section["days_per_month"]),
            overall_avisitn=int(section["overall_avisitn"]),
            duration_death=str(section["duration_death"]),
        )

    def sustained_days(self, months: int) -> int:
        """Minimum span in days of a sustained run: floor(months × days_per_month) (§16.15)."""
        return math.floor(round(months * self.days_per_month, 6))

    def describe(self) -> tuple[str, ...]:
        """The configured subject-level endpoint rules in words, for the report's methods section.

        Returns
        -------
        tuple[str, ...]
            Sentences on non-responder imputation, rescue, maintenance, time in LLDAS,
            sustained LLDAS and durations.
        """
        bridge = self.bridge_missing_max
        if self.rescue_is_failure:
            rescue = (
                "An SLE rescue or CAR-T re-treatment is a failure: every responder parameter is a "
                "non-response from its start date, and a rescue before first achievement censors "
                "the time to achievement (CNSR 3)."
            )
        else:
            rescue = (
                "An SLE rescue or CAR-T re-treatment is not a failure (observed-case "
                "sensitivity analysis): later assessments count as observed."
            )
        if self.duration_death == "censor":
            death = (
                "A death without a prior loss censors the duration of the first episode (CNSR 1) "
                "at the last assessment in the state."
            )
        else:
            death = (
                "A death without a prior loss ends the duration of the first episode as an event."
            )
        months = ", ".join(str(m) for m in self.sustained_months)
        days = ", ".join(str(self.sustained_days(m)) for m in self.sustained_months)
        return (
            "A due visit missed because the subject died or withdrew before its window closed, "
            "missed for no recorded reason, or whose state is not evaluable counts as a "
            "non-response (non-responder imputation).",
            rescue,
            "Maintained drug-free DORIS and LLDAS (DFMAINT, LLMAINT) are assessed at "
            f"{', '.join(self.maintenance_avisit)}: the state holds at every scheduled visit from "
            f"first achievement through that visit, bridging at most {bridge} consecutive "
            "missing or not-evaluable scheduled visit(s); the strict DFMAINTS and LLMAINTS "
            "bridge none.",
            "Time in LLDAS (LLDASPCT) is the percentage of the observed time from Day 0 to the "
            "last evaluable assessment spent in LLDAS; LLDAS50 is a percentage of at least "
            f"{self.lldas50_pct_ge:g}%. Both are written at each scheduled visit from "
            f"{self.lldas_time_first_avisit} on and overall (AVISITN {self.overall_avisitn}).",
            f"Sustained LLDAS (LLSUST<X>, X = {months} months) needs a run of LLDAS assessments "
            f"spanning at least floor(X × {self.days_per_month:g}) days ({days} days), with at "
            f"most {bridge} missing or not-evaluable scheduled visit(s) between two of them.",
            death,
        )


@dataclass(frozen=True)
class IcahtParams:
    """ICAHT grading thresholds (endpoints.md §9.3 [D-27], E-26); counts in 10^9/L."""

    early_last_day: int
    late_last_day: int
    late_min_values: int
    anc_early_le: float
    anc_early_profound_le: float
    anc_early_g2_days_ge: int
    anc_early_g3_days_ge: int
    anc_early_profound_g4_days_ge: int
    anc_late_le: tuple[float, float, float, float]
    plt_early_lt: tuple[float, float]
    plt_early_g2_days_ge: int
    plt_early_g4_days_ge: int
    plt_late_lt: tuple[float, float, float]
    plt_late_g4_days_ge: int

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> IcahtParams:
        """Build from ``safety.icaht``."""
        anc_late = section["anc_late_le_10e9_per_l"]
        plt_early = section["plt_early_lt_10e9_per_l"]
        plt_late = section["plt_late_lt_10e9_per_l"]
        return cls(
            early_last_day=int(section["early_last_day"]),
            late_last_day=int(section["late_last_day"]),
            late_min_values=int(section["late_min_values"]),
            anc_early_le=float(section["anc_early_le_10e9_per_l"]),
            anc_early_profound_le=float(section["anc_early_profound_le_10e9_per_l"]),
            anc_early_g2_days_ge=int(section["anc_early_g2_days_ge"]),
            anc_early_g3_days_ge=int(section["anc_early_g3_days_ge"]),
            anc_early_profound_g4_days_ge=int(section["anc_early_profound_g4_days_ge"]),
            anc_late_le=(
                float(anc_late["g1"]),
                float(anc_late["g2"]),
                float(anc_late["g3"]),
                float(anc_late["g4"]),
            ),
            plt_early_lt=(float(plt_early["g1"]), float(plt_early["g3"])),
            plt_early_g2_days_ge=int(section["plt_early_g2_days_ge"]),
            plt_early_g4_days_ge=int(section["plt_early_g4_days_ge"]),
            plt_late_lt=(float(plt_late["g1"]), float(plt_late["g2"]), float(plt_late["g3"])),
            plt_late_g4_days_ge=int(section["plt_late_g4_days_ge"]),
        )


@dataclass(frozen=True)
class SafetyParams:
    """AE windows (endpoints.md §9 [D-26], §16.18, §16.19) and ICAHT grading."""

    ae_window_first_day: int
    ae_window_last_day: int
    obd_window_last_day: int
    icaht: IcahtParams

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> SafetyParams:
        """Build from the ``safety`` config section."""
        return cls(
            ae_window_first_day=int(section["ae_window_first_day"]),
            ae_window_last_day=int(section["ae_window_last_day"]),
            obd_window_last_day=int(section["obd_window_last_day"]),
            icaht=IcahtParams.from_config(section["icaht"]),
        )

    def describe(self) -> tuple[str, ...]:
        """The configured AE windows and ICAHT grading in words, for the report's methods section.

        Returns
        -------
        tuple[str, ...]
            Sentences on the AE window flags, then on the ICAHT and T-ICAHT grades.
        """
        first = self.ae_window_first_day
        return (
            "Adverse events are placed by study day of onset (Day 0 = infusion): W3MFL flags "
            f"onset on Days {first} to {self.ae_window_last_day} and W28FL, the OBD toxicity "
            f"window, onset on Days {first} to {self.obd_window_last_day}, both inclusive.",
            *_describe_icaht(self.icaht),
        )


def _describe_icaht(p: IcahtParams) -> tuple[str, ...]:
    """ICAHT (neutrophils) and T-ICAHT (platelets) grading in words; counts in 10^9/L."""
    early = f"Days 0 to {p.early_last_day}"
    late = f"Days {p.early_last_day + 1} to {p.late_last_day}"
    g2, g3 = p.anc_early_g2_days_ge, p.anc_early_g3_days_ge
    anc_late = ", ".join(f"{v:g}" for v in p.anc_late_le)
    plt_late = p.plt_late_lt
    return (
        "ICAHT is graded from ANC and platelet counts (10^9/L, compared in exact decimals), "
        "each draw held until the next one.",
        f"Early ICAHT ({early}): days with ANC <= {p.anc_early_le:g}: 1 to {g2 - 1} grade 1, "
        f"{g2} to {g3 - 1} grade 2, {g3} or more grade 3; grade 4 when ANC <= "
        f"{p.anc_early_profound_le:g} for {p.anc_early_profound_g4_days_ge} days or more, or "
        f"above {p.anc_early_le:g} on no day of the window with every day known.",
        f"Late ICAHT ({late}): the highest grade 1 to 4 whose threshold (ANC <= {anc_late}) at "
        f"least {p.late_min_values} draws reach; with fewer draws it is not graded.",
        f"Early T-ICAHT ({early}): days with platelets < {p.plt_early_lt[0]:g}: 1 to "
        f"{p.plt_early_g2_days_ge - 1} grade 1, {p.plt_early_g2_days_ge} or more grade 2; days "
        f"< {p.plt_early_lt[1]:g}: 1 to {p.plt_early_g4_days_ge - 1} grade 3, "
        f"{p.plt_early_g4_days_ge} or more grade 4.",
        f"Late T-ICAHT ({late}, graded with at least {p.late_min_values} draws): any day < "
        f"{plt_late[0]:g} grade 1, < {plt_late[1]:g} grade 2, < {plt_late[2]:g} for 1 to "
        f"{p.plt_late_g4_days_ge - 1} days grade 3 and {p.plt_late_g4_days_ge} days or more "
        "grade 4.",
    )


def schedule_from_config(visits: Mapping[str, Any]) -> pl.LazyFrame:
    """Scheduled post-infusion visits of the ``visits`` section as (AVISIT, AVISITN, UPPERDY).

    Raises
    ------
    ConfigError
        When ``visits.windows`` is missing or an entry lacks label, avisitn or upper_day.
    """
    windows = visits.get("windows")
    if not windows:
        raise ConfigError("config.visits.windows: the scheduled visit windows are required.")
    rows = []
    for i, w in enumerate(windows):
        missing = [k for k in ("label", "avisitn", "upper_day") if k not in w]
        if missing:
            raise ConfigError(f"config.visits.windows[{i}]: missing key(s) {', '.join(missing)}.")
        rows.append((str(w["label"]), int(w["avisitn"]), int(w["upper_day"])))
    return pl.LazyFrame(
        rows,
        schema={"AVISIT": pl.String, "AVISITN": pl.Int64, "UPPERDY": pl.Int64},
        orient="row",
    )


def check_against_schedule(params: EndpointParams, schedule: pl.DataFrame) -> None:
    """The maintenance and time-in-LLDAS visits must be scheduled visits.

    Raises
    ------
    ConfigError
        Naming ``endpoints.maintenance_avisit`` or ``endpoints.lldas_time_first_avisit``.
    """
    labels = set(schedule["AVISIT"].to_list())
    unknown = [v for v in params.maintenance_avisit if v not in labels]
    if unknown:
        raise ConfigError(
            f"config.endpoints.maintenance_avisit: {unknown} are not scheduled visits "
            f"(config.visits.windows labels: {sorted(labels)})."
        )
    if params.lldas_time_first_avisit not in labels:
        raise ConfigError(
            f"config.endpoints.lldas_time_first_avisit: {params.lldas_time_first_avisit!r} is not "
            f"a scheduled visit (config.visits.windows labels: {sorted(labels)})."
        )


@register_check
def _check_endpoint_sections(config: Mapping[str, Any]) -> Iterator[str]:
    endpoints = config.get("endpoints") or {}
    windows = (config.get("visits") or {}).get("windows") or []
    labels = {w.get("label") for w in windows if isinstance(w, Mapping)}
    for label in endpoints.get("maintenance_avisit", []):
        if labels and label not in labels:
            yield f"config.endpoints.maintenance_avisit: {label!r} is not in config.visits.windows"
    first = endpoints.get("lldas_time_first_avisit")
    if first is not None and labels and first not in labels:
        yield f"config.endpoints.lldas_time_first_avisit: {first!r} is not in config.visits.windows"
    icaht = (config.get("safety") or {}).get("icaht")
    if icaht:
        if icaht["late_last_day"] <= icaht["early_last_day"]:
            yield "config.safety.icaht.late_last_day: must be after early_last_day"
        late = icaht["anc_late_le_10e9_per_l"]
        if not late["g1"] > late["g2"] > late["g3"] > late["g4"]:
            yield "config.safety.icaht.anc_late_le_10e9_per_l: must decrease from g1 to g4"
        pl_late = icaht["plt_late_lt_10e9_per_l"]
        if not pl_late["g1"] > pl_late["g2"] > pl_late["g3"]:
            yield "config.safety.icaht.plt_late_lt_10e9_per_l: must decrease from g1 to g3"
    safety = config.get("safety") or {}
    if safety and safety["obd_window_last_day"] > safety["ae_window_last_day"]:
        yield "config.safety.obd_window_last_day: must not exceed ae_window_last_day"
