"""docs/decisions.md: every [D-nn] of endpoints.md is a config key with its documented default.

Checks, for the decisions registry: each decision id is documented; each key named in the table
exists in config/config.yaml with the default stated (YAML notation) and in
config/config.schema.json with a description; each decision id is cited in config/config.yaml.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from outcomes.config import load_config, validate_config
from outcomes.derive.params import Criteria, ScoreParams, VisitParams
from outcomes.drugs.params import MedicationParams
from outcomes.eligibility import EligibilityParams
from outcomes.endpoints.params import EndpointParams, SafetyParams
from outcomes.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "decisions.md"
CONFIG = ROOT / "config" / "config.yaml"
SCHEMA = ROOT / "config" / "config.schema.json"
ROW = re.compile(r"^\| (D-\d\d|§[\d.]+) \| (.+) \| `([a-z0-9_.]+)` \| (.+) \|$")

#: The project decisions of endpoints.md (§0-§12, §16); D-28 does not exist.
DECISIONS = tuple(f"D-{n:02d}" for n in range(1, 35) if n != 28)

#: Defaults described in words in the table, with the value they stand for.
WORDED = {
    "visits.windows": lambda v: (
        [w["label"] for w in v]
        == [
            "DAY 14",
            "DAY 28",
            "MONTH 3",
            "MONTH 6",
            "MONTH 9",
            "MONTH 12",
            "MONTH 18",
            "MONTH 24",
        ]
    ),
    "medications.dictionary": lambda v: (
        v["prednisone"]["class"] == "GC_SYSTEMIC"
        and v["plasma exchange"]["class"] == "PLASMA_EXCHANGE"
    ),
    "medications.cmclas_class": lambda v: (
        v["GLUCOCORTICOID"] == "GC_SYSTEMIC" and v["OTHER"] is None
    ),
}

#: Keys whose schema allows exactly the one implemented reading (an enum of one value).
SINGLE_READING = {
    "visits.study_day_origin": "infusion_day_0",
    "scores.selena_glossary": "ecrf",
    "scores.bilag_grades": "recorded",
    "scores.doris_index": "clinical_sledai2k",
    "scores.lldas_index": "sledai2k",
    "criteria.doris.variants_2017": "doris2021_sledai_pga",
    "safety.icaht.between_draws": "hold_last_value",
    "endpoints.never_achieved_censor": "last_evaluable_assessment",
    "endpoints.death_before_achievement": "censor_cnsr2",
    "medications.shared_boundary_day": "starting_record",
    "eligibility.crcl_body_weight": "actual",
}


def _rows() -> list[tuple[str, str, str, str]]:
    rows = [ROW.match(line) for line in DOC.read_text(encoding="utf-8").splitlines()]
    return [m.groups() for m in rows if m]


@functools.cache
def _config() -> dict[str, Any]:
    return load_config()


@functools.cache
def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


def _lookup(config: dict[str, Any], path: str) -> Any:
    value: Any = config
    for part in path.split("."):
        value = value[part]
    return value


def _schema_node(path: str) -> dict[str, Any]:
    node: dict[str, Any] = _schema()
    for part in path.split("."):
        node = node["properties"][part]
    return node


def _with(path: str, value: Any) -> dict[str, Any]:
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    *parents, last = path.split(".")
    section = config
    for part in parents:
        section = section[part]
    section[last] = value
    return config


def test_decision_ids_are_d01_to_d34_without_d28():
    assert len(DECISIONS) == 33
    assert DECISIONS[0] == "D-01" and DECISIONS[-1] == "D-34" and "D-28" not in DECISIONS


def test_table_rows_are_parsed():
    assert len(_rows()) >= 60


@pytest.mark.parametrize("decision", DECISIONS)
def test_every_decision_has_a_row_in_the_table(decision):
    assert decision in {d for d, *_ in _rows()}


@pytest.mark.parametrize("decision", DECISIONS)
def test_every_decision_is_cited_in_the_config_comments(decision):
    assert f"D-{decision[2:]}" in CONFIG.read_text(encoding="utf-8")


@pytest.mark.parametrize(("decision", "rule", "key", "default"), _rows())
def test_key_exists_with_its_documented_default(decision, rule, key, default):
    value = _lookup(_config(), key)
    if default.startswith("`") and default.endswith("`"):
        assert value == yaml.safe_load(default.strip("`")), (decision, key)
    else:
        assert key in WORDED, (decision, key, "default in words without a check")
        assert WORDED[key](value), (decision, key)


@pytest.mark.parametrize(("decision", "rule", "key", "default"), _rows())
def test_key_is_described_in_the_schema(decision, rule, key, default):
    description = _schema_node(key).get("description", "")
    assert len(description) >= 10, (decision, key)


@pytest.mark.parametrize("key", sorted(SINGLE_READING))
def test_single_reading_keys_allow_only_the_implemented_value(key):
    node = _schema_node(key)
    assert node["enum"] == [SINGLE_READING[key]]
    assert _lookup(_config(), key) == SINGLE_READING[key]


@pytest.mark.parametrize("key", sorted(SINGLE_READING))
def test_single_reading_keys_reject_another_value(key):
    with pytest.raises(ConfigError, match=key.split(".")[-1]):
        validate_config(_with(key, "other"))


@pytest.mark.parametrize("value", ["event", "censor"])
def test_duration_death_accepts_event_and_censor(value):
    validate_config(_with("endpoints.duration_death", value))


def test_duration_death_rejects_another_value():
    with pytest.raises(ConfigError, match="duration_death"):
        validate_config(_with("endpoints.duration_death", "competing"))


def test_decision_keys_are_required_by_the_schema():
    for _, _, key, _ in _rows():
        *parents, last = key.split(".")
        node = _schema_node(".".join(parents)) if parents else _schema()
        assert last in node["required"], key


def test_every_stage_builds_its_parameters_from_the_shipped_config():
    config = _config()
    scores = ScoreParams.from_config(config["scores"])
    criteria = Criteria.from_config(config["criteria"])
    endpoints = EndpointParams.from_config(config["endpoints"])
    MedicationParams.from_config(config["medications"])
    SafetyParams.from_config(config["safety"])
    VisitParams.from_config(config["visits"])
    eligibility = EligibilityParams.from_config(
        config["eligibility"], baseline_window_days=config["visits"]["baseline_window_days"]
    )
    assert scores.selena_onset_missing == "bounds"
    assert criteria.doris.variants_2017 == "doris2021_sledai_pga"
    assert endpoints.duration_death == "event"
    assert eligibility.crcl_body_weight == "actual"


def test_duration_death_censor_is_read_into_the_endpoint_parameters():
    section = _with("endpoints.duration_death", "censor")["endpoints"]
    assert EndpointParams.from_config(section).duration_death == "censor"
