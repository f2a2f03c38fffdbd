"""Typed parameters of the config section ``analysis``, and their cross-field checks.

Each dataclass is frozen and has no defaults for clinical fields; ``from_config(section)`` builds
it from the schema-checked section. Cross-field problems raise :class:`ConfigError` naming the
key path and are registered with :func:`outcomes.config.register_check`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from outcomes.config import register_check
from outcomes.errors import ConfigError

UTILITY_KEYS: tuple[str, ...] = ("tox0_eff1", "tox0_eff0", "tox1_eff1", "tox1_eff0")


@dataclass(frozen=True)
class SurvivalParams:
    """Time-to-event analyses (issue 6; endpoints.md §16.18 landmarks)."""

    paramcds: tuple[str, ...]
    conf_types: tuple[str, ...]
    quantiles: tuple[float, ...]
    landmark_months: tuple[float, ...]
    cox_ties: tuple[str, ...]
    competing_paramcds: tuple[str, ...]
    conf_level: float

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> SurvivalParams:
        """Build from the ``analysis`` section (its ``survival`` block and ``conf_level``)."""
        s = section["survival"]
        return cls(
            paramcds=tuple(s["paramcds"]),
            conf_types=tuple(s["conf_types"]),
            quantiles=tuple(float(q) for q in s["quantiles"]),
            landmark_months=tuple(float(m) for m in s["landmark_months"]),
            cox_ties=tuple(s["cox_ties"]),
            competing_paramcds=tuple(s["competing_paramcds"]),
            conf_level=float(section["conf_level"]),
        )


@dataclass(frozen=True)
class ResponseParams:
    """Responder analyses of adrs (proportions, trend, logistic regression, GEE)."""

    paramcds: tuple[str, ...]
    ci_methods: tuple[str, ...]
    logistic_method: str
    conf_level: float

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> ResponseParams:
        """Build from the ``analysis`` section."""
        r = section["response"]
        return cls(
            paramcds=tuple(r["paramcds"]),
            ci_methods=tuple(r["ci_methods"]),
            logistic_method=str(r["logistic_method"]),
            conf_level=float(section["conf_level"]),
        )


@dataclass(frozen=True)
class ActivityParams:
    """Disease-activity summaries and the mixed model."""

    params: tuple[str, ...]
    base_from_adsl: dict[str, str]
    mixed_params: tuple[str, ...]
    conf_level: float

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> ActivityParams:
        """Build from the ``analysis`` section."""
        a = section["activity"]
        return cls(
            params=tuple(a["params"]),
            base_from_adsl=dict(a["base_from_adsl"]),
            mixed_params=tuple(a["mixed_params"]),
            conf_level=float(section["conf_level"]),
        )


@dataclass(frozen=True)
class SafetyParams:
    """Safety tables (endpoints.md §9 [D-26])."""

    severe_grade_ge: int
    special_flag: str
    conf_level: float

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> SafetyParams:
        """Build from the ``analysis`` section."""
        s = section["safety"]
        return cls(
            severe_grade_ge=int(s["severe_grade_ge"]),
            special_flag=str(s["special_flag"]),
            conf_level=float(section["conf_level"]),
        )


@dataclass(frozen=True)
class ObdParams:
    """Optimal biological dose (toxicity window: adae W28FL, §16.18; BOIN12 / U-BOIN utility)."""

    tox_related_grade_ge: int
    tox_crs_icans_grade_ge: int
    eff_paramcd: str
    eff_avisit: str
    eff_isotonic: bool
    tox_rate_le: float
    eff_rate_ge: float
    utility: dict[str, float]
    conf_level: float

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> ObdParams:
        """Build from the ``analysis`` section."""
        o = section["obd"]
        return cls(
            tox_related_grade_ge=int(o["tox_related_grade_ge"]),
            tox_crs_icans_grade_ge=int(o["tox_crs_icans_grade_ge"]),
            eff_paramcd=str(o["eff_paramcd"]),
            eff_avisit=str(o["eff_avisit"]),
            eff_isotonic=bool(o["eff_isotonic"]),
            tox_rate_le=float(o["tox_rate_le"]),
            eff_rate_ge=float(o["eff_rate_ge"]),
            utility={k: float(o["utility"][k]) for k in UTILITY_KEYS},
            conf_level=float(section["conf_level"]),
        )


@register_check
def _check_analysis(config: Mapping[str, Any]) -> Iterator[str]:
    """Cross-field rules of ``analysis`` (skipped while the section is a placeholder)."""
    section = config.get("analysis") or {}
    if "obd" not in section:
        return
    obd = section["obd"]
    u = obd["utility"]
    if any(u["tox0_eff1"] < u[k] for k in UTILITY_KEYS) or any(
        u["tox1_eff0"] > u[k] for k in UTILITY_KEYS
    ):
        yield (
            "analysis.obd.utility: tox0_eff1 must be the highest and tox1_eff0 the lowest "
            f"utility (BOIN12 scale), got {dict(u)}"
        )
    surv = section["survival"]
    missing = sorted(set(surv["competing_paramcds"]) - set(surv["paramcds"]))
    if missing:
        yield (
            f"analysis.survival.competing_paramcds: {missing} are not in analysis.survival.paramcds"
        )


def check_section(section: Mapping[str, Any]) -> None:
    """Raise :class:`ConfigError` listing every cross-field problem of an ``analysis`` section."""
    problems = list(_check_analysis({"analysis": section}))
    if problems:
        raise ConfigError("Configuration is not valid:\n  - " + "\n  - ".join(problems))
