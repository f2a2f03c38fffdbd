"""Tests of outcomes.derive.params: from_config, no clinical defaults, cross-field checks."""

from __future__ import annotations

import copy

import pytest

from outcomes.configuration import load_config, validate_config
from outcomes.derive.params import (
    Criteria,
    DorisCriteria,
    LldasCriteria,
    ScoreParams,
    SriCriteria,
    VisitParams,
)
from outcomes.errors import ConfigError

from .frames import CRITERIA, SCORES, VISITS


@pytest.fixture(scope="module")
def config():
    return load_config()


def test_from_config_matches_the_spec_defaults(config):
    assert Criteria.from_config(config["criteria"]) == CRITERIA
    assert ScoreParams.from_config(config["scores"]) == SCORES
    visits = VisitParams.from_config(config["visits"])
    assert visits.baseline_window_days == 42
    assert [(w.label, w.lower_day, w.target_day, w.upper_day) for w in visits.windows][2:4] == [
        ("MONTH 3", 77, 91, 105),
        ("MONTH 6", 168, 182, 196),
    ]
    assert visits.windows[:6] == VISITS.windows


@pytest.mark.parametrize("cls", [DorisCriteria, LldasCriteria, SriCriteria, ScoreParams])
def test_clinical_dataclasses_have_no_defaults(cls):
    with pytest.raises(TypeError):
        cls()


def _broken(config, path, value):
    out = copy.deepcopy(config)
    node = out
    *parents, last = path
    for p in parents:
        node = node[p]
    node[last] = value
    return out


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("visits", "windows", 0, "target_day"), 20, r"visits.windows\[0\] \(DAY 14\): lower_day"),
        (("visits", "windows", 1, "lower_day"), 15, r"visits.windows\[1\] \(DAY 28\): lower_day"),
        (("visits", "windows", 1, "avisitn"), 1, r"visits.windows: avisitn values must be unique"),
        (
            ("criteria", "lldas", "prednisone_mg_per_day_le"),
            4,
            r"criteria.lldas.prednisone_mg_per_day_le must be >=",
        ),
        (("criteria", "sri", "selena_reduction_ge"), 5, r"criteria.sri.k_values: k = 4"),
        (("criteria", "doris", "gc_operator"), "lte", r"config.criteria.doris.gc_operator"),
        (("criteria", "sri", "pga_increase_lt"), 0, r"config.criteria.sri.pga_increase_lt"),
        (("scores", "bilag_points", "F"), 1, r"unknown key"),
    ],
)
def test_config_errors_name_the_key(config, path, value, message):
    broken = _broken(config, path, value)
    if path[:2] == ("criteria", "sri") and path[-1] == "selena_reduction_ge":
        broken["criteria"]["sri"]["k_values"] = [4, 6]
    with pytest.raises(ConfigError, match=message):
        validate_config(broken)
