"""Typed parameters of the ``medications`` config section and their cross-field checks.

Every clinical choice of endpoints.md §8 and §16.6-§16.11/§16.23/§16.24 arrives here from
``config/config.yaml``; nothing has a default. Numbers that enter exact dose arithmetic are kept
as :class:`fractions.Fraction` built from their decimal text (D-01, §16.8).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from outcomes import contract as c
from outcomes.config import register_check
from outcomes.errors import ConfigError

#: Classes that may carry a maintenance maximum (LLDAS C5 caps IS and biologics only, §16.24).
CAPPED_CLASSES: frozenset[str] = frozenset({"IS_CONVENTIONAL", "BIOLOGIC_TARGETED"})
#: The same classes as a list for expressions: immunosuppressants and biologics (stability
#: D-14, LLDAS C5 caps, rescue by a new course).
IS_BIO_CLASSES: tuple[str, ...] = tuple(sorted(CAPPED_CLASSES))
#: Scale (decimals) at which recorded doses enter exact integer arithmetic.
DOSE_SCALE_DECIMALS = 9


def exact(value: float | int | str) -> Fraction:
    """The exact rational of a configured number, taken from its decimal text (D-01)."""
    return Fraction(str(value))


@dataclass(frozen=True)
class DrugEntry:
    """One drug of the dictionary (§8.1, §8.2, §7.1, §16.10)."""

    inn: str
    drug_class: str
    aliases: tuple[str, ...]
    equivalent_mg: Fraction | None
    exposure_days: int | None
    max_mg_per_day: Fraction | None
    half_life_hours: Fraction | None = None

    @classmethod
    def from_config(cls, inn: str, entry: Mapping[str, Any]) -> DrugEntry:
        per_day = entry.get("maintenance_max_mg_per_day")
        per_week = entry.get("maintenance_max_mg_per_week")
        cap = exact(per_day) if per_day is not None else None
        if per_week is not None:
            cap = exact(per_week) / 7
        equivalent = entry.get("equivalent_mg")
        return cls(
            inn=inn,
            drug_class=entry["class"],
            aliases=tuple(a.lower() for a in entry.get("aliases", ())),
            equivalent_mg=exact(equivalent) if equivalent is not None else None,
            exposure_days=entry.get("exposure_days"),
            max_mg_per_day=cap,
            half_life_hours=(
                exact(entry["half_life_hours"])
                if entry.get("half_life_hours") is not None
                else None
            ),
        )


@dataclass(frozen=True)
class Frequency:
    """Administrations per ``per_days`` days and the weekly tail after CMENDT (§16.10, §16.11)."""

    administrations: int
    per_days: int
    tail_days: int

    @property
    def per_day(self) -> Fraction:
        return Fraction(self.administrations, self.per_days)


@dataclass(frozen=True)
class MedicationParams:
    """The medications section (endpoints.md §8, §16.6-§16.11, §16.23, §16.24)."""

    dictionary: tuple[DrugEntry, ...]
    cmclas_class: Mapping[str, str | None]
    systemic_routes: tuple[str, ...]
    systemic_only_classes: tuple[str, ...]
    unit_to_mg: Mapping[str, Fraction]
    frequencies: Mapping[str, Frequency]
    once_frequency: str
    once_exposure_classes: tuple[str, ...]
    once_exposure_days_default: int
    ld_drugs: tuple[str, ...]
    ld_window_first_day: int
    ld_window_last_day: int
    sle_indication: str
    cart_toxicity_indications: tuple[str, ...]
    missing_indication_sle_classes: tuple[str, ...]
    adrenal_indications: tuple[str, ...]
    exclude_adrenal_replacement_le_pred_eq: Fraction | None
    ivig_drugs: tuple[str, ...]
    gc_reference_prednisone_mg: Fraction
    gc_decimals: int
    rescue_start_day_gt: int

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> MedicationParams:
        """Build from ``config["medications"]`` (already checked by the schema)."""
        problems = list(_section_problems(section))
        if problems:
            raise ConfigError("; ".join(problems))
        adrenal = section["exclude_adrenal_replacement_le_pred_eq"]
        return cls(
            dictionary=tuple(
                DrugEntry.from_config(inn.lower(), e) for inn, e in section["dictionary"].items()
            ),
            cmclas_class=dict(section["cmclas_class"]),
            systemic_routes=tuple(section["systemic_routes"]),
            systemic_only_classes=tuple(section["systemic_only_classes"]),
            unit_to_mg={u: exact(v) for u, v in section["unit_to_mg"].items()},
            frequencies={k: Frequency(**v) for k, v in section["frequencies"].items()},
            once_frequency=section["once_frequency"],
            once_exposure_classes=tuple(section["once_exposure_classes"]),
            once_exposure_days_default=section["once_exposure_days_default"],
            ld_drugs=tuple(d.lower() for d in section["ld_drugs"]),
            ld_window_first_day=section["ld_window_first_day"],
            ld_window_last_day=section["ld_window_last_day"],
            sle_indication=section["sle_indication"],
            cart_toxicity_indications=tuple(section["cart_toxicity_indications"]),
            missing_indication_sle_classes=tuple(section["missing_indication_sle_classes"]),
            adrenal_indications=tuple(section["adrenal_indications"]),
            exclude_adrenal_replacement_le_pred_eq=exact(adrenal) if adrenal is not None else None,
            ivig_drugs=tuple(d.lower() for d in section["ivig_drugs"]),
            gc_reference_prednisone_mg=exact(section["gc_reference_prednisone_mg"]),
            gc_decimals=section["gc_decimals"],
            rescue_start_day_gt=section["rescue_start_day_gt"],
        )

    def describe(self) -> tuple[str, ...]:
        """The configured medication rules in words, for the report's methods section.

        Returns
        -------
        tuple[str, ...]
            Sentences on classing, routes, the daily glucocorticoid dose, exposure and rescue.
        """
        once = self.once_frequency
        if self.exclude_adrenal_replacement_le_pred_eq is None:
            adrenal = (
                f"Glucocorticoid records for {', '.join(self.adrenal_indications)} are always "
                "counted in that dose."
            )
        else:
            adrenal = (
                f"Glucocorticoid records for {', '.join(self.adrenal_indications)} at or below "
                f"{_text(self.exclude_adrenal_replacement_le_pred_eq)} mg/day "
                "prednisone-equivalent are left out of that dose."
            )
        return (
            f"Medication records are classed by a dictionary of {len(self.dictionary)} drugs "
            "matched case-insensitively on name or alias; a CMCLAS value that maps to a class "
            "takes precedence.",
            f"Routes {', '.join(self.systemic_routes)} are systemic; "
            f"{', '.join(self.systemic_only_classes)} records count for doses, exposure and "
            "rescue only by a systemic route.",
            "The daily prednisone-equivalent glucocorticoid dose sums, over the active systemic "
            f"glucocorticoid records, mg/day × {_text(self.gc_reference_prednisone_mg)} / the "
            f"drug's equivalent mg, rounded half up to {self.gc_decimals} decimals once per day.",
            adrenal,
            f"A {once} administration of a {' or '.join(self.once_exposure_classes)} drug stays "
            "active for the drug's exposure days, else "
            f"{self.once_exposure_days_default} days; any other {once} administration is "
            "active on its start day only.",
            f"{' and '.join(self.ld_drugs).capitalize()} started on study days "
            f"{self.ld_window_first_day} to {self.ld_window_last_day} (Day 0 = infusion) without "
            "a CMCLAS are lymphodepletion.",
            f"A record counts as given for SLE when its indication is {self.sle_indication}, or "
            "when it has no indication and its class is one of "
            f"{', '.join(self.missing_indication_sle_classes)}; records for "
            f"{', '.join(self.cart_toxicity_indications)} are CAR-T toxicity management and "
            "never an SLE rescue.",
            "Rescue and flare-treatment events are records started after study day "
            f"{self.rescue_start_day_gt}; {', '.join(self.ivig_drugs)} or plasma exchange "
            f"given for {self.sle_indication} is a rescue.",
        )

    # -- exact arithmetic: every dose is an integer numerator over one common denominator ----
    @property
    def unit_scale(self) -> int:
        return math.lcm(*(f.denominator for f in self.unit_to_mg.values()))

    @property
    def frequency_scale(self) -> int:
        return math.lcm(*(f.per_day.denominator for f in self.frequencies.values()))

    @property
    def predeq_scale(self) -> int:
        return math.lcm(1, *(f.denominator for f in self.predeq_factors.values()))

    @property
    def mg_denominator(self) -> int:
        """Denominator of the exact mg/day numerators (dose scale x unit x frequency)."""
        return 10**DOSE_SCALE_DECIMALS * self.unit_scale * self.frequency_scale

    @property
    def predeq_denominator(self) -> int:
        """Denominator of the exact prednisone-equivalent mg/day numerators."""
        return self.mg_denominator * self.predeq_scale

    @property
    def predeq_factors(self) -> dict[str, Fraction]:
        """Prednisone-equivalent mg per mg: reference mg / equivalent_mg (§8.1, §16.8)."""
        return {
            d.inn: self.gc_reference_prednisone_mg / d.equivalent_mg
            for d in self.dictionary
            if d.equivalent_mg is not None
        }

    @property
    def half_lives_hours(self) -> dict[str, Fraction]:
        """Elimination half-life in hours per INN, for the drugs that have one (§16.27)."""
        return {d.inn: d.half_life_hours for d in self.dictionary if d.half_life_hours is not None}

    @property
    def names(self) -> dict[str, str]:
        """Lower-case name or alias → INN."""
        out = {d.inn: d.inn for d in self.dictionary}
        out |= {a: d.inn for d in self.dictionary for a in d.aliases}
        return out


def _text(value: Fraction) -> str:
    """A configured exact number as short decimal text (``5``, ``0.75``)."""
    return f"{float(value):g}"


def _entry_problems(inn: str, entry: Mapping[str, Any], once_classes: list[str]) -> Iterator[str]:
    key = f"medications.dictionary.{inn}"
    is_gc = entry["class"] == "GC_SYSTEMIC"
    if is_gc and entry.get("equivalent_mg") is None:
        yield f"{key}: a GC_SYSTEMIC drug needs equivalent_mg (§8.1)"
    if entry.get("equivalent_mg") is not None and entry["class"] not in (
        "GC_SYSTEMIC",
        "CART_TOXICITY_MGMT",
    ):
        yield f"{key}: equivalent_mg is only allowed for glucocorticoids (§8.1)"
    caps = [k for k in ("maintenance_max_mg_per_day", "maintenance_max_mg_per_week") if k in entry]
    if caps and entry["class"] not in CAPPED_CLASSES:
        yield f"{key}: maintenance maxima apply to IS and biologics only (§16.24)"
    if len(caps) == 2:
        yield f"{key}: give maintenance_max_mg_per_day or _per_week, not both (§16.11)"
    if "exposure_days" in entry and entry["class"] not in once_classes:
        yield f"{key}: exposure_days needs a class listed in once_exposure_classes (§16.10)"


def _section_problems(section: Mapping[str, Any]) -> Iterator[str]:
    dictionary = section["dictionary"]
    inns = {k.lower() for k in dictionary}
    aliases: list[str] = [a.lower() for e in dictionary.values() for a in e.get("aliases", ())]
    for inn, entry in dictionary.items():
        yield from _entry_problems(inn, entry, section["once_exposure_classes"])
    for alias in sorted(set(aliases) & inns | {a for a in aliases if aliases.count(a) > 1}):
        yield f"medications.dictionary: alias {alias!r} is an INN or another drug's alias too"
    for key in ("ld_drugs", "ivig_drugs"):
        for drug in section[key]:
            if drug.lower() not in inns:
                yield f"medications.{key}: {drug!r} is not in medications.dictionary"
    for key, vocabulary in (
        ("frequencies", c.CMDOSFRQ_VALUES),
        ("unit_to_mg", c.CMDOSU_VALUES),
        ("cmclas_class", c.CMCLAS_VALUES),
    ):
        missing = sorted(set(vocabulary) - set(section[key]))
        if missing:
            yield f"medications.{key}: no entry for {', '.join(missing)} (data-contract §1.3)"
    if section["once_frequency"] not in section["frequencies"]:
        yield "medications.once_frequency: not a key of medications.frequencies"
    if section["ld_window_first_day"] > section["ld_window_last_day"]:
        yield "medications.ld_window_first_day must be <= medications.ld_window_last_day (§8.2)"


@register_check
def check_medications(config: Mapping[str, Any]) -> Iterator[str]:
    """Cross-field rules of the ``medications`` section (registered with the config loader)."""
    section = config.get("medications")
    if section:
        yield from _section_problems(section)
