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

#: Words for the interval methods of a proportion (:mod:`outcomes.analysis.binomial`).
CI_METHOD_WORDS: dict[str, str] = {"exact": "exact Clopper–Pearson", "wilson": "Wilson score"}
#: Words for the methods of ``logistic_regression`` (:mod:`outcomes.analysis.logistic`).
LOGISTIC_METHOD_WORDS: dict[str, str] = {
    "auto": "Firth's penalised likelihood when responders and non-responders are separated, "
    "else maximum likelihood",
    "firth": "Firth's penalised likelihood",
    "ml": "maximum likelihood",
}


def _pct(conf_level: float) -> str:
    """A confidence level as a percentage (``0.95`` → ``95%``)."""
    return f"{conf_level * 100:g}%"


def _listed(values: tuple[object, ...]) -> str:
    return ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in values)


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

    def describe(self) -> tuple[str, ...]:
        """The configured time-to-event analyses in words, for the report's methods section.

        Returns
        -------
        tuple[str, ...]
            Sentences on the Kaplan–Meier estimates, quantiles and landmarks, tests and Cox
            models, and the cumulative incidence.
        """
        pct, primary = _pct(self.conf_level), self.conf_types[0]
        out = [
            f"Time-to-event parameters {_listed(self.paramcds)} are estimated overall and by "
            "dose level by Kaplan–Meier with Greenwood variance and "
            f"{pct} pointwise confidence intervals on the {_listed(self.conf_types)} scale(s).",
            f"Survival quantiles {_listed(self.quantiles)} follow the R quantile.survfit rule "
            f"with {pct} {primary} intervals; Kaplan–Meier landmark rates are read at "
            f"{_listed(self.landmark_months)} months with {primary} intervals.",
            "Dose levels are compared by the log-rank test and the log-rank test for trend over "
            "the dose-level order; Cox proportional-hazards models of the dose-level order are "
            f"fitted with {' and '.join(self.cox_ties)} handling of tied times, hazard ratios "
            f"with {pct} Wald intervals.",
        ]
        if self.competing_paramcds:
            out.append(
                f"For {_listed(self.competing_paramcds)}, the cumulative incidence is "
                "Aalen–Johansen with death before achievement (CNSR 2) as the competing event, "
                f"with {pct} intervals on the log-log scale."
            )
        return tuple(out)


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

    def describe(self) -> tuple[str, ...]:
        """The configured responder analyses in words, for the report's methods section.

        Returns
        -------
        tuple[str, ...]
            Sentences on the rates, the per-visit tests and models, and the GEE model.
        """
        pct = _pct(self.conf_level)
        methods = " and ".join(CI_METHOD_WORDS.get(m, m) for m in self.ci_methods)
        logistic = LOGISTIC_METHOD_WORDS.get(self.logistic_method, self.logistic_method)
        return (
            f"Responder rates of {_listed(self.paramcds)} by visit and dose level (and overall) "
            f"carry {pct} {methods} intervals; the denominator is every adrs row of the visit, "
            "non-responder imputation applied.",
            "At each visit, the Cochran–Armitage test for trend over the dose-level order and a "
            f"logistic regression of response on the dose-level order by {logistic}, odds "
            f"ratios with {pct} Wald intervals.",
            "Over visits, a GEE logistic model of response on the dose-level order and the visit "
            "with an exchangeable working correlation and robust standard errors, with "
            f"{pct} Wald intervals.",
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

    def describe(self) -> tuple[str, ...]:
        """The configured disease-activity analyses in words, for the report's methods section.

        Returns
        -------
        tuple[str, ...]
            Sentences on the descriptive summaries, the baselines taken from adsl and the
            mixed model.
        """
        out = [
            f"{_listed(self.params)} are summarised by visit and dose level (and overall) as "
            "value and change from baseline: n, mean, SD, median, quartiles, minimum and "
            "maximum."
        ]
        out += [
            f"The baseline of {param} is adsl {column}."
            for param, column in self.base_from_adsl.items()
        ]
        if self.mixed_params:
            out.append(
                f"Change from baseline of {_listed(self.mixed_params)} is modelled by a linear "
                "mixed model on months since infusion (and the dose-level order when there are "
                "several dose levels) with a random intercept per subject, fitted by REML, with "
                f"{_pct(self.conf_level)} Wald intervals."
            )
        return tuple(out)


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

    def describe(self) -> tuple[str, ...]:
        """The configured safety tables in words, for the report's methods section.

        Returns
        -------
        tuple[str, ...]
            Sentences on the primary safety endpoint and the special AE categories.
        """
        sev = self.severe_grade_ge
        return (
            "Subjects of the safety set with a CAR-T-related AE with onset in the W3MFL window, "
            f"of any grade, of grade {sev} or higher (AETOXGR: ASTCT grade for CRS and ICANS, "
            "CTCAE otherwise) and serious, by dose level, with "
            f"{_pct(self.conf_level)} exact Clopper–Pearson intervals.",
            "CRS, ICANS, ICAHT, infection and GvHD tables count the AEs flagged "
            f"{self.special_flag}: any grade, grade {sev} or higher and by maximum grade; CRS "
            "and ICANS also by onset day and episode duration.",
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

    def describe(self) -> tuple[str, ...]:
        """The configured optimal-biological-dose rule in words, for the report's methods section.

        Returns
        -------
        tuple[str, ...]
            Sentences on the toxicity and efficacy flags, the estimates and the recommendation.
        """
        u = self.utility
        efficacy = "isotonic (weighted PAVA)" if self.eff_isotonic else "observed"
        return (
            "OBD toxicity: a CAR-T-related AE of grade "
            f"{self.tox_related_grade_ge} or higher, or CRS or ICANS of grade "
            f"{self.tox_crs_icans_grade_ge} or higher, with onset in the W28FL window; "
            f"efficacy: {self.eff_paramcd} at {self.eff_avisit}.",
            "Toxicity and efficacy rates per dose level carry "
            f"{_pct(self.conf_level)} exact Clopper–Pearson intervals; toxicity is estimated "
            f"by weighted PAVA (isotonic in dose), efficacy by the {efficacy} rates.",
            "The utility of a dose weighs (toxicity, efficacy) outcomes on the BOIN12 scale: "
            f"(no, yes) {u['tox0_eff1']:g}, (no, no) {u['tox0_eff0']:g}, (yes, yes) "
            f"{u['tox1_eff1']:g}, (yes, no) {u['tox1_eff0']:g}, toxicity and efficacy taken as "
            "independent.",
            "The recommended dose has the highest utility among doses whose toxicity estimate "
            f"is <= {self.tox_rate_le:g} and efficacy estimate >= {self.eff_rate_ge:g}; ties go "
            "to the lower dose.",
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
