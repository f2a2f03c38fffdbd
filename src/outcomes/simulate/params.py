"""Assumptions of the synthetic trial: enrolment, visits, response, medications and safety.

These are modelling assumptions of the simulator, not study decisions: they shape a plausible
export of NCT07274059 (endpoints.md §4-§11) for the demo, the tests and the benchmarks. The
pipeline never reads them. Probabilities are per subject unless a field says otherwise; "study
day" counts from the infusion (Day 0, endpoints.md D-02).

The demo is meant to tell the story of the published CAR-T-in-SLE series (Mackensen et al.,
Nat Med 2022; Müller et al., NEJM 2024; Feng et al., Nat Med 2025; endpoints.md §6.1): most
patients reach DORIS remission by week 12 after a mostly grade 1 CRS, with few CAR-T-related
events of grade >= 3 other than transient cytopenias, and a clear dose-response for both
response and toxicity. Design targets (expected rates over the three demo dose levels, so
that the OBD analysis of endpoints.md §16.18 admits and recommends a dose):

* complete response (clinical SLEDAI-2K 0, PGA < 0.5, off prednisone) 32 % / 57 % / 82 %;
  with clearance by Day 14-100 about 90 % of complete responders are clear at MONTH 3, so
  DORIS at MONTH 3 is about 30 % / 50 % / 70 % and SRI-4 is higher (partial responders);
* OBD toxicity (CAR-T-related grade >= 3, or CRS/ICANS grade >= 2, Day 0-28) about
  9 % / 17 % / 24 %: CRS in 35 % / 55 % / 75 %, 85 % of it grade 1; ICANS grade >= 2 rare;
  every level stays below the OBD toxicity limit (0.35), so the highest-utility dose wins;
* early neutropenia keeps its lab-driven CTCAE grade (grade >= 3 in about 60 % of subjects
  after fludarabine/cyclophosphamide). Assumption: after lymphodepletion the investigator
  attributes it to the lymphodepleting chemotherapy (AEREL = N) unless the CAR-T product is
  judged to contribute, which is more likely at higher doses (``neutropenia_related_lowest``
  … ``neutropenia_related_highest``); without lymphodepletion it is always CAR-T-related.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from outcomes.errors import ConfigError


@dataclass(frozen=True)
class VisitSlot:
    """One scheduled post-infusion visit (endpoints.md §11 [D-31]).

    ``jitter_days`` bounds the random deviation from ``target_day``; it keeps every simulated
    date strictly inside ``lower_day`` … ``upper_day``.
    """

    label: str
    target_day: int
    lower_day: int
    upper_day: int
    jitter_days: int

    def __post_init__(self) -> None:
        lo, hi = self.target_day - self.jitter_days, self.target_day + self.jitter_days
        if not (self.lower_day < lo and hi < self.upper_day):
            raise ConfigError(
                f"simulate VisitSlot {self.label}: target_day ± jitter_days ({lo}..{hi}) must lie "
                f"strictly inside the window {self.lower_day}..{self.upper_day}."
            )


#: Scheduled visits and windows of endpoints.md §11; month targets = floor(m × 365/12).
VISIT_SLOTS: tuple[VisitSlot, ...] = (
    VisitSlot("DAY 14", 14, 11, 17, 2),
    VisitSlot("DAY 28", 28, 25, 31, 2),
    VisitSlot("MONTH 3", 91, 77, 105, 10),
    VisitSlot("MONTH 6", 182, 168, 196, 10),
    VisitSlot("MONTH 9", 273, 259, 287, 10),
    VisitSlot("MONTH 12", 365, 335, 395, 20),
    VisitSlot("MONTH 18", 547, 517, 577, 20),
    VisitSlot("MONTH 24", 730, 700, 760, 20),
)


@dataclass(frozen=True)
class SimulationAssumptions:
    """Every number the simulator draws from; one frozen instance, :data:`ASSUMPTIONS`.

    Ranges are inclusive ``(low, high)`` pairs. Dose-dependent rates are given for the lowest
    and the highest dose level and interpolated linearly over the ordered levels in between.
    """

    studyid: str
    enrolment_start: dt.date
    enrolment_days: int
    sites: int
    consent_to_ld_days: tuple[int, int]
    baseline_before_ld_days: tuple[int, int]
    ld_fraction: float
    ld_to_infusion_days: int
    not_infused_fraction: float
    female_fraction: float
    dose_first: float
    dose_ratio: float
    complete_response_lowest: float
    complete_response_highest: float
    partial_share_of_rest: float
    clearance_day: tuple[int, int]
    relapse_fraction: float
    death_fraction: float
    death_day: tuple[int, int]
    withdrawal_fraction: float
    withdrawal_day: tuple[int, int]
    missed_visit_fraction: float
    unscheduled_per_gap: float
    eligible_fraction: float
    crs_lowest: float
    crs_highest: float
    icans_lowest: float
    icans_highest: float
    crs_grade_probs: tuple[float, float, float]
    icans_grade_probs: tuple[float, float, float]
    neutropenia_related_lowest: float
    neutropenia_related_highest: float
    infection_fraction: float
    second_infection_fraction: float
    gvhd_fraction: float
    hcq_fraction: float
    hcq_kept_fraction: float
    prior_is_fraction: float
    rescue_mmf_fraction: float
    prednisone_fraction: float
    lack_of_efficacy_share: float
    bilag_history_fraction: float

    def __post_init__(self) -> None:
        for name in (
            "consent_to_ld_days",
            "baseline_before_ld_days",
            "clearance_day",
            "death_day",
            "withdrawal_day",
        ):
            low, high = getattr(self, name)
            if low > high:
                raise ConfigError(f"simulate assumptions {name}: low {low} > high {high}.")
        for name in ("crs_grade_probs", "icans_grade_probs"):
            if abs(sum(getattr(self, name)) - 1.0) > 1e-9:
                raise ConfigError(f"simulate assumptions {name}: probabilities must sum to 1.")
        if self.consent_to_ld_days[0] <= self.baseline_before_ld_days[1] + 3:
            raise ConfigError(
                "simulate assumptions consent_to_ld_days: must leave room for SCREENING "
                "(consent + 0..3 days) before BASELINE."
            )


#: The assumptions of the demo trial (endpoints.md §4-§11; registry text of NCT07274059).
ASSUMPTIONS = SimulationAssumptions(
    studyid="NCT07274059",
    enrolment_start=dt.date(2025, 3, 3),
    enrolment_days=548,  # staggered enrolment over about 18 months
    sites=5,
    consent_to_ld_days=(14, 42),  # consent 2-6 weeks before lymphodepletion
    baseline_before_ld_days=(1, 7),  # BASELINE well inside the 42-day window of §16.5
    ld_fraction=0.85,  # optional fludarabine + cyclophosphamide
    ld_to_infusion_days=5,  # LD Day -5..-3, rest Day -2/-1, infusion Day 0
    not_infused_fraction=0.04,
    female_fraction=0.88,
    dose_first=1.0,  # 10^6 CAR-T cells/kg at the lowest level
    dose_ratio=2.0,  # each level doubles the dose
    complete_response_lowest=0.32,  # clinical SLEDAI cleared, PGA < 0.5, off steroids
    complete_response_highest=0.82,  # Müller 2024 / Feng 2025: most patients at the best dose
    partial_share_of_rest=0.5,  # low activity (LLDAS-like) among non-complete responders
    clearance_day=(14, 100),  # ~90 % of complete responders clear by MONTH 3 (week 12)
    relapse_fraction=0.15,  # of complete responders: flare with rescue therapy
    death_fraction=0.02,
    death_day=(20, 700),
    withdrawal_fraction=0.06,
    withdrawal_day=(30, 700),
    missed_visit_fraction=0.05,
    unscheduled_per_gap=0.06,  # chance of an UNSCHEDULED visit between two visit windows
    eligible_fraction=0.97,  # SELENA-SLEDAI >= 8 at screening (§10.1)
    crs_lowest=0.35,
    crs_highest=0.75,
    icans_lowest=0.03,
    icans_highest=0.12,
    crs_grade_probs=(0.85, 0.13, 0.02),  # ASTCT grade 1/2/3: CRS mostly grade 1 in SLE series
    icans_grade_probs=(0.8, 0.18, 0.02),  # ICANS rare and mostly grade 1
    neutropenia_related_lowest=0.05,  # after LD: share judged CAR-T-related (else AEREL = N)
    neutropenia_related_highest=0.2,
    infection_fraction=0.35,
    second_infection_fraction=0.12,
    gvhd_fraction=0.01,
    hcq_fraction=0.7,
    hcq_kept_fraction=0.6,
    prior_is_fraction=0.85,
    rescue_mmf_fraction=0.5,  # of relapsing subjects: new mycophenolate besides prednisone
    prednisone_fraction=0.95,  # on prednisone at baseline
    lack_of_efficacy_share=0.5,  # of withdrawn non-responders: reason LACK OF EFFICACY
    bilag_history_fraction=0.15,  # per domain: involved before the trial (grade D, not E)
)
