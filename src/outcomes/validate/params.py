"""Typed parameters of export validation: config section ``validation`` plus the slices it reads.

Visit windows and the baseline look-back come from config ``visits`` (endpoints.md §11, §16.5);
the medication rules use the derivation's own :class:`~outcomes.drugs.params.MedicationParams`
(config ``medications``, §8, §16.23). ``on_error`` and per-rule ``severity`` overrides follow
data-contract.md §1.6.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from outcomes.config import register_check
from outcomes.drugs.params import MedicationParams
from outcomes.errors import ConfigError
from outcomes.validate.catalogue import FATAL, RULES

#: Default of ``validation.workbook_max_rows``: most issues listed in issues.xlsx.
WORKBOOK_MAX_ROWS = 10_000


@dataclass(frozen=True)
class Window:
    """A scheduled post-infusion visit and its inclusive study-day window (§11 [D-31])."""

    label: str
    lower_day: int
    upper_day: int


@dataclass(frozen=True)
class NeutropeniaAe:
    """Neutropenia AE grade vs ANC (CON-014): AE terms, CTCAE limits per grade, window margin."""

    terms: tuple[str, ...]
    anc_lt: Mapping[int, Fraction]
    window_margin_days: int


@dataclass(frozen=True)
class ValidationParams:
    """Thresholds of the validation rules (endpoints.md §16.5, §16.8, §16.21, §16.23, D-04)."""

    ld_to_infusion_max_days: int
    gc_implausible_mg_per_day: Fraction
    pga_decimals_max: int
    implausible_magnitude: float
    upcr_proteinuria_gt_g_per_g: Fraction
    pre_infusion_visits: tuple[str, ...]
    report_rows_per_group: int
    workbook_max_rows: int | None
    dose_levels: tuple[str, ...]
    windows: tuple[Window, ...]
    baseline_window_days: int
    drugs: MedicationParams
    on_error: str
    severity: Mapping[str, str]
    neutropenia_ae: NeutropeniaAe
    physiological_bounds: Mapping[str, tuple[Fraction, Fraction]]

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ValidationParams:
        """Build from a whole checked configuration (sections ``validation``, ``visits``,
        ``medications`` and ``study.dose_levels``).

        Raises
        ------
        ConfigError
            When a section this stage reads is not configured.
        """
        section = config["validation"]
        visits = config.get("visits") or {}
        if "windows" not in visits or "baseline_window_days" not in visits:
            raise ConfigError(
                "config.visits.windows and config.visits.baseline_window_days are "
                "needed by validation (scheduled-visit windows, §11, §16.5)."
            )
        return cls(
            ld_to_infusion_max_days=int(section["ld_to_infusion_max_days"]),
            gc_implausible_mg_per_day=Fraction(str(section["gc_implausible_mg_per_day"])),
            pga_decimals_max=int(section["pga_decimals_max"]),
            implausible_magnitude=float(section["implausible_magnitude"]),
            upcr_proteinuria_gt_g_per_g=Fraction(str(section["upcr_proteinuria_gt_g_per_g"])),
            pre_infusion_visits=tuple(section["pre_infusion_visits"]),
            report_rows_per_group=int(section["report_rows_per_group"]),
            workbook_max_rows=section.get("workbook_max_rows", WORKBOOK_MAX_ROWS),
            dose_levels=tuple(config["study"]["dose_levels"]),
            windows=tuple(
                Window(w["label"], int(w["lower_day"]), int(w["upper_day"]))
                for w in visits["windows"]
            ),
            baseline_window_days=int(visits["baseline_window_days"]),
            drugs=MedicationParams.from_config(config["medications"]),
            on_error=section["on_error"],
            severity=dict(section.get("severity") or {}),
            neutropenia_ae=NeutropeniaAe(
                terms=tuple(t.strip().upper() for t in section["neutropenia_ae"]["terms"]),
                anc_lt={
                    int(g[1:]): Fraction(str(v))
                    for g, v in section["neutropenia_ae"]["anc_lt_10e9_per_l"].items()
                },
                window_margin_days=int(section["neutropenia_ae"]["window_margin_days"]),
            ),
            physiological_bounds={
                test: (Fraction(str(b["low"])), Fraction(str(b["high"])))
                for test, b in section["physiological_bounds"].items()
            },
        )

    def describe(self) -> tuple[str, ...]:
        """The configured validation thresholds in words, for the report's methods section.

        Returns
        -------
        tuple[str, ...]
            One sentence per rule that reads a configured value, naming the rule.
        """
        windows = "; ".join(f"{w.label}: days {w.lower_day} to {w.upper_day}" for w in self.windows)
        return (
            f"A dose level other than {', '.join(self.dose_levels)} is an error (VAL-011).",
            f"An infusion more than {self.ld_to_infusion_max_days} days after the start of "
            "lymphodepletion is an error (DAT-003).",
            "A glucocorticoid record above "
            f"{_number(self.gc_implausible_mg_per_day)} mg/day prednisone-equivalent is a "
            "warning (CON-009).",
            f"A PGA recorded with more than {self.pga_decimals_max} decimals is a warning "
            "(VAL-007).",
            f"A number of magnitude {self.implausible_magnitude:g} or more in a numeric column "
            "is implausible, a warning (VAL-013).",
            "The SLEDAI-2K proteinuria item is checked against the recorded UPCR: a UPCR above "
            f"{_number(self.upcr_proteinuria_gt_g_per_g)} g/g scores the item, and a "
            "contradiction is a warning (CON-004).",
            "An infused subject without an assessment in the "
            f"{self.baseline_window_days} days before the start of lymphodepletion (the "
            "infusion without it) has no baseline, a warning (CON-005).",
            f"Scheduled visits must lie in their inclusive study-day windows ({windows}) and "
            f"the pre-infusion visits ({', '.join(self.pre_infusion_visits)}) before Day 0, the "
            "infusion; otherwise a warning (CON-006).",
            "A neutropenia AE whose CTCAE grade contradicts the lowest ANC dated "
            f"{self.neutropenia_ae.window_margin_days} days before its start to "
            f"{self.neutropenia_ae.window_margin_days} days after its end is a warning (CON-014; "
            + ", ".join(
                f"grade {g} below {_number(v)} x 10^9/L"
                for g, v in sorted(self.neutropenia_ae.anc_lt.items())
            )
            + ").",
            "A lab result outside its physiological bounds is a warning (VAL-014; "
            + "; ".join(
                f"{t} {_number(lo)} to {_number(hi)}"
                for t, (lo, hi) in self.physiological_bounds.items()
            )
            + ").",
            f"The validation report lists at most {self.report_rows_per_group} issues per rule "
            "and per subject; issues.csv holds them all.",
        )


def _number(value: Fraction) -> str:
    """A configured exact number as short decimal text (``1000``, ``0.5``)."""
    return f"{float(value):g}"


@register_check
def check_validation(config: Mapping[str, Any]) -> Iterator[str]:
    """Cross-field rules of ``validation``: pre-infusion visit labels are not scheduled visits;
    a severity override names a catalogue rule and does not lower a FATAL rule (§1.6)."""
    section = config.get("validation") or {}
    for rule, severity in (section.get("severity") or {}).items():
        if rule not in RULES:
            yield f"validation.severity: {rule!r} is not a validation rule"
        elif RULES[rule].severity == FATAL and severity != FATAL:
            yield f"validation.severity: {rule} is FATAL and cannot be lowered to {severity}"
    for test, bounds in (section.get("physiological_bounds") or {}).items():
        if bounds["low"] > bounds["high"]:
            yield f"validation.physiological_bounds.{test}: low must be <= high"
    limits = (section.get("neutropenia_ae") or {}).get("anc_lt_10e9_per_l") or {}
    if limits and not limits["g2"] > limits["g3"] > limits["g4"]:
        yield "validation.neutropenia_ae.anc_lt_10e9_per_l: g2 > g3 > g4 is required"
    windows = (config.get("visits") or {}).get("windows") or []
    scheduled = {w["label"] for w in windows}
    for label in section.get("pre_infusion_visits", []):
        if label in scheduled:
            yield (
                f"validation.pre_infusion_visits: {label!r} is also a scheduled post-infusion "
                "visit in visits.windows"
            )
