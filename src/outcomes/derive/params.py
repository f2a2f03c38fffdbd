"""Typed parameters of the per-visit stage: config sections ``visits``, ``scores``, ``criteria``.

Each dataclass is frozen, has no defaults for clinical fields, and is built with ``from_config``
from its config section. Rules spanning several keys are registered with
:func:`outcomes.config.register_check` and reported as ``ConfigError`` naming the key path.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from outcomes.config import register_check


@dataclass(frozen=True)
class VisitWindow:
    """One scheduled post-infusion visit: study-day window (inclusive) and target (§11 [D-31])."""

    label: str
    avisitn: int
    lower_day: int
    target_day: int
    upper_day: int


@dataclass(frozen=True)
class VisitParams:
    """Analysis visits and baseline (endpoints.md §11, §16.5)."""

    windows: tuple[VisitWindow, ...]
    study_day_origin: str
    baseline_window_days: int
    baseline_label: str
    baseline_avisitn: int

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> VisitParams:
        """Build from config ``visits``."""
        return cls(
            windows=tuple(VisitWindow(**w) for w in section["windows"]),
            study_day_origin=str(section["study_day_origin"]),
            baseline_window_days=int(section["baseline_window_days"]),
            baseline_label=str(section["baseline_label"]),
            baseline_avisitn=int(section["baseline_avisitn"]),
        )


@dataclass(frozen=True)
class ScoreParams:
    """Score conventions (endpoints.md §1–§3) [D-01, D-03, D-06, D-07]."""

    pga_decimals: int
    sledai_lookback_days: int
    bilag_points: Mapping[str, int]
    sri_index: str
    doris_index: str
    lldas_index: str
    selena_onset_missing: str

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> ScoreParams:
        """Build from config ``scores``."""
        return cls(**{k: section[k] for k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class DorisCriteria:
    """DORIS 2021 thresholds (§5.1 [D-12], [D-13], [D-14]); 2017 variants (§5.2 [D-15])."""

    clinical_sledai_eq: int
    pga_lt: float
    pga_operator: str
    prednisone_mg_per_day_le: float
    gc_operator: str
    require_stable_is: bool
    variants_2017: str


@dataclass(frozen=True)
class DrugFreeCriteria:
    """Drug-free DORIS (§6.2 [D-16], §16.24)."""

    prednisone_mg_per_day_eq: float
    investigational_breaks: bool


@dataclass(frozen=True)
class LldasCriteria:
    """LLDAS thresholds (§7 [D-20], [D-34])."""

    sledai_le: int
    pga_le: float
    prednisone_mg_per_day_le: float
    c2_include_bilag: bool
    haemolysis_missing: str


@dataclass(frozen=True)
class SriCriteria:
    """SRI-4 / SRI-k (§4 [D-10], [D-11], E-22, E-23, E-31)."""

    selena_reduction_ge: int
    k_values: tuple[int, ...]
    pga_rule: str
    pga_increase_lt: float
    pga_increase_pct_le: float
    bilag_new_a_max: int
    bilag_new_b_max: int


@dataclass(frozen=True)
class FlareCriteria:
    """Flares on each assessment (§2.4 [D-09], §6.4 [D-19], §16.4)."""

    investigator_levels: tuple[str, ...]
    bilag_worse_grades: tuple[str, ...]
    sfi_rise_ge: int
    sfi_severe_gt: int


@dataclass(frozen=True)
class Criteria:
    """All per-visit criteria (config ``criteria``)."""

    doris: DorisCriteria
    drug_free: DrugFreeCriteria
    lldas: LldasCriteria
    sri: SriCriteria
    flare: FlareCriteria

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> Criteria:
        """Build from config ``criteria``."""
        sri = dict(section["sri"])
        sri["k_values"] = tuple(sri["k_values"])
        flare = dict(section["flare"])
        flare["investigator_levels"] = tuple(flare["investigator_levels"])
        flare["bilag_worse_grades"] = tuple(flare["bilag_worse_grades"])
        return cls(
            doris=DorisCriteria(**section["doris"]),
            drug_free=DrugFreeCriteria(**section["drug_free"]),
            lldas=LldasCriteria(**section["lldas"]),
            sri=SriCriteria(**sri),
            flare=FlareCriteria(**flare),
        )

    def describe(self) -> tuple[str, ...]:
        """The criteria in words, for the report."""
        d, lo, s = self.doris, self.lldas, self.sri
        return (
            f"DORIS: cSLEDAI-2K = {d.clinical_sledai_eq}, PGA {d.pga_operator} {d.pga_lt}, "
            f"pred-eq {d.gc_operator} {d.prednisone_mg_per_day_le} mg/day",
            f"LLDAS: SLEDAI-2K <= {lo.sledai_le}, PGA <= {lo.pga_le}, "
            f"pred-eq <= {lo.prednisone_mg_per_day_le} mg/day",
            f"SRI: SELENA reduction >= {s.selena_reduction_ge}, new A <= {s.bilag_new_a_max}, "
            f"new B <= {s.bilag_new_b_max}, PGA rule {s.pga_rule}",
        )


def _window_problems(windows: list[Mapping[str, Any]]) -> Iterator[str]:
    for i, w in enumerate(windows):
        if not w["lower_day"] <= w["target_day"] <= w["upper_day"]:
            yield (
                f"visits.windows[{i}] ({w['label']}): lower_day ({w['lower_day']}) <= target_day "
                f"({w['target_day']}) <= upper_day ({w['upper_day']}) must hold"
            )
        if i and windows[i - 1]["upper_day"] >= w["lower_day"]:
            yield (
                f"visits.windows[{i}] ({w['label']}): lower_day ({w['lower_day']}) must be after "
                f"the previous window's upper_day ({windows[i - 1]['upper_day']})"
            )
    for key in ("label", "avisitn"):
        values = [w[key] for w in windows]
        if len(set(values)) != len(values):
            yield f"visits.windows: {key} values must be unique, got {values}"


@register_check
def _check_visits(config: Mapping[str, Any]) -> Iterator[str]:
    visits = config.get("visits") or {}
    if "windows" in visits:
        yield from _window_problems(list(visits["windows"]))


@register_check
def _check_criteria(config: Mapping[str, Any]) -> Iterator[str]:
    crit = config.get("criteria") or {}
    if not {"doris", "lldas", "sri"} <= set(crit):
        return
    doris_gc = crit["doris"]["prednisone_mg_per_day_le"]
    if crit["lldas"]["prednisone_mg_per_day_le"] < doris_gc:
        yield (
            "criteria.lldas.prednisone_mg_per_day_le must be >= "
            f"criteria.doris.prednisone_mg_per_day_le ({doris_gc})"
        )
    if 4 in crit["sri"]["k_values"] and crit["sri"]["selena_reduction_ge"] != 4:
        yield (
            "criteria.sri.k_values: k = 4 would write SRI4FL, which is the primary SRI of "
            "criteria.sri.selena_reduction_ge; remove 4 or set selena_reduction_ge to 4"
        )
