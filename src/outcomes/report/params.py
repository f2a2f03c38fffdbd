"""Typed parameters of the ``report`` config section, and its cross-field checks."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from outcomes.config import register_check
from outcomes.errors import ConfigError

#: Every section the report knows, in the order of data-contract.md §3 / issue 7.
SECTIONS: tuple[str, ...] = (
    "cover",
    "validation",
    "disposition",
    "baseline",
    "safety",
    "obd",
    "activity",
    "rates",
    "time_to_event",
    "swimmer",
    "analysis_tables",
    "methods",
    "dictionary",
)


@dataclass(frozen=True)
class ReportParams:
    """Layout and summary choices of the report (config section ``report``).

    Attributes
    ----------
    section_order
        Sections in the order they appear; each section at most once.
    table_order
        Stems of analysis tables (``tables/<stem>.csv``) shown first, in this order; the others
        follow in alphabetical order.
    activity_scores
        ``advisit`` scores plotted over time (individual trajectories, mean ± CI by dose level).
    conf_level
        Confidence level of the intervals the report computes itself (mean score by visit,
        responder rates by visit and dose level).
    rate_ci_method
        Interval for a proportion: ``clopper-pearson`` (exact) or ``wilson`` (score).
    at_risk_days
        Days (AVAL scale) at which numbers at risk are printed under the Kaplan–Meier curves.
    km_conf_type
        Pointwise interval scale of the Kaplan–Meier bands: ``log-log``, ``log`` or ``plain``.
    figure_width_in, figure_height_in, figure_dpi
        Size and resolution of every figure.
    figure_max_subjects
        Most subjects drawn in a figure with a line or lane per subject; above it, a random
        sample of that many (:mod:`outcomes.report.sampling`).
    """

    section_order: tuple[str, ...]
    table_order: tuple[str, ...]
    activity_scores: tuple[str, ...]
    conf_level: float
    rate_ci_method: str
    at_risk_days: tuple[int, ...]
    km_conf_type: str
    figure_width_in: float
    figure_height_in: float
    figure_dpi: int
    figure_max_subjects: int = 200

    def __post_init__(self) -> None:
        problems = list(_problems(self))
        if problems:
            raise ConfigError("Configuration is not valid:\n  - " + "\n  - ".join(problems))

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> ReportParams:
        """Build from the ``report`` section of a checked configuration."""
        return cls(
            section_order=tuple(section["section_order"]),
            table_order=tuple(section["table_order"]),
            activity_scores=tuple(section["activity_scores"]),
            conf_level=float(section["conf_level"]),
            rate_ci_method=str(section["rate_ci_method"]),
            at_risk_days=tuple(int(d) for d in section["at_risk_days"]),
            km_conf_type=str(section["km_conf_type"]),
            figure_width_in=float(section["figure_width_in"]),
            figure_height_in=float(section["figure_height_in"]),
            figure_dpi=int(section["figure_dpi"]),
            figure_max_subjects=int(section.get("figure_max_subjects", 200)),
        )

    def describe(self) -> tuple[str, ...]:
        """The report's own statistical choices, in words (printed in the methods section)."""
        pct = f"{self.conf_level * 100:g}%"
        return (
            f"Mean scores by visit and dose level carry a {pct} t-based confidence interval.",
            f"Responder rates by visit and dose level carry a {pct} {self.rate_ci_method} "
            "interval; the denominator is every adrs row of that visit (visits due at the cut, "
            "NRI applied).",
            f"Kaplan–Meier bands are {pct} pointwise intervals on the {self.km_conf_type} scale; "
            "cumulative incidence is Aalen–Johansen with death before achievement (CNSR 2) as "
            "the competing event.",
            "Numbers at risk are shown at days "
            + ", ".join(str(d) for d in self.at_risk_days)
            + " (AVAL scale).",
        )


def _problems(params: ReportParams) -> Iterator[str]:
    unknown = [s for s in params.section_order if s not in SECTIONS]
    if unknown:
        yield f"report.section_order: unknown section(s) {unknown}; known: {list(SECTIONS)}"
    if len(set(params.section_order)) != len(params.section_order):
        yield "report.section_order: a section is listed more than once"
    if list(params.at_risk_days) != sorted(set(params.at_risk_days)):
        yield "report.at_risk_days: days must be strictly increasing"


@register_check
def _check_report_section(config: Mapping[str, Any]) -> Iterator[str]:
    section = config.get("report")
    if not section:
        return
    try:
        ReportParams.from_config(section)
    except ConfigError as exc:
        yield from (line.strip()[2:] for line in str(exc).splitlines()[1:])
