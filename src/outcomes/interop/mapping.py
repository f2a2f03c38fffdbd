"""The SDTM-to-export mapping (``config/sdtm_mapping.yaml``): load, check, freeze.

CDISC has no controlled terminology for SLEDAI-2K, BILAG-2004 or the physician global
assessment, so a sponsor mapping names which test codes of the disease-activity domain (RS or QS)
feed which column of the ``assessments`` table (data-contract.md §1.2), and how the values of DM,
DS, EX, CM and AE translate into the contract's vocabularies. The JSON schema
``config/sdtm_mapping.schema.json`` checks shape and vocabularies; :class:`SdtmMapping` adds the
rules that span keys.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from outcomes.config import REPO_ROOT
from outcomes.errors import ConfigError

DEFAULT_MAPPING = REPO_ROOT / "config" / "sdtm_mapping.yaml"
MAPPING_SCHEMA = REPO_ROOT / "config" / "sdtm_mapping.schema.json"

DOMAINS: tuple[str, ...] = ("dm", "ds", "ex", "cm", "ae", "lb", "activity")


def _upper_keys(values: Mapping[str, Any]) -> dict[str, Any]:
    return {str(k).strip().upper(): v for k, v in values.items()}


def _upper_list(values: list[str]) -> tuple[str, ...]:
    return tuple(v.strip().upper() for v in values)


@dataclass(frozen=True)
class SubjectRules:
    """DM and EX rules of the ``subjects`` table (keys of ``subjects:``)."""

    dose_level_variable: str
    dose_levels: dict[str, str]
    untreated_arms: tuple[str, ...]
    cart_treatments: tuple[str, ...]
    cart_dose_unit: str
    infusion_date_from_rfxstdtc: bool
    lymphodepletion_treatments: tuple[str, ...]
    sex: dict[str, str]

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> SubjectRules:
        """Build from the ``subjects`` section of a checked mapping."""
        return cls(
            dose_level_variable=section["dose_level_variable"],
            dose_levels=_upper_keys(section["dose_levels"]),
            untreated_arms=_upper_list(section["untreated_arms"]),
            cart_treatments=_upper_list(section["cart_treatments"]),
            cart_dose_unit=section["cart_dose_unit"].strip().upper(),
            infusion_date_from_rfxstdtc=section["infusion_date_from_rfxstdtc"],
            lymphodepletion_treatments=_upper_list(section["lymphodepletion_treatments"]),
            sex=_upper_keys(section["sex"]),
        )


@dataclass(frozen=True)
class DispositionRules:
    """DS rules of EOSSTT, EOSDT and DCSREAS (keys of ``disposition:``)."""

    category: str
    completed_terms: tuple[str, ...]
    reasons: dict[str, str]

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> DispositionRules:
        """Build from the ``disposition`` section of a checked mapping."""
        return cls(
            category=section["category"].strip().upper(),
            completed_terms=_upper_list(section["completed_terms"]),
            reasons=_upper_keys(section["reasons"]),
        )


@dataclass(frozen=True)
class MedicationRules:
    """CM value maps (keys of ``medications:``)."""

    class_variable: str | None
    classes: dict[str, str]
    units: dict[str, str]
    frequencies: dict[str, str]
    routes: dict[str, str]
    indications: dict[str, str]

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> MedicationRules:
        """Build from the ``medications`` section of a checked mapping."""
        return cls(
            class_variable=section["class_variable"],
            classes=_upper_keys(section["classes"]),
            units=_upper_keys(section["units"]),
            frequencies=_upper_keys(section["frequencies"]),
            routes=_upper_keys(section["routes"]),
            indications=_upper_keys(section["indications"]),
        )


@dataclass(frozen=True)
class AdverseEventRules:
    """AE value maps (keys of ``adverse_events:``)."""

    categories: dict[str, str]
    category_default: str
    grade_from_severity: dict[str, int]
    relationship: dict[str, str]
    seriousness: dict[str, str]

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> AdverseEventRules:
        """Build from the ``adverse_events`` section of a checked mapping."""
        return cls(
            categories=_upper_keys(section["categories"]),
            category_default=section["category_default"],
            grade_from_severity=_upper_keys(section["grade_from_severity"]),
            relationship=_upper_keys(section["relationship"]),
            seriousness=_upper_keys(section["seriousness"]),
        )


@dataclass(frozen=True)
class ActivityRules:
    """Disease-activity domain rules (keys of ``activity:``)."""

    prefix: str
    visits: dict[str, str]
    present_values: dict[str, int]
    tests: dict[str, str]

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> ActivityRules:
        """Build from the ``activity`` section; two codes may not feed one column.

        Raises
        ------
        ConfigError
            When two test codes map to the same assessments column.
        """
        tests = _upper_keys(section["tests"])
        seen: dict[str, str] = {}
        for code, column in tests.items():
            if column in seen:
                raise ConfigError(
                    f"sdtm_mapping.activity.tests.{code}: column {column} is already fed by "
                    f"test code {seen[column]}; one column takes one test code."
                )
            seen[column] = code
        return cls(
            prefix=section["prefix"],
            visits=_upper_keys(section["visits"]),
            present_values=_upper_keys(section["present_values"]),
            tests=tests,
        )


@dataclass(frozen=True)
class SdtmMapping:
    """A checked SDTM-to-export mapping."""

    files: dict[str, tuple[str, ...]]
    subjects: SubjectRules
    disposition: DispositionRules
    medications: MedicationRules
    adverse_events: AdverseEventRules
    activity: ActivityRules

    @classmethod
    def from_config(cls, mapping: Mapping[str, Any]) -> SdtmMapping:
        """Build from a mapping document that passed :func:`check_mapping`."""
        return cls(
            files={d: tuple(mapping["files"][d]) for d in DOMAINS},
            subjects=SubjectRules.from_config(mapping["subjects"]),
            disposition=DispositionRules.from_config(mapping["disposition"]),
            medications=MedicationRules.from_config(mapping["medications"]),
            adverse_events=AdverseEventRules.from_config(mapping["adverse_events"]),
            activity=ActivityRules.from_config(mapping["activity"]),
        )


def check_mapping(document: Any) -> None:
    """Check a parsed mapping document against ``config/sdtm_mapping.schema.json``.

    Raises
    ------
    ConfigError
        Listing every violation with its key path.
    """
    schema = json.loads(MAPPING_SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    problems = []
    for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.path))):
        path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        problems.append(f"sdtm_mapping{path}: {error.message}")
    if problems:
        raise ConfigError(
            "SDTM mapping is not valid:\n  - "
            + "\n  - ".join(problems)
            + "\nFix these keys (config/sdtm_mapping.schema.json describes each one)."
        )


def load_sdtm_mapping(path: Path = DEFAULT_MAPPING) -> SdtmMapping:
    """Read, check and freeze a mapping file.

    Raises
    ------
    ConfigError
        When the file is missing, is not YAML, or breaks the schema or a cross-key rule.
    """
    if not path.is_file():
        raise ConfigError(f"SDTM mapping file {path} does not exist.")
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"SDTM mapping file {path} is not valid YAML: {exc}") from exc
    check_mapping(document)
    return SdtmMapping.from_config(document)
